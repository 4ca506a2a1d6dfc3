// The PAM decoder on strings: what libpam builds from /etc/pam.d text. (The differential test in
// tests/pam holds the same decoder to the real libpam over a million outcome combinations.)

#include "mamori/platform/pam_config.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace mamori;
namespace pam = mamori::policy::pam;

namespace {

class Files final : public platform::PamConfigSource {
 public:
  using Map = std::map<std::string, std::string, std::less<>>;
  explicit Files(Map files) : files_(std::move(files)) {}
  std::optional<std::string> read(std::string_view name) const override {
    const auto it = files_.find(name);
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }
  bool moduleInstalled(std::string_view module) const override {
    return !module.contains("missing");
  }

 private:
  Map files_;
};

std::string shape(const pam::Stack& s) {
  std::string out;
  for (const auto& h : s.auth) {
    out += std::to_string(h.stack_level) + ":";
    out += h.kind == pam::HandlerKind::kSubstack   ? "sub "
           : h.kind == pam::HandlerKind::kMustFail ? "FAIL "
                                                   : "";
    out += h.moduleName() + (h.installed ? "" : "?") + "@" + h.where() + " ";
  }
  return out;
}

}  // namespace

TEST_CASE("PAM decoder: include, @include and substack build libpam's handler list") {
  const Files files(
      Files::Map{{"svc",
                  "auth required pam_a.so\n"
                  "@include common\n"
                  "auth substack /etc/pam.d/sub\n"
                  "account include common\n"
                  "-auth optional pam_missing.so\n"},
                 {"common", "auth sufficient pam_b.so\naccount required pam_x.so\n"},
                 {"/etc/pam.d/sub", "# comment\n\nauth [success=done default=die] pam_c.so\n"}});
  const auto stack = platform::loadAuthStack("svc", files);
  CHECK(stack.load_error.empty());
  CHECK(shape(stack) ==
        "0:pam_a@svc:1 0:pam_b@common:1 0:sub sub@svc:3 1:pam_c@sub:3 0:pam_missing?@svc:5 ");
  CHECK(stack.auth[3].control == "[success=done default=die]");
  CHECK(stack.auth[3].actions[pam::kSuccess] == pam::kActionDone);
  CHECK(stack.auth[3].actions[pam::kAuthErr] == pam::kActionDie);
}

TEST_CASE("PAM decoder: continuations join lines, a # ends one, brackets keep their spaces") {
  const Files files(Files::Map{{"svc",
                                "auth \\\n  [success=1 \\\n default=ignore] pam_a.so one \\\n two\n"
                                "auth required pam_b.so arg # a comment \\\n"
                                "auth required pam_c.so [query=select \\] from x] last\n"}});
  const auto stack = platform::loadAuthStack("svc", files);
  REQUIRE(stack.auth.size() == 3);
  CHECK(stack.auth[0].line == 1);
  CHECK(stack.auth[0].actions[pam::kSuccess] == 1);
  CHECK(stack.auth[0].arguments == std::vector<std::string>{"one", "two"});
  CHECK(stack.auth[1].arguments == std::vector<std::string>{"arg"});
  CHECK(stack.auth[2].arguments == std::vector<std::string>{"query=select ] from x", "last"});
}

TEST_CASE("PAM decoder: broken lines fail when run, as libpam installs them") {
  const Files files(
      Files::Map{{"svc",
                  "autth required pam_a.so\n"        // illegal type: an auth handler that fails
                  "auth required\n"                  // no module
                  "auth include /nowhere\n"          // include that cannot be opened
                  "auth [succes=ok] pam_b.so\n"}});  // control error: every code is `bad`
  const auto stack = platform::loadAuthStack("svc", files);
  REQUIRE(stack.auth.size() == 4);
  CHECK(stack.auth[0].kind == pam::HandlerKind::kMustFail);
  CHECK(stack.auth[1].kind == pam::HandlerKind::kMustFail);
  CHECK(stack.auth[2].kind == pam::HandlerKind::kMustFail);
  CHECK(stack.auth[3].kind == pam::HandlerKind::kModule);
  CHECK(stack.auth[3].actions[pam::kSuccess] == pam::kActionBad);
}

TEST_CASE("PAM decoder: an @include that cannot be opened breaks the whole configuration") {
  const Files files(Files::Map{{"svc", "auth required pam_a.so\n@include nowhere\n"}});
  const auto stack = platform::loadAuthStack("svc", files);
  CHECK(stack.load_error == "cannot open /etc/pam.d/nowhere");
  CHECK(stack.auth.empty());
}

TEST_CASE("PAM decoder: a service without auth lines uses /etc/pam.d/other") {
  const Files files(
      Files::Map{{"svc", "account required pam_a.so\n"}, {"other", "auth required pam_deny.so\n"}});
  const auto stack = platform::loadAuthStack("svc", files);
  CHECK(stack.from_other);
  CHECK(shape(stack) == "0:pam_deny@other:1 ");
}
