// Tokens and enrollment; devices, reports and exceptions are in sql_store_*.cpp.

#include "sql_store.hpp"

#include <Poco/Exception.h>
#include <openssl/crypto.h>

#include "schema.hpp"
#include "sql_support.hpp"

namespace mamori::collector {

using sql::exec;
using sql::query;
using sql::Row;

namespace {

constexpr std::string_view kTokenColumns =
    "id, department, segment, created_at, expires, max_uses, uses, created_by, note, revoked_at";

TokenRecord tokenFrom(const Row& row) {
  TokenRecord t;
  t.id = row.text(0);
  t.department = row.text(1);
  t.segment = row.segment(2);
  t.created_at = row.time(3);
  t.expires = row.time(4);
  t.max_uses = static_cast<int>(row.number(5));
  t.uses = static_cast<int>(row.number(6));
  t.created_by = row.text(7);
  t.note = row.text(8);
  t.revoked_at = row.optionalTime(9);
  return t;
}

bool sameSecret(std::string_view stored, std::string_view offered) {
  return stored.size() == offered.size() &&
         CRYPTO_memcmp(stored.data(), offered.data(), stored.size()) == 0;
}

// Why `token` cannot enroll at `now`, if it cannot (the secret was checked before).
std::optional<std::string> unusable(const TokenRecord& token, policy::TimePoint now) {
  const auto name = "enrollment token " + token.id;
  if (token.revoked_at)
    return name + " was revoked at " + policy::formatTimestamp(*token.revoked_at);
  if (now >= token.expires) return name + " expired at " + policy::formatTimestamp(token.expires);
  if (token.uses >= token.max_uses) {
    return name + " is used up (" + std::to_string(token.max_uses) + " of " +
           std::to_string(token.max_uses) + " uses)";
  }
  return std::nullopt;
}

}  // namespace

Error storageError(std::string_view what, const std::exception& e) {
  const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
  // libpq's reasons run over several lines; an Error is one.
  std::string reason;
  for (const char c : poco ? poco->displayText() : std::string(e.what())) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (!space) {
      reason += c;
    } else if (!reason.empty() && reason.back() != ' ') {
      reason += ' ';
    }
  }
  while (!reason.empty() && reason.back() == ' ') reason.pop_back();
  Error error;
  error.code = ErrorCode::kIo;
  error.message = std::string(what) + ": " + reason;
  return error;
}

Error ruleError(std::string message) {
  return makeError(ErrorCode::kValidation, std::move(message));
}

// Rarely enough that repeated writes to the same pages coalesce in the log (about 40 MB of log
// at 2,000 reports/s), often enough that it never grows large.
constexpr std::chrono::milliseconds kCheckpointInterval{2000};

// More idle sessions than the HTTPS server has workers, fewer than PostgreSQL's default
// max_connections.
SqlStore::SqlStore(Dialect dialect, const std::string& connection)
    : dialect_(dialect), pool_(dialect, connection, 32) {}

SqlStore::~SqlStore() = default;

std::expected<std::unique_ptr<Store>, Error> SqlStore::create(Engine engine,
                                                              const std::string& connection,
                                                              std::string_view name,
                                                              policy::TimePoint now) {
  const Dialect dialect(engine);
  std::unique_ptr<SqlStore> store;
  try {
    store.reset(new SqlStore(dialect, connection));
    auto lease = store->pool_.acquire();
    auto migrated = schema::migrate(lease.connection(), dialect, schema::migrations(), now);
    if (!migrated) return std::unexpected(migrated.error());
    if (engine == Engine::kSqlite) store->checkpointer_.emplace(store->pool_, kCheckpointInterval);
  } catch (const std::exception& e) {
    return std::unexpected(storageError("cannot open " + std::string(name), e));
  }
  return store;
}

std::expected<int, Error> SqlStore::schemaVersion() {
  return read("cannot read the schema version", [&](Connection& c) -> std::expected<int, Error> {
    return schema::currentVersion(c.session, dialect_);
  });
}

std::expected<void, Error> SqlStore::insertToken(const TokenRecord& token,
                                                 std::string_view secret_sha256_hex) {
  return write("cannot store the token", [&](Connection& c) -> std::expected<void, Error> {
    const auto added =
        exec(c, dialect_,
             "INSERT INTO tokens (id, secret_sha256, department, segment, created_at,"
             " expires, max_uses, uses, created_by, note, revoked_at)"
             " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
             token.id, secret_sha256_hex, token.department, policy::segmentId(token.segment),
             token.created_at, token.expires, token.max_uses, token.uses, token.created_by,
             token.note, token.revoked_at);
    if (added == 0) return std::unexpected(ruleError("a token with id " + token.id + " exists"));
    return {};
  });
}

std::expected<std::vector<TokenRecord>, Error> SqlStore::listTokens() {
  return read("cannot list the tokens",
              [&](Connection& c) -> std::expected<std::vector<TokenRecord>, Error> {
                const auto rows = query(c, dialect_,
                                        "SELECT " + std::string(kTokenColumns) +
                                            " FROM tokens ORDER BY created_at, id");
                std::vector<TokenRecord> tokens;
                for (std::size_t i = 0; i < rows.rowCount(); ++i) {
                  tokens.push_back(tokenFrom(Row(rows, i)));
                }
                return tokens;
              });
}

std::expected<void, Error> SqlStore::revokeToken(std::string_view id, policy::TimePoint now) {
  return write("cannot revoke the token", [&](Connection& c) -> std::expected<void, Error> {
    exec(c, dialect_, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", now,
         id);
    if (query(c, dialect_, "SELECT id FROM tokens WHERE id = ?", id).rowCount() == 0) {
      return std::unexpected(ruleError("no enrollment token " + std::string(id)));
    }
    return {};
  });
}

std::expected<DeviceRecord, Error> SqlStore::enroll(std::string_view token_id,
                                                    std::string_view secret_sha256_hex,
                                                    const DeviceRecord& device,
                                                    policy::TimePoint now) {
  if (device.id.empty()) return std::unexpected(ruleError("the new device has no id"));
  return write("cannot enroll", [&](Connection& c) -> std::expected<DeviceRecord, Error> {
    const auto rows =
        query(c, dialect_,
              "SELECT " + std::string(kTokenColumns) + ", secret_sha256 FROM tokens WHERE id = ?",
              token_id);
    if (rows.rowCount() == 0) {
      return std::unexpected(ruleError("no enrollment token " + std::string(token_id)));
    }
    const Row row(rows, 0);
    const auto token = tokenFrom(row);
    if (!sameSecret(row.text(10), secret_sha256_hex)) {
      return std::unexpected(ruleError("wrong secret for enrollment token " + token.id));
    }
    if (auto why = unusable(token, now)) return std::unexpected(ruleError(std::move(*why)));
    // The row lock taken here makes concurrent enrollments with one token wait their turn on
    // PostgreSQL; the condition re-checked under it keeps the limit.
    if (exec(c, dialect_, "UPDATE tokens SET uses = uses + 1 WHERE id = ? AND uses < max_uses",
             token.id) == 0) {
      return std::unexpected(ruleError("enrollment token " + token.id + " is used up"));
    }
    DeviceRecord record = device;
    record.department = token.department;
    record.segment = token.segment;
    record.token_id = token.id;
    record.enrolled_at = now;
    record.revoked_at.reset();
    return saveDevice(c, std::move(record));
  });
}

}  // namespace mamori::collector
