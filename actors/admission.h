#pragma once
// Exact budgets and rate limits, enforced by one owner actor per key, team, user,
// organization and end user.
//
// A request's admission visits the entities that apply (key → team → user for personal keys →
// organization → the request's end user), each checking and reserving in turn; the first refusal releases what was
// reserved so far. Every entity's budget (a core::BudgetLedger) is owned by one typed actor:
// it loads the spend, runs the reset and expiry timers, retires when idle. Once loaded,
// admissions and settlements run on the caller's thread under the budget's own lock, so
// concurrent requests are serialized per entity, a budget can never be overshot by a race, and
// the hot path has no thread hop. After the call, settle() replaces the reservations with the
// real cost; a failed call release()s them. Reservations also expire (a request that never
// settles cannot hold budget forever).
//
// This header keeps CAF out of its includers: the actors live in admission.cc.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/actor_config.h"
#include "core/api_error.h"
#include "core/budget_ledger.h"
#include "core/result.h"
#include "persistence/records.h"

namespace tollgate::persistence {
class StorePool;
}
namespace tollgate::spend {
class SpendWriter;
}
namespace prometheus {
class Registry;
}

namespace tollgate::actors {

class LeaseNetwork;
struct LeaseOptions;
class LeaseAdmission;

// The limits of one entity as its record says now (passed with every admission, so a changed
// key or team takes effect with the next request).
struct EntityLimits : persistence::BudgetLimits {
  std::map<std::string, std::int64_t> model_rpm_limit;  // keys only
  std::map<std::string, std::int64_t> model_tpm_limit;
  double record_spend = 0;  // spend in the record: the fallback when the store cannot be read
};

struct AdmissionStop {
  persistence::EntityKind kind = persistence::EntityKind::key;
  std::string id;     // token hash for keys
  std::string label;  // for messages: key alias or name, team alias, ...
  EntityLimits limits;
  std::uint64_t reservation = 0;  // set when this stop reserved
  // In a cluster, a key's per-model limits are leased apart from its other limits
  // (actors/lease_entity.h): their reservation.
  std::uint64_t model_reservation = 0;
};

struct AdmissionRequest {
  std::vector<AdmissionStop> stops;
  std::string model;  // model group, for per-model limits
  double worst_case_cost = 0;
  std::int64_t tokens_estimate = 0;  // counted against tpm until the call settles
  // True once nobody wants the answer (the client hung up). Asked, from any thread, before
  // each stop reserves: an admission that waited for a budget to load must not hold a
  // reservation (and a max_parallel_requests slot) for a request that will never run.
  std::function<bool()> abandoned;
};

// Rate-limit state of the key for response headers.
using RateHeaders = core::RateHeaders;

struct AdmissionGrant {
  std::vector<AdmissionStop> stops;  // with their reservations
  std::string model;                 // model group (per-model limits)
  RateHeaders headers;
  double reserved_cost = 0;  // the worst case each stop reserved
};

// The grant, or the refusal to answer: 429 budget_exceeded / rate limit (with headers), or
// 499 when the request was abandoned (nobody reads it).
using AdmissionResult = core::Result<AdmissionGrant>;

class Admission {
 public:
  struct Options {
    std::chrono::milliseconds reservation_ttl{15 * 60 * 1000};
    std::chrono::milliseconds idle_timeout{10 * 60 * 1000};
    // Bound on the owners kept (0: none). Past it, owners idle for `evictable_after` retire at
    // their next sweep, before `idle_timeout`, until the count is back within it. Only idle
    // ones: no reservation, nothing waiting, no reset scheduled, unused for a whole rate window
    // (60 s and its last 1 s bucket), so eviction loses no window event; the spend is in the
    // store or the spend writer, and the successor reloads it from there.
    std::size_t max_owners = 100'000;
    std::chrono::milliseconds evictable_after{61'000};
    std::chrono::milliseconds sweep_every{10'000};
  };

  // The owners run in an actor system of Admission's own, built from `actors`
  // (scheduler_config() for the gateway): its end waits for every owner, and they all refer
  // to Admission's state.
  Admission(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& metrics, Options options,
            ActorConfig actors);
  ~Admission();

  // `done` runs exactly once: on the calling thread, before admit() returns, when every entity
  // is loaded; else on an actor thread once the spend is loaded (callers bind it to the
  // request's executor: http::bind_executor).
  void admit(AdmissionRequest request, std::function<void(AdmissionResult)> done);
  // A cost above the reservation means the worst case was not one (a model whose maximum
  // output nobody configured, a provider charging for what the request does not show): it is
  // recorded in full all the same, and counted in tollgate_settle_above_reservation_total.
  void settle(const AdmissionGrant& grant, double cost, std::int64_t tokens);
  void release(const AdmissionGrant& grant);
  // Each key's and team's max_budget and spend whenever they change (what
  // tollgate_remaining_budget_usd shows), by entity id and label, for metrics under other names
  // (telemetry/litellm_metrics.h). In a cluster, the id is the label. Set before the first
  // admission; called from any thread.
  using BudgetObserver = std::function<void(persistence::EntityKind, const std::string& id, const std::string& label,
                                            double max_budget, double spend)>;
  void observe_budgets(BudgetObserver observer);
  // The entity was deleted from the store (actors/owner_retirement.h hears it): its owner
  // retires at once instead of after idle_timeout, or, while requests in flight hold
  // reservations on it, as soon as the last of them is settled or released (their cost is
  // counted and their spend rows written as for any call). An admission that names the id later
  // gets a new owner, as any id does. Any thread; a no-op when the entity has no owner. In
  // cluster mode, the entity's leases and desk on this node go (LeaseAdmission::forget).
  void forget(persistence::EntityKind kind, const std::string& id);
  // Whether the entity has an owner on this node (one that forget() would retire); in cluster
  // mode, a lease or a desk.
  bool has_owner(persistence::EntityKind kind, const std::string& id) const;
  // The ids of `kind` that have an owner on this node (those has_owner() names), for a check of
  // every one of them when changes may have been missed (actors/owner_retirement.h).
  std::vector<std::string> owned(persistence::EntityKind kind) const;
  // Tells every owner to exit; an admission still waiting for its spend load is dropped unanswered.
  void stop();

  // Cluster mode, before the first admission: from then on every admission goes through leases
  // from the entities' owners on the ring (actors/lease_admission.h, docs/cluster.md). The
  // network must outlive stop().
  void join_cluster(LeaseNetwork& network, LeaseOptions options);
  // The cluster's admission (the owner side of the transport calls it); null on one node.
  LeaseAdmission* cluster() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::actors
