#include "agent_loop.hpp"

#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <pthread.h>

#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <csignal>
#include <iostream>
#include <mutex>
#include <ostream>
#include <random>
#include <thread>

#include "agent_state.hpp"
#include "backoff.hpp"
#include "local_store.hpp"
#include "mamori/policy/evaluate.hpp"
#include "network_admission.hpp"
#include "policy_file.hpp"
#include "policy_update.hpp"
#include "policy_watch.hpp"
#include "report_cycle.hpp"
#include "self_update.hpp"
#include "service_notify.hpp"
#include "trusted_repository.hpp"
#include "usb_enforcement.hpp"

namespace mamori::agent {
namespace {

policy::TimePoint wallClock() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

struct Agent {
  StatePaths paths;
  RunOptions options;
  PolicyWatch policy;
  TrustedRepository repository;
  PolicyUpdate updates;
  /// The service's self-update; null with `run --once`, or where the agent cannot update itself.
  std::unique_ptr<SelfUpdate> self_update;
  /// The installed package's version when known (what reports carry), else the build's.
  std::string agent_version = MAMORI_VERSION;
  /// None: local-only mode. The PC is judged and its USB ports enforced, audit events wait in
  /// agent.db, and nothing is reported until the PC is enrolled.
  std::optional<Enrollment> enrollment;
  policy::Segment segment;
  LocalStore store;
  std::unique_ptr<platform::PostureProbe> probe;
  /// The USB enforcement of the service (not of `run --once`); null when it could not start.
  UsbEnforcement* usb = nullptr;
  /// Quarantine on the PC (the service only); null when off or when it could not start.
  std::unique_ptr<NetworkAdmission> network;
  policy::TimePoint started = wallClock();
  std::mt19937_64 random{std::random_device{}()};
  int failed_drains = 0;
  policy::TimePoint next_drain{};
};

// The service updates itself where it can (a Debian package under systemd); anywhere else it
// says why not, once.
void startSelfUpdate(Agent& a) {
  auto installer = platform::makePackageInstaller();
  if (!installer) {
    Poco::Logger::get("mamori.agent.update")
        .information("self-update is off: " + installer.error());
    return;
  }
  // The first cycle, at once, settles an update started before this start.
  a.self_update =
      std::make_unique<SelfUpdate>(a.paths, std::move(*installer), a.options.update_deadline);
}

std::expected<std::unique_ptr<Agent>, Error> startAgent(const RunOptions& o) {
  const StatePaths paths{o.state_dir};
  auto policy = loadPolicy(o.policy_file);
  if (!policy && o.once) return std::unexpected(policy.error());
  if (!policy) {
    // A service must not leave the ports open over a typo: it starts with the built-in policy
    // (no registered media: every stick blocked) and takes the file once it is fixed.
    Poco::Logger::get("mamori.agent")
        .error("policy rejected, running the built-in policy until the file is fixed: " +
               policy.error().describe());
    policy = policy::builtInPolicy();
  }
  PolicyUpdate updates(paths);
  // A signed policy put in force before a restart outranks an older file (issue 9).
  std::string source = o.policy_file ? o.policy_file->string() : "built-in";
  if (auto stored = updates.stored(); stored && stored->version > policy->version) {
    policy = std::move(*stored);
    source = "signed";
  }
  auto store = LocalStore::open(paths.database());
  if (!store) return std::unexpected(store.error());
  std::optional<Enrollment> enrollment;
  if (const auto saved = store->state("enrollment")) {
    auto enrolled = Enrollment::fromJson(*saved);
    if (!enrolled) return std::unexpected(enrolled.error());
    enrollment = std::move(*enrolled);
  } else if (o.once) {
    return std::unexpected(
        makeError(ErrorCode::kUsage,
                  "not enrolled: run `mamori-agent enroll --collector URL --token T` first"));
  }
  const auto segment =
      enforcedSegment(enrollment ? &*enrollment : nullptr, o.segment, policy->default_segment);
  std::vector<std::string> services;
  for (const auto& profile : policy->profiles) {
    for (const auto& s : profile.mfa.services) {
      if (std::ranges::find(services, s) == services.end()) services.push_back(s);
    }
  }
  auto probe = platform::makePostureProbe({o.root, nullptr, std::move(services)});
  recordPolicyInForce(*store, *policy, source, wallClock());
  auto agent = std::unique_ptr<Agent>(
      new Agent{paths, o, PolicyWatch(o.policy_file, std::move(*policy)),
                TrustedRepository(paths, o.tuf_root), std::move(updates), nullptr, MAMORI_VERSION,
                std::move(enrollment), segment, std::move(*store), std::move(probe)});
  if (!o.once && o.self_update) startSelfUpdate(*agent);
  return agent;
}

// Records what the collector said, for `status`.
void remember(Agent& a, const DrainResult& r, policy::TimePoint now) {
  if (r.sent > 0) (void)a.store.setState("last_report_sent", policy::formatTimestamp(now));
  if (r.admission) rememberAdmission(a.store, *r.admission, r.unmet, now);
  (void)a.store.setState("last_error", r.last_error);
}

// Local-only mode: the verdict goes to the log, since there is no collector to tell.
void judgeLocally(Agent& a, policy::TimePoint now) {
  auto facts = a.probe->collect(now);
  facts.usb_audit = auditFacts(a.store);
  const auto& p = a.policy.current();
  const auto verdict = policy::evaluate(p, a.segment, facts, p.exceptions, now);
  std::string failing;
  for (const auto& f : verdict.findings) {
    if (f.status == policy::Status::kFail || f.status == policy::Status::kUnknown) {
      failing += " " + f.id;
    }
  }
  Poco::Logger::get("mamori.agent")
      .information("cycle (not enrolled, nothing reported): " +
                   std::string(verdict.compliant ? "compliant" : "not compliant") +
                   (failing.empty() ? "" : "; not met:" + failing) + "; audit events waiting: " +
                   (facts.usb_audit.known() ? std::to_string(facts.usb_audit->waiting) : "?"));
}

// A policy file changed on disk: a valid one applies at once (to the USB ports too); a bad
// one is refused, said once, and the running policy stays.
void reloadPolicy(Agent& a) {
  auto& log = Poco::Logger::get("mamori.agent");
  const auto changed = a.policy.poll();
  if (!changed) {
    log.error("policy rejected, version " + std::to_string(a.policy.current().version) +
              " keeps running: " + changed.error().describe());
    return;
  }
  if (!*changed) return;
  log.information("policy version " + std::to_string(a.policy.current().version) + " is in force");
  recordPolicyInForce(a.store, a.policy.current(), a.options.policy_file->string(), wallClock());
  if (a.usb) a.usb->apply(a.policy.current(), a.segment);
}

// A newer signed policy for this PC from the collector's TUF repository: in force at once, USB
// decisions included, and audited; anything refused was audited by PolicyUpdate.
void takeSignedPolicy(Agent& a, updater::Updater& repository, policy::TimePoint now) {
  auto update = a.updates.check(repository, *a.enrollment, a.policy.current(), a.store, now);
  if (!update) return;
  const auto from = a.policy.current().version;
  if (!a.policy.offer(std::move(update->policy))) return;
  const auto& in_force = a.policy.current();
  Poco::Logger::get("mamori.agent")
      .information("signed policy version " + std::to_string(in_force.version) + " (" +
                   update->target + ") is in force");
  recordPolicyInForce(a.store, in_force, "signed " + update->target, now);
  auditPolicyActivated(a.store, update->target, from, in_force.version, now);
  if (a.usb) a.usb->apply(in_force, a.segment);
}

// Queues a fresh report, then drains what is due. Returns the drain result.
DrainResult reportAndDrain(Agent& a, bool queue, policy::TimePoint now) {
  auto& log = Poco::Logger::get("mamori.agent");
  DrainResult result;
  if (!a.enrollment) {
    if (queue) judgeLocally(a, now);
    return result;
  }
  if (queue) {
    auto report =
        queueReport(a.store, *a.probe, a.policy.current(), a.segment, a.agent_version, now);
    if (!report) log.error("cannot queue the report: " + report.error().describe());
  }
  if (now < a.next_drain) return result;
  auto client = CollectorClient::create(enrolledClient(a.paths, *a.enrollment));
  if (!client) {
    result.last_error = client.error().describe();
  } else {
    result = drainOutbox(a.store, *client, now, a.random(), a.options.once);
  }
  a.failed_drains = result.deferred > 0 ? a.failed_drains + 1 : 0;
  a.next_drain = a.failed_drains ? now + retryDelay(a.failed_drains, a.random()) : now;
  remember(a, result, now);
  log.information("cycle: sent " + std::to_string(result.sent) + ", queued " +
                  std::to_string(a.store.queued()) +
                  (result.last_error.empty() ? "" : " (" + result.last_error + ")"));
  return result;
}

// One cycle: the policy file, the report, and the firewall after what the collector said (or
// did not say: an admission can go stale while the collector is out of reach).
DrainResult cycle(Agent& a, bool queue) {
  reloadPolicy(a);
  const auto now = wallClock();
  const auto policy_version = a.policy.current().version;
  if (a.self_update) {
    a.self_update->settle(a.store, policy_version, now);
    // What the reports carry: the package installed now (dpkg may have been configuring it).
    if (auto version = a.self_update->installedVersion(); !version.empty()) {
      a.agent_version = std::move(version);
    }
  }
  auto* repository =
      a.enrollment ? a.repository.refresh(*a.enrollment, a.store, policy_version, now) : nullptr;
  if (repository) takeSignedPolicy(a, *repository, now);
  auto result = reportAndDrain(a, queue, now);
  if (a.self_update) {
    // Healthy: the collector took a report this agent made (the outbox is empty after it).
    if (queue && result.sent > 0 && a.store.queued() == 0) {
      a.self_update->reportedHealthy(a.store, a.policy.current().version, now);
    }
    // After the report: the collector has heard from this version before it is replaced.
    if (repository) a.self_update->check(*repository, a.store, a.policy.current().version, now);
  }
  if (a.network) {
    a.network->update(a.policy.current(), a.segment, a.enrollment ? &*a.enrollment : nullptr, now);
  }
  return result;
}

// How long until the next report: the configured interval, and at most a minute while the PC
// is kept off the network, so that it is let back soon after it is fixed or released.
std::chrono::seconds reportInterval(const Agent& a, std::chrono::seconds configured) {
  if (!a.network || a.network->mode() == policy::NetworkMode::kOpen) return configured;
  return std::min(configured, std::chrono::seconds{60});
}

void setUpLogging() {
  Poco::AutoPtr<Poco::PatternFormatter> format(new Poco::PatternFormatter("%s [%p] %t"));
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(format, new Poco::ConsoleChannel(std::cerr)));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel(Poco::Message::PRIO_INFORMATION);
}

}  // namespace

