#include "actors/admission.h"

#include <caf/all.hpp>

#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "actors/lease_admission.h"
#include "actors/lease_entity.h"
#include "actors/wall_clock.h"
#include "core/budget_ledger.h"
#include "core/budget_refusal.h"
#include "core/duration.h"
#include "core/number_text.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "spend/spend_writer.h"
#include "telemetry/log.h"

// Lock order (never taken the other way, so they cannot deadlock):
//
//   shard mutex  →  budget mutex  →  { metrics_mutex, the spend writer's mutex, CAF's timer }
//
// - A shard mutex guards the registry of owners; it is held alone, except by retire(), which
//   takes the retiring budget's mutex inside it so that no admission can slip in between.
// - A budget mutex guards one entity's ledger. Locks of two entities are never held together:
//   an admission takes them one entity at a time.
// - Under a budget mutex, the remaining-budget gauge is published (metrics_mutex), a reset is
//   queued in the spend writer (its mutex), and the reset timer is armed (CAF's clock). Those
//   are leaves: nothing is locked while they are held. They stay under the budget mutex so
//   that the gauge and the writer see the entity's changes in the ledger's order.
// - Messages are sent under a shard mutex (CAF's mailbox is lock-free; spawning an owner takes
//   CAF's locks, leaves too).

namespace tollgate::actors {
namespace {

using loaded_atom = caf::atom_constant<caf::atom("loaded")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using reset_atom = caf::atom_constant<caf::atom("reset")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;

// What a budget owner is told. Plain data only (atoms and numbers, serializable as they are):
// nothing in a message points into this process, so an owner on another node can take the
// same messages. Admissions are not messages: they run inline on loaded budgets, and one that
// arrives before the load waits parked in the entity's budget (EntityBudget::waiting).
using BudgetOwner = caf::typed_actor<
    // The spend to start from, and whether the store answered (false: the store failed).
    caf::reacts_to<loaded_atom, double, bool>,
    // A reservation (by id) ends with the call's real cost and tokens, or is released.
    caf::reacts_to<settle_atom, std::uint64_t, double, std::int64_t>, caf::reacts_to<release_atom, std::uint64_t>,
    // Timers the owner sets itself: budget reset; expiry sweep and retirement; the final exit.
    caf::reacts_to<reset_atom>, caf::reacts_to<sweep_atom>, caf::reacts_to<retire_atom>>;

using persistence::EntityKind;
using Clock = core::Clock;

std::string format_usd(double value) { return core::general_text(value, 10); }

// One admission travelling along its stops.
struct Ticket {
  AdmissionRequest request;
  std::size_t next = 0;
  RateHeaders headers;
  std::function<void(AdmissionResult)> done;
};
using TicketPtr = std::unique_ptr<Ticket>;

// The budget of one entity. Its owner actor loads it, runs its timers (reset, sweep) and
// retires it. Once loaded, admissions, settlements and releases run on the caller's thread
// under `mutex` rather than as messages: the same one-at-a-time order per entity, without the
// two thread wake-ups per request a mailbox round trip costs (bench/results: the hop to the
// actor thread and back was a third of the gateway's CPU under load).
struct EntityBudget {
  EntityBudget(EntityKind kind, std::string id, std::chrono::milliseconds reservation_ttl,
               std::uint64_t first_reservation)
      : kind(kind), id(std::move(id)), ledger(reservation_ttl, first_reservation) {}
  const EntityKind kind;
  const std::string id;
  std::mutex mutex;
  // Everything below is guarded by the mutex.
  core::BudgetLedger ledger;
  bool loaded = false;             // set by the owner once the spend is loaded
  bool retiring = false;           // set by retire(): unregistered, its successor takes new work
  bool deleted = false;            // set by forget(): retires as soon as nothing holds it
  std::vector<TicketPtr> waiting;  // admissions that arrived before the spend was loaded
  bool reset_scheduled = false;
  Clock::time_point last_used = Clock::now();
  std::string label;                 // last seen, for the remaining-budget gauge
  std::optional<double> max_budget;  // last seen
};
using BudgetPtr = std::shared_ptr<EntityBudget>;

// The ledger's view of an entity's limits for a request of `model`.
core::LedgerLimits ledger_limits(const EntityLimits& limits, const std::string& model) {
  core::LedgerLimits l;
  l.max_budget = limits.max_budget;
  l.max_parallel_requests = limits.max_parallel_requests;
  l.rpm_limit = limits.rpm_limit;
  l.tpm_limit = limits.tpm_limit;
  if (const auto it = limits.model_rpm_limit.find(model); it != limits.model_rpm_limit.end())
    l.model_rpm_limit = it->second;
  if (const auto it = limits.model_tpm_limit.find(model); it != limits.model_tpm_limit.end())
    l.model_tpm_limit = it->second;
  return l;
}

}  // namespace

struct Admission::Impl {
  Impl(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& registry, Options options,
       ActorConfig actors)
      : store(store),
        writer(writer),
        metrics_registry(registry),
        options(options),
        denials(prometheus::BuildCounter()
                    .Name("tollgate_rate_limit_denials_total")
                    .Help("Requests refused by budgets and rate limits, by reason")
                    .Register(registry)),
        remaining(prometheus::BuildGauge()
                      .Name("tollgate_remaining_budget_usd")
                      .Help("max_budget minus spend, for keys and teams with a budget")
                      .Register(registry)),
        reservations(prometheus::BuildGauge()
                         .Name("tollgate_budget_reservations_outstanding")
                         .Help("Worst-case reservations held by requests in flight")
                         .Register(registry)
                         .Add({})),
        above_reservation(prometheus::BuildCounter()
                              .Name("tollgate_settle_above_reservation_total")
                              .Help("Calls whose real cost exceeded their worst-case reservation")
                              .Register(registry)
                              .Add({})),
        owners_gauge(prometheus::BuildGauge()
                         .Name("tollgate_budget_owners")
                         .Help("Budget owners (keys, teams, users, organizations, end users) held in memory")
                         .Register(registry)
                         .Add({})),
        owners_max(prometheus::BuildGauge()
                       .Name("tollgate_budget_owners_max")
                       .Help("Configured bound on budget owners (0: none)")
                       .Register(registry)
                       .Add({})),
        owner_evictions(prometheus::BuildCounter()
                            .Name("tollgate_budget_owner_evictions_total")
                            .Help("Idle budget owners retired early because the bound was reached")
                            .Register(registry)
                            .Add({})),
        config(std::move(actors)),
        system(*config) {
    owners_max.Set(static_cast<double>(options.max_owners));
  }

