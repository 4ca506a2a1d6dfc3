#include "mamori/policy/pam_analysis.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <compare>
#include <set>
#include <tuple>

namespace mamori::policy::pam {
namespace {

// pam_dispatch.c's impression codes and the code a broken line fails with.
constexpr int kUndef = 0;
constexpr int kPositive = 1;
constexpr int kNegative = -1;
constexpr int kMustFailCode = kPermDenied;
constexpr std::size_t kMaxLevels = 16;
// Real stacks reach a few hundred states; a bound keeps a hostile one from exhausting memory.
constexpr std::size_t kMaxStates = 250'000;

struct Frame {
  int impression = kUndef;
  int status = kMustFailCode;
  auto operator<=>(const Frame&) const = default;
};

/// The dispatcher's variables between two handlers.
struct Machine {
  std::size_t next = 0;  ///< the handler to run
  int prev_level = 0;
  Frame now;
  std::array<Frame, kMaxLevels> substates{};  ///< the state on entering each substack level
  auto operator<=>(const Machine&) const = default;
};

/// What a handler returns without its module being asked; nullopt when the module decides.
std::optional<int> fixedCode(const Handler& h) {
  if (h.kind == HandlerKind::kMustFail) return kMustFailCode;
  if (!h.installed) return kModuleUnknown;  // a module libpam cannot load has no function
  return std::nullopt;
}

std::size_t levelIndex(int level) {
  return static_cast<std::size_t>(std::clamp(level, 0, static_cast<int>(kMaxLevels) - 1));
}

// The top of libpam's loop up to the next module call: remember the state when entering a
// substack, and step over substack marks. False when the stack is done.
bool reachNextCall(std::span<const Handler> hs, Machine& m) {
  while (m.next < hs.size()) {
    const Handler& h = hs[m.next];
    if (m.prev_level < h.stack_level) m.substates[levelIndex(h.stack_level)] = m.now;
    if (h.kind != HandlerKind::kSubstack) return true;
    m.prev_level = h.stack_level;
    ++m.next;
  }
  return false;
}

// The rest of libpam's loop body: handler `m.next` returned `retval`.
void apply(std::span<const Handler> hs, Machine& m, int retval, std::vector<std::size_t>* skipped) {
  const Handler& h = hs[m.next];
  const int level = h.stack_level;
  std::size_t i = m.next;
  const auto skip = [&] {
    ++i;
    if (skipped && hs[i].kind == HandlerKind::kModule) skipped->push_back(i);
  };
  const auto endOfLevel = [&] {  // decision_made: the rest of this (sub)stack is not run
    while (i + 1 < hs.size() && hs[i + 1].stack_level >= level) skip();
  };
  const bool valid = retval >= kSuccess && retval < kReturnValues;
  int action = valid ? h.actions[static_cast<std::size_t>(retval)] : kActionBad;
  if (!valid) retval = kMustFailCode;

  switch (action) {
    case kActionReset: m.now = m.substates[levelIndex(level)]; break;
    case kActionOk:
    case kActionDone:
      if (m.now.impression == kUndef ||
          (m.now.impression == kPositive && m.now.status == kSuccess)) {
        m.now = {kPositive, retval};
      }
      if (m.now.impression == kPositive && action == kActionDone) endOfLevel();
      break;
    case kActionBad:
    case kActionDie:
      if (m.now.impression != kNegative) {
        m.now = {kNegative, retval == kIgnore ? kMustFailCode : retval};
      }
      if (action == kActionDie) endOfLevel();
      break;
    case kActionIgnore: break;
    default:
      // A jump of n passes over the next n handlers of this level, a substack counting as one;
      // a jump past the end of its (sub)stack is a configuration error that fails the login.
      while (action > 0 && i + 1 < hs.size() && hs[i + 1].stack_level >= level) {
        do {
          skip();
        } while (i + 1 < hs.size() && hs[i + 1].stack_level > level);
        --action;
      }
      if (action != 0) m.now = {kNegative, kMustFailCode};
  }
  m.prev_level = level;
  m.next = i + 1;
}

bool succeeded(const Machine& m) {
  return m.now.status == kSuccess && m.now.impression == kPositive;
}

// Codes that lead the dispatcher the same way at one handler: the same action, and the same
// answer to the two questions libpam asks of a code (success? ignore?).
using CodeClass = std::tuple<int, bool, bool>;

class Explorer {
 public:
  Explorer(std::span<const Handler> hs, const Classifier& classify, FactorKinds accepted)
      : hs_(hs) {
    models_.reserve(hs.size());
    for (const Handler& h : hs) {
      models_.push_back(h.kind == HandlerKind::kModule ? classify(h) : ModuleModel{});
      const auto& model = models_.back();
      int bit = -1;
      if (model.factor && (accepted & bitOf(*model.factor)) != 0 && model.weakness.empty()) {
        const auto name = h.moduleName();
        auto found = std::ranges::find(result_.factor_modules, name);
        if (found == result_.factor_modules.end() && result_.factor_modules.size() < 64) {
          result_.factor_modules.push_back(name);
          found = result_.factor_modules.end() - 1;
        }
        if (found != result_.factor_modules.end())
          bit = static_cast<int>(found - result_.factor_modules.begin());
      }
      factor_bits_.push_back(bit);
    }
  }

