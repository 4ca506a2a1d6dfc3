#pragma once

// The commands of mamori-policy, each over parsed options.

#include <boost/program_options/variables_map.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/time.hpp"
#include "mamori/tuf/keys.hpp"

namespace mamori::repository::tool {

struct Context {
  policy::Lang lang;
  policy::TimePoint now;
  std::ostream& out;
  std::ostream& err;

  /// The Japanese or the English, as the admin reads.
  [[nodiscard]] const char* say(const char* ja, const char* en) const {
    return lang == policy::Lang::kJa ? ja : en;
  }
};

using Options = boost::program_options::variables_map;

using Strings = std::vector<std::string>;

/// Prints `error` and returns the exit code 1.
int fail(const Context& c, const Error& error);
Error usageError(std::string message);
/// The value of option `name`, or a usage error naming it.
std::expected<std::string, Error> required(const Options& o, const char* name);
/// The values of a repeatable option (none when absent).
Strings listed(const Options& o, const char* name);

/// The private keys among key files (to sign with) and every file's public key (to list in root
/// or a delegation).
struct KeySet {
  std::vector<tuf::SigningKey> signing;
  std::vector<tuf::PublicKey> public_keys;

  [[nodiscard]] std::vector<const tuf::SigningKey*> signers() const {
    std::vector<const tuf::SigningKey*> out;
    for (const auto& key : signing) out.push_back(&key);
    return out;
  }
};
/// Reads `files` given with --`option`; `private_only`: each must be a private key.
std::expected<KeySet, Error> readKeys(const Strings& files, const char* option, bool private_only);

int keygen(const Context& c, const Options& o);
int lint(const Context& c, const std::vector<std::string>& files);
int init(const Context& c, const Options& o);
int sign(const Context& c, const Options& o, const std::string& policy_file);
int delegate(const Context& c, const Options& o);
int rotateRoot(const Context& c, const Options& o);
int publish(const Context& c, const Options& o);
int status(const Context& c, const Options& o);
int signPackage(const Context& c, const Options& o, const std::string& package_file);

}  // namespace mamori::repository::tool
