#pragma once
// What the three files of LeaseAdmission share (actors/lease_admission.h): lease_admission.cc
// (the timer, the public calls), lease_holders.cc (this node's leases and the admissions waiting
// for them), lease_desks.cc (the entities this node owns). Internal to actors/.
//
// Locks: a held entity's mutex and a desk's mutex are never held together, nor two of either:
// a sync leaves the holder's lock before it reaches a desk (this node's or another's), and a
// grant comes back to the holder after the desk's lock is left. The registries' mutexes are
// leaves.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <set>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>

#include "actors/lease_admission.h"
#include "actors/lease_entity.h"
#include "actors/wall_clock.h"
#include "core/lease.h"
#include "core/lease_handover.h"

namespace prometheus {
class Registry;
}

namespace tollgate::actors::lease_detail {

using Clock = core::Clock;

// One lease check of an admission: an entity, or a key's per-model limits.
struct LeaseStop {
  std::string entity;
  std::size_t stop = 0;  // index in the request's stops
  bool per_model = false;
  core::LeaseLimits limits;
};

struct Ticket {
  AdmissionRequest request;
  std::vector<LeaseStop> checks;
  std::size_t next = 0;
  RateHeaders headers;
  std::function<void(AdmissionResult)> done;
};
using TicketPtr = std::unique_ptr<Ticket>;

// The lease checks of a request: one per entity that limits anything (an unlimited team has
// nothing to lease), and one more for a key's per-model limits (lease_holders.cc).
std::vector<LeaseStop> lease_checks(const AdmissionRequest& request);

inline core::LedgerRequest ledger_request(const AdmissionRequest& r) {
  return {r.model, r.worst_case_cost, r.tokens_estimate};
}

inline void finish(Ticket& t, AdmissionResult result) {
  auto done = std::move(t.done);
  if (done) done(std::move(result));
}

// This node's lease on one entity, and the admissions waiting for it to grow.
struct Held {
  Held(std::string entity, std::chrono::milliseconds reservation_ttl, std::uint64_t first_reservation)
      : entity(std::move(entity)), generation(first_reservation >> 32), holder(reservation_ttl, first_reservation) {}
  const std::string entity;
  const std::uint64_t generation;  // of its reservation ids: a reservation's id >> 32
  std::mutex mutex;
  // Guarded by the mutex:
  core::LeaseHolder holder;
  std::deque<TicketPtr> waiting;  // in arrival order; the front's need is what a sync asks
  core::LeaseLimits limits;       // last seen, for renewals
  // The cluster endpoint of the owner this node's report is owed to (whose grant it applied
  // last, or whose handover fenced it): sent with every sync (LeaseRequest::report_to_endpoint).
  std::string owner_endpoint;
  Clock::time_point last_used = Clock::now();
  Clock::time_point waiting_since{};  // of the front
  // Since when the owner has refused this node's waiting admissions because of other nodes'
  // holdings (LeaseGrant::contended), until one is admitted or none waits.
  std::optional<Clock::time_point> contended_since;
  // The entity was deleted (LeaseAdmission::forget): the holder syncs no more (no renewal, no
  // return: the owner drops its desk too), lets its requests in flight settle, and goes with the
  // last of them; the next admission of the same name gets a new holder (the id may have been
  // created again). Set under the mutex; atomic so that Impl::held reads it without it.
  std::atomic<bool> deleted{false};
};
using HeldPtr = std::shared_ptr<Held>;

// An owned entity's desk, and the syncs that arrived before its spend was loaded.
struct Desk {
  Desk(std::string entity, ParsedLeaseEntity parsed, const std::string& incarnation, std::chrono::milliseconds ttl,
       std::chrono::milliseconds linger)
      : entity(std::move(entity)), parsed(std::move(parsed)), desk(incarnation, ttl, linger) {}
  const std::string entity;
  const ParsedLeaseEntity parsed;
  std::mutex mutex;
  // Guarded by the mutex:
  core::LeaseDesk desk;
  bool loaded = false;
  std::vector<std::pair<core::LeaseRequest, std::function<void(core::LeaseGrant)>>> waiting;
  std::unordered_map<std::string, core::Exposure> recorded;  // node → the exposure last recorded for it
  Clock::time_point last_used = Clock::now();
  // Made for an entity forgotten here lately, and the store has no row for it: it answers its
  // waiting syncs, then goes (Impl::load_unless_deleted).
  bool gone = false;
};
using DeskPtr = std::shared_ptr<Desk>;

}  // namespace tollgate::actors::lease_detail

namespace tollgate::actors {

struct LeaseAdmission::Impl {
  using Clock = core::Clock;
  using Ticket = lease_detail::Ticket;
  using TicketPtr = lease_detail::TicketPtr;
  using Held = lease_detail::Held;
  using HeldPtr = lease_detail::HeldPtr;
  using Desk = lease_detail::Desk;
  using DeskPtr = lease_detail::DeskPtr;

  Impl(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& registry, LeaseNetwork& network,
       LeaseOptions options, LeaseEvents events);

