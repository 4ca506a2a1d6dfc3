#include <ostream>

#include "admin_commands.hpp"
#include "mamori/collector/enrollment_token.hpp"

namespace mamori::collector::admin {

bool ja(const Context& c) { return c.lang == policy::Lang::kJa; }

int fail(const Context& c, const Error& e) {
  c.err << "mamori-collector: " << e.describe() << '\n';
  return 2;
}

int usage(const Context& c, std::string_view message) {
  c.err << "mamori-collector: " << message << '\n';
  return 2;
}

int tokenCreate(const Context& c, const Options& o) {
  if (!o.contains("department") || !o.contains("segment")) {
    return usage(c, ja(c) ? "--department と --segment が必要です"
                          : "--department and --segment are required");
  }
  const auto segment = policy::parseSegment(o["segment"].as<std::string>());
  if (!segment) return usage(c, "--segment: mynumber | lgwan | internet");
  const auto hours = std::chrono::hours{o["valid-hours"].as<int>()};
  auto token =
      makeToken(o["department"].as<std::string>(), *segment, c.now, hours, o["uses"].as<int>(),
                c.user, o.contains("note") ? o["note"].as<std::string>() : std::string());
  if (!token) return fail(c, token.error());
  if (auto ok = c.store.insertToken(token->record, token->secret_sha256_hex); !ok) {
    return fail(c, ok.error());
  }
  // The token itself goes to stdout alone (scripts capture it); the rest to stderr.
  c.out << token->text << '\n';
  c.err << (ja(c) ? "登録トークン " : "enrollment token ") << token->record.id
        << (ja(c) ? " を発行しました (部署 " : " issued (department ") << token->record.department
        << (ja(c) ? "、区分 " : ", segment ") << policy::segmentId(*segment)
        << (ja(c) ? "、期限 " : ", expires ") << policy::formatTimestamp(token->record.expires)
        << (ja(c) ? "、使用回数上限 " : ", uses ") << token->record.max_uses
        << (ja(c) ? ")。この値は二度と表示されません。\n" : "). It is not shown again.\n");
  return 0;
}

int tokenList(const Context& c) {
  auto tokens = c.store.listTokens();
  if (!tokens) return fail(c, tokens.error());
  c.out << (ja(c) ? "ID            部署  区分  使用/上限  期限  状態\n"
                  : "ID            department  segment  uses/max  expires  state\n");
  for (const auto& t : *tokens) {
    const bool expired = c.now >= t.expires;
    const std::string state = t.revoked_at           ? (ja(c) ? "失効" : "revoked")
                              : expired              ? (ja(c) ? "期限切れ" : "expired")
                              : t.uses >= t.max_uses ? (ja(c) ? "使用済み" : "used up")
                                                     : (ja(c) ? "有効" : "active");
    c.out << t.id << "  " << t.department << "  " << policy::segmentId(t.segment) << "  " << t.uses
          << '/' << t.max_uses << "  " << policy::formatTimestamp(t.expires) << "  " << state
          << '\n';
  }
  return 0;
}

int tokenRevoke(const Context& c, const std::string& id) {
  if (auto ok = c.store.revokeToken(id, c.now); !ok) return fail(c, ok.error());
  c.out << (ja(c) ? "登録トークンを失効させました: " : "token revoked: ") << id << '\n';
  return 0;
}

}  // namespace mamori::collector::admin
