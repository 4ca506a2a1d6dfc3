// RADIUS authorize latency at a fixed request rate: MAB Access-Requests (RFC 2865: User-Name and
// hidden User-Password = the MAC, Calling-Station-Id; RFC 3579 Message-Authenticator) sent
// open-loop to a RADIUS server, answers matched by socket, id and Response Authenticator.
// Latency counts from the moment a request was due, not from when it left, so a sender that
// falls behind cannot hide queueing (no coordinated omission).
//
//   mamori_radius_load --server 127.0.0.1:1812 --secret S --rate 1000 --seconds 10
//                      --mac aa:bb:cc:dd:ee:01 [--mac ...] [--expect accept|reject]

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::uint8_t>;
using Authenticator = std::array<std::uint8_t, 16>;

constexpr std::uint8_t kAccessRequest = 1, kAccessAccept = 2, kAccessReject = 3;
constexpr std::uint8_t kUserName = 1, kUserPassword = 2, kServiceType = 6, kNasIpAddress = 4,
                       kCallingStationId = 31, kNasPortType = 61, kMessageAuthenticator = 80;

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1812;
  std::string secret = "testing123";
  int rate = 1000;
  double seconds = 10;
  std::vector<std::string> macs;
  int sockets = 4;  // 256 ids each: enough in flight for 1 s of stall at 1,000/s
  std::chrono::milliseconds timeout{2000};
  std::optional<std::uint8_t> expect;
};

// A switch doing MAB sends the MAC twice: bare as User-Name, IEEE style as Calling-Station-Id.
struct Mac {
  std::string user;     // aabbccddeeff
  std::string calling;  // AA-BB-CC-DD-EE-FF
};

std::optional<Mac> parseMac(std::string_view text) {
  std::string hex;
  for (const char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (c != ':' && c != '-' && c != '.') {
      return std::nullopt;
    }
  }
  if (hex.size() != 12) return std::nullopt;
  Mac mac{hex, {}};
  for (std::size_t i = 0; i < 12; i += 2) {
    if (i) mac.calling += '-';
    mac.calling += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i])));
    mac.calling += static_cast<char>(std::toupper(static_cast<unsigned char>(hex[i + 1])));
  }
  return mac;
}

Authenticator md5(std::initializer_list<std::span<const std::uint8_t>> parts) {
  Authenticator out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
  for (const auto part : parts) EVP_DigestUpdate(ctx, part.data(), part.size());
  EVP_DigestFinal_ex(ctx, out.data(), nullptr);
  EVP_MD_CTX_free(ctx);
  return out;
}

