// Differential test against the real libpam: random auth stacks (shorthand and bracket controls,
// jumps, include / substack / @include, `-` lines, broken lines, missing modules) are written to
// a private service directory and run by libpam through Debian's pam_wrapper with a test module
// whose result is chosen per run. For every combination of module results, libpam's answer must
// equal mamori's decoder + dispatcher. Then the symbolic explorer must find exactly what brute
// force over the dispatcher finds.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <security/pam_appl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "mamori/platform/pam_config.hpp"
#include "mamori/policy/pam_analysis.hpp"

namespace fs = std::filesystem;
using namespace mamori;
using policy::pam::Handler;

namespace {

constexpr std::array kOutcomeChars{'s', 'f', 'u', 'i'};
constexpr std::array kOutcomeCodes{policy::pam::kSuccess, policy::pam::kAuthErr,
                                   policy::pam::kUserUnknown, policy::pam::kIgnore};
constexpr int kMaxSlots = 8;

class DirectorySource final : public platform::PamConfigSource {
 public:
  explicit DirectorySource(fs::path dir) : dir_(std::move(dir)) {}
  std::optional<std::string> read(std::string_view name) const override {
    const fs::path path = name.starts_with('/') ? fs::path(name) : dir_ / name;
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  bool moduleInstalled(std::string_view module) const override {
    return module.starts_with('/') && fs::is_regular_file(module);
  }

 private:
  fs::path dir_;
};

// Writes one random service (and the files it includes); returns how many slots it uses.
class StackWriter {
 public:
  StackWriter(std::mt19937& rng, fs::path service_dir, fs::path include_dir)
      : rng_(rng), service_dir_(std::move(service_dir)), include_dir_(std::move(include_dir)) {}

  int write(const std::string& service) {
    slots_ = 0;
    files_ = 0;
    service_ = service;
    const auto lines = 1 + pick(8);
    std::string text;
    for (int i = 0; i < lines && slots_ < kMaxSlots; ++i) text += line(/*depth=*/0);
    std::ofstream(service_dir_ / service) << text;
    return slots_;
  }

 private:
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  std::string control() {
    static constexpr std::array kShort{"required", "requisite", "sufficient", "optional"};
    static constexpr std::array kValues{"success", "auth_err", "user_unknown",
                                        "ignore",  "default",  "new_authtok_reqd"};
    static constexpr std::array kActions{"ok",    "done", "bad", "die", "ignore",
                                         "reset", "1",    "2",   "3",   "6"};
    if (pick(100) < 35) return kShort[static_cast<std::size_t>(pick(4))];
    if (pick(100) < 3) return pick(2) ? "[success=]" : "[bogus=ok]";  // libpam: all `bad`
    std::string c = "[";
    for (int n = 1 + pick(4); n > 0; --n) {
      c += std::string(kValues[static_cast<std::size_t>(pick(6))]) + "=" +
           kActions[static_cast<std::size_t>(pick(10))] + (n > 1 ? " " : "");
    }
    return c + "]";
  }

  std::string module() {
    const auto slot = std::to_string(slots_++);
    if (pick(100) < 5) return "/nonexistent/pam_missing.so slot=" + slot;
    return std::string(MAMORI_PAM_OUTCOME_MODULE) + " slot=" + slot;
  }

  std::string line(int depth) {
    const int roll = pick(100);
    if (roll < 8 && depth < 2) {
      static constexpr std::array kHow{"auth include ", "auth substack ", "@include "};
      return kHow[static_cast<std::size_t>(pick(3))] + includedFile(depth) + "\n";
    }
    if (roll < 10) return "auth include " + (include_dir_ / "missing").string() + "\n";
    if (roll < 14) return "account required " + module() + "\n";  // not auth: ignored
    if (roll < 16) return "autth required " + module() + "\n";    // illegal type: must fail
    if (roll < 17) return "auth required\n";                      // no module: must fail
    return (pick(10) == 0 ? "-auth " : "auth ") + control() + " " + module() + "\n";
  }

