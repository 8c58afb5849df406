#pragma once
// The actor a PeerLink publishes: answers peers' lease syncs and unflushed-spend queries
// through the link's services. A service may reply later from any thread: its reply comes
// back to this actor as a local-only message (a type no peer can send: it is not registered
// for serialization) and the actor delivers the response promise (CAF promises must be
// delivered on their actor's own thread).
#include <caf/fwd.hpp>

#include <memory>

#include "cluster/peer_link.h"

namespace tollgate::cluster {

class PeerGate;

// Spawns the server; `gate` is opened to it (replies travel through it).
caf::actor spawn_peer_server(caf::actor_system& system, PeerLink::LeaseService lease_service,
                             PeerLink::PendingService pending_service, std::shared_ptr<PeerGate> gate);

}  // namespace tollgate::cluster
