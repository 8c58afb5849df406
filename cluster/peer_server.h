#pragma once
// The actor a PeerLink publishes: answers peers' lease syncs and unflushed-spend queries
// through the link's services. A service may reply later from any thread: its reply waits in
// the server's mailbox (cluster/peer_mailbox.h: local, out of any peer's reach) until the
// actor takes it and delivers the response promise (CAF promises must be delivered on their
// actor's own thread).
#include <caf/fwd.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <variant>

#include "cluster/peer_link.h"
#include "cluster/peer_mailbox.h"

namespace tollgate::cluster {

// A service's answer to promise `id`, or nullopt when it dropped its reply uncalled.
template <class T>
struct ServiceReply {
  std::uint64_t id = 0;
  std::optional<T> value;
};

using ReplyMailbox = PeerMailbox<std::variant<ServiceReply<core::LeaseGrant>, ServiceReply<core::HandoverAnswer>>>;

// Spawns the server; `replies` is opened to it.
caf::actor spawn_peer_server(caf::actor_system& system, PeerLink::LeaseService lease_service,
                             PeerLink::HandoverService handover_service, std::shared_ptr<ReplyMailbox> replies);

}  // namespace tollgate::cluster