  std::string includedFile(int depth) {
    const auto path = include_dir_ / (service_ + "-" + std::to_string(files_++));
    std::string text;
    for (int n = 1 + pick(3); n > 0 && slots_ < kMaxSlots; --n) text += line(depth + 1);
    std::ofstream(path) << text;
    return path.string();
  }

  std::mt19937& rng_;
  fs::path service_dir_;
  fs::path include_dir_;
  std::string service_;
  int slots_ = 0;
  int files_ = 0;
};

int slotOf(const Handler& h) {
  const auto v = h.argumentValue("slot");
  return v.empty() ? -1 : std::stoi(v);
}

// Module handlers get the code of their slot's character.
std::vector<int> codesFor(const std::vector<Handler>& hs, const std::string& outcomes) {
  std::vector<int> codes(hs.size(), policy::pam::kServiceErr);
  for (std::size_t i = 0; i < hs.size(); ++i) {
    const int slot = slotOf(hs[i]);
    if (slot < 0 || slot >= static_cast<int>(outcomes.size())) continue;
    const auto c = outcomes[static_cast<std::size_t>(slot)];
    codes[i] = kOutcomeCodes[static_cast<std::size_t>(std::ranges::find(kOutcomeChars, c) -
                                                      kOutcomeChars.begin())];
  }
  return codes;
}

std::string outcomeString(long index, int slots) {
  std::string s(static_cast<std::size_t>(slots), 's');
  for (auto& c : s) {
    c = kOutcomeChars[static_cast<std::size_t>(index % 4)];
    index /= 4;
  }
  return s;
}

int noConversation(int, const pam_message**, pam_response**, void*) { return PAM_CONV_ERR; }

}  // namespace

// pam_wrapper copies the service directory when it loads, before main(): the stacks are written
// by an earlier run (`--generate DIR`, a ctest fixture) and only read here.
void generate(const fs::path& dir) {
  fs::remove_all(dir);
  fs::create_directories(dir / "services");
  fs::create_directories(dir / "included");
  std::mt19937 rng(20261122);
  StackWriter writer(rng, dir / "services", dir / "included");
  std::ofstream manifest(dir / "manifest");
  for (int i = 0; i < 1000; ++i) {
    const auto service = "stack" + std::to_string(i);
    manifest << service << ' ' << writer.write(service) << '\n';
  }
}

TEST_CASE("libpam's dispatcher and mamori agree on every outcome of 1,000 generated stacks") {
  const char* dir = std::getenv("PAM_WRAPPER_SERVICE_DIR");
  REQUIRE_MESSAGE(dir != nullptr, "run under pam_wrapper (ctest sets LD_PRELOAD)");
  const fs::path service_dir = dir;
  std::ifstream manifest(service_dir.parent_path() / "manifest");
  REQUIRE_MESSAGE(manifest.good(), "stacks not generated: run with --generate first");

  const DirectorySource source(service_dir);
  const pam_conv conversation{noConversation, nullptr};
  long combinations = 0;
  long successes = 0;
  long disagreements = 0;
  int stacks = 0;
  std::string service;
  int slots = 0;
  while (manifest >> service >> slots) {
    ++stacks;
    const auto stack = platform::loadAuthStack(service, source);
    pam_handle_t* handle = nullptr;
    REQUIRE(pam_start(service.c_str(), "nobody", &conversation, &handle) == PAM_SUCCESS);
    const long total = 1L << (2 * slots);
    for (long index = 0; index < total; ++index) {
      const auto outcomes = outcomeString(index, slots);
      setenv("MAMORI_PAM_OUTCOMES", outcomes.c_str(), 1);
      const int real = pam_authenticate(handle, PAM_SILENT);
      const int ours = stack.load_error.empty()
                           ? policy::pam::dispatch(stack.auth, codesFor(stack.auth, outcomes))
                           : PAM_ABORT;
      ++combinations;
      successes += real == PAM_SUCCESS;
      if ((real == PAM_SUCCESS) != (ours == PAM_SUCCESS) || (ours != PAM_ABORT && real != ours)) {
        if (++disagreements <= 5) {
          std::ifstream in(service_dir / service);
          std::ostringstream text;
          text << in.rdbuf();
          FAIL_CHECK(service << " outcomes " << outcomes << ": libpam " << real << ", mamori "
                             << ours << "\n"
                             << text.str());
        }
      }
    }
    pam_end(handle, PAM_SUCCESS);
  }
  MESSAGE("libpam and mamori agree on " << combinations - disagreements << " of " << combinations
                                        << " outcome combinations over " << stacks << " stacks ("
                                        << successes << " logins succeeded)");
  CHECK(stacks >= 1000);
  CHECK(disagreements == 0);
  CHECK(successes > 0);
}

TEST_CASE("the explorer finds the weakest login that brute force over the dispatcher finds") {
  std::mt19937 rng(7);
  const fs::path dir =
      fs::temp_directory_path() / ("mamori-pam-explorer-" + std::to_string(getpid()));
  fs::create_directories(dir / "included");
  StackWriter writer(rng, dir, dir / "included");
  const DirectorySource source(dir);
  const auto kindOf = [](const Handler& h) {
    return policy::kAllFactorKinds[static_cast<std::size_t>(std::max(slotOf(h), 0) % 3)];
  };
  const policy::pam::Classifier classify = [&](const Handler& h) {
    return policy::pam::ModuleModel{kindOf(h), {0, 7, 10, 25}, {}};
  };
  int compared = 0;
  for (int s = 0; s < 1000; ++s) {
    writer.write("x" + std::to_string(s));
    const auto stack = platform::loadAuthStack("x" + std::to_string(s), source);
    const auto& hs = stack.auth;
    std::vector<std::size_t> calls;  // handlers whose module decides
    for (std::size_t i = 0; i < hs.size(); ++i) {
      if (hs[i].kind == policy::pam::HandlerKind::kModule && hs[i].installed) calls.push_back(i);
    }
    int best_factors = 99;
    int best_kinds = 99;
    std::vector<int> codes(hs.size(), 0);
    for (long index = 0; index < (1L << (2 * calls.size())); ++index) {
      policy::FactorKinds kinds = 0;
      for (std::size_t k = 0; k < calls.size(); ++k) {
        codes[calls[k]] = kOutcomeCodes[static_cast<std::size_t>((index >> (2 * k)) & 3)];
      }
      if (policy::pam::dispatch(hs, codes) != policy::pam::kSuccess) continue;
      int lines = 0;
      for (const auto i : calls) {
        if (codes[i] != policy::pam::kSuccess) continue;
        ++lines;
        kinds |= policy::bitOf(kindOf(hs[i]));
      }
      // Factors count distinct module names, and every test line is the same module.
      best_factors = std::min(best_factors, std::min(lines, 1));
      best_kinds = std::min(best_kinds, std::popcount(kinds));
    }
    const auto analysis = policy::pam::analyse(hs, classify, 0b111);
    CHECK(analysis.can_succeed == (best_kinds != 99));
    if (analysis.can_succeed) {
      CHECK(std::popcount(analysis.fewest_kinds->kinds) == best_kinds);
      CHECK(analysis.factorCount(*analysis.fewest_factors) == best_factors);
      // The path the explorer reports really logs in.
      std::vector<int> replay(hs.size(), policy::pam::kAuthErr);
      for (const auto& step : analysis.fewest_kinds->steps) replay[step.handler] = step.code;
      CHECK(policy::pam::dispatch(hs, replay) == policy::pam::kSuccess);
    }
    ++compared;
  }
  fs::remove_all(dir);
  MESSAGE("explorer matched brute force on " << compared << " stacks");
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--generate") {
    generate(argv[2]);
    return 0;
  }
  return doctest::Context(argc, argv).run();
}
