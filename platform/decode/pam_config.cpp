// Reads /etc/pam.d as Linux-PAM 1.5 (Debian 12) does: line assembly (pam_assemble_line.h),
// tokens (_pam_StrTok), controls (_pam_parse_control) and the handler list
// (_pam_parse_conf_file, _pam_add_handler). Where libpam's behaviour is surprising, it is kept:
// the analyser must judge the stack libpam runs, not the one the administrator meant.

#include "mamori/platform/pam_config.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <vector>

#include "text_lines.hpp"

namespace mamori::platform {
namespace {

namespace pam = policy::pam;

constexpr int kMaxLevel = 16;  // PAM_SUBSTACK_MAX_LEVEL: includes and substacks nest this deep
// Files that include each other several times multiply: 16 levels of three includes is 43
// million lines. libpam would grind through them; mamori stops and says so.
constexpr std::size_t kMaxLines = 5'000;

enum class Type { kAny, kAuth, kOther };

using textscan::equalsIgnoringCase;

bool isCSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// ---- lines -----------------------------------------------------------------------------------

struct LogicalLine {
  std::string text;
  int line = 0;             ///< where it starts in the file, 1-based
  bool incomplete = false;  ///< the file ended inside this line's continuation
};

// _pam_assemble_line: a trailing backslash joins the next line (replaced by a space) unless the
// line holds a '#', which ends it; everything from '#' on is a comment.
std::vector<LogicalLine> assembleLines(std::string_view file) {
  std::vector<LogicalLine> lines;
  std::optional<LogicalLine> pending;
  int number = 0;
  while (!file.empty()) {
    const auto newline = file.find('\n');
    std::string physical(file.substr(0, newline));
    file.remove_prefix(newline == std::string_view::npos ? file.size() : newline + 1);
    ++number;
    // libpam works on C strings: a NUL ends the line's content.
    physical.resize(std::min(physical.size(), physical.find('\0')));

    auto last = physical.find_last_not_of(" \t");
    const bool backslash = last != std::string::npos && physical[last] == '\\';
    if (backslash) physical.resize(last);  // the backslash becomes the joining space below
    const bool continues = backslash && physical.find('#') == std::string::npos;
    if (const auto hash = physical.find('#'); hash != std::string::npos) physical.resize(hash);
    if (backslash && physical.size() == last) physical += ' ';
    const auto start = physical.find_first_not_of(" \t");
    const std::string_view content =
        start == std::string::npos ? std::string_view{} : std::string_view(physical).substr(start);

    if (!pending) {
      if (content.empty() && !continues) continue;
      pending = LogicalLine{{}, number, false};
    }
    pending->text += content;
    if (!continues) {
      if (!pending->text.empty()) lines.push_back(std::move(*pending));
      pending.reset();
    }
  }
  // A file ending inside a continuation is a read error for libpam.
  if (pending) lines.push_back({pending->text, pending->line, true});
  return lines;
}

// ---- tokens ----------------------------------------------------------------------------------

// _pam_StrTok with libpam's separators: `[...]` is one token whose first `]` ends it (`\]` is a
// literal `]`), and the character after the token is always consumed.
class Tokens {
 public:
  explicit Tokens(std::string text) : text_(std::move(text)) {}

  std::optional<std::string> next() {
    if (done_) return std::nullopt;
    while (pos_ < text_.size() && isSeparator(text_[pos_])) ++pos_;
    if (pos_ >= text_.size()) {
      done_ = true;
      return std::nullopt;
    }
    std::string token;
    std::size_t end = pos_;
    if (text_[pos_] == '[') {
      for (end = pos_ + 1; end < text_.size() && text_[end] != ']'; ++end) {
        if (text_[end] == '\\' && end + 1 < text_.size() && text_[end + 1] == ']') ++end;
        token += text_[end];
      }
    } else {
      while (end < text_.size() && !isSeparator(text_[end])) ++end;
      token = text_.substr(pos_, end - pos_);
    }
    if (end < text_.size()) ++end;
    pos_ = end;
    done_ = pos_ >= text_.size();
    return token;
  }

  std::vector<std::string> rest() {
    std::vector<std::string> out;
    while (auto t = next()) out.push_back(std::move(*t));
    return out;
  }

