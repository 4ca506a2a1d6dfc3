#include "mamori/agent/cli.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <vector>

#include "temp_root.hpp"

using namespace mamori::agent;

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result run(std::vector<const char*> args, std::string lang_env = "") {
  args.insert(args.begin(), "mamori-agent");
  std::ostringstream out, err;
  const int code = runCli(args, Environment{std::move(lang_env), 100}, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace

TEST_CASE("cli: Japanese by default, English when the locale or --lang says so") {
  CHECK(run({"--help"}).out.starts_with("使い方: mamori-agent"));
  CHECK(run({"--help"}, "C.UTF-8").out.starts_with("使い方"));
  CHECK(run({"--help"}, "ja_JP.UTF-8").out.starts_with("使い方"));
  CHECK(run({"--help"}, "en_US.UTF-8").out.starts_with("usage: mamori-agent"));
  CHECK(run({"check", "--help", "--lang", "en"}).out.starts_with("usage: mamori-agent check"));
  CHECK(run({"check", "--help", "--lang=ja"}, "en_US.UTF-8").out.starts_with("使い方"));
}

TEST_CASE("cli: usage errors exit 2 with one line on stderr") {
  auto r = run({"frobnicate"}, "en_US.UTF-8");
  CHECK(r.code == 2);
  CHECK(r.err == "mamori-agent: unknown command: frobnicate (mamori-agent --help)\n");
  CHECK(run({}).code == 2);

  r = run({"check", "--segment", "dmz"});
  CHECK(r.code == 2);
  CHECK(r.err == "mamori-agent check: --segment dmz: expected mynumber, lgwan or internet\n");
  r = run({"check", "--now", "yesterday"});
  CHECK(r.code == 2);
  CHECK(r.err.starts_with("mamori-agent check: --now: \"yesterday\" is not an ISO 8601 time"));
  r = run({"check", "--lang", "fr"});
  CHECK(r.code == 2);
  CHECK(r.err == "mamori-agent check: --lang fr: expected ja or en\n");
  r = run({"check", "--colour"});
  CHECK(r.code == 2);
  CHECK(r.err.find("colour") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("cli: an unreadable root is an error, not a verdict") {
  const auto r = run({"check", "--root", "/nonexistent/mamori", "--lang", "en"});
  CHECK(r.code == 2);
  CHECK(r.err ==
        "mamori-agent: error: cannot read root /nonexistent/mamori: No such file or directory\n");
}

TEST_CASE("cli: version") {
  const auto r = run({"--version"});
  CHECK(r.code == 0);
  CHECK(r.out.starts_with("mamori-agent "));
}

TEST_CASE("cli: a system without a machine id is told to enroll after its first boot") {
  const mamori::testing::TempRoot root;
  root.write("/etc/machine-id", "");  // debootstrap, or a golden image before its first boot
  const auto state = (root.path() / "state").string();
  const auto pc = root.path().string();
  // The collector is never asked: nothing listens on port 1.
  const auto r = run({"enroll", "--collector", "https://127.0.0.1:1", "--token", "t", "--state-dir",
                      state.c_str(), "--root", pc.c_str(), "--lang", "en"});
  CHECK(r.code == 2);
  CHECK(r.err ==
        "mamori-agent enroll: this system has no machine id yet (/etc/machine-id is empty: a "
        "golden image before its first boot); enroll after the first boot.\n");
}
