#pragma once

// The policies the collector judges with (issue 9). Its own `policy_file` (or the built-in policy)
// is the base; a signed bundle in its TUF repository for a segment (`policy/<segment>.json`) or
// a department (`policy/<segment>/<department>.json`) replaces it for those PCs, as it does on
// the PCs themselves. So a policy an admin signs changes the admission decisions too, not only
// what the agents enforce.

#include <expected>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "mamori/error.hpp"
#include "mamori/policy/policy.hpp"
#include "mamori/policy/segment.hpp"

namespace mamori::collector {

class PolicyBook {
 public:
  explicit PolicyBook(policy::Policy base);

  /// The policy for a PC: its department's bundle, else its segment's, else the base.
  /// Thread-safe; the result stays valid while the book changes.
  [[nodiscard]] std::shared_ptr<const policy::Policy> policyFor(policy::Segment segment,
                                                                std::string_view department) const;
  [[nodiscard]] const policy::Policy& base() const { return *base_; }

  /// Takes the bundles of the repository at `repository` whose targets metadata is validly
  /// signed, each checked against its signed length and hashes and by the policy codec. On an
  /// error the bundles in force stay. Returns one line per bundle (`mynumber/市民課 version 13`).
  std::expected<std::vector<std::string>, Error> load(const std::filesystem::path& repository);

 private:
  std::shared_ptr<const policy::Policy> base_;
  mutable std::mutex mutex_;
  /// "mynumber" or "mynumber/市民課" -> the bundle's policy.
  std::map<std::string, std::shared_ptr<const policy::Policy>, std::less<>> bundles_;
};

}  // namespace mamori::collector
