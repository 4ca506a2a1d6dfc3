#include "mamori/tuf/rejection.hpp"

namespace mamori::tuf {

std::string_view problemName(Problem problem) {
  switch (problem) {
    case Problem::kMalformed: return "malformed";
    case Problem::kBadSignature: return "bad-signature";
    case Problem::kRollback: return "rollback";
    case Problem::kExpired: return "expired";
    case Problem::kMismatch: return "mismatch";
    case Problem::kBadHash: return "bad-hash";
    case Problem::kTooLarge: return "too-large";
    case Problem::kClockBackwards: return "clock-backwards";
    case Problem::kUnavailable: return "unavailable";
    case Problem::kUnknownTarget: return "unknown-target";
    case Problem::kStorage: return "storage";
    case Problem::kUsage: return "usage";
  }
  return "unknown";
}

std::string Rejection::describe() const {
  return std::string(problemName(problem)) + ": " + error.describe();
}

Rejection reject(Problem problem, std::string file, std::string message) {
  return {problem, makeError(problem == Problem::kUsage ? ErrorCode::kUsage
                             : (problem == Problem::kUnavailable || problem == Problem::kStorage)
                                 ? ErrorCode::kIo
                                 : ErrorCode::kValidation,
                             std::move(message), std::move(file))};
}

}  // namespace mamori::tuf
