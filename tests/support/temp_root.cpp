#include "temp_root.hpp"

#include <stdlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace mamori::testing {
namespace {

std::filesystem::path below(const std::filesystem::path& root, std::string_view relative) {
  while (relative.starts_with('/')) relative.remove_prefix(1);
  return root / relative;
}

}  // namespace

std::filesystem::path fixturesDir() { return MAMORI_FIXTURES_DIR; }

std::string readFixture(std::string_view relative) {
  std::ifstream in(below(fixturesDir(), relative), std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + std::string(relative));
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TempRoot::TempRoot(std::initializer_list<std::string_view> layers) {
  std::string pattern = (std::filesystem::temp_directory_path() / "mamori-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
  for (auto layer : layers) {
    std::filesystem::copy(fixturesDir() / layer, path_,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
  }
}

TempRoot::~TempRoot() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void TempRoot::write(std::string_view relative, std::string_view content) const {
  const auto file = below(path_, relative);
  std::filesystem::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
}

void TempRoot::remove(std::string_view relative) const {
  std::filesystem::remove_all(below(path_, relative));
}

void TempRoot::postdate(std::string_view relative, std::chrono::minutes ahead) const {
  std::filesystem::last_write_time(below(path_, relative),
                                   std::filesystem::file_time_type::clock::now() + ahead);
}

}  // namespace mamori::testing
