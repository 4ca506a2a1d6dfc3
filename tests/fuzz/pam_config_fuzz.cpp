// libFuzzer target for the PAM configuration decoder and the analyser behind MFA-1/MFA-2.
// The input is split at the first NUL-NUL into a service file and a file it may include (under
// any name); a module is "installed" when its name has an even length, so both paths run.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "mamori/platform/pam_config.hpp"
#include "mamori/policy/pam_analysis.hpp"

namespace {

class FuzzSource final : public mamori::platform::PamConfigSource {
 public:
  FuzzSource(std::string_view service, std::string_view included)
      : service_(service), included_(included) {}
  std::optional<std::string> read(std::string_view name) const override {
    if (name == "svc") return service_;
    if (name == "missing") return std::nullopt;
    return included_;
  }
  bool moduleInstalled(std::string_view module) const override { return module.size() % 2 == 0; }

 private:
  std::string service_;
  std::string included_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace pam = mamori::policy::pam;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto split = input.find(std::string_view("\0\0", 2));
  const FuzzSource source(input.substr(0, split),
                          split == std::string_view::npos ? "" : input.substr(split + 2));
  const auto stack = mamori::platform::loadAuthStack("svc", source);
  if (stack.auth.size() > 24) return 0;  // keeps executions fast; sizes beyond are capped too

  std::vector<int> codes(stack.auth.size(), pam::kSuccess);
  (void)pam::dispatch(stack.auth, codes);
  const pam::Classifier classify = [](const pam::Handler& h) {
    const auto kind = mamori::policy::kAllFactorKinds[h.module.size() % 3];
    return pam::ModuleModel{kind, {pam::kSuccess, pam::kAuthErr, pam::kIgnore}, {}};
  };
  const auto analysis = pam::analyse(stack.auth, classify, 0b111);
  if (analysis.can_succeed) {
    // Whatever the explorer reports as a login must be one: replay it through the dispatcher.
    std::vector<int> replay(stack.auth.size(), pam::kAuthErr);
    for (const auto& step : analysis.fewest_factors->steps) replay[step.handler] = step.code;
    if (pam::dispatch(stack.auth, replay) != pam::kSuccess) __builtin_trap();
  }
  return 0;
}
