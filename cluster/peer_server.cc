#include "cluster/peer_server.h"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <unordered_map>

#include "cluster/peer_gate.h"
#include "cluster/peer_messages.h"
#include "cluster/peer_once.h"

namespace tollgate::cluster {
namespace {

// A service's answer to promise `id`, or nullopt when it dropped its reply uncalled.
template <class T>
struct ServiceReply {
  std::uint64_t id = 0;
  std::optional<T> value;
};

}  // namespace
}  // namespace tollgate::cluster

// Local only: never registered, so a peer cannot forge a reply to another peer's request.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tollgate::cluster::ServiceReply<tollgate::core::LeaseGrant>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tollgate::cluster::ServiceReply<double>)

namespace tollgate::cluster {
namespace {

template <class T>
using Promises = std::unordered_map<std::uint64_t, caf::typed_response_promise<T>>;

struct ServerState {
  std::uint64_t next_id = 0;
  Promises<core::LeaseGrant> leases;
  Promises<double> pendings;
  static inline const char* name = "tollgate.peer_server";
};

using ServerActor = caf::stateful_actor<ServerState>;

// The reply handed to a service: sends the answer back through the gate, exactly once.
template <class T>
std::function<void(T)> reply_to(const std::shared_ptr<PeerGate>& gate, std::uint64_t id) {
  Once<std::optional<T>> once(
      [gate, id](std::optional<T> value) {
        gate->send(ServiceReply<T>{id, std::move(value)});
      },
      [] { return std::optional<T>{}; });
  return [once](T value) { once(std::move(value)); };
}

// Registers a promise for the request, hands the service its reply; a service that throws
// answers the peer with an error rather than taking the actor down.
template <class T, class Service, class Arg>
caf::typed_response_promise<T> serve(ServerActor* self, Promises<T>& promises, const Service& service, Arg arg,
                                     const std::shared_ptr<PeerGate>& gate) {
  auto promise = self->make_response_promise<T>();
  const auto id = ++self->state.next_id;
  promises.emplace(id, promise);
  try {
    service(std::move(arg), reply_to<T>(gate, id));
  } catch (const std::exception&) {
    // the reply was dropped: its fallback fails the promise
  }
  return promise;
}

template <class T>
void deliver(Promises<T>& promises, ServiceReply<T>& reply) {
  auto it = promises.find(reply.id);
  if (it == promises.end()) return;
  if (reply.value) {
    it->second.deliver(std::move(*reply.value));
  } else {
    it->second.deliver(caf::make_error(caf::sec::runtime_error, "the peer's service dropped the request"));
  }
  promises.erase(it);
}

caf::behavior peer_server(ServerActor* self, PeerLink::LeaseService lease_service,
                          PeerLink::PendingService pending_service, std::shared_ptr<PeerGate> gate) {
  return {
      [=](lease_atom, core::LeaseRequest& request) -> caf::typed_response_promise<core::LeaseGrant> {
        return serve<core::LeaseGrant>(self, self->state.leases, lease_service, std::move(request), gate);
      },
      [=](pending_atom, std::string& entity) -> caf::typed_response_promise<double> {
        return serve<double>(self, self->state.pendings, pending_service, std::move(entity), gate);
      },
      [=](ServiceReply<core::LeaseGrant>& reply) { deliver(self->state.leases, reply); },
      [=](ServiceReply<double>& reply) { deliver(self->state.pendings, reply); },
  };
}

}  // namespace

caf::actor spawn_peer_server(caf::actor_system& system, PeerLink::LeaseService lease_service,
                             PeerLink::PendingService pending_service, std::shared_ptr<PeerGate> gate) {
  auto server = system.spawn(peer_server, std::move(lease_service), std::move(pending_service), gate);
  gate->open(server);
  return server;
}

}  // namespace tollgate::cluster
