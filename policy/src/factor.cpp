#include "mamori/policy/factor.hpp"

namespace mamori::policy {

std::string_view factorKindId(FactorKind kind) {
  switch (kind) {
    case FactorKind::kKnowledge: return "knowledge";
    case FactorKind::kPossession: return "possession";
    case FactorKind::kInherence: return "inherence";
  }
  return "?";
}

std::optional<FactorKind> parseFactorKind(std::string_view id) {
  for (const auto kind : kAllFactorKinds) {
    if (factorKindId(kind) == id) return kind;
  }
  return std::nullopt;
}

Text factorKindText(FactorKind kind) {
  switch (kind) {
    case FactorKind::kKnowledge: return {"知識", "knowledge"};
    case FactorKind::kPossession: return {"所持", "possession"};
    case FactorKind::kInherence: return {"存在", "inherence"};
  }
  return {"?", "?"};
}

}  // namespace mamori::policy
