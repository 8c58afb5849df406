#pragma once
// The actor of a PeerLink that asks peers: one connection per endpoint, made lazily through
// the caf::openssl middleman (asynchronously: the caller's thread never waits), kept until the
// peer's proxy goes down. Calls reach it from any thread through its mailbox.
#include <caf/fwd.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "cluster/peer_mailbox.h"
#include "cluster/peer_once.h"
#include "core/lease.h"
#include "core/result.h"

namespace tollgate::cluster {

struct LeaseCall {
  std::string endpoint;
  core::LeaseRequest request;
  Once<core::Result<core::LeaseGrant>> done;
};

struct HandoverCall {
  std::string endpoint;
  core::HandoverQuery query;
  Once<core::Result<core::HandoverAnswer>> done;
};

using PeerCall = std::variant<LeaseCall, HandoverCall>;
using CallMailbox = PeerMailbox<PeerCall>;

// Spawns the client; `calls` is opened to it.
caf::actor spawn_peer_client(caf::actor_system& system, std::chrono::milliseconds request_timeout,
                             std::shared_ptr<CallMailbox> calls);

}  // namespace tollgate::cluster
