#pragma once
// The node-to-node transport of the cluster (docs/cluster.md, "Node-to-node transport"): lease
// syncs (LeaseRequest → LeaseGrant) and handover queries (HandoverQuery → HandoverAnswer)
// between nodes, as CAF 0.17 remote actors over mutual TLS (caf::openssl). Each PeerLink runs
// its own small actor system: one published actor answers peers through the services given to
// start(), one actor asks peers, connecting lazily and keeping one connection per endpoint until
// it goes down.
//
// Callers never block: request_* return at once and call `done` later. CAF stays behind this
// header (cluster/peer_messages.h has the wire format).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "cluster/peer_tls.h"
#include "core/lease.h"
#include "core/lease_handover.h"
#include "core/result.h"

namespace prometheus {
class Registry;
}  // namespace prometheus

namespace tollgate::cluster {

struct PeerLinkOptions {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 0;  // 0: the OS picks one (port() tells which)
  PeerTls tls;
  // A request to a peer (connecting included) that has not been answered by then fails.
  std::chrono::milliseconds request_timeout{2000};
  int threads = 1;  // CAF scheduler workers of this link's actor systems (one serves, one asks)
  // tollgate_cluster_peer_requests_total{kind, outcome} when set; must outlive the link.
  prometheus::Registry* metrics = nullptr;
};

class PeerLink {
 public:
  // The services answer a peer's request through `reply`, now or later, from any thread,
  // exactly once (a reply dropped uncalled answers the peer with an error). They are called on
  // one of the link's CAF threads and must not block.
  using LeaseService = std::function<void(core::LeaseRequest, std::function<void(core::LeaseGrant)> reply)>;
  using HandoverService = std::function<void(core::HandoverQuery, std::function<void(core::HandoverAnswer)> reply)>;

  // Refuses (Result error) without certificate, key and CA, with TLS files that do not load
  // or do not belong together, or when the port cannot be bound.
  static core::Result<std::unique_ptr<PeerLink>> start(PeerLinkOptions options, LeaseService lease_service,
                                                       HandoverService handover_service);
  ~PeerLink();  // stop()
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  std::uint16_t port() const;

  // `done` runs exactly once: on a CAF thread of this link with the answer, or an error (the
  // endpoint is invalid or unreachable, TLS refused, no answer within request_timeout, the
  // link stopped). When the link is stopping or stopped it may run on the thread calling
  // stop() or on the caller's own thread. Callers re-post to their executor, and never call
  // stop() from `done` (stop waits for the CAF threads). `endpoint` is "host:port" or
  // "[v6]:port".
  void request_lease(const std::string& endpoint, core::LeaseRequest request,
                     std::function<void(core::Result<core::LeaseGrant>)> done);
  void request_handover(const std::string& endpoint, core::HandoverQuery query,
                        std::function<void(core::Result<core::HandoverAnswer>)> done);

  // Closes the port and fails every request still in flight. Idempotent; waits for the link's
  // threads, so never call it from a service or a `done`.
  void stop();

  struct Impl;

 private:
  explicit PeerLink(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::cluster
