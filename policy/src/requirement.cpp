#include "mamori/policy/requirement.hpp"

#include <algorithm>
#include <array>

namespace mamori::policy {
namespace {

using enum Severity;

// Mirrors design/REQUIREMENTS.md. Titles are what a staff member or auditor reads.
const std::array kRequirements{
    Requirement{"USB-1",
                "第24条(4), 基本方針6(3)①",
                {"USB記憶媒体による持ち出しの禁止", "No take-out via USB storage"},
                kCritical},
    Requirement{"USB-2",
                "第106条(4), 第42条",
                {"登録された媒体のみ使用可", "Only registered media may be used"},
                kHigh},
    Requirement{"USB-3",
                "第43条, 第123条",
                {"媒体の持込み・持出しの記録", "Record media bring-in and take-out"},
                kMedium},
    Requirement{"USB-4", "第77条", {"機器の改造・増設の禁止", "No hardware addition"}, kMedium},
    Requirement{"USB-5",
                "第106条(5), 第107条(2)",
                {"媒体の不正プログラム検査", "Scan media for malware"},
                kMedium},
    Requirement{"AV-1",
                "第105条(4), 第106条(1)",
                {"不正プログラム対策ソフトの常駐", "Anti-malware resident and active"},
                kCritical},
    Requirement{"AV-2",
                "第105条(5), 第106条(2)",
                {"パターンファイルの最新化", "Signatures up to date"},
                kHigh},
    Requirement{"AV-3",
                "第105条(6), 第106条(3)",
                {"対策ソフト本体の最新化", "Anti-malware engine up to date"},
                kMedium},
    Requirement{"AV-4",
                "第106条(6), 第107条(1), 第44条",
                {"対策ソフトの設定変更の禁止", "No change to anti-malware settings"},
                kHigh},
    Requirement{"AV-5", "第107条(4)", {"定期的なフルスキャン", "Periodic full scan"}, kMedium},
    Requirement{"PATCH-1", "第116条", {"セキュリティ修正の適用", "Security fixes applied"}, kHigh},
    Requirement{"PATCH-2",
                "第105条(7)(8)",
                {"サポート終了ソフトウェアの排除", "No software past end of support"},
                kHigh},
    Requirement{
        "PATCH-3", "第85条6", {"接続前のウイルス・パッチ確認", "Check before reconnecting"}, kHigh},
    Requirement{"MFA-1", "第38条(3)", {"多要素によるログイン", "Multi-factor login"}, kHigh},
    Requirement{"MFA-2",
                "第38条(4), 第24条(3)",
                {"異なる種類の2要素", "Two factors of distinct kinds"},
                kHigh},
    Requirement{"MFA-3", "第59条(7)", {"パスワードの自動入力禁止", "No automatic logon"}, kHigh},
    Requirement{
        "MFA-4", "第87条, 第84条6", {"ログイン試行回数の制限", "Login attempts limited"}, kMedium},
    Requirement{"MFA-5", "第45条", {"離席時の画面ロック", "Screen lock when away"}, kMedium},
    Requirement{"NET-1",
                "第86条",
                {"端末固有情報による自動識別", "Device identified before connecting"},
                kHigh},
    Requirement{"NET-2",
                "第85条6, 第7条(3)",
                {"状態確認後の接続", "Connect only after posture check"},
                kHigh},
    Requirement{"NET-3",
                "第78条, 第24条(1)",
                {"指定外ネットワークへの接続禁止", "No connection to other networks"},
                kHigh},
    Requirement{
        "NET-4", "第107条3", {"感染時のネットワーク切断", "Disconnect on infection"}, kCritical},
    Requirement{"LOG-1", "第65条", {"ログの取得・保存", "Logs kept and reviewed"}, kMedium},
    Requirement{"LOG-2", "第121条(2)", {"正確な時刻の維持", "Accurate time"}, kLow},
    Requirement{"SW-1",
                "第76条, 第94条",
                {"許可されていないソフトウェアの禁止", "No unauthorised software"},
                kMedium},
    Requirement{"SW-2",
                "第44条, 第109条(4)",
                {"セキュリティ設定の改ざん検知", "Security settings not tampered with"},
                kHigh},
    Requirement{"ENC-1",
                "第23条(10), 第41条",
                {"持ち出しデータの暗号化", "Encrypt data carried outside"},
                kHigh},
    Requirement{
        "EXC-1", "第129–131条", {"例外措置の管理", "Exceptions approved and tracked"}, kMedium},
    Requirement{"AUD-1",
                "第8条, 第122条, 第162–163条",
                {"自己点検の実施", "Compliance self-inspection"},
                kLow},
    Requirement{
        "ADM-1", "第84条", {"特権IDの最小化", "Privileged accounts kept to a minimum"}, kMedium},
};

constexpr std::array kSeverityIds{"low", "medium", "high", "critical"};

}  // namespace

std::string_view severityId(Severity severity) {
  return kSeverityIds[static_cast<std::size_t>(severity)];
}

std::optional<Severity> parseSeverity(std::string_view id) {
  for (std::size_t i = 0; i < kSeverityIds.size(); ++i) {
    if (kSeverityIds[i] == id) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

std::span<const Requirement> allRequirements() { return kRequirements; }

const Requirement* findRequirement(std::string_view id) {
  const auto it = std::ranges::find(kRequirements, id, &Requirement::id);
  return it == kRequirements.end() ? nullptr : &*it;
}

}  // namespace mamori::policy