 private:
  static bool isSeparator(char c) { return c == ' ' || c == '\n' || c == '\t'; }
  std::string text_;
  std::size_t pos_ = 0;
  bool done_ = false;
};

// ---- controls --------------------------------------------------------------------------------

void setDefault(pam::Actions& actions, int action) {
  for (auto& a : actions) {
    if (a == pam::kActionUndef) a = action;
  }
}

// _pam_parse_control: `value=action` pairs matched by prefix, as libpam does; any error makes
// every return code `bad`.
void parseControl(pam::Actions& actions, std::string_view tok) {
  static constexpr std::string_view kActionNames[] = {"ignore", "ok",  "done",
                                                      "bad",    "die", "reset"};
  const auto skipSpace = [&] {
    while (!tok.empty() && isCSpace(tok.front())) tok.remove_prefix(1);
  };
  const auto treatAllAsBad = [&] { std::ranges::fill(actions, pam::kActionBad); };
  while (!tok.empty()) {
    skipSpace();
    if (tok.empty()) break;
    int ret = 0;
    std::size_t len = 0;
    for (; ret <= pam::kReturnValues; ++ret) {
      const std::string_view name =
          ret == pam::kReturnValues ? "default" : pam::returnCodeName(ret);
      if (tok.starts_with(name)) {
        len = name.size();
        break;
      }
    }
    if (ret > pam::kReturnValues || tok.size() == len) return treatAllAsBad();
    tok.remove_prefix(len);
    skipSpace();
    if (tok.empty() || tok.front() != '=') return treatAllAsBad();
    tok.remove_prefix(1);
    skipSpace();
    if (tok.empty()) return treatAllAsBad();

    std::optional<int> act;
    for (int i = 0; i < 6; ++i) {
      if (tok.starts_with(kActionNames[i])) {
        act = -i;
        tok.remove_prefix(kActionNames[i].size());
        break;
      }
    }
    if (!act) {
      if (tok.empty() || !std::isdigit(static_cast<unsigned char>(tok.front())))
        return treatAllAsBad();
      long jump = 0;
      while (!tok.empty() && std::isdigit(static_cast<unsigned char>(tok.front()))) {
        jump = std::min(jump * 10 + (tok.front() - '0'), 1'000'000L);
        tok.remove_prefix(1);
      }
      if (jump == 0) return treatAllAsBad();
      act = static_cast<int>(jump);
    }
    if (ret == pam::kReturnValues) {
      setDefault(actions, *act);
    } else {
      actions[static_cast<std::size_t>(ret)] = *act;
    }
  }
}

// ---- files -----------------------------------------------------------------------------------

class Loader {
 public:
  Loader(const PamConfigSource& source, std::string service)
      : source_(source), service_(std::move(service)) {}

  pam::Stack load() {
    pam::Stack stack;
    stack.service = service_;
    bool read_something = false;
    bool ok = true;
    if (auto text = source_.read(service_)) {
      ok = parse(*text, service_, Type::kAny, 0, 0, conf_);
      read_something = ok;
    }
    if (ok) {
      if (auto text = source_.read("other")) {
        ok = parse(*text, "other", Type::kAny, 0, 0, other_);
        read_something = read_something || ok;
      }
      if (!read_something) ok = false;
    }
    if (lines_ > kMaxLines) {
      stack.too_large = "the configuration expands to more than " + std::to_string(kMaxLines) +
                        " lines through its includes";
      return stack;
    }
    if (!ok) {
      stack.load_error = error_.empty() ? "no configuration for the service" : error_;
      return stack;
    }
    stack.from_other = conf_.empty();
    stack.auth = stack.from_other ? std::move(other_) : std::move(conf_);
    return stack;
  }

 private:
  static std::string displayPath(std::string_view name) {
    return name.starts_with('/') ? std::string(name) : "/etc/pam.d/" + std::string(name);
  }

  bool fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

  // _pam_load_conf_file
  bool loadFile(const std::optional<std::string>& name, Type requested, int include_level,
                int stack_level, std::vector<pam::Handler>& into) {
    if (include_level >= kMaxLevel) return fail("includes nested more than 16 deep");
    if (!name) return fail("include without a file name");
    const auto text = source_.read(*name);
    if (!text) return fail("cannot open " + displayPath(*name));
    return parse(*text, *name, requested, include_level, stack_level, into);
  }

  bool parse(const std::string& text, std::string_view file, Type requested, int include_level,
             int stack_level, std::vector<pam::Handler>& into);

  bool addHandler(pam::Handler handler, std::vector<pam::Handler>& into) {
    // extract_modulename(): an empty name or "?" makes libpam abort loading the configuration.
    if (handler.kind != pam::HandlerKind::kMustFail || !handler.module.empty()) {
      const auto name = handler.moduleName();
      if (handler.module.empty() ? false : (name.empty() || name == "?")) {
        return fail(handler.where() + ": module name \"" + handler.module + "\" is unusable");
      }
    }
    into.push_back(std::move(handler));
    return true;
  }