  // ---- registry: one owner (and its budget) per entity; sends happen under the shard lock so
  // an owner that retires (under the same lock) can never miss a message sent to it.
  struct Entity {
    BudgetOwner actor;
    BudgetPtr budget;
  };
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, Entity> entities;
  };
  static std::string entity_key(EntityKind kind, const std::string& id) {
    return std::string(1, static_cast<char>('0' + static_cast<int>(kind))) + id;
  }
  Shard& shard(const std::string& key) { return shards[std::hash<std::string>{}(key) % shards.size()]; }

  template <class... Ts>
  void send(EntityKind kind, const std::string& id, Ts&&... xs);
  // The entity's owner and budget, spawning them when the entity has none.
  Entity entity(EntityKind kind, const std::string& id);
  // The same, for a caller that holds the shard's lock.
  Entity& entity_locked(Shard& s, const std::string& key, EntityKind kind, const std::string& id);
  std::optional<Entity> find(EntityKind kind, const std::string& id) {
    const auto key = entity_key(kind, id);
    auto& s = shard(key);
    std::lock_guard lock(s.mutex);
    const auto it = s.entities.find(key);
    if (it == s.entities.end()) return std::nullopt;
    return it->second;
  }
  // Unregisters an entity nothing holds — idle long enough, or deleted (Admission::forget) —
  // and tells its owner to exit; false when it is in use again (or was replaced).
  bool retire(const BudgetPtr& budget);
  // Admits the ticket at its remaining stops (see EntityBudget).
  void walk(TicketPtr t);
  // Ends a reservation: settled with its real cost, or released.
  void end(const AdmissionStop& stop, bool settled, double cost, std::int64_t tokens);

