#include "display_width.hpp"

namespace mamori::agent {
namespace {

struct Rune {
  char32_t code;
  std::size_t bytes;
};

// Decodes one UTF-8 sequence; invalid bytes count as one narrow character each.
Rune decode(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const std::size_t n = b < 0x80         ? 1
                        : (b >> 5) == 6  ? 2
                        : (b >> 4) == 14 ? 3
                        : (b >> 3) == 30 ? 4
                                         : 1;
  if (n == 1 || i + n > s.size()) return {b, 1};
  char32_t code = b & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    code = (code << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  return {code, n};
}

// The East Asian Wide / Fullwidth blocks (UAX #11) that Japanese text uses.
bool isWide(char32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
         (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

// 禁則処理: closing punctuation may not start a line; it hangs at the end of the previous one.
bool noBreakBefore(char32_t c) {
  switch (c) {
    case U'、':
    case U'。':
    case U'，':
    case U'．':
    case U'）':
    case U'」':
    case U'』':
    case U'】':
    case U'〕':
    case U'！':
    case U'？':
    case U'ー':
    case U'・':
    case U'：': return true;
    default: return false;
  }
}

}  // namespace

std::size_t displayWidth(std::string_view text) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto r = decode(text, i);
    width += isWide(r.code) ? 2U : 1U;
    i += r.bytes;
  }
  return width;
}

std::vector<std::string> wrapText(std::string_view text, std::size_t width) {
  // Tokens: a run of narrow non-space characters, a single wide character, or a space.
  std::vector<std::string> lines(1);
  std::size_t line_width = 0;
  const auto emit = [&](std::string_view token, std::size_t w, bool is_space, bool hangs) {
    if (line_width + w > width && line_width > 0 && !hangs) {
      lines.emplace_back();
      line_width = 0;
      if (is_space) return;  // no leading space on a new line
    }
    lines.back() += token;
    line_width += w;
  };
  for (std::size_t i = 0; i < text.size();) {
    const auto r = decode(text, i);
    if (r.code == ' ' || isWide(r.code)) {
      emit(text.substr(i, r.bytes), r.code == ' ' ? 1 : 2, r.code == ' ', noBreakBefore(r.code));
      i += r.bytes;
      continue;
    }
    std::size_t j = i, w = 0;
    while (j < text.size()) {
      const auto n = decode(text, j);
      if (n.code == ' ' || isWide(n.code) || (w > 0 && w + 1 > width)) break;
      j += n.bytes;
      ++w;
    }
    emit(text.substr(i, j - i), w, false, false);
    i = j;
  }
  for (auto& line : lines) {
    while (!line.empty() && line.back() == ' ') line.pop_back();
  }
  return lines;
}

std::string padRight(std::string_view text, std::size_t width) {
  std::string out(text);
  const auto w = displayWidth(text);
  if (w < width) out.append(width - w, ' ');
  return out;
}

}  // namespace mamori::agent
