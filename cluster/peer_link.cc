#include "cluster/peer_link.h"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>

#include <exception>
#include <mutex>

#include "cluster/peer_client.h"
#include "cluster/peer_messages.h"
#include "cluster/peer_metrics.h"
#include "cluster/peer_server.h"

namespace tollgate::cluster {
namespace {

// The link's own actor system: CAF's middleman with caf::openssl over it, mutual TLS only.
struct PeerSystemConfig : caf::actor_system_config {
  explicit PeerSystemConfig(const PeerLinkOptions& options) {
    load<caf::io::middleman>();
    load<caf::openssl::manager>();
    add_peer_message_types(*this);
    set("scheduler.policy", caf::atom("sharing"));
    set("scheduler.max-threads", options.threads < 1 ? 1 : options.threads);
    openssl_certificate = options.tls.certificate;
    openssl_key = options.tls.key;
    openssl_passphrase = options.tls.passphrase;
    openssl_cafile = options.tls.ca;
  }
};

// `done`, counted in the metrics when there are any.
template <class T>
std::function<void(core::Result<T>)> counted(std::shared_ptr<PeerMetrics> metrics, PeerMetrics::Kind kind,
                                             std::function<void(core::Result<T>)> done) {
  if (!metrics) return done;
  return [metrics = std::move(metrics), kind, done = std::move(done)](core::Result<T> result) {
    metrics->finished(kind, result ? nullptr : &result.error());
    done(std::move(result));
  };
}

core::ApiError link_stopped() { return core::service_unavailable("the peer link stopped before the peer answered"); }

}  // namespace

// A link runs two actor systems: one serves peers, one asks them. With a single system per
// node, the second of two nodes to connect to the other finds a connection between the two
// already there (the first's), and caf::openssl 0.17 then kills the proxy it just handed out
// (remote_link_unreachable: every request from that side timed out). Separate systems have
// separate node ids, so every connection is a fresh, direct one.
struct PeerLink::Impl {
  struct System {
    std::unique_ptr<PeerSystemConfig> config;
    std::unique_ptr<caf::actor_system> system;

    System(const PeerLinkOptions& options)
        : config(std::make_unique<PeerSystemConfig>(options)), system(std::make_unique<caf::actor_system>(*config)) {}
    // Waits for its actors and its middleman (closing its connections and port).
    void stop() {
      system.reset();
      config.reset();
    }
  };
  std::unique_ptr<System> serving;
  std::unique_ptr<System> asking;
  std::shared_ptr<ReplyMailbox> replies = std::make_shared<ReplyMailbox>();
  std::shared_ptr<CallMailbox> calls = std::make_shared<CallMailbox>();
  std::shared_ptr<PeerMetrics> metrics;  // shared with the calls' continuations
  std::uint16_t port = 0;
  std::mutex stop_mutex;
  bool stopped = false;

  void shut_down() {
    std::lock_guard<std::mutex> lock(stop_mutex);
    if (stopped) return;
    stopped = true;
    // Closed mailboxes first: from now on no thread sends into the systems.
    if (auto actor = replies->close()) caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    if (auto actor = calls->close()) caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    if (asking) asking->stop();
    if (serving) serving->stop();
    // Calls the client never took, and replies the server never delivered: dropped here (each
    // call's `done` then reports the link stopped).
    calls->take();
    replies->take();
  }
};

core::Result<std::unique_ptr<PeerLink>> PeerLink::start(PeerLinkOptions options, LeaseService lease_service,
                                                        HandoverService handover_service) {
  if (auto tls = check_peer_tls(options.tls); !tls) return tls.error();
  auto impl = std::make_unique<Impl>();
  if (options.metrics) impl->metrics = std::make_shared<PeerMetrics>(*options.metrics);
  try {
    impl->serving = std::make_unique<Impl::System>(options);
    impl->asking = std::make_unique<Impl::System>(options);
  } catch (const std::exception& e) {
    impl->shut_down();
    return core::internal_error(std::string("cluster: cannot start the peer link's actor system: ") + e.what());
  }
  auto& serving = *impl->serving->system;
  auto server = spawn_peer_server(serving, std::move(lease_service), std::move(handover_service), impl->replies);
  spawn_peer_client(*impl->asking->system, options.request_timeout, impl->calls);
  const auto where = options.listen_host + ":" + std::to_string(options.listen_port);
  // SO_REUSEADDR: a restarted node gets its port back while old connections linger in TIME_WAIT.
  auto port = caf::openssl::publish(server, options.listen_port, options.listen_host.c_str(), true);
  if (!port) {
    const auto why = serving.render(port.error());
    impl->shut_down();
    return core::internal_error("cluster: cannot listen for peers on " + where + ": " + why);
  }
  impl->port = *port;
  return std::unique_ptr<PeerLink>(new PeerLink(std::move(impl)));
}

PeerLink::PeerLink(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

PeerLink::~PeerLink() { stop(); }

std::uint16_t PeerLink::port() const { return impl_->port; }

void PeerLink::request_lease(const std::string& endpoint, core::LeaseRequest request,
                             std::function<void(core::Result<core::LeaseGrant>)> done) {
  Once<core::Result<core::LeaseGrant>> once(counted(impl_->metrics, PeerMetrics::Kind::lease, std::move(done)),
                                            link_stopped);
  PeerCall call = LeaseCall{endpoint, std::move(request), once};
  if (!impl_->calls->post(call)) once(link_stopped());
}

void PeerLink::request_handover(const std::string& endpoint, core::HandoverQuery query,
                                std::function<void(core::Result<core::HandoverAnswer>)> done) {
  Once<core::Result<core::HandoverAnswer>> once(counted(impl_->metrics, PeerMetrics::Kind::handover, std::move(done)),
                                                link_stopped);
  PeerCall call = HandoverCall{endpoint, std::move(query), once};
  if (!impl_->calls->post(call)) once(link_stopped());
}

void PeerLink::stop() { impl_->shut_down(); }

}  // namespace tollgate::cluster