  // Keys and teams only: users and organizations would add cardinality nobody asked for.
  void publish_remaining(EntityKind kind, const std::string& id, const std::string& label,
                         const std::optional<double>& max_budget, double spend) {
    if (!max_budget || (kind != EntityKind::key && kind != EntityKind::team)) return;
    if (budget_observer) budget_observer(kind, id, label, *max_budget, spend);
    std::lock_guard lock(metrics_mutex);
    auto& g = remaining_children[{static_cast<int>(kind), label}];
    if (!g) g = &remaining.Add({{"entity", kind == EntityKind::key ? "key" : "team"}, {"name", label}});
    g->Set(*max_budget - spend);
  }

  prometheus::Counter& denial_counter(const std::string& reason) {
    std::lock_guard lock(metrics_mutex);
    auto& c = denial_children[reason];
    if (!c) c = &denials.Add({{"reason", reason}});
    return *c;
  }

  persistence::StorePool& store;
  spend::SpendWriter& writer;
  prometheus::Registry& metrics_registry;
  Options options;
  prometheus::Family<prometheus::Counter>& denials;
  prometheus::Family<prometheus::Gauge>& remaining;
  prometheus::Gauge& reservations;
  prometheus::Counter& above_reservation;
  prometheus::Gauge& owners_gauge;
  prometheus::Gauge& owners_max;
  prometheus::Counter& owner_evictions;
  std::map<std::pair<int, std::string>, prometheus::Gauge*> remaining_children;
  BudgetObserver budget_observer;  // set before the first admission, then only read
  std::mutex metrics_mutex;
  std::map<std::string, prometheus::Counter*> denial_children;
  ActorConfig config;
  caf::actor_system system;
  std::array<Shard, 16> shards;
  std::atomic<std::uint64_t> owners_spawned{0};
  std::atomic<std::size_t> owners{0};  // registered, changed under a shard lock
  bool over_bound() const {
    return options.max_owners > 0 && owners.load(std::memory_order_relaxed) > options.max_owners;
  }
  std::unique_ptr<LeaseAdmission> leases;  // cluster mode
};

