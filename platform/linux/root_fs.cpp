#include "root_fs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace mamori::platform::linux {

std::filesystem::path RootFs::path(std::string_view relative) const {
  while (relative.starts_with('/')) relative.remove_prefix(1);
  return root_ / relative;
}

std::expected<std::string, std::string> RootFs::read(std::string_view relative,
                                                     std::size_t limit) const {
  const auto file = path(relative);
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::unexpected(std::string(relative) + ": " + std::strerror(errno));
  // Regular files report their size; sysfs and procfs report 0 or 4096, so read to the end.
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  std::string content;
  content.reserve(ec ? 4096 : std::min<std::size_t>(size, limit));
  char chunk[64 * 1024];
  while (content.size() < limit && in.read(chunk, sizeof chunk).gcount() > 0) {
    content.append(chunk, std::min<std::size_t>(static_cast<std::size_t>(in.gcount()),
                                                limit - content.size()));
  }
  if (in.bad()) return std::unexpected(std::string(relative) + ": read error");
  return content;
}

std::string RootFs::attribute(const std::filesystem::path& absolute) const {
  std::ifstream in(absolute);
  std::string line;
  std::getline(in, line);
  // Some devices pad their strings (" SanDisk"): trim both ends.
  const auto first = line.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return line.substr(first, line.find_last_not_of(" \t\r\n") + 1 - first);
}

std::vector<std::string> RootFs::list(std::string_view relative) const {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(path(relative), ec), end; !ec && it != end;
       it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  std::ranges::sort(names);
  return names;
}

bool RootFs::exists(std::string_view relative) const {
  std::error_code ec;
  return std::filesystem::exists(path(relative), ec);
}

std::expected<void, std::string> RootFs::write(std::string_view relative,
                                               std::string_view content) const {
  const auto fail = [&](int error) {
    return std::unexpected(std::string(relative) + ": " + std::strerror(error));
  };
  const int fd = ::open(path(relative).c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) return fail(errno);
  const auto written = ::write(fd, content.data(), content.size());
  const int write_error = errno;
  ::close(fd);
  if (written < 0) return fail(write_error);
  if (static_cast<std::size_t>(written) != content.size()) return fail(EIO);
  return {};
}

}  // namespace mamori::platform::linux
