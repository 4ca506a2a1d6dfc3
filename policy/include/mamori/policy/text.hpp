#pragma once

#include <string>

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

}  // namespace mamori::policy