AgentService::AgentService(RunOptions options) : options_(std::move(options)) {}

int AgentService::main(const std::vector<std::string>&) {
  setUpLogging();
  auto& log = Poco::Logger::get("mamori.agent");
  auto agent = startAgent(options_);
  if (!agent) {
    log.fatal("mamori-agent run: " + agent.error().describe());
    return EXIT_CONFIG;
  }
  if (const auto& opened = (*agent)->store.lastOpen(); opened.recovered) {
    log.warning("agent.db was damaged and has been rebuilt: " + opened.reason + "; salvaged " +
                std::to_string(opened.salvaged_reports) + " queued reports and " +
                std::to_string(opened.salvaged_audit_events) + " audit events");
  }
  if (!(*agent)->enrollment) {
    log.warning(
        "not enrolled: running in local-only mode (USB enforced, nothing reported); enroll with "
        "`mamori-agent enroll --collector URL --token-file FILE`");
  }
  // Before the first cycle: the ports are locked as early as the service starts.
  auto usb = UsbEnforcement::start({options_.root, (*agent)->paths.database(), options_.lang},
                                   (*agent)->policy.current(), (*agent)->segment);
  if (!usb) log.error("usb: enforcement could not start: " + usb.error().describe());
  if (usb) (*agent)->usb = usb->get();
  // Before the first cycle too: a PC quarantined before a crash or a reboot is put (back) into
  // quarantine at once, in one step, from what agent.db remembers.
  std::unique_ptr<platform::CommandRunner> commands = platform::makeSystemCommandRunner();
  StaffNotifier notifier(*commands, options_.root, options_.lang);
  if (options_.network_guard) {
    if (auto guard = platform::makeNetworkGuard(); guard) {
      auto& a = **agent;
      a.network = std::make_unique<NetworkAdmission>(std::move(*guard), a.store, &notifier,
                                                     options_.root, a.started);
      a.network->update(a.policy.current(), a.segment, a.enrollment ? &*a.enrollment : nullptr,
                        wallClock());
    } else {
      log.error("network: quarantine on the PC is not available: " + guard.error().describe());
    }
  }
  service_notify::ready((*agent)->enrollment
                            ? "USB locked; reporting to " + (*agent)->enrollment->collector_url
                            : "USB locked; not enrolled (local-only mode)");
  const auto watchdog = service_notify::watchdogInterval();
  std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  // The worker inherits the signal mask: block the termination signals first, so that only
  // waitForTerminationRequest() (sigwait) ever receives them.
  sigset_t signals;
  sigemptyset(&signals);
  for (const int s : {SIGINT, SIGQUIT, SIGTERM}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread worker([&] {
    std::unique_lock lock(mutex);
    auto next_cycle = wallClock();
    while (!stopping) {
      const auto now = wallClock();
      const bool due = now >= next_cycle;
      lock.unlock();
      cycle(**agent, due);
      lock.lock();
      if (due) {
        next_cycle =
            now + cycleDelay(reportInterval(**agent, options_.interval), (*agent)->random());
      }
      auto until =
          std::min(next_cycle, std::max((*agent)->next_drain, now + std::chrono::seconds{5}));
      // The watchdog hears from this loop, so a cycle that hangs gets the agent restarted.
      service_notify::watchdog();
      if (watchdog) until = std::min(until, now + *watchdog);
      wake.wait_until(lock, until, [&] { return stopping; });
    }
  });
  waitForTerminationRequest();
  service_notify::stopping();
  log.information("stopping");
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  wake.notify_all();
  worker.join();
  (*agent)->network.reset();  // before the notifier it may call
  return EXIT_OK;
}

namespace {

int runAgentOnce(const RunOptions& options, std::ostream& out, std::ostream& err) {
  auto agent = startAgent(options);
  if (!agent) {
    err << "mamori-agent run: " << agent.error().describe() << '\n';
    return 2;
  }
  const auto result = cycle(**agent, true);
  const auto queued = (*agent)->store.queued();
  const bool ja = options.lang == policy::Lang::kJa;
  out << (ja ? "送信 " : "sent ") << result.sent << (ja ? " 件、未送信 " : ", still queued ")
      << queued << (ja ? " 件" : "") << '\n';
  if (result.admission) {
    out << (ja ? "接続判定: " : "admission: ") << policy::admissionId(result.admission->admission)
        << " — " << result.admission->reason.in(options.lang) << '\n';
  }
  if (!result.last_error.empty()) out << (ja ? "エラー: " : "error: ") << result.last_error << '\n';
  return queued == 0 ? 0 : 1;
}

}  // namespace
}  // namespace mamori::agent

namespace mamori::agent {

int runAgent(const RunOptions& options, std::ostream& out, std::ostream& err) {
  if (options.once) return runAgentOnce(options, out, err);
  AgentService service(options);
  return service.run(std::vector<std::string>{"mamori-agent"});
}

}  // namespace mamori::agent
