// Differential test: mamori's Debian version comparison against dpkg's own, in-process through
// libdpkg (fast enough for 200,000 random pairs), and against the `dpkg --compare-versions`
// binary on a sample (slower: one process per comparison).

#define LIBDPKG_VOLATILE_API 1
#include <doctest/doctest.h>
#include <dpkg/dpkg-db.h>
#include <dpkg/dpkg.h>
#include <dpkg/error.h>
#include <dpkg/version.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "mamori/policy/debian_version.hpp"

namespace {

using mamori::policy::compareDebianVersions;

int sign(int v) { return (v > 0) - (v < 0); }

// dpkg's verdict: the sign of dpkg_version_compare, or nullopt when dpkg rejects a version.
std::optional<int> dpkgCompare(const std::string& a, const std::string& b) {
  dpkg_version va{}, vb{};
  dpkg_error err{};
  if (parseversion(&va, a.c_str(), &err) < 0 || parseversion(&vb, b.c_str(), &err) < 0) {
    dpkg_error_destroy(&err);
    return std::nullopt;
  }
  return sign(dpkg_version_compare(&va, &vb));
}

// Versions built from the pieces that make comparison hard: epochs, tildes, pluses, letters,
// leading zeros, empty components, and revisions.
class VersionGenerator {
 public:
  explicit VersionGenerator(std::uint32_t seed) : rng_(seed) {}

  std::string next() {
    std::string v;
    if (chance(0.15)) v += std::to_string(pick(0, 3)) + ":";
    v += component();
    const int parts = pick(0, 4);
    for (int i = 0; i < parts; ++i) v += separator() + component();
    if (chance(0.6)) {
      v += "-" + component();
      if (chance(0.3)) v += separator() + component();
    }
    return v;
  }

 private:
  std::string component() {
    static constexpr std::string_view kLetters = "abzAZ";
    std::string c;
    if (chance(0.1)) c += "0";  // leading zeros compare equal
    c += std::to_string(pick(0, 12));
    if (chance(0.25)) c += kLetters[static_cast<std::size_t>(pick(0, 4))];
    if (chance(0.15)) c += "~" + std::string(chance(0.5) ? "rc" : "") + std::to_string(pick(0, 2));
    return c;
  }
  std::string separator() {
    static constexpr std::string_view kSeparators = "..+~";
    return std::string(1, kSeparators[static_cast<std::size_t>(pick(0, 3))]);
  }
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }

  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("Debian versions agree with libdpkg on 200,000 random pairs") {
  VersionGenerator gen(20261122);
  int compared = 0, equal = 0;
  for (int i = 0; i < 200'000; ++i) {
    const auto a = gen.next();
    // Every tenth pair compares a version with a small variation of itself: the close calls.
    const auto b = i % 10 == 0 ? a + (i % 20 == 0 ? "~1" : "+1") : gen.next();
    const auto expected = dpkgCompare(a, b);
    const auto actual = compareDebianVersions(a, b);
    CAPTURE(a);
    CAPTURE(b);
    REQUIRE(expected.has_value() == actual.has_value());
    if (!expected) continue;
    REQUIRE(sign(*actual) == *expected);
    ++compared;
    equal += *expected == 0;
  }
  MESSAGE("compared " << compared << " pairs with libdpkg (" << equal << " equal)");
  CHECK(compared >= 100'000);
}

TEST_CASE("Debian versions agree with libdpkg on every published vector") {
  std::ifstream in(MAMORI_VERSION_VECTORS);
  REQUIRE(in);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::string a, b;
    REQUIRE(static_cast<bool>(fields >> a >> b));
    CAPTURE(line);
    const auto dpkg = dpkgCompare(a, b);
    REQUIRE(dpkg.has_value());
    CHECK(*dpkg == sign(*compareDebianVersions(a, b)));
  }
}

TEST_CASE("Debian versions agree with the dpkg --compare-versions binary") {
  if (std::system("command -v dpkg >/dev/null 2>&1") != 0) {
    MESSAGE("dpkg not installed: binary comparison skipped");
    return;
  }
  VersionGenerator gen(7);
  for (int i = 0; i < 150; ++i) {
    const auto a = gen.next(), b = gen.next();
    const auto ours = compareDebianVersions(a, b);
    REQUIRE(ours.has_value());
    const std::string op = *ours < 0 ? "lt" : *ours > 0 ? "gt" : "eq";
    const auto cmd = "dpkg --compare-versions '" + a + "' " + op + " '" + b + "' 2>/dev/null";
    CAPTURE(cmd);
    const int status = std::system(cmd.c_str());
    const bool dpkg_agrees = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    CHECK(dpkg_agrees);
  }
}