  // ---- node side
  HeldPtr held(const std::string& entity);
  HeldPtr find_held(const std::string& entity);
  // The holder that made `reservation`: the entity's, or a deleted one it replaced.
  HeldPtr holder_of(const std::string& entity, std::uint64_t reservation);
  void walk(TicketPtr t);
  // Admits the ticket's current check against `h`'s lease (its lock held) and moves the ticket
  // on; not admitted: what a sync must obtain.
  core::LeaseHolder::Admit admit_here(Held& h, Ticket& t, Clock::time_point now);
  // A sync of `h` (its lock held): the holder's request, with the owner endpoint it reports to.
  core::LeaseRequest sync_of(Held& h, const core::LeaseLimits& limits, const core::LeaseAmounts& need,
                             Clock::time_point now);
  void send_sync(const HeldPtr& h, core::LeaseRequest request, Clock::time_point sent_at);
  void on_grant(const HeldPtr& h, core::Result<core::LeaseGrant> answer, Clock::time_point sent_at,
                const std::string& owner_endpoint);
  // Ends a held reservation (settled with its cost, or released).
  void end(const std::string& entity, std::uint64_t reservation, bool settled, double cost, std::int64_t tokens);
  // Unregisters `h` unless another holder replaced it.
  void drop_held(const HeldPtr& h);
  // Undo what the ticket reserved so far.
  void undo(Ticket& t);
  void deny(TicketPtr t, const core::Refusal& refusal);
  void fail(TicketPtr t, core::ApiError error);
  void grant_ticket(TicketPtr t);

  // ---- owner side
  void serve_lease(core::LeaseRequest request, std::function<void(core::LeaseGrant)> reply);
  void serve_handover(const core::HandoverQuery& query, const std::function<void(core::HandoverAnswer)>& reply);
  DeskPtr desk(const std::string& entity, const ParsedLeaseEntity& parsed, bool& created);
  std::vector<LeaseNetwork::Node> nodes_outside_the_view(Desk& d, const std::vector<LeaseNetwork::Node>& peers);
  bool bound_elsewhere(Desk& d, const core::LeaseRequest& request);
  DeskPtr replace_desk(const DeskPtr& stale, bool& created);
  void load(const DeskPtr& d);
  void count_the_silent(const DeskPtr& d, double unflushed,
                        std::vector<std::pair<std::string, core::HandoverAnswer>> held);
  void read_store(const DeskPtr& d, double unflushed, std::vector<std::pair<std::string, core::HandoverAnswer>> held);
  void loaded(const DeskPtr& d, double spend, const std::vector<std::pair<std::string, core::HandoverAnswer>>& held);
  // A grant, and the exposure to record before it is answered (none: nullopt).
  struct Granted {
    core::LeaseGrant grant;
    std::optional<core::Exposure> exposure;
  };
  Granted grant_locked(Desk& d, const core::LeaseRequest& request);
  void answer(const Desk& d, const std::string& node, Granted granted, std::function<void(core::LeaseGrant)> reply);
  void drop_desk(const DeskPtr& d);

  // ---- deleted entities (actors/owner_retirement.h, docs/cluster.md "Deleted entities")
  void forget(persistence::EntityKind kind, const std::string& id);
  bool has_state(persistence::EntityKind kind, const std::string& id);
  std::vector<std::string> with_state(persistence::EntityKind kind);
  void forget_held(const HeldPtr& h);
  // A new desk: loads as usual, unless its entity was forgotten here lately (deleted_desks) and
  // the store still has no row for it.
  void load_unless_deleted(const DeskPtr& d);

  // ---- timers
  void tick();
  void tick_held(const HeldPtr& h, Clock::time_point now);
  void tick_desk(const DeskPtr& d, Clock::time_point now);

  persistence::StorePool& store;
  spend::SpendWriter& writer;
  LeaseNetwork& network;
  const LeaseOptions options;
  const LeaseEvents events;

  std::mutex held_mutex;
  std::unordered_map<std::string, HeldPtr> helds;
  std::uint64_t holders_made = 0;  // guarded by held_mutex
  // The names of keys' per-model holders ("key:<hash>#model:<group>"), so that a deleted key's
  // are found without a scan; names whose holder went are pruned by the timer. Guarded by
  // held_mutex, as is model_desks by desk_mutex.
  std::set<std::string> model_helds;
  // Deleted holders with requests in flight whose name a new holder took (lease_deleted.cc),
  // until their last reservation ends. Guarded by held_mutex.
  std::unordered_map<std::string, HeldPtr> deleted_helds;
  std::mutex desk_mutex;
  std::unordered_map<std::string, DeskPtr> desks;
  // The last other node that took each entity over here (its handover query), and when: a load
  // asks it too when it is not in this node's view of the ring (views disagree while members
  // come and go). Guarded by desk_mutex; entries older than a minute are dropped by the timer.
  struct Claimant {
    LeaseNetwork::Node node;
    Clock::time_point at;
  };
  std::unordered_map<std::string, Claimant> claimants;
  std::set<std::string> model_desks;
  // Desks dropped because their entity was deleted, and when (guarded by desk_mutex; dropped by
  // the timer after idle_timeout): a sync that still arrives for one — from a node that has not
  // heard of the deletion yet — must not bring the entity back with a handover round.
  std::unordered_map<std::string, Clock::time_point> deleted_desks;

  prometheus::Family<prometheus::Counter>& syncs;
  prometheus::Counter& granted;
  prometheus::Counter& refused;
  prometheus::Counter& not_owner;
  prometheus::Counter& failed;
  prometheus::Counter& handovers;
  prometheus::Family<prometheus::Gauge>& entities;
  prometheus::Gauge& holders_gauge;
  prometheus::Gauge& owners_gauge;

  std::mutex timer_mutex;
  std::condition_variable timer_wake;
  bool stopping = false;
  std::thread timer;
};

}  // namespace tollgate::actors
