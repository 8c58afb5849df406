#pragma once
// The handover of one entity to a new owner (docs/cluster.md, "Owners and leases"). Before a
// node starts owning an entity, it asks every other live node for what the store does not yet
// show: the spend it settled but has not flushed, and the lease it still holds from a previous
// owner. Asking FENCES the entity on that node: from then on it accepts grants only from the new
// owner, and what it settles is reported to the new owner. Only then does the new owner read the
// store, so a flush racing the handover is counted twice (conservative), never missed.
#include <cstdint>
#include <string>

#include "core/lease.h"

namespace tollgate::core {

struct HandoverQuery {
  std::string entity;
  std::string new_owner;  // incarnation of the node taking the entity over
};

struct HandoverAnswer {
  std::string node;          // the answering node's incarnation: the desk's name for its holding
  double unflushed_usd = 0;  // settled on the answering node, not yet in the store
  // What the node may still spend under its lease from the previous owner: in-flight
  // reservations plus the unused rest (what it already settled is in unflushed_usd or the
  // store). The new owner adopts it as that node's holding until it expires.
  LeaseAmounts held;
  std::int64_t held_ttl_ms = 0;
  // Requests and tokens the node admitted in the last 60 s: the new owner's rpm/tpm windows
  // start with them (counted at the handover, later than they happened: conservative).
  std::int64_t recent_requests = 0;
  std::int64_t recent_tokens = 0;
};

}  // namespace tollgate::core