namespace {

using Impl = Admission::Impl;

void finish(Ticket& t, AdmissionResult result) {
  auto done = std::move(t.done);
  if (done) done(std::move(result));
}

// Undo the reservations made so far and answer the refusal.
void deny(Impl* impl, Ticket& t, const core::Refusal& refusal) {
  const auto& stop = t.request.stops[t.next];
  auto error = core::refusal_error(refusal, {entity_word(stop.kind), stop.label, stop.kind == EntityKind::key});
  for (std::size_t i = 0; i < t.next; ++i) impl->end(t.request.stops[i], false, 0, 0);
  impl->denial_counter(core::refusal_reason(refusal.limit)).Increment();
  finish(t, std::move(error));
}

// The caller hung up before every stop had reserved: undo what was reserved, answer nobody.
void abandon(Impl* impl, Ticket& t) {
  for (std::size_t i = 0; i < t.next; ++i) impl->end(t.request.stops[i], false, 0, 0);
  finish(t, core::client_closed_request());
}

// The functions below run with the budget's mutex held.

void schedule_reset(EntityBudget& b, const BudgetOwner& owner) {
  const auto reset_at = b.ledger.next_reset_ms();
  if (b.reset_scheduled || !reset_at) return;
  b.reset_scheduled = true;
  const auto delay = std::max<std::int64_t>(0, *reset_at - now_ms());
  caf::delayed_anon_send(owner, std::chrono::milliseconds(delay), reset_atom::value);
}

// Spend goes back to zero at budget_reset_at, then every budget_duration after (the ledger
// keeps the period: a timer's reset continues the schedule).
void reset_if_due(EntityBudget& b, Impl* impl) {
  const auto now = now_ms();
  if (!b.ledger.reset_if_due(now)) return;
  impl->publish_remaining(b.kind, b.id, b.label, b.max_budget, b.ledger.spend());
  impl->writer.reset(b.kind, b.id, b.ledger.next_reset_ms());
  b.reset_scheduled = false;
  telemetry::log_info("budget_reset", {{"entity", entity_word(b.kind)}, {"id_prefix", b.id.substr(0, 8)}});
}

// Checks the ticket's current stop against this entity and reserves; nullopt = admitted here.
std::optional<core::Refusal> admit_at(EntityBudget& b, const BudgetOwner& owner, Impl* impl, Ticket& t) {
  auto& stop = t.request.stops[t.next];
  const auto& limits = stop.limits;
  const auto now = Clock::now();  // read under the lock: the ledger's windows need time in order
  b.last_used = now;
  b.label = stop.label;
  b.max_budget = limits.max_budget;
  b.ledger.follow_reset_schedule(core::reset_period_ms(limits.budget_duration), limits.budget_reset_at, now_ms());
  schedule_reset(b, owner);
  reset_if_due(b, impl);

  const auto ledger_view = ledger_limits(limits, t.request.model);
  const auto outcome =
      b.ledger.admit(ledger_view, {t.request.model, t.request.worst_case_cost, t.request.tokens_estimate}, now);
  if (!outcome.admitted()) return outcome.refusal;
  impl->reservations.Increment();
  stop.reservation = outcome.reservation;
  if (stop.kind == EntityKind::key) t.headers = b.ledger.rate_headers(ledger_view, now);
  ++t.next;
  return std::nullopt;
}

// Ends a reservation; `settled` adds what the call really cost and used. One that is no longer
// held (it expired) still adds its cost to the spend.
void end_reservation(EntityBudget& b, Impl* impl, std::uint64_t id, bool settled, double cost, std::int64_t tokens) {
  if (!settled) {
    if (b.ledger.release(id)) impl->reservations.Decrement();
    return;
  }
  const auto now = Clock::now();
  // A settle is use: the caller records the spend in the writer just after, and a successor
  // loading before that would miss it, so the budget stays at least `evictable_after`.
  b.last_used = now;
  if (!b.ledger.settle(id, cost, tokens, now)) return;
  impl->reservations.Decrement();
  impl->publish_remaining(b.kind, b.id, b.label, b.max_budget, b.ledger.spend());
}

// How long a budget must have been unused before it may retire: idle_timeout, or less while
// the owners are over their bound (Options::max_owners).
std::chrono::milliseconds retire_after(const Impl* impl) {
  return impl->over_bound() ? std::min(impl->options.evictable_after, impl->options.idle_timeout)
                            : impl->options.idle_timeout;
}

// Ends reservations nobody settled in time; true when the budget is idle and may retire.
bool sweep(EntityBudget& b, Impl* impl) {
  const auto now = Clock::now();
  for (std::size_t i = b.ledger.expire(now).size(); i > 0; --i) {
    impl->reservations.Decrement();
    telemetry::log_warn("reservation_expired", {{"entity", entity_word(b.kind)}});
  }
  return b.loaded && !b.ledger.has_reservations() &&
         (b.deleted || (!b.ledger.next_reset_ms() && now - b.last_used > retire_after(impl)));
}

// Whether forget() marked the budget; takes its lock.
bool deleted(EntityBudget& b) {
  std::lock_guard lock(b.mutex);
  return b.deleted;
}

// Ends a reservation (the budget's lock held); true when the budget was deleted and nothing
// holds it any more, i.e. the caller should retire it once it let go of the budget's lock
// (Impl::retire takes the shard lock first).
bool end_and_check_deleted(EntityBudget& b, Impl* impl, std::uint64_t id, bool settled, double cost,
                           std::int64_t tokens) {
  end_reservation(b, impl, id, settled, cost, tokens);
  return b.deleted && !b.ledger.has_reservations() && b.waiting.empty();
}

bool end_and_check_deleted_locking(EntityBudget& b, Impl* impl, std::uint64_t id, bool settled, double cost,
                                   std::int64_t tokens) {
  std::lock_guard lock(b.mutex);
  return end_and_check_deleted(b, impl, id, settled, cost, tokens);
}

// ---- the owner actor (no budget lock held on entry)

void load_spend(const BudgetOwner& me, const EntityBudget& budget, Impl* impl) {
  const auto kind = budget.kind;
  const auto id = budget.id;
  impl->store.submit(
      [me, kind, id, impl](persistence::Store& store) {
        // Pending first, then the store: an increment flushed in between is counted twice
        // (a conservative error), never missed.
        const double pending = impl->writer.pending(kind, id);
        const double spend = store.entity_spend(kind, id).value_or(0.0) + pending;
        caf::anon_send(me, loaded_atom::value, spend, true);
      },
      // Unreachable, overloaded or failed: admit on the spend the cached record carries.
      [me, kind, id, impl](persistence::JobFailure, const std::string&) {
        caf::anon_send(me, loaded_atom::value, impl->writer.pending(kind, id), false);
      });
}

BudgetOwner::behavior_type budget_owner(BudgetOwner::pointer self, BudgetPtr budget, Impl* impl) {
  const auto me = caf::actor_cast<BudgetOwner>(self);
  load_spend(me, *budget, impl);
  self->delayed_send(me, impl->options.sweep_every, sweep_atom::value);
  return {
      [=](loaded_atom, double spend, bool from_store) {
        auto& b = *budget;
        std::vector<TicketPtr> waiting;
        {
          std::lock_guard lock(b.mutex);
          waiting.swap(b.waiting);
          if (!from_store && !waiting.empty()) {
            // The store is unreachable: fall back to the spend in the cached record.
            const auto& first = *waiting.front();
            spend += first.request.stops[first.next].limits.record_spend;
            telemetry::log_warn("budget_spend_from_cache", {{"entity", entity_word(b.kind)}});
          }
          b.ledger.load(spend);
          b.loaded = true;
        }
        for (auto& t : waiting) impl->walk(std::move(t));
        if (deleted(*budget)) impl->retire(budget);  // when no admission reserved
      },
      [=](settle_atom, std::uint64_t reservation, double cost, std::int64_t tokens) {
        if (end_and_check_deleted_locking(*budget, impl, reservation, true, cost, tokens)) impl->retire(budget);
      },
      [=](release_atom, std::uint64_t reservation) {
        if (end_and_check_deleted_locking(*budget, impl, reservation, false, 0, 0)) impl->retire(budget);
      },
      [=](reset_atom) {
        std::lock_guard lock(budget->mutex);
        budget->reset_scheduled = false;
        reset_if_due(*budget, impl);
        schedule_reset(*budget, me);
      },
      [=](sweep_atom) {
        bool idle = false;
        {
          std::lock_guard lock(budget->mutex);
          idle = sweep(*budget, impl);
        }
        if (idle && impl->retire(budget)) return;
        self->delayed_send(me, impl->options.sweep_every, sweep_atom::value);
      },
      [=](retire_atom) { self->quit(); },
  };
}

}  // namespace

