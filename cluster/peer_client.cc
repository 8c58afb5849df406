#include "cluster/peer_client.h"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman_actor.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/stateful_actor.hpp>

#include <map>
#include <set>
#include <vector>

#include "cluster/peer_messages.h"
#include "cluster/peer_probe.h"
#include "core/node_address.h"

namespace tollgate::cluster {
namespace {

using Clock = std::chrono::steady_clock;
using PeerReady = std::function<void(core::Result<caf::actor>)>;

// The probe's own timeout ends it; this is only for a probe that never answers at all.
constexpr std::chrono::milliseconds kProbeGrace{200};

struct ClientState {
  std::chrono::milliseconds timeout{};
  std::map<std::string, caf::actor> connected;               // endpoint → the peer's published actor
  std::map<std::string, std::vector<PeerReady>> connecting;  // endpoint → calls waiting for it
  static inline const char* name = "tollgate.peer_client";
};

using ClientActor = caf::stateful_actor<ClientState>;

// What went wrong, said for the node that asked.
core::ApiError peer_error(const caf::error& error, const std::string& endpoint, std::chrono::milliseconds timeout) {
  const std::string peer = "peer " + endpoint;
  if (error == caf::sec::request_timeout) {
    return core::gateway_timeout(peer + " did not answer within " + std::to_string(timeout.count()) + " ms");
  }
  if (error == caf::sec::disconnect_during_handshake) {
    return core::service_unavailable(peer +
                                     " ended the connection during the handshake (TLS refused: is either "
                                     "certificate not signed by the cluster CA?)");
  }
  if (error == caf::sec::cannot_connect_to_node) return core::service_unavailable(peer + " is unreachable");
  if (error == caf::sec::runtime_error) {
    return core::service_unavailable(peer + " could not answer (its service dropped the request)");
  }
  return core::service_unavailable(peer + ": " + caf::to_string(error));
}

std::chrono::milliseconds left_until(Clock::time_point deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
}

void finish_connecting(ClientActor* self, const std::string& endpoint, const core::Result<caf::actor>& peer) {
  auto it = self->state.connecting.find(endpoint);
  if (it == self->state.connecting.end()) return;
  auto waiting = std::move(it->second);
  self->state.connecting.erase(it);
  if (peer) self->state.connected[endpoint] = *peer;
  for (auto& ready : waiting) ready(peer);
}

// Asks caf::openssl's middleman to connect (TLS and CAF's handshake) to a peer the probe reached.
void connect_to(ClientActor* self, const std::string& endpoint, const core::HostPort& address,
                Clock::time_point deadline) {
  const auto timeout = self->state.timeout;
  self->request(self->system().openssl_manager().actor_handle(), left_until(deadline), caf::connect_atom::value,
                address.host, address.port)
      .then(
          [=](caf::node_id&, caf::strong_actor_ptr& published, std::set<std::string>&) {
            if (!published) {
              finish_connecting(self, endpoint, core::service_unavailable("peer " + endpoint + " publishes no actor"));
              return;
            }
            auto peer = caf::actor_cast<caf::actor>(std::move(published));
            self->monitor(peer);
            finish_connecting(self, endpoint, peer);
          },
          [=](caf::error& error) { finish_connecting(self, endpoint, peer_error(error, endpoint, timeout)); });
}

// Runs `ready` with the peer's actor: at once when connected, else once the connection (the
// first call's, shared by those that come while it is made) succeeds or fails. A TCP probe
// goes first (cluster/peer_probe.h): CAF's own connect would block on a peer that drops SYNs.
void with_peer(ClientActor* self, const std::string& endpoint, Clock::time_point deadline, PeerReady ready) {
  if (auto it = self->state.connected.find(endpoint); it != self->state.connected.end()) return ready(it->second);
  if (auto it = self->state.connecting.find(endpoint); it != self->state.connecting.end()) {
    it->second.push_back(std::move(ready));
    return;
  }
  const auto address = core::parse_host_port(endpoint);
  if (!address) return ready(core::bad_request("peer endpoint '" + endpoint + "' is not host:port"));
  self->state.connecting[endpoint].push_back(std::move(ready));
  const auto timeout = self->state.timeout;
  const auto left = left_until(deadline);
  auto probe = spawn_tcp_probe(self->system(), address->host, address->port, left);
  self->request(probe, left + kProbeGrace, probe_atom::value)
      .then(
          [=](std::string& unreachable) {
            if (unreachable.empty()) return connect_to(self, endpoint, *address, deadline);
            finish_connecting(self, endpoint,
                              core::service_unavailable("peer " + endpoint + " is unreachable: " + unreachable));
          },
          [=](caf::error& error) { finish_connecting(self, endpoint, peer_error(error, endpoint, timeout)); });
}

// Asks the peer at `endpoint` (xs: the message) and answers `done` with its reply of type T.
template <class T, class... Ts>
void ask(ClientActor* self, const std::string& endpoint, Once<core::Result<T>> done, Ts... xs) {
  const auto deadline = Clock::now() + self->state.timeout;
  const auto timeout = self->state.timeout;
  with_peer(self, endpoint, deadline, [=](core::Result<caf::actor> peer) {
    if (!peer) return done(peer.error());
    const auto left = left_until(deadline);
    if (left.count() <= 0) return done(peer_error(caf::sec::request_timeout, endpoint, timeout));
    self->request(*peer, left, xs...)
        .then([=](T& reply) { done(std::move(reply)); },
              [=](caf::error& error) { done(peer_error(error, endpoint, timeout)); });
  });
}

caf::behavior peer_client(ClientActor* self, std::chrono::milliseconds request_timeout,
                          std::shared_ptr<CallMailbox> calls) {
  self->state.timeout = request_timeout;
  // A peer that went away (connection closed, node stopped): the next call connects afresh.
  self->set_down_handler([=](caf::down_msg& down) {
    auto& connected = self->state.connected;
    for (auto it = connected.begin(); it != connected.end();) {
      it = it->second.address() == down.source ? connected.erase(it) : std::next(it);
    }
  });
  auto start = [self](PeerCall& call) {
    if (auto* lease = std::get_if<LeaseCall>(&call)) {
      ask<core::LeaseGrant>(self, lease->endpoint, lease->done, lease_atom::value, lease->request);
    } else if (auto* handover = std::get_if<HandoverCall>(&call)) {
      ask<core::HandoverAnswer>(self, handover->endpoint, handover->done, handover_atom::value, handover->query);
    }
  };
  return {
      [=](drain_atom) {
        for (auto& call : calls->take()) start(call);
      },
  };
}

}  // namespace

caf::actor spawn_peer_client(caf::actor_system& system, std::chrono::milliseconds request_timeout,
                             std::shared_ptr<CallMailbox> calls) {
  auto client = system.spawn(peer_client, request_timeout, calls);
  calls->open(client);
  return client;
}

}  // namespace tollgate::cluster
