// The Linux NetworkGuard: mamori's table through libnftables, the library nft itself is built
// on. No subprocess, and nft's own error text when the kernel refuses a rule set.

#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "mamori/platform/network_guard.hpp"
#include "mamori/platform/nftables_ruleset.hpp"

namespace mamori::platform {
namespace {

struct ContextFree {
  void operator()(nft_ctx* ctx) const { nft_ctx_free(ctx); }
};

class NftNetworkGuard final : public NetworkGuard {
 public:
  explicit NftNetworkGuard(std::unique_ptr<nft_ctx, ContextFree> ctx) : ctx_(std::move(ctx)) {}

  std::expected<void, Error> apply(const NetworkGuardPlan& plan) override {
    if (auto ok = checkNetworkGuardPlan(plan); !ok) return ok;
    const std::scoped_lock guard(mutex_);
    if (auto ran = run(nftablesScript(plan)); !ran) {
      return std::unexpected(makeError(ErrorCode::kIo, "nftables refused mamori's " +
                                                           std::string(networkModeId(plan.mode)) +
                                                           " rule set: " + ran.error()));
    }
    return {};
  }

  [[nodiscard]] std::expected<NetworkMode, Error> current() const override {
    const std::scoped_lock guard(mutex_);
    const auto listed = run("list table " + std::string(kNftFamily) + " " + std::string(kNftTable));
    if (!listed) {
      // No table: nothing of mamori's is in force.
      if (listed.error().find("No such file or directory") != std::string::npos) {
        return NetworkMode::kOpen;
      }
      return std::unexpected(makeError(ErrorCode::kIo, "cannot list nftables: " + listed.error()));
    }
    auto mode = nftablesMode(*listed);
    if (!mode) return std::unexpected(makeError(ErrorCode::kIo, mode.error()));
    return *mode;
  }

 private:
  // nft's standard output, or its error text.
  [[nodiscard]] std::expected<std::string, std::string> run(const std::string& commands) const {
    const int rc = nft_run_cmd_from_buffer(ctx_.get(), commands.c_str());
    std::string output = nft_ctx_get_output_buffer(ctx_.get());
    std::string errors = nft_ctx_get_error_buffer(ctx_.get());
    if (rc != 0) {
      while (!errors.empty() && (errors.back() == '\n' || errors.back() == ' ')) errors.pop_back();
      return std::unexpected(errors.empty() ? "failed (" + std::to_string(rc) + ")" : errors);
    }
    return output;
  }

  std::unique_ptr<nft_ctx, ContextFree> ctx_;
  mutable std::mutex mutex_;  // one context, one command at a time
};

}  // namespace

std::expected<std::unique_ptr<NetworkGuard>, Error> makeNetworkGuard() {
  // libnftables calls exit() when it cannot open its netlink socket (a kernel without
  // nfnetlink): ask the kernel first, so such a PC gets an error here and the agent lives on.
  const int probe = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
  if (probe < 0) {
    return std::unexpected(makeError(
        ErrorCode::kIo, std::string("the kernel offers no nftables (netlink netfilter socket: ") +
                            std::strerror(errno) + ")"));
  }
  ::close(probe);
  std::unique_ptr<nft_ctx, ContextFree> ctx(nft_ctx_new(NFT_CTX_DEFAULT));
  if (!ctx) return std::unexpected(makeError(ErrorCode::kIo, "libnftables: no context"));
  // Output and errors into buffers (read after each command), not onto the agent's stdout.
  if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0) {
    return std::unexpected(makeError(ErrorCode::kIo, "libnftables: cannot buffer its output"));
  }
  return std::make_unique<NftNetworkGuard>(std::move(ctx));
}

}  // namespace mamori::platform