std::span<const std::uint8_t> bytesOf(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void addAttribute(Bytes& packet, std::uint8_t type, std::span<const std::uint8_t> value) {
  packet.push_back(type);
  packet.push_back(static_cast<std::uint8_t>(value.size() + 2));
  packet.insert(packet.end(), value.begin(), value.end());
}

// RFC 2865 5.2: pad to 16 octets; c(1) = p(1) ^ MD5(S + RA), c(i) = p(i) ^ MD5(S + c(i-1)).
Bytes hidePassword(std::string_view password, std::string_view secret,
                   const Authenticator& request_authenticator) {
  Bytes out(bytesOf(password).begin(), bytesOf(password).end());
  out.resize(std::max<std::size_t>(16, (out.size() + 15) / 16 * 16), 0);
  std::span<const std::uint8_t> previous = request_authenticator;
  for (std::size_t block = 0; block < out.size(); block += 16) {
    const auto key = md5({bytesOf(secret), previous});
    for (std::size_t i = 0; i < 16; ++i) out[block + i] ^= key[i];
    previous = std::span<const std::uint8_t>(out).subspan(block, 16);
  }
  return out;
}

Bytes accessRequest(std::uint8_t id, const Authenticator& authenticator, const Mac& mac,
                    std::string_view secret) {
  Bytes p{kAccessRequest, id, 0, 0};
  p.insert(p.end(), authenticator.begin(), authenticator.end());
  addAttribute(p, kUserName, bytesOf(mac.user));
  addAttribute(p, kUserPassword, hidePassword(mac.user, secret, authenticator));
  addAttribute(p, kCallingStationId, bytesOf(mac.calling));
  addAttribute(p, kServiceType, std::array<std::uint8_t, 4>{0, 0, 0, 10});  // Call-Check
  addAttribute(p, kNasPortType, std::array<std::uint8_t, 4>{0, 0, 0, 15});  // Ethernet
  addAttribute(p, kNasIpAddress, std::array<std::uint8_t, 4>{127, 0, 0, 1});
  const std::size_t ma = p.size() + 2;
  addAttribute(p, kMessageAuthenticator, Authenticator{});
  p[2] = static_cast<std::uint8_t>(p.size() >> 8);
  p[3] = static_cast<std::uint8_t>(p.size() & 0xff);
  // RFC 3579 3.2: HMAC-MD5 over the whole packet with the attribute zeroed, keyed by the secret.
  std::size_t length = 0;
  EVP_Q_mac(nullptr, "HMAC", nullptr, "MD5", nullptr, secret.data(), secret.size(), p.data(),
            p.size(), p.data() + ma, 16, &length);
  return p;
}

// RFC 2865 3: Response Authenticator = MD5(Code + ID + Length + Request Authenticator +
// Attributes + Secret).
bool authenticResponse(std::span<const std::uint8_t> r, const Authenticator& request_authenticator,
                       std::string_view secret) {
  if (r.size() < 20) return false;
  const std::size_t length = static_cast<std::size_t>(r[2]) << 8 | r[3];
  if (length < 20 || length > r.size()) return false;
  const auto expected =
      md5({r.first(4), request_authenticator, r.subspan(20, length - 20), bytesOf(secret)});
  return std::equal(expected.begin(), expected.end(), r.begin() + 4);
}

struct Pending {
  bool busy = false;
  Clock::time_point due;
  Authenticator authenticator{};
};

struct Tally {
  long sent = 0, answered = 0, accept = 0, reject = 0, other = 0, lost = 0;
  long unexpected = 0;  // answers other than --expect
  long forged = 0, no_free_id = 0;
  std::vector<double> latency_ms;
  double max_send_lag_ms = 0;
};

class LoadClient {
 public:
  LoadClient(const Options& options, std::vector<Mac> macs)
      : o_(options),
        macs_(std::move(macs)),
        pending_(static_cast<std::size_t>(options.sockets)),
        next_id_(pending_.size(), 0) {}
  ~LoadClient() {
    for (const int fd : fds_) ::close(fd);
  }
  LoadClient(const LoadClient&) = delete;
  LoadClient& operator=(const LoadClient&) = delete;

  bool open();
  void run();
  const Tally& tally() const { return tally_; }

 private:
  void send(long sequence, Clock::time_point due);
  void receive(std::size_t socket);
  void expire(Clock::time_point now);

  const Options& o_;
  std::vector<Mac> macs_;
  std::vector<int> fds_;
  std::vector<std::array<Pending, 256>> pending_;
  std::vector<std::uint8_t> next_id_;
  long outstanding_ = 0;
  Tally tally_;
};

bool LoadClient::open() {
  sockaddr_in server{};
  server.sin_family = AF_INET;
  server.sin_port = htons(o_.port);
  if (::inet_pton(AF_INET, o_.host.c_str(), &server.sin_addr) != 1) {
    std::fprintf(stderr, "radius_load: %s is not an IPv4 address\n", o_.host.c_str());
    return false;
  }
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&server), sizeof server) != 0) {
      std::perror("radius_load: socket");
      if (fd >= 0) ::close(fd);
      return false;
    }
    fds_.push_back(fd);
  }
  return true;
}

void LoadClient::send(long sequence, Clock::time_point due) {
  const auto socket = static_cast<std::size_t>(sequence) % fds_.size();
  auto& slots = pending_[socket];
  std::uint8_t id = next_id_[socket];
  for (int tries = 0; slots[id].busy && tries < 256; ++tries) ++id;
  if (slots[id].busy) {
    ++tally_.no_free_id;
    return;
  }
  next_id_[socket] = static_cast<std::uint8_t>(id + 1);
  Pending& p = slots[id];
  RAND_bytes(p.authenticator.data(), static_cast<int>(p.authenticator.size()));
  const Mac& mac = macs_[static_cast<std::size_t>(sequence) % macs_.size()];
  const Bytes packet = accessRequest(id, p.authenticator, mac, o_.secret);
  ++tally_.sent;
  if (::send(fds_[socket], packet.data(), packet.size(), 0) < 0) {
    ++tally_.lost;
    return;
  }
  p.busy = true;
  p.due = due;
  ++outstanding_;
  const double lag = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
  tally_.max_send_lag_ms = std::max(tally_.max_send_lag_ms, lag);
}

void LoadClient::receive(std::size_t socket) {
  std::array<std::uint8_t, 4096> buffer{};
  for (;;) {
    const ssize_t n = ::recv(fds_[socket], buffer.data(), buffer.size(), 0);
    if (n < 0) return;  // EAGAIN: drained (ECONNREFUSED: the requests will expire)
    const auto now = Clock::now();
    const auto packet = std::span<const std::uint8_t>(buffer).first(static_cast<std::size_t>(n));
    if (packet.size() < 20) continue;
    Pending& p = pending_[socket][packet[1]];
    if (!p.busy) continue;  // late answer to an expired request, or a duplicate
    if (!authenticResponse(packet, p.authenticator, o_.secret)) {
      ++tally_.forged;
      continue;
    }
    p.busy = false;
    --outstanding_;
    ++tally_.answered;
    ++(packet[0] == kAccessAccept   ? tally_.accept
       : packet[0] == kAccessReject ? tally_.reject
                                    : tally_.other);
    if (o_.expect && packet[0] != *o_.expect) ++tally_.unexpected;
    tally_.latency_ms.push_back(std::chrono::duration<double, std::milli>(now - p.due).count());
  }
}

