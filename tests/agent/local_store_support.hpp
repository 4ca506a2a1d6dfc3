#pragma once

// What the local store's tests share: a fixed clock, report ids and bodies, and reading the
// outbox back.

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "local_store.hpp"

namespace mamori::agent::store_test {

namespace fs = std::filesystem;

inline const policy::TimePoint kNow = *policy::parseTimestamp("2026-11-22T09:00:00Z");

inline std::string reportId(int n) {
  char id[32];
  std::snprintf(id, sizeof id, "report-%04d", n);
  return id;
}

// A body that names its report, so a page's reports can be told from its bytes.
inline std::string bodyOf(const std::string& id) {
  return R"({"report_id":")" + id + R"(","facts":")" + std::string(240, 'f') + "\"}";
}

inline std::vector<std::string> dueIds(LocalStore& store, policy::TimePoint now,
                                       int limit = 100'000) {
  const auto due = store.due(now, limit);
  REQUIRE_MESSAGE(due.has_value(), due.error().describe());
  std::vector<std::string> ids;
  for (const auto& entry : *due) ids.push_back(entry.report_id);
  return ids;
}

inline std::set<std::string> idSet(LocalStore& store) {
  const auto ids = dueIds(store, kNow + std::chrono::days(1));
  return {ids.begin(), ids.end()};
}

inline LocalStore openStore(const fs::path& file, OutboxLimits limits = {}) {
  auto store = LocalStore::open(file, limits);
  REQUIRE_MESSAGE(store.has_value(), store.error().describe());
  return std::move(*store);
}

}  // namespace mamori::agent::store_test
