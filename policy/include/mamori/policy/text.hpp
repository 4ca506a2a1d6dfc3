#pragma once

#include <string>
#include <string_view>

namespace mamori::policy {

/// The languages of what a staff member or administrator reads on screen.
enum class Lang { kJa, kEn };

/// A message in both languages. Pure code returns these; the shell picks one for the screen.
struct Text {
  std::string ja;
  std::string en;

  [[nodiscard]] const std::string& in(Lang lang) const { return lang == Lang::kJa ? ja : en; }
  [[nodiscard]] bool empty() const { return ja.empty() && en.empty(); }
  bool operator==(const Text&) const = default;
};

/// The language of a locale (`LANG`): mamori is made for Japanese municipalities, so Japanese
/// unless the locale asks for another language (an unset, C or POSIX locale says nothing about
/// the reader).
[[nodiscard]] inline Lang languageOfLocale(std::string_view locale) {
  if (locale.empty() || locale == "C" || locale == "POSIX" || locale.starts_with("C.") ||
      locale.starts_with("ja")) {
    return Lang::kJa;
  }
  return Lang::kEn;
}

}  // namespace mamori::policy
