// The kernel's uevent netlink socket, with an eventfd beside it so stop() can wake a waiting
// next() from another thread.

#include <linux/netlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>

#include "uevent_source.hpp"

namespace mamori::platform::linux {
namespace {

constexpr unsigned kKernelGroup = 1;  // udev re-broadcasts on group 2; we want the kernel's
// A burst of hot-plugs (a hub with many devices) must not overflow the queue while a decision
// runs; udev asks for 128 MiB. SO_RCVBUFFORCE needs CAP_NET_ADMIN, which the agent has.
constexpr int kReceiveBuffer = 16 << 20;
// The kernel's uevent buffer is 2 KiB of variables plus the header; anything larger is not one.
constexpr std::size_t kMaxMessage = 16 * 1024;

// `error` is errno, captured before anything else can change it.
Error systemError(std::string_view what, int error) {
  return makeError(ErrorCode::kIo,
                   "uevent socket: " + std::string(what) + ": " + std::strerror(error));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

class NetlinkUeventSource final : public UeventSource {
 public:
  NetlinkUeventSource(FileDescriptor socket, FileDescriptor wake)
      : socket_(std::move(socket)), wake_(std::move(wake)) {}

  std::expected<std::optional<ReceivedUevent>, Error> next() override {
    while (true) {
      std::array<pollfd, 2> fds{{{wake_.get(), POLLIN, 0}, {socket_.get(), POLLIN, 0}}};
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        return std::unexpected(systemError("poll", errno));
      }
      // Stop wins over pending events; the eventfd is never read, so it stays signalled.
      if (fds[0].revents != 0) return std::nullopt;
      if (fds[1].revents == 0) continue;
      auto received = receive();
      if (!received) return std::unexpected(received.error());
      if (*received) return received;
    }
  }

  void stop() override {
    const std::uint64_t one = 1;
    // Cannot fail but by overflowing the counter, which needs 2^64 - 1 calls.
    [[maybe_unused]] const auto written = ::write(wake_.get(), &one, sizeof one);
  }

 private:
  // One datagram, or nullopt when there was none after all or it was not the kernel's.
  std::expected<std::optional<ReceivedUevent>, Error> receive() {
    ReceivedUevent event;
    event.datagram.resize(kMaxMessage);
    sockaddr_nl sender{};
    iovec io{event.datagram.data(), event.datagram.size()};
    msghdr message{};
    message.msg_name = &sender;
    message.msg_namelen = sizeof sender;
    message.msg_iov = &io;
    message.msg_iovlen = 1;
    const auto size = ::recvmsg(socket_.get(), &message, MSG_DONTWAIT);
    const int error = errno;
    event.received = std::chrono::steady_clock::now();
    if (size < 0) {
      if (error == EAGAIN || error == EINTR) return std::nullopt;
      if (error != ENOBUFS) return std::unexpected(systemError("recvmsg", error));
      event.datagram.clear();
      event.events_lost = true;
      return event;
    }
    // Only the kernel (port id 0) speaks for devices, not a process that multicasts.
    if (sender.nl_pid != 0 || (message.msg_flags & MSG_TRUNC) != 0) return std::nullopt;
    event.datagram.resize(static_cast<std::size_t>(size));
    return event;
  }

  FileDescriptor socket_;
  FileDescriptor wake_;
};

}  // namespace

std::expected<std::unique_ptr<UeventSource>, Error> openKernelUevents() {
  FileDescriptor socket(
      ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_KOBJECT_UEVENT));
  if (socket.get() < 0) return std::unexpected(systemError("socket", errno));
  if (::setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer,
                   sizeof kReceiveBuffer) != 0) {
    // Without the capability: as large as the system allows an unprivileged socket.
    ::setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
  }
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  address.nl_groups = kKernelGroup;
  if (::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return std::unexpected(systemError("bind to kernel uevents", errno));
  }
  FileDescriptor wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (wake.get() < 0) return std::unexpected(systemError("eventfd", errno));
  return std::make_unique<NetlinkUeventSource>(std::move(socket), std::move(wake));
}

}  // namespace mamori::platform::linux
