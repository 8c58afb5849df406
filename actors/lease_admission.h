#pragma once
// Admission in a cluster (docs/cluster.md, "Owners and leases"): every stop of a request admits
// against this node's lease for the entity (core::LeaseHolder); a stop whose lease cannot cover
// the request waits while the lease is synced with the entity's owner, and the owner side
// (core::LeaseDesk per owned entity) answers every node's syncs, this node's included.
//
// Used by actors::Admission when the gateway runs in a cluster; its callers see the same
// admit/settle/release contract as on one node.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "actors/admission.h"
#include "actors/lease_network.h"

namespace tollgate::actors {

struct LeaseOptions {
  std::string node;         // this node's id on the ring
  std::string incarnation;  // "<node>/<start_ms>": tells a restarted owner from its predecessor
  std::string endpoint;     // this node's cluster endpoint (handover queries carry it)
  std::chrono::milliseconds lease_ttl{5000};
  // How long an owner still counts a lease its node let expire without a word (dead, cut off)
  // as held, before it turns into spend and its parallel slots come free (core::LeaseDesk).
  std::chrono::milliseconds linger{30 * 1000};
  std::chrono::milliseconds reservation_ttl{15 * 60 * 1000};
  // An admission that cannot get a lease within this time is answered 503.
  std::chrono::milliseconds wait_limit{3000};
  // How long an admission refused only because of other nodes' holdings asks again before it
  // answers the refusal (they give back unused room at once near a limit).
  std::chrono::milliseconds contention_wait{250};
  std::chrono::milliseconds tick{50};  // renewals, expiries, retries
  std::chrono::milliseconds idle_timeout{60 * 1000};
};

// What the cluster's admission reports to the gateway's admission metrics.
struct LeaseEvents {
  std::function<void(const char* reason)> denied;
  std::function<void(int delta)> reservations;
  std::function<void(persistence::EntityKind, const std::string& label, const std::optional<double>& max_budget,
                     double spend)>
      remaining;
};

class LeaseAdmission {
 public:
  LeaseAdmission(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& metrics,
                 LeaseNetwork& network, LeaseOptions options, LeaseEvents events);
  ~LeaseAdmission();

  void admit(AdmissionRequest request, std::function<void(AdmissionResult)> done);
  void settle(const AdmissionGrant& grant, double cost, std::int64_t tokens);
  void release(const AdmissionGrant& grant);

  // The entity was deleted (actors/owner_retirement.h hears it on every node): this node's
  // holders of it and its desk go at once — a holder with requests in flight once the last is
  // settled or released, without a word to the owner (docs/cluster.md, "Deleted entities").
  void forget(persistence::EntityKind kind, const std::string& id);
  // Whether this node holds a lease on the entity (or one of a key's per-model limits) or owns it.
  bool has_state(persistence::EntityKind kind, const std::string& id) const;
  // The ids of `kind` this node holds a lease on (a key's per-model ones count for the key) or
  // owns: those has_state() names.
  std::vector<std::string> with_state(persistence::EntityKind kind) const;

  // The owner side: a node's sync (this node's own arrive here directly).
  void serve_lease(core::LeaseRequest request, std::function<void(core::LeaseGrant)> reply);
  // A new owner's handover query (core/lease_handover.h).
  void serve_handover(core::HandoverQuery query, std::function<void(core::HandoverAnswer)> reply);

  // Stops the timers; admissions still waiting for a lease are dropped unanswered.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::actors