template <class... Ts>
void Admission::Impl::send(EntityKind kind, const std::string& id, Ts&&... xs) {
  const auto key = entity_key(kind, id);
  auto& s = shard(key);
  std::lock_guard lock(s.mutex);
  caf::anon_send(entity_locked(s, key, kind, id).actor, std::forward<Ts>(xs)...);
}

Admission::Impl::Entity& Admission::Impl::entity_locked(Shard& s, const std::string& key, EntityKind kind,
                                                        const std::string& id) {
  auto& entity = s.entities[key];
  if (!entity.actor) {
    // Each owner's reservation ids start 2^32 past the previous owner's (ledger constructor).
    const auto generation = owners_spawned.fetch_add(1, std::memory_order_relaxed);
    entity.budget = std::make_shared<EntityBudget>(kind, id, options.reservation_ttl, (generation << 32) + 1);
    entity.actor = system.spawn(budget_owner, entity.budget, this);
    owners.fetch_add(1, std::memory_order_relaxed);
    owners_gauge.Increment();
  }
  return entity;
}

Admission::Impl::Entity Admission::Impl::entity(EntityKind kind, const std::string& id) {
  const auto key = entity_key(kind, id);
  auto& s = shard(key);
  std::lock_guard lock(s.mutex);
  return entity_locked(s, key, kind, id);
}

