// MFA-1, MFA-2, MFA-4 on Linux: each login service's PAM stack, run symbolically over every
// module outcome. A failing finding shows the path that logs in with too little.

#include <algorithm>
#include <bit>
#include <charconv>

#include "login_linux_pam.hpp"
#include "login_strength.hpp"
#include "pam_modules.hpp"

namespace mamori::policy::checks::linux_login {
namespace {

const Text kNoServices{"ログインサービスの PAM 設定が見つかりません",
                       "no PAM configuration of a login service was found"};
const Text kFixFactors{
    "ログインに2要素（例: パスワードと FIDO2 キー pam_u2f）を必須にし、要素を迂回できる設定"
    "（sufficient、nouserok、nullok、ジャンプ）を除いてください。sshd では "
    "AuthenticationMethods publickey,keyboard-interactive で両方を必須にしてください。",
    "Make every login require two factors (e.g. the password and a FIDO2 key via pam_u2f as "
    "`required`) and remove what lets a login around them (sufficient, nouserok, nullok, "
    "jumps). For sshd, require both with `AuthenticationMethods "
    "publickey,keyboard-interactive`."};

std::string handlerLabel(const pam::Handler& h) {
  return h.module.empty() ? "(broken line)" : h.moduleName() + " (" + h.where() + ")";
}

Text kindsText(FactorKinds kinds) {
  Text out;
  for (const auto k : kAllFactorKinds) {
    if ((kinds & bitOf(k)) == 0) continue;
    const auto t = factorKindText(k);
    out.ja += (out.ja.empty() ? "" : "・") + t.ja;
    out.en += (out.en.empty() ? "" : ", ") + t.en;
  }
  if (out.empty()) return {"なし", "none"};
  return out;
}

// "pam_succeed_if (gdm-password:3) succeeds, skipping pam_u2f (gdm-password:4); pam_unix
// (common-auth:17) succeeds [knowledge]"
Text describePath(const pam::Stack& stack, const pam::Path& path,
                  const std::vector<pam::ModuleModel>& models) {
  Text out;
  for (const auto& step : path.steps) {
    const auto& h = stack.auth[step.handler];
    const auto& model = models[step.handler];
    // Factor modules, jumps, and modules whose answer is fixed (pam_permit) explain a path;
    // neutral modules that merely passed (pam_nologin) would only bury them.
    const bool interesting =
        model.factor.has_value() || !step.skipped.empty() || model.codes.size() == 1;
    if (!interesting) continue;
    const auto label = handlerLabel(h);
    Text t;
    if (step.code == pam::kSuccess) {
      t = {label + " が成功", label + " succeeds"};
      if (step.proved_factor) {
        const auto k = factorKindText(*model.factor);
        t.ja += "［" + k.ja + "］";
        t.en += " [" + k.en + "]";
      } else if (!model.weakness.empty()) {
        t.ja += "（要素なし: " + model.weakness + "）";
        t.en += " without its factor (" + model.weakness + ")";
      }
    } else {
      const std::string code(pam::returnCodeName(step.code));
      t = {label + " が " + code + " を返す", label + " returns " + code};
    }
    if (!step.skipped.empty()) {
      std::string skipped;
      for (const auto i : step.skipped) {
        skipped += (skipped.empty() ? "" : ", ") + handlerLabel(stack.auth[i]);
      }
      t.ja += "、" + skipped + " を飛ばす";
      t.en += ", skipping " + skipped;
    }
    out.ja += (out.ja.empty() ? "" : " → ") + t.ja;
    out.en += (out.en.empty() ? "" : "; ") + t.en;
  }
  return out;
}

// The weakest login through one service: its PAM stack, and for sshd the methods around it.
// nullopt in `weakest` when nothing logs in; `note` says why (or why it is unknown).
struct ServiceResult {
  Status status = Status::kPass;
  std::optional<Strength> weakest;
  Text note;
};

ServiceResult weakestLogin(const pam::Stack& stack, const LinuxLogin& login, const MfaRules& rules,
                           Measure measure) {
  const auto& name = stack.service;
  if (!stack.too_large.empty()) {
    return {Status::kUnknown,
            std::nullopt,
            {name + ": 確認できません: " + stack.too_large,
             name + ": cannot be determined: " + stack.too_large}};
  }
  ServiceResult result;
  if (!stack.load_error.empty()) {
    result.note = {name + ": 設定を読み込めないため PAM 経由のログインは全て失敗します（" +
                       stack.load_error + "）",
                   name +
                       ": the configuration cannot be loaded, so every login through PAM "
                       "fails (" +
                       stack.load_error + ")"};
  } else {
    std::vector<pam::ModuleModel> models;
    for (const auto& h : stack.auth) models.push_back(moduleModel(h, login));
    // analyse() asks about the handlers of the span it was given: stack.auth's own elements.
    const auto classify = [&](const pam::Handler& h) {
      return models[static_cast<std::size_t>(&h - stack.auth.data())];
    };
    const auto analysis = pam::analyse(stack.auth, classify, rules.acceptedKindSet());
    if (!analysis.complete) {
      return {Status::kUnknown,
              std::nullopt,
              {name + ": 確認できません: 経路が多すぎて解析を打ち切りました",
               name + ": cannot be determined: too many paths through the stack to analyse"}};
    }
    if (analysis.can_succeed) {
      const auto& path =
          measure == Measure::kFactors ? *analysis.fewest_factors : *analysis.fewest_kinds;
      result.weakest =
          Strength{analysis.factorCount(path), path.kinds, describePath(stack, path, models)};
    } else {
      result.note = {name + ": どの経路でもログインが成功しません",
                     name + ": no path through the stack logs in"};
    }
  }
  if (name != "sshd") return result;
  if (!login.sshd.known()) {
    return {Status::kUnknown,
            std::nullopt,
            {name + ": " + reasonText(login.sshd.reason()).ja,
             name + ": " + reasonText(login.sshd.reason()).en}};
  }
  if (login.sshd->empty()) return result;  // the PAM file of an SSH server not installed
  result.weakest =
      weakestSshLogin(login.sshd.value(), result.weakest, rules.acceptedKindSet(), measure);
  if (!result.weakest) {
    result.note = {name + ": 有効な認証方式がありません", name + ": no method can log anyone in"};
  }
  return result;
}

// One service judged by one measure: pass/fail and its evidence line.
std::pair<Status, Text> judgeService(const pam::Stack& stack, const LinuxLogin& login,
                                     const MfaRules& rules, Measure measure) {
  const auto& name = stack.service;
  const auto result = weakestLogin(stack, login, rules, measure);
  if (!result.weakest) return {result.status, result.note};
  const auto& weakest = *result.weakest;
  const int have = weakest.measured(measure);
  const int need = measure == Measure::kFactors ? rules.required_factors : rules.required_kinds;
  const auto n = std::to_string(have);
  const auto kinds = kindsText(weakest.kinds);
  if (have >= need) {
    return {Status::kPass,
            measure == Measure::kFactors
                ? Text{name + ": 全ての経路で " + n + " 要素以上（" + kinds.ja + "）",
                       name + ": every login proves at least " + n + " factors (" + kinds.en + ")"}
                : Text{name + ": 全ての経路で " + n + " 種類の要素（" + kinds.ja + "）",
                       name + ": every login proves " + n + " kinds of factor (" + kinds.en + ")"}};
  }
  const auto what = measure == Measure::kFactors
                        ? Text{n + " 要素", n + (have == 1 ? " factor" : " factors")}
                        : Text{n + " 種類", n + (have == 1 ? " kind" : " kinds")};
  return {Status::kFail,
          {name + ": " + weakest.trail.ja + " → " + what.ja + "（" + kinds.ja + "）でログイン成功",
           name + ": " + weakest.trail.en + " -> login succeeds with " + what.en + " (" + kinds.en +
               ")"}};
}

Finding judgeStacks(std::string_view id, const LinuxLogin& login, const MfaRules& rules,
                    Measure measure) {
  if (login.services.empty()) return unknown(id, kNoServices, {});
  Text evidence;
  Status worst = Status::kPass;
  for (const auto& stack : login.services) {
    auto [status, line] = judgeService(stack, login, rules, measure);
    if (status == Status::kFail || (status == Status::kUnknown && worst == Status::kPass))
      worst = status;
    append(evidence, line);
  }
  switch (worst) {
    case Status::kFail: return fail(id, evidence, kFixFactors);
    case Status::kUnknown: return unknown(id, evidence, kFixFactors);
    default: return pass(id, evidence);
  }
}

// MFA-4: failures are counted by pam_faillock's `authfail` call (or pam_tally2); `preauth`
// alone only refuses already-locked accounts.
std::pair<Status, Text> lockoutOf(const pam::Stack& stack, const LinuxLogin& login, int max) {
  const auto& name = stack.service;
  for (const auto& h : stack.auth) {
    const auto module = h.moduleName();
    const bool counts =
        (module == "pam_faillock" && h.hasArgument("authfail")) || module == "pam_tally2";
    if (!counts) continue;
    int deny = module == "pam_tally2" ? 0 : 3;  // pam_tally2 locks only with deny=
    if (login.faillock.known() && login.faillock->deny && module == "pam_faillock")
      deny = *login.faillock->deny;
    if (const auto arg = h.argumentValue("deny"); !arg.empty()) {
      std::from_chars(arg.data(), arg.data() + arg.size(), deny);
    }
    const auto d = std::to_string(deny);
    const auto m = std::to_string(max);
    if (deny <= 0) {
      return {Status::kFail,
              {name + ": " + module + " は deny=0 でロックしません",
               name + ": " + module + " has deny=0 and never locks"}};
    }
    return {deny <= max ? Status::kPass : Status::kFail,
            {name + ": " + module + " が " + d + " 回の失敗でロック（上限 " + m + " 回）",
             name + ": " + module + " locks after " + d + " failures (limit " + m + ")"}};
  }
  const bool preauth_only = std::ranges::any_of(
      stack.auth, [](const auto& h) { return h.moduleName() == "pam_faillock"; });
  return {Status::kFail,
          preauth_only
              ? Text{name + ": pam_faillock に authfail の行がなく、失敗が数えられません",
                     name + ": pam_faillock has no authfail line, so failures are never counted"}
              : Text{name + ": 認証の失敗回数を制限するモジュールがありません",
                     name + ": nothing limits failed login attempts"}};
}

}  // namespace

Finding factors(const Context& c, const LinuxLogin& login) {
  return judgeStacks("MFA-1", login, c.profile.mfa, Measure::kFactors);
}

Finding factorKinds(const Context& c, const LinuxLogin& login) {
  if (c.profile.mfa.required_kinds <= 0) {
    return pass("MFA-2", {"このセグメントでは異なる種類の要素は求められていません",
                          "this segment does not require factors of distinct kinds"});
  }
  return judgeStacks("MFA-2", login, c.profile.mfa, Measure::kKinds);
}

Finding attemptsLimited(const Context& c, const LinuxLogin& login) {
  constexpr std::string_view kId = "MFA-4";
  if (login.services.empty()) return unknown(kId, kNoServices, {});
  Text evidence;
  bool failed = false;
  for (const auto& stack : login.services) {
    if (!stack.load_error.empty()) continue;  // no login succeeds there to be guessed at
    auto [status, line] = lockoutOf(stack, login, c.profile.mfa.max_failed_attempts);
    failed = failed || status == Status::kFail;
    append(evidence, line);
  }
  if (!failed) return pass(kId, evidence);
  return fail(kId, evidence,
              {"pam_faillock を preauth と authfail で auth スタックに入れ、deny を " +
                   std::to_string(c.profile.mfa.max_failed_attempts) + " 以下にしてください。",
               "Add pam_faillock (preauth and authfail) to the auth stack with deny at most " +
                   std::to_string(c.profile.mfa.max_failed_attempts) + "."});
}

}  // namespace mamori::policy::checks::linux_login
