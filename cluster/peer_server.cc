#include "cluster/peer_server.h"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <cstdint>
#include <exception>
#include <optional>
#include <unordered_map>

#include "cluster/peer_messages.h"
#include "cluster/peer_once.h"

namespace tollgate::cluster {
namespace {

template <class T>
using Promises = std::unordered_map<std::uint64_t, caf::typed_response_promise<T>>;

struct ServerState {
  std::uint64_t next_id = 0;
  Promises<core::LeaseGrant> leases;
  Promises<core::HandoverAnswer> handovers;
  static inline const char* name = "tollgate.peer_server";
};

using ServerActor = caf::stateful_actor<ServerState>;

// The reply handed to a service: posts the answer to the server's mailbox, exactly once.
template <class T>
std::function<void(T)> reply_to(const std::shared_ptr<ReplyMailbox>& replies, std::uint64_t id) {
  Once<std::optional<T>> once(
      [replies, id](std::optional<T> value) {
        ReplyMailbox::Item reply = ServiceReply<T>{id, std::move(value)};
        replies->post(reply);  // refused once the link stopped: nobody waits any more
      },
      [] { return std::optional<T>{}; });
  return [once](T value) { once(std::move(value)); };
}

// Registers a promise for the request, hands the service its reply; a service that throws
// answers the peer with an error rather than taking the actor down.
template <class T, class Service, class Arg>
caf::typed_response_promise<T> serve(ServerActor* self, Promises<T>& promises, const Service& service, Arg arg,
                                     const std::shared_ptr<ReplyMailbox>& replies) {
  auto promise = self->make_response_promise<T>();
  const auto id = ++self->state.next_id;
  promises.emplace(id, promise);
  try {
    service(std::move(arg), reply_to<T>(replies, id));
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
                          PeerLink::HandoverService handover_service, std::shared_ptr<ReplyMailbox> replies) {
  // A message a peer should not send is answered with an error (CAF's default prints it).
  self->set_default_handler(caf::drop);
  return {
      [=](lease_atom, core::LeaseRequest& request) -> caf::typed_response_promise<core::LeaseGrant> {
        return serve<core::LeaseGrant>(self, self->state.leases, lease_service, std::move(request), replies);
      },
      [=](handover_atom, core::HandoverQuery& query) -> caf::typed_response_promise<core::HandoverAnswer> {
        return serve<core::HandoverAnswer>(self, self->state.handovers, handover_service, std::move(query), replies);
      },
      [=](drain_atom) {
        for (auto& reply : replies->take()) {
          if (auto* grant = std::get_if<ServiceReply<core::LeaseGrant>>(&reply)) deliver(self->state.leases, *grant);
          if (auto* answer = std::get_if<ServiceReply<core::HandoverAnswer>>(&reply)) {
            deliver(self->state.handovers, *answer);
          }
        }
      },
  };
}

}  // namespace

caf::actor spawn_peer_server(caf::actor_system& system, PeerLink::LeaseService lease_service,
                             PeerLink::HandoverService handover_service, std::shared_ptr<ReplyMailbox> replies) {
  auto server = system.spawn(peer_server, std::move(lease_service), std::move(handover_service), replies);
  replies->open(server);
  return server;
}

}  // namespace tollgate::cluster
