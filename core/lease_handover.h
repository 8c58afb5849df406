#pragma once
// The handover of one entity to a new owner (docs/cluster.md, "Owners and leases"). Before a
// node starts owning an entity, it asks every other live node for what the store does not yet
// show: the spend it settled but has not flushed, and the lease it still holds from a previous
// owner. Asking FENCES the entity on that node: from then on it accepts grants only from the new
// owner, and what it settles is reported to the new owner. Only then does the new owner read the
// store, so a flush racing the handover is counted twice (conservative), never missed.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/lease.h"

namespace tollgate::core {

struct HandoverQuery {
  std::string entity;
  std::string new_owner;  // incarnation of the node taking the entity over
  // Its cluster endpoint: a node it fenced names it to an owner that does not see it in its
  // view of the ring, so that owner's next handover reaches it too (LeaseRequest).
  std::string new_owner_endpoint;
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

// What a node may have spent that the store may not show, as its owner last granted it: the
// write-ahead record a successor counts for a node that does not answer its handover (dead, or
// out of its view). Recorded before the grant reaches the node (cluster/exposure_log.h).
struct Exposure {
  LeaseAmounts held;         // the node's holding after the grant
  double unflushed_usd = 0;  // its settled spend not yet in the store when it asked
  // Requests and tokens its reports carried in the 60 s before the grant: a successor's rpm/tpm
  // windows count them (at the handover: later than they happened, conservative).
  std::int64_t recent_requests = 0;
  std::int64_t recent_tokens = 0;
  bool operator==(const Exposure& o) const {
    return held.usd == o.held.usd && held.requests == o.held.requests && held.tokens == o.held.tokens &&
           held.parallel == o.held.parallel && unflushed_usd == o.unflushed_usd &&
           recent_requests == o.recent_requests && recent_tokens == o.recent_tokens;
  }
  bool operator!=(const Exposure& o) const { return !(*this == o); }
};

// "3 <usd> <requests> <tokens> <parallel> <unflushed_usd> <recent_requests> <recent_tokens>"
// (doubles round-trip exactly). Earlier versions still decode: "2 …" without the recent use,
// and a bare number (usd-only) as that usd held. nullopt: unreadable.
std::string encode_exposure(const Exposure& exposure);
std::optional<Exposure> decode_exposure(std::string_view text);

}  // namespace tollgate::core
