#pragma once

// The commands of mamori-policy, each over parsed options.

#include <boost/program_options/variables_map.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/text.hpp"
#include "mamori/policy/time.hpp"

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

/// Prints `error` and returns the exit code 1.
int fail(const Context& c, const Error& error);

int keygen(const Context& c, const Options& o);
int lint(const Context& c, const std::vector<std::string>& files);
int init(const Context& c, const Options& o);
int sign(const Context& c, const Options& o, const std::string& policy_file);
int delegate(const Context& c, const Options& o);
int rotateRoot(const Context& c, const Options& o);
int publish(const Context& c, const Options& o);
int status(const Context& c, const Options& o);

}  // namespace mamori::repository::tool