  Analysis run() {
    explore(Machine{}, 0, 0);
    return std::move(result_);
  }

 private:
  struct Key {
    Machine machine;
    std::uint64_t factors;
    FactorKinds kinds;
    auto operator<=>(const Key&) const = default;
  };

  void explore(Machine m, std::uint64_t factors, FactorKinds kinds) {
    if (!reachNextCall(hs_, m)) return finish(m, factors, kinds);
    if (seen_.size() >= kMaxStates) {
      result_.complete = false;
      return;
    }
    if (!seen_.insert(Key{m, factors, kinds}).second) return;
    const Handler& h = hs_[m.next];
    if (const auto fixed = fixedCode(h)) return branch(m, *fixed, factors, kinds);
    std::set<CodeClass> tried;
    for (const int code : models_[m.next].codes) {
      if (code < kSuccess || code >= kReturnValues || code == kIncomplete) continue;
      const CodeClass cls{h.actions[static_cast<std::size_t>(code)], code == kSuccess,
                          code == kIgnore};
      if (tried.insert(cls).second) branch(m, code, factors, kinds);
    }
  }

  void branch(Machine m, int code, std::uint64_t factors, FactorKinds kinds) {
    Step step{m.next, code, false, {}};
    const int bit = factor_bits_[m.next];
    if (code == kSuccess && bit >= 0) {
      step.proved_factor = true;
      factors |= std::uint64_t{1} << bit;
      kinds |= bitOf(*models_[m.next].factor);
    }
    apply(hs_, m, code, &step.skipped);
    path_.push_back(std::move(step));
    explore(m, factors, kinds);
    path_.pop_back();
  }

  void finish(const Machine& m, std::uint64_t factors, FactorKinds kinds) {
    if (!succeeded(m)) return;
    result_.can_succeed = true;
    const Path path{path_, factors, kinds};
    const auto better = [](const std::optional<Path>& best, int mine, auto measure) {
      return !best || mine < measure(*best);
    };
    const auto factorCount = [](const Path& p) { return std::popcount(p.factors); };
    const auto kindsOf = [](const Path& p) { return kindCount(p.kinds); };
    if (better(result_.fewest_factors, factorCount(path), factorCount))
      result_.fewest_factors = path;
    if (better(result_.fewest_kinds, kindsOf(path), kindsOf)) result_.fewest_kinds = path;
  }

  std::span<const Handler> hs_;
  std::vector<ModuleModel> models_;
  std::vector<int> factor_bits_;
  std::set<Key> seen_;
  std::vector<Step> path_;
  Analysis result_;
};

}  // namespace

int dispatch(std::span<const Handler> handlers, std::span<const int> codes) {
  Machine m;
  while (reachNextCall(handlers, m)) {
    const auto code = fixedCode(handlers[m.next]).value_or(codes[m.next]);
    if (code == kIncomplete) return kIncomplete;
    apply(handlers, m, code, nullptr);
  }
  // libpam's sanity check: a success no module vouched for is a failure.
  if (m.now.status == kSuccess && m.now.impression != kPositive) return kMustFailCode;
  return m.now.status;
}

int Analysis::factorCount(const Path& path) const { return std::popcount(path.factors); }

Analysis analyse(std::span<const Handler> handlers, const Classifier& classify,
                 FactorKinds accepted) {
  return Explorer(handlers, classify, accepted).run();
}

}  // namespace mamori::policy::pam