  const PamConfigSource& source_;
  std::string service_;
  std::vector<pam::Handler> conf_;
  std::vector<pam::Handler> other_;
  std::string error_;
  std::size_t lines_ = 0;
};

// _pam_parse_conf_file for a file under /etc/pam.d (no service column). Only `auth` handlers
// are kept: that is the stack MFA is about.
bool Loader::parse(const std::string& text, std::string_view file, Type requested,
                   int include_level, int stack_level, std::vector<pam::Handler>& into) {
  for (const auto& line : assembleLines(text)) {
    if (++lines_ > kMaxLines) return fail("too many lines");
    if (line.incomplete) return fail(displayPath(file) + ": incomplete last line");
    Tokens tokens(line.text);
    pam::Handler h;
    h.file = displayPath(file);
    h.line = line.line;
    h.stack_level = stack_level;
    h.actions.fill(pam::kActionUndef);

    const auto type_token = tokens.next();
    if (!type_token) continue;  // a line of carriage returns and such: no token at all
    std::string_view type = *type_token;
    if (type.starts_with('-')) type.remove_prefix(1);  // "do not log load errors": same dispatch
    Type line_type = Type::kOther;
    bool at_include = false;
    if (equalsIgnoringCase(type, "auth")) {
      line_type = Type::kAuth;
    } else if (equalsIgnoringCase(type, "session") || equalsIgnoringCase(type, "account") ||
               equalsIgnoringCase(type, "password")) {
      line_type = Type::kOther;
    } else if (equalsIgnoringCase(type, "@include")) {
      at_include = true;  // Debian: include the named file, every type, at this level
    } else {
      // An illegal type is installed as a failing handler of the most sensitive type.
      line_type = requested == Type::kAny ? Type::kAuth : requested;
      h.kind = pam::HandlerKind::kMustFail;
    }
    if (at_include) {
      if (!loadFile(tokens.next(), requested, include_level + 1, stack_level, into)) return false;
      continue;
    }
    if (requested != Type::kAny && line_type != requested) continue;

    bool include = false;
    bool substack = false;
    auto control = tokens.next();
    if (!control) {
      setDefault(h.actions, pam::kActionBad);
      h.kind = pam::HandlerKind::kMustFail;
    } else {
      h.control = *control;
      const auto c = std::string_view(*control);
      const auto shorthand = [&](int on_failure, int on_success) {
        h.actions[pam::kSuccess] = on_success;
        h.actions[12] = on_success;  // PAM_NEW_AUTHTOK_REQD
        if (on_failure != pam::kActionIgnore) h.actions[pam::kIgnore] = pam::kActionIgnore;
        setDefault(h.actions, on_failure);
      };
      if (equalsIgnoringCase(c, "required")) {
        shorthand(pam::kActionBad, pam::kActionOk);
      } else if (equalsIgnoringCase(c, "requisite")) {
        shorthand(pam::kActionDie, pam::kActionOk);
      } else if (equalsIgnoringCase(c, "optional")) {
        shorthand(pam::kActionIgnore, pam::kActionOk);
      } else if (equalsIgnoringCase(c, "sufficient")) {
        shorthand(pam::kActionIgnore, pam::kActionDone);
      } else if (equalsIgnoringCase(c, "include")) {
        include = true;
      } else if (equalsIgnoringCase(c, "substack")) {
        include = substack = true;
      } else {
        parseControl(h.actions, c);
        setDefault(h.actions, pam::kActionBad);
        h.control = "[" + h.control + "]";
      }
    }

    auto module = tokens.next();
    if (include) {
      const Type sub_type = line_type;
      if (substack) {
        pam::Handler mark = h;
        mark.kind = pam::HandlerKind::kSubstack;
        mark.module = module.value_or("");
        if (line_type == Type::kAuth && !addHandler(mark, into)) return false;
      }
      std::vector<pam::Handler> ignored;
      auto& target = line_type == Type::kAuth ? into : ignored;
      if (loadFile(module, sub_type, include_level + 1, stack_level + (substack ? 1 : 0), target)) {
        continue;
      }
      error_.clear();  // a failed include is a failing handler, not a broken configuration
      setDefault(h.actions, pam::kActionBad);
      h.kind = pam::HandlerKind::kMustFail;
      module.reset();
    } else if (module) {
      h.module = *module;
      h.arguments = tokens.rest();
    } else {
      h.kind = pam::HandlerKind::kMustFail;
    }
    if (line_type != Type::kAuth) continue;
    if (h.kind == pam::HandlerKind::kModule) h.installed = source_.moduleInstalled(h.module);
    if (!addHandler(std::move(h), into)) return false;
  }
  return true;
}

}  // namespace

policy::pam::Stack loadAuthStack(std::string_view service, const PamConfigSource& source) {
  return Loader(source, std::string(service)).load();
}

}  // namespace mamori::platform
