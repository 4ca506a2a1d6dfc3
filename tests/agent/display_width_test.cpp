#include "display_width.hpp"

#include <doctest/doctest.h>

using namespace mamori::agent;

TEST_CASE("display width: Japanese characters take two columns, ASCII one") {
  CHECK(displayWidth("AV-2") == 4);
  CHECK(displayWidth("合格") == 4);
  CHECK(displayWidth("不合格（注意）") == 14);
  CHECK(displayWidth("ＡＢ") == 4);  // fullwidth Latin
  CHECK(padRight("合格", 8) == "合格    ");
  CHECK(padRight("PASS", 8) == "PASS    ");
}

TEST_CASE("wrapping: English breaks at spaces, Japanese between characters") {
  CHECK(wrapText("update the virus signatures now", 12) ==
        std::vector<std::string>{"update the", "virus", "signatures", "now"});
  CHECK(wrapText("定義ファイルを更新してください", 10) ==
        std::vector<std::string>{"定義ファイ", "ルを更新し", "てください"});
  // A word longer than the line is split rather than overflowing.
  CHECK(wrapText("abcdefghij", 4) == std::vector<std::string>{"abcd", "efgh", "ij"});
}

TEST_CASE("wrapping: closing punctuation never starts a line (禁則処理)") {
  const auto lines = wrapText("連絡してください。", 8);
  CHECK(lines == std::vector<std::string>{"連絡して", "ください。"});
  for (const auto& l : wrapText("情報システム管理者に連絡してください。確認します、", 6)) {
    CHECK_FALSE(l.starts_with("。"));
    CHECK_FALSE(l.starts_with("、"));
  }
}
