#pragma once

#include <bit>
#include <cstdint>
#include <optional>
#include <string_view>

#include "mamori/policy/text.hpp"

namespace mamori::policy {

/// The three kinds of authenticator (知識・所持・存在, 第38条(4)).
enum class FactorKind : std::uint8_t {
  kKnowledge,   ///< 知識: a password or PIN typed from memory
  kPossession,  ///< 所持: a smart card, security key, OTP token
  kInherence,   ///< 存在: a fingerprint, a face
};

inline constexpr FactorKind kAllFactorKinds[] = {FactorKind::kKnowledge, FactorKind::kPossession,
                                                 FactorKind::kInherence};

std::string_view factorKindId(FactorKind kind);  ///< `knowledge`
std::optional<FactorKind> parseFactorKind(std::string_view id);
Text factorKindText(FactorKind kind);  ///< 知識 / knowledge

/// A set of kinds as bits (1 << kind).
using FactorKinds = std::uint8_t;
inline constexpr FactorKinds bitOf(FactorKind kind) {
  return static_cast<FactorKinds>(1U << static_cast<unsigned>(kind));
}

/// How many kinds a set holds.
inline constexpr int kindCount(FactorKinds kinds) {
  return std::popcount(static_cast<unsigned>(kinds));
}

}  // namespace mamori::policy
