#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mamori::agent {

/// Terminal columns `text` (UTF-8) occupies: East Asian wide and fullwidth characters take two.
std::size_t displayWidth(std::string_view text);

/// Breaks `text` into lines of at most `width` columns: at spaces, and between any two wide
/// characters (Japanese needs no spaces to break). A word longer than `width` is split.
std::vector<std::string> wrapText(std::string_view text, std::size_t width);

/// `text` padded with spaces to `width` columns.
std::string padRight(std::string_view text, std::size_t width);

}  // namespace mamori::agent