bool Admission::Impl::retire(const BudgetPtr& budget) {
  const auto key = entity_key(budget->kind, budget->id);
  auto& s = shard(key);
  std::lock_guard lock(s.mutex);
  const auto it = s.entities.find(key);
  if (it == s.entities.end() || it->second.budget != budget) return false;
  std::lock_guard budget_lock(budget->mutex);  // the one nested lock: shard → budget
  // Checked again under both locks: an admission on another thread may have used it since.
  const bool deleted = budget->deleted;  // at once, whenever nothing holds it
  const bool evicted = !deleted && Clock::now() - budget->last_used <= options.idle_timeout;  // early: over the bound
  if (budget->ledger.has_reservations() || !budget->waiting.empty() ||
      (!deleted && Clock::now() - budget->last_used <= retire_after(this))) {
    return false;
  }
  budget->retiring = true;
  caf::anon_send(it->second.actor, retire_atom::value);  // after every message sent before unregistering
  s.entities.erase(it);
  owners.fetch_sub(1, std::memory_order_relaxed);
  owners_gauge.Decrement();
  if (evicted) owner_evictions.Increment();
  return true;
}

void Admission::Impl::walk(TicketPtr t) {
  while (t->next < t->request.stops.size()) {
    if (t->request.abandoned && t->request.abandoned()) {
      abandon(this, *t);
      return;
    }
    const auto& stop = t->request.stops[t->next];
    const auto e = entity(stop.kind, stop.id);
    std::optional<core::Refusal> refusal;
    {
      std::lock_guard lock(e.budget->mutex);
      if (e.budget->retiring) continue;  // unregistered since: entity() now gives its successor
      if (!e.budget->loaded) {
        // Parked with the owner, which walks on from this stop once the spend is loaded.
        e.budget->waiting.push_back(std::move(t));
        return;
      }
      refusal = admit_at(*e.budget, e.actor, this, *t);
    }
    if (refusal) {
      deny(this, *t, *refusal);
      return;
    }
  }
  AdmissionGrant grant;
  grant.stops = t->request.stops;
  grant.headers = t->headers;
  grant.reserved_cost = t->request.worst_case_cost;
  finish(*t, std::move(grant));
}

void Admission::Impl::end(const AdmissionStop& stop, bool settled, double cost, std::int64_t tokens) {
  if (const auto e = find(stop.kind, stop.id)) {
    bool ended = false;
    bool retire_now = false;
    {
      std::lock_guard lock(e->budget->mutex);
      if (e->budget->loaded && !e->budget->retiring) {
        ended = true;
        retire_now = end_and_check_deleted(*e->budget, this, stop.reservation, settled, cost, tokens);
      }
    }
    if (retire_now) retire(e->budget);
    if (ended) return;
  }
  // Not loaded (or gone): the owner ends it in order, after its load.
  if (settled) {
    send(stop.kind, stop.id, settle_atom::value, stop.reservation, cost, tokens);
  } else {
    send(stop.kind, stop.id, release_atom::value, stop.reservation);
  }
}

Admission::Admission(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& metrics,
                     Options options, ActorConfig actors)
    : impl_(std::make_unique<Impl>(store, writer, metrics, options, std::move(actors))) {}

