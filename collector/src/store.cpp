// Store::open: which engine a URL names, and the connection string its Poco connector takes.

#include "mamori/collector/store.hpp"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>

#include "sql_store.hpp"

namespace mamori::collector {
namespace {

void registerConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

struct ConninfoFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

// Poco's PostgreSQL connector splits its connection string at spaces into key=value pairs and
// cannot take a URI: libpq parses the URI, and the pairs it yields are handed on. Values with
// spaces or quotes cannot pass that way and are refused.
std::expected<std::string, Error> keywordsFromUri(std::string_view url) {
  char* reason = nullptr;
  const std::unique_ptr<PQconninfoOption, ConninfoFree> options(
      PQconninfoParse(std::string(url).c_str(), &reason));
  if (!options) {
    std::string why = reason ? reason : "out of memory";
    PQfreemem(reason);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return std::unexpected(makeError(ErrorCode::kUsage, "not a PostgreSQL URI: " + why));
  }
  std::string keywords;
  for (const auto* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view value(option->val);
    if (value.find_first_of(" \t\n'\"\\") != std::string_view::npos) {
      return std::unexpected(makeError(
          ErrorCode::kUsage, "the PostgreSQL parameter \"" + std::string(option->keyword) +
                                 "\" may not contain spaces, quotes or backslashes"));
    }
    if (!keywords.empty()) keywords += ' ';
    keywords += std::string(option->keyword) + "=" + std::string(value);
  }
  return keywords;
}

// "the PostgreSQL database NAME (host=... port=...)" from the key=value pairs, password left out.
std::string databaseName(std::string_view keywords) {
  std::string name = "the PostgreSQL database";
  std::string where;
  while (!keywords.empty()) {
    const auto end = std::min(keywords.find(' '), keywords.size());
    const auto pair = keywords.substr(0, end);
    keywords.remove_prefix(std::min(end + 1, keywords.size()));
    if (pair.starts_with("dbname=")) {
      name += " " + std::string(pair.substr(7));
    } else if (pair.starts_with("host=") || pair.starts_with("port=")) {
      where += (where.empty() ? "" : " ") + std::string(pair);
    }
  }
  return where.empty() ? name : name + " (" + where + ")";
}

// `sqlite:PATH`, `sqlite://PATH` or a plain path.
std::string sqlitePath(std::string_view url) {
  if (url.starts_with("sqlite:")) url.remove_prefix(7);
  if (url.starts_with("//")) url.remove_prefix(2);
  return std::string(url);
}

}  // namespace

std::expected<std::unique_ptr<Store>, Error> Store::open(std::string_view url) {
  registerConnectors();
  // The only clock read of the store: when a migration was applied, for the record.
  const auto now =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    auto keywords = keywordsFromUri(url);
    if (!keywords) return std::unexpected(keywords.error());
    return SqlStore::create(Engine::kPostgres, *keywords, databaseName(*keywords), now);
  }
  const auto path = sqlitePath(url);
  if (path.empty())
    return std::unexpected(makeError(ErrorCode::kUsage, "no database given (a path or a URL)"));
  return SqlStore::create(Engine::kSqlite, path, "the SQLite database " + path, now);
}

}  // namespace mamori::collector
