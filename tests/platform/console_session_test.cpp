// Who sits at the PC (issue 5): logind's session files, decoded and chosen from.

#include "mamori/platform/console_session.hpp"

#include <doctest/doctest.h>

#include "temp_root.hpp"

using namespace mamori::platform;
using mamori::testing::TempRoot;

namespace {

constexpr std::string_view kGnome =
    "# This is private data. Do not parse.\n"
    "UID=1000\nUSER=yamada\nACTIVE=1\nIS_DISPLAY=1\nSTATE=active\nREMOTE=0\nTYPE=wayland\n"
    "CLASS=user\nSEAT=seat0\nVTNR=2\n";

}  // namespace

TEST_CASE("a logind session file is decoded") {
  const auto s = parseLoginSession("3", kGnome);
  REQUIRE(s.has_value());
  CHECK(s->id == "3");
  CHECK(s->user == "yamada");
  CHECK(s->uid == 1000);
  CHECK(s->seat == "seat0");
  CHECK(s->active);
  CHECK_FALSE(s->remote);
  CHECK(s->graphical());
  CHECK_FALSE(parseLoginSession("4", "ACTIVE=1\nTYPE=tty\n").has_value());
  CHECK_FALSE(parseLoginSession("5", "USER=x\nUID=abc\n").has_value());
}

TEST_CASE("the console user is the active local session's, a desktop before a text console") {
  const TempRoot root;
  CHECK_FALSE(activeConsoleSession(root.path()).has_value());  // no logind: nobody known

  root.write("/run/systemd/sessions/7",
             "UID=1001\nUSER=suzuki\nACTIVE=1\nREMOTE=0\nTYPE=tty\nSEAT=seat0\n");
  root.write("/run/systemd/sessions/8",
             "UID=1002\nUSER=remote-admin\nACTIVE=1\nREMOTE=1\nTYPE=tty\n");
  root.write("/run/systemd/sessions/9", "UID=1003\nUSER=away\nACTIVE=0\nTYPE=x11\nSEAT=seat0\n");
  CHECK(activeConsoleSession(root.path())->user == "suzuki");

  root.write("/run/systemd/sessions/3", kGnome);
  root.write("/run/systemd/sessions/3.ref", "");
  CHECK(activeConsoleSession(root.path())->user == "yamada");
}