Admission::~Admission() { stop(); }

void Admission::admit(AdmissionRequest request, std::function<void(AdmissionResult)> done) {
  if (request.stops.empty()) {
    done(AdmissionGrant{});
    return;
  }
  if (impl_->leases) {
    impl_->leases->admit(std::move(request), std::move(done));
    return;
  }
  auto ticket = std::make_unique<Ticket>();
  ticket->request = std::move(request);
  ticket->done = std::move(done);
  impl_->walk(std::move(ticket));
}

void Admission::settle(const AdmissionGrant& grant, double cost, std::int64_t tokens) {
  // Compared with admission's floating-point tolerance: equal sums in another order are equal.
  if (!grant.stops.empty() && !core::fits_budget(grant.reserved_cost, 0, 0, cost)) {
    impl_->above_reservation.Increment();
    telemetry::log_warn("settle_above_reservation",
                        {{"cost", format_usd(cost)}, {"reserved", format_usd(grant.reserved_cost)}});
  }
  if (impl_->leases) {
    impl_->leases->settle(grant, cost, tokens);
    return;
  }
  for (const auto& stop : grant.stops) impl_->end(stop, true, cost, tokens);
}

void Admission::release(const AdmissionGrant& grant) {
  if (impl_->leases) {
    impl_->leases->release(grant);
    return;
  }
  for (const auto& stop : grant.stops) impl_->end(stop, false, 0, 0);
}

void Admission::forget(persistence::EntityKind kind, const std::string& id) {
  if (impl_->leases) return impl_->leases->forget(kind, id);
  const auto e = impl_->find(kind, id);
  if (!e) return;
  {
    std::lock_guard lock(e->budget->mutex);
    e->budget->deleted = true;
  }
  impl_->retire(e->budget);
}

bool Admission::has_owner(persistence::EntityKind kind, const std::string& id) const {
  if (impl_->leases) return impl_->leases->has_state(kind, id);
  return impl_->find(kind, id).has_value();
}

std::vector<std::string> Admission::owned(persistence::EntityKind kind) const {
  if (impl_->leases) return impl_->leases->with_state(kind);
  const char tag = Impl::entity_key(kind, "")[0];
  std::vector<std::string> out;
  for (auto& shard : impl_->shards) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [key, entity] : shard.entities) {
      if (key[0] == tag) out.push_back(key.substr(1));
    }
  }
  return out;
}

void Admission::observe_budgets(BudgetObserver observer) { impl_->budget_observer = std::move(observer); }

void Admission::join_cluster(LeaseNetwork& network, LeaseOptions options) {
  options.reservation_ttl = impl_->options.reservation_ttl;
  auto* impl = impl_.get();
  LeaseEvents events;
  events.denied = [impl](const char* reason) { impl->denial_counter(reason).Increment(); };
  events.reservations = [impl](int delta) { impl->reservations.Increment(delta); };
  events.remaining = [impl](EntityKind kind, const std::string& label, const std::optional<double>& max_budget,
                            double spend) { impl->publish_remaining(kind, label, label, max_budget, spend); };
  impl_->leases = std::make_unique<LeaseAdmission>(impl_->store, impl_->writer, impl_->metrics_registry, network,
                                                   std::move(options), std::move(events));
}

LeaseAdmission* Admission::cluster() const { return impl_->leases.get(); }

void Admission::stop() {
  if (!impl_) return;
  if (impl_->leases) impl_->leases->stop();
  for (auto& shard : impl_->shards) {
    std::lock_guard lock(shard.mutex);
    for (auto& [key, entity] : shard.entities) caf::anon_send_exit(entity.actor, caf::exit_reason::user_shutdown);
    impl_->owners.fetch_sub(shard.entities.size(), std::memory_order_relaxed);
    impl_->owners_gauge.Decrement(static_cast<double>(shard.entities.size()));
    shard.entities.clear();
  }
}

}  // namespace tollgate::actors
