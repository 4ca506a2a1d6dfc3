#include "mamori/platform/sshd_config.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <string>

#include "text_lines.hpp"

namespace mamori::platform {
namespace {

using Field = std::optional<std::string> policy::SshdSettings::*;

struct Keyword {
  std::string_view name;  ///< lower case
  Field field;
};

constexpr std::array kKeywords{
    Keyword{"authenticationmethods", &policy::SshdSettings::authentication_methods},
    Keyword{"pubkeyauthentication", &policy::SshdSettings::pubkey_authentication},
    Keyword{"passwordauthentication", &policy::SshdSettings::password_authentication},
    Keyword{"kbdinteractiveauthentication", &policy::SshdSettings::kbd_interactive_authentication},
    Keyword{"challengeresponseauthentication",
            &policy::SshdSettings::kbd_interactive_authentication},
    Keyword{"hostbasedauthentication", &policy::SshdSettings::hostbased_authentication},
    Keyword{"gssapiauthentication", &policy::SshdSettings::gssapi_authentication},
    Keyword{"permitemptypasswords", &policy::SshdSettings::permit_empty_passwords},
    Keyword{"usepam", &policy::SshdSettings::use_pam},
};

constexpr int kMaxIncludeDepth = 16;  // sshd's READCONF_MAX_DEPTH

using textscan::asciiLower;
using textscan::trim;

struct Block {
  policy::SshdSettings settings;
  bool sets_something = false;
};

class Parser {
 public:
  explicit Parser(const SshdIncludes& includes) : includes_(includes) { blocks_.emplace_back(); }

  void file(std::string_view text, int depth) {
    for (std::size_t pos = 0; pos < text.size();) line(textscan::nextLine(text, pos), depth);
  }

  std::vector<policy::SshdSettings> views() const {
    std::vector<policy::SshdSettings> out{blocks_.front().settings};
    for (std::size_t i = 1; i < blocks_.size(); ++i) {
      if (!blocks_[i].sets_something) continue;
      auto view = blocks_.front().settings;
      view.condition = blocks_[i].settings.condition;
      for (const auto& k : kKeywords) {
        if (blocks_[i].settings.*k.field) view.*k.field = blocks_[i].settings.*k.field;
      }
      out.push_back(std::move(view));
    }
    return out;
  }

 private:
  void line(std::string_view raw, int depth) {
    const auto text = trim(raw);
    if (text.empty() || text.front() == '#') return;
    const auto key_end = text.find_first_of(" \t=");
    const auto keyword = asciiLower(text.substr(0, key_end));
    auto args = key_end == std::string_view::npos ? std::string_view{} : text.substr(key_end);
    args = trim(args);
    if (args.starts_with('=')) args = trim(args.substr(1));

    if (keyword == "match") {
      Block block;
      block.settings.condition = "Match " + std::string(args);
      blocks_.push_back(std::move(block));
      return;
    }
    if (keyword == "include") {
      if (depth >= kMaxIncludeDepth) return;
      for (std::size_t pos = 0; pos < args.size();) {  // several patterns may follow
        const auto next = args.find_first_of(" \t", pos);
        const auto pattern = args.substr(pos, next - pos);
        if (!pattern.empty()) {
          for (const auto& f : includes_(pattern)) file(f.text, depth + 1);
        }
        if (next == std::string_view::npos) break;
        pos = next + 1;
      }
      return;
    }
    const auto* k = std::ranges::find(kKeywords, std::string_view(keyword), &Keyword::name);
    if (k == kKeywords.end() || args.empty()) return;
    auto& block = blocks_.back();
    auto& field = block.settings.*(k->field);
    if (field) return;  // the first value obtained is the one sshd uses
    // AuthenticationMethods takes every list on the line; the others their first word.
    field = k->name == "authenticationmethods"
                ? std::string(args)
                : std::string(args.substr(0, args.find_first_of(" \t")));
    block.sets_something = true;
  }

  const SshdIncludes& includes_;
  std::vector<Block> blocks_;  ///< [0]: the global section
};

}  // namespace

std::vector<policy::SshdSettings> parseSshdConfig(const TextFile& main,
                                                  const SshdIncludes& includes) {
  Parser parser(includes);
  parser.file(main.text, 0);
  return parser.views();
}

}  // namespace mamori::platform
