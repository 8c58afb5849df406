#pragma once
// The actor of a PeerLink that asks peers: one connection per endpoint, made lazily through
// the caf::openssl middleman (asynchronously: the caller's thread never waits), kept until the
// peer's proxy goes down. Calls reach it as local-only messages from any thread.
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include <chrono>
#include <string>

#include "cluster/peer_once.h"
#include "core/lease.h"
#include "core/result.h"

namespace tollgate::cluster {

struct LeaseCall {
  std::string endpoint;
  core::LeaseRequest request;
  Once<core::Result<core::LeaseGrant>> done;
};

struct PendingCall {
  std::string endpoint;
  std::string entity;
  Once<core::Result<double>> done;
};

}  // namespace tollgate::cluster

// Local only: they carry std::function callbacks.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tollgate::cluster::LeaseCall)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tollgate::cluster::PendingCall)

namespace tollgate::cluster {

caf::actor spawn_peer_client(caf::actor_system& system, std::chrono::milliseconds request_timeout);

}  // namespace tollgate::cluster