void LoadClient::expire(Clock::time_point now) {
  for (auto& slots : pending_) {
    for (auto& p : slots) {
      if (p.busy && now - p.due > o_.timeout) {
        p.busy = false;
        --outstanding_;
        ++tally_.lost;
      }
    }
  }
}

void LoadClient::run() {
  const long total = std::lround(o_.rate * o_.seconds);
  const auto interval =
      std::chrono::duration_cast<Clock::duration>(std::chrono::seconds{1}) / o_.rate;
  const auto start = Clock::now() + std::chrono::milliseconds{10};
  std::vector<pollfd> polls;
  for (const int fd : fds_) polls.push_back({fd, POLLIN, 0});
  long next = 0;
  auto last_expiry = start;
  while (next < total || outstanding_ > 0) {
    auto now = Clock::now();
    for (; next < total && start + next * interval <= now; ++next)
      send(next, start + next * interval);
    if (now - last_expiry > std::chrono::milliseconds{50}) {
      expire(now);
      last_expiry = now;
    }
    const auto wake = next < total ? start + next * interval : now + std::chrono::milliseconds{5};
    const auto wait = std::max(Clock::duration::zero(), wake - Clock::now());
    const auto ns = std::chrono::nanoseconds(wait).count();
    const timespec ts{static_cast<time_t>(ns / 1'000'000'000),
                      static_cast<long>(ns % 1'000'000'000)};
    if (::ppoll(polls.data(), polls.size(), &ts, nullptr) <= 0) continue;
    for (std::size_t i = 0; i < polls.size(); ++i) {
      if (polls[i].revents & POLLIN) receive(i);
    }
  }
}

double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(rank, sorted.size() - 1)];
}

constexpr std::string_view kUsage =
    "usage: mamori_radius_load [--server HOST:PORT] [--secret S] [--rate N] [--seconds S]\n"
    "                          [--timeout-ms MS] [--sockets N] [--expect accept|reject]\n"
    "                          --mac MAC [--mac MAC ...]\n";

bool parseArgument(Options& o, std::string_view flag, const char* value) {
  const std::string v = value;
  if (flag == "--server") {
    const auto colon = v.rfind(':');
    if (colon == std::string::npos) return false;
    o.host = v.substr(0, colon);
    o.port = static_cast<std::uint16_t>(std::stoul(v.substr(colon + 1)));
  } else if (flag == "--secret") {
    o.secret = v;
  } else if (flag == "--rate") {
    o.rate = std::stoi(v);
  } else if (flag == "--seconds") {
    o.seconds = std::stod(v);
  } else if (flag == "--timeout-ms") {
    o.timeout = std::chrono::milliseconds{std::stoi(v)};
  } else if (flag == "--sockets") {
    o.sockets = std::stoi(v);
  } else if (flag == "--mac") {
    o.macs.push_back(v);
  } else if (flag == "--expect" && (v == "accept" || v == "reject")) {
    o.expect = v == "accept" ? kAccessAccept : kAccessReject;
  } else {
    return false;
  }
  return true;
}

std::optional<Options> parseOptions(int argc, char** argv) {
  Options o;
  try {
    for (int i = 1; i < argc; i += 2) {
      if (i + 1 >= argc || !parseArgument(o, argv[i], argv[i + 1])) return std::nullopt;
    }
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (o.macs.empty() || o.rate < 1 || o.seconds <= 0 || o.sockets < 1 || o.sockets > 64) {
    return std::nullopt;
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parseOptions(argc, argv);
  if (!options) {
    std::fputs(kUsage.data(), stderr);
    return 2;
  }
  std::vector<Mac> macs;
  for (const auto& text : options->macs) {
    const auto mac = parseMac(text);
    if (!mac) {
      std::fprintf(stderr, "radius_load: --mac %s is not a MAC address\n", text.c_str());
      return 2;
    }
    macs.push_back(*mac);
  }
  LoadClient client(*options, std::move(macs));
  if (!client.open()) return 1;
  client.run();
  Tally t = client.tally();
  std::ranges::sort(t.latency_ms);
  std::printf("radius_load: %s:%u, %d req/s for %g s, %zu MAC(s)\n", options->host.c_str(),
              options->port, options->rate, options->seconds, options->macs.size());
  std::printf("sent %ld  answered %ld  accept %ld  reject %ld  other %ld  lost %ld", t.sent,
              t.answered, t.accept, t.reject, t.other, t.lost);
  if (options->expect) std::printf("  unexpected %ld", t.unexpected);
  if (t.forged || t.no_free_id) std::printf("  forged %ld  no-free-id %ld", t.forged, t.no_free_id);
  std::printf(
      "\nlatency from due time: p50 %.3f ms  p99 %.3f ms  max %.3f ms  (max send lag %.3f ms)\n",
      percentile(t.latency_ms, 0.50), percentile(t.latency_ms, 0.99),
      t.latency_ms.empty() ? 0.0 : t.latency_ms.back(), t.max_send_lag_ms);
  const bool complete = t.answered == std::lround(options->rate * options->seconds);
  return complete && t.other == 0 && t.unexpected == 0 ? 0 : 1;
}
