// `mamori-agent enroll`: the PC makes its own key pair, sends only a certificate request with
// the admin's token, and keeps the certificate the collector issues (第86条).

#include <unistd.h>

#include <ostream>

#include "agent_state.hpp"
#include "collector_client.hpp"
#include "device_key.hpp"
#include "local_store.hpp"
#include "mamori/agent/service_commands.hpp"
#include "mamori/platform/posture_probe.hpp"

namespace mamori::agent {
namespace {

namespace fs = std::filesystem;

int failed(std::ostream& err, bool ja, std::string_view what, const Error& e) {
  err << "mamori-agent enroll: " << (ja ? "エラー: " : "error: ") << what << ": " << e.describe()
      << '\n';
  return 2;
}

std::expected<void, Error> prepareDirectory(const StatePaths& paths) {
  std::error_code ec;
  fs::create_directories(paths.dir, ec);
  if (!ec) fs::permissions(paths.dir, fs::perms::owner_all, ec);
  if (ec) return std::unexpected(makeError(ErrorCode::kIo, ec.message(), paths.dir));
  return {};
}

}  // namespace

int runEnroll(const EnrollOptions& o, std::ostream& out, std::ostream& err) {
  const bool ja = o.lang == policy::Lang::kJa;
  const StatePaths paths{o.state_dir};
  if (auto ok = prepareDirectory(paths); !ok) return failed(err, ja, "state", ok.error());
  auto store = LocalStore::open(paths.database());
  if (!store) return failed(err, ja, "agent.db", store.error());
  if (store->state("enrollment") && !o.force) {
    err << "mamori-agent enroll: "
        << (ja ? "登録済みです (再登録は --force)" : "already enrolled (use --force to re-enroll)")
        << '\n';
    return 2;
  }
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (o.force) fs::remove(paths.key());
  if (!fs::exists(paths.key())) {
    if (auto ok = createDeviceKey(paths.key()); !ok) return failed(err, ja, "key", ok.error());
  }
  const auto identity = platform::makePostureProbe({o.root, nullptr, {}})->collect(now).device;
  // The collector pins a PC by its machine id (第86条) and refuses one without. An empty
  // /etc/machine-id is a system that has not booted yet: a golden image being built.
  if (identity.machine_id.empty()) {
    err << "mamori-agent enroll: "
        << (ja ? "この端末には machine-id がまだありません (/etc/machine-id が空: 初回起動前の"
                 "マスターイメージ)。初回起動の後に登録してください。"
               : "this system has no machine id yet (/etc/machine-id is empty: a golden image "
                 "before its first boot); enroll after the first boot.")
        << '\n';
    return 2;
  }
  auto csr = makeCertificateRequest(
      paths.key(), identity.hostname.empty() ? "mamori-device" : identity.hostname);
  if (!csr) return failed(err, ja, "csr", csr.error());

  ClientSettings settings{o.collector_url, o.server_ca, std::nullopt, std::nullopt};
  auto client = CollectorClient::create(settings);
  if (!client) return failed(err, ja, "collector", client.error());
  auto answer = client->enroll({o.token, *csr, identity, MAMORI_VERSION});
  if (!answer) return failed(err, ja, "collector", answer.error().error);

  if (auto ok = protocol::writeFileAtomically(paths.certificate(), answer->certificate_pem, 0644);
      !ok) {
    return failed(err, ja, "certificate", ok.error());
  }
  if (auto ok =
          protocol::writeFileAtomically(paths.collectorCa(), answer->ca_certificate_pem, 0644);
      !ok) {
    return failed(err, ja, "collector CA", ok.error());
  }
  if (o.server_ca) {
    std::error_code ec;
    fs::copy_file(*o.server_ca, paths.serverCa(), fs::copy_options::overwrite_existing, ec);
  }
  const Enrollment enrollment{o.collector_url,
                              answer->device_id,
                              answer->segment,
                              answer->department,
                              now,
                              answer->certificate_expires,
                              o.server_ca.has_value()};
  if (auto ok = store->setState("enrollment", enrollment.toJson()); !ok) {
    return failed(err, ja, "agent.db", ok.error());
  }
  out << (ja ? "登録しました: 端末ID " : "enrolled: device ") << answer->device_id
      << (ja ? "、部署 " : ", department ") << answer->department << (ja ? "、区分 " : ", segment ")
      << policy::segmentId(answer->segment) << (ja ? "、証明書の期限 " : ", certificate expires ")
      << policy::formatTimestamp(answer->certificate_expires) << '\n';
  return 0;
}

}  // namespace mamori::agent
