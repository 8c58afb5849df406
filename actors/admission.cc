#include "actors/admission.h"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <array>
#include <mutex>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "actors/mailbox_handoff.h"
#include "core/budget_math.h"
#include "core/duration.h"
#include "core/number_text.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "spend/spend_writer.h"
#include "telemetry/log.h"

namespace tollgate::actors {

// One admission travelling along its stops.
struct Ticket {
  AdmissionRequest request;
  std::size_t next = 0;
  RateHeaders headers;
  std::function<void(AdmissionResult)> done;
};
using TicketPtr = std::shared_ptr<Ticket>;

}  // namespace tollgate::actors

// Tickets carry a callback and travel between local actors only.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tollgate::actors::TicketPtr)

namespace tollgate::actors {
namespace {

using admit_atom = caf::atom_constant<caf::atom("admit")>;
using settle_atom = caf::atom_constant<caf::atom("settle")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using loaded_atom = caf::atom_constant<caf::atom("loaded")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using reset_atom = caf::atom_constant<caf::atom("reset")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;
using spend_atom = caf::atom_constant<caf::atom("spend")>;

using persistence::EntityKind;
using Clock = core::Clock;
constexpr auto kSweepEvery = std::chrono::seconds(10);

std::string_view entity_name(EntityKind kind) {
  switch (kind) {
    case EntityKind::key: return "Key";
    case EntityKind::team: return "Team";
    case EntityKind::user: return "User";
    case EntityKind::organization: return "Organization";
  }
  return "Key";
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string format_usd(double value) { return core::general_text(value, 10); }

struct Reservation {
  double cost = 0;
  std::int64_t tokens = 0;
  std::string model;
  Clock::time_point expires;
  // Windows are kept only for the limits the entity has: a window holds every event of the
  // last 60 s, so an unlimited team or organization at 40k requests/s would hold millions.
  std::uint64_t request_handle = 0;
  bool has_request_handle = false;
  std::uint64_t model_request_handle = 0;
  bool has_model_handle = false;
  bool counts_tokens = false;        // the entity has a tpm_limit
  bool counts_model_tokens = false;  // ... or a model_tpm_limit for this model
};

// The budget of one entity. Its actor owns it: loads it, runs its timers (reset, sweep) and
// retires it. Once loaded, admissions, settlements and releases run on the caller's thread
// under `mutex` rather than as messages: the same one-at-a-time order per entity, without the
// two thread wake-ups per request a mailbox round trip costs (bench/results: the hop to the
// actor thread and back was a third of the gateway's CPU under load).
struct EntityBudget {
  EntityBudget(EntityKind kind, std::string id) : kind(kind), id(std::move(id)) {}
  const EntityKind kind;
  const std::string id;
  std::mutex mutex;
  // Written by the actor only, under the mutex.
  bool loaded = false;
  bool retiring = false;
  double spend = 0;
  double reserved_cost = 0;
  std::int64_t reserved_tokens = 0;
  int in_flight = 0;
  std::uint64_t next_reservation = 1;
  std::unordered_map<std::uint64_t, Reservation> reservations;
  core::SlidingWindow requests;
  core::SlidingWindow tokens;
  std::map<std::string, core::SlidingWindow> model_requests;
  std::map<std::string, core::SlidingWindow> model_tokens;
  std::optional<std::int64_t> reset_at;
  bool reset_scheduled = false;
  Clock::time_point last_used = Clock::now();
  std::string label;                 // last seen, for the remaining-budget gauge
  std::optional<double> max_budget;  // last seen
};
using BudgetPtr = std::shared_ptr<EntityBudget>;

struct BudgetState {
  static inline const char* name = "budget";
  BudgetPtr budget;
  std::vector<TicketPtr> waiting;  // admissions that arrived before the spend was loaded
};

using BudgetActor = caf::stateful_actor<BudgetState>;

}  // namespace

struct Admission::Impl {
  Impl(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& registry, Options options)
      : store(store), writer(writer), options(options),
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
        config_owner(make_config(options.threads, options.deterministic)),
        system(*config_owner) {}

  static std::unique_ptr<caf::actor_system_config> make_config(int threads, bool deterministic) {
    auto cfg = std::make_unique<caf::actor_system_config>();
    cfg->set("scheduler.max-threads", std::max(threads, 1));
    // The work-stealing default lets idle workers sleep up to 10 ms before they notice new
    // work: at low load that is milliseconds added to a request. The sharing policy wakes a
    // worker through a condition variable at once.
    cfg->set("scheduler.policy", caf::atom(deterministic ? "testing" : "sharing"));
    return cfg;
  }

  // ---- registry: one actor (and its budget) per entity; sends happen under the shard lock so
  // an actor that retires (under the same lock) can never miss a message sent to it.
  struct Entity {
    caf::actor actor;
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
  // Hands a ticket on to the entity's actor (which walks on from its stop once loaded).
  void send_ticket(EntityKind kind, const std::string& id, TicketPtr t) {
    handed_over(t.get());
    send(kind, id, admit_atom::value, std::move(t));
  }
  // The entity's actor and budget, spawning them when the entity has none.
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
  // Unregisters an idle entity; false when it is in use again (or was replaced).
  bool retire(const BudgetPtr& budget);
  // Admits the ticket at its remaining stops (see EntityBudget).
  void walk(const TicketPtr& t);
  // Ends a reservation: settled with its real cost, or released.
  void end(const AdmissionStop& stop, bool settled, double cost, std::int64_t tokens);

  // A store thread's answer to an actor. The deterministic test coordinator is not thread-safe:
  // there the answer waits until run_actors() sends it from the thread that runs the actors.
  void answer_from_store(std::function<void()> send) {
    if (!options.deterministic) {
      send();
      return;
    }
    std::lock_guard lock(store_answers_mutex);
    store_answers.push_back(std::move(send));
  }

  // Keys and teams only: users and organizations would add cardinality nobody asked for.
  void publish_remaining(EntityKind kind, const std::string& label, const std::optional<double>& max_budget,
                         double spend) {
    if (!max_budget || (kind != EntityKind::key && kind != EntityKind::team)) return;
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
  Options options;
  prometheus::Family<prometheus::Counter>& denials;
  prometheus::Family<prometheus::Gauge>& remaining;
  prometheus::Gauge& reservations;
  prometheus::Counter& above_reservation;
  std::map<std::pair<int, std::string>, prometheus::Gauge*> remaining_children;
  std::mutex metrics_mutex;
  std::map<std::string, prometheus::Counter*> denial_children;
  std::mutex store_answers_mutex;
  std::vector<std::function<void()>> store_answers;  // deterministic mode only
  std::unique_ptr<caf::actor_system_config> config_owner;
  caf::actor_system system;
  std::array<Shard, 16> shards;
};

namespace {

using Impl = Admission::Impl;

void finish(const TicketPtr& t, AdmissionResult result) {
  auto done = std::move(t->done);
  if (done) done(std::move(result));
}

struct Denial {
  core::ApiError error;
  std::string reason;  // the rate_limit_denials_total label
};

// Undo the reservations made so far and answer the denial.
void deny(Impl* impl, const TicketPtr& t, Denial denial) {
  for (std::size_t i = 0; i < t->next; ++i) impl->end(t->request.stops[i], false, 0, 0);
  impl->denial_counter(denial.reason).Increment();
  AdmissionResult result;
  result.admitted = false;
  result.denial = std::move(denial.error);
  finish(t, std::move(result));
}

core::ApiError rate_error(const AdmissionStop& stop, const char* limit_type, std::int64_t limit, int retry_after) {
  auto e = core::too_many_requests("Rate limit exceeded for " + std::string(entity_name(stop.kind)) + ": " +
                                       stop.label + ". Limit type: " + limit_type +
                                       ". Current limit: " + std::to_string(limit) +
                                       ", Remaining: 0. Retry after " + std::to_string(retry_after) + " s.",
                                   retry_after);
  const bool requests = std::string_view(limit_type) == "requests";
  e.headers.emplace_back(requests ? "x-ratelimit-limit-requests" : "x-ratelimit-limit-tokens", std::to_string(limit));
  e.headers.emplace_back(requests ? "x-ratelimit-remaining-requests" : "x-ratelimit-remaining-tokens", "0");
  if (stop.kind == EntityKind::key && requests) e.headers.emplace_back("x-litellm-key-remaining-requests", "0");
  if (stop.kind == EntityKind::key && !requests) e.headers.emplace_back("x-litellm-key-remaining-tokens", "0");
  return e;
}

// The functions below run with the budget's mutex held.

void schedule_reset(EntityBudget& b, const caf::actor& owner) {
  if (b.reset_scheduled || !b.reset_at) return;
  b.reset_scheduled = true;
  const auto delay = std::max<std::int64_t>(0, *b.reset_at - now_ms());
  caf::delayed_anon_send(owner, std::chrono::milliseconds(delay), reset_atom::value);
}

// Spend goes back to zero at budget_reset_at, then every budget_duration after.
void apply_reset_schedule(EntityBudget& b, const caf::actor& owner, const EntityLimits& limits) {
  if (!limits.budget_duration) {
    b.reset_at.reset();
    return;
  }
  if (!b.reset_at || (limits.budget_reset_at && *limits.budget_reset_at > *b.reset_at)) {
    b.reset_at = limits.budget_reset_at.value_or(now_ms());
  }
  schedule_reset(b, owner);
}

void reset_if_due(EntityBudget& b, Impl* impl, const std::optional<std::string>& duration) {
  if (!b.reset_at || now_ms() < *b.reset_at) return;
  const auto period = duration ? core::parse_duration(*duration) : std::nullopt;
  const std::int64_t period_ms = period ? std::chrono::duration_cast<std::chrono::milliseconds>(*period).count() : 0;
  const auto next = period_ms > 0 ? std::optional<std::int64_t>(core::next_reset_ms(*b.reset_at, period_ms, now_ms()))
                                  : std::nullopt;
  b.spend = 0;
  impl->publish_remaining(b.kind, b.label, b.max_budget, b.spend);
  impl->writer.reset(b.kind, b.id, next);
  b.reset_at = next;
  b.reset_scheduled = false;
  telemetry::log_info("budget_reset", {{"entity", entity_name(b.kind)}, {"id_prefix", b.id.substr(0, 8)}});
}

// Checks the ticket's current stop against this entity and reserves; nullopt = admitted here.
std::optional<Denial> admit_at(EntityBudget& b, const caf::actor& owner, Impl* impl, const TicketPtr& t) {
  auto& stop = t->request.stops[t->next];
  const auto& limits = stop.limits;
  const auto now = Clock::now();
  b.last_used = now;
  b.label = stop.label;
  b.max_budget = limits.max_budget;
  apply_reset_schedule(b, owner, limits);
  reset_if_due(b, impl, limits.budget_duration);
  const auto& model = t->request.model;

  if (limits.max_parallel_requests && b.in_flight >= *limits.max_parallel_requests) {
    return Denial{core::too_many_requests("Max parallel request limit reached for " + std::string(entity_name(stop.kind)) +
                                              ": " + stop.label + ". Limit: " +
                                              std::to_string(*limits.max_parallel_requests),
                                          1),
                  "max_parallel_requests"};
  }
  if (limits.rpm_limit && b.requests.total(now) >= *limits.rpm_limit) {
    return Denial{rate_error(stop, "requests", *limits.rpm_limit, core::retry_after_seconds(now, b.requests.next_expiry(now))),
                  "rpm"};
  }
  const auto model_rpm = limits.model_rpm_limit.find(model);
  if (model_rpm != limits.model_rpm_limit.end() && b.model_requests[model].total(now) >= model_rpm->second) {
    return Denial{rate_error(stop, "requests", model_rpm->second,
                             core::retry_after_seconds(now, b.model_requests[model].next_expiry(now))),
                  "model_rpm"};
  }
  const auto estimate = t->request.tokens_estimate;
  if (limits.tpm_limit && b.tokens.total(now) + b.reserved_tokens + estimate > *limits.tpm_limit) {
    return Denial{rate_error(stop, "tokens", *limits.tpm_limit, core::retry_after_seconds(now, b.tokens.next_expiry(now))),
                  "tpm"};
  }
  const auto model_tpm = limits.model_tpm_limit.find(model);
  if (model_tpm != limits.model_tpm_limit.end() &&
      b.model_tokens[model].total(now) + estimate > model_tpm->second) {
    return Denial{rate_error(stop, "tokens", model_tpm->second,
                             core::retry_after_seconds(now, b.model_tokens[model].next_expiry(now))),
                  "model_tpm"};
  }
  const double cost = t->request.worst_case_cost;
  if (limits.max_budget && !core::fits_budget(*limits.max_budget, b.spend, b.reserved_cost, cost)) {
    core::ApiError e{429,
                     "Budget has been exceeded! " + std::string(entity_name(stop.kind)) + "=" + stop.label +
                         " Current cost: " + format_usd(b.spend) + ", Reserved by requests in flight: " +
                         format_usd(b.reserved_cost) + ", Estimated request cost: " + format_usd(cost) +
                         ", Max budget: " + format_usd(*limits.max_budget),
                     "budget_exceeded",
                     {},
                     {},
                     {}};
    return Denial{std::move(e), "budget"};
  }

  Reservation r;
  r.cost = cost;
  r.tokens = estimate;
  r.model = model;
  r.expires = now + impl->options.reservation_ttl;
  if (limits.rpm_limit) {
    r.request_handle = b.requests.add(now);
    r.has_request_handle = true;
  }
  r.counts_tokens = limits.tpm_limit.has_value();
  r.counts_model_tokens = model_tpm != limits.model_tpm_limit.end();
  if (model_rpm != limits.model_rpm_limit.end()) {
    r.model_request_handle = b.model_requests[model].add(now);
    r.has_model_handle = true;
  }
  const auto id = b.next_reservation++;
  b.reservations.emplace(id, r);
  b.reserved_cost += cost;
  b.reserved_tokens += estimate;
  ++b.in_flight;
  impl->reservations.Increment();
  stop.reservation = id;

  if (stop.kind == EntityKind::key) {
    if (limits.rpm_limit) {
      t->headers.limit_requests = *limits.rpm_limit;
      t->headers.remaining_requests = std::max<std::int64_t>(0, *limits.rpm_limit - b.requests.total(now));
    }
    if (limits.tpm_limit) {
      t->headers.limit_tokens = *limits.tpm_limit;
      t->headers.remaining_tokens =
          std::max<std::int64_t>(0, *limits.tpm_limit - b.tokens.total(now) - b.reserved_tokens);
    }
  }
  ++t->next;
  return std::nullopt;
}

// Drops a reservation; `settled` adds what the call really cost and used.
void end_reservation(EntityBudget& b, Impl* impl, std::uint64_t id, bool settled, double cost, std::int64_t tokens) {
  const auto it = b.reservations.find(id);
  if (it == b.reservations.end()) {
    if (settled) b.spend += cost;  // expired earlier: the spend still happened
    return;
  }
  const auto& r = it->second;
  b.reserved_cost -= r.cost;
  if (b.reserved_cost < 0) b.reserved_cost = 0;
  b.reserved_tokens -= r.tokens;
  --b.in_flight;
  impl->reservations.Decrement();
  const auto now = Clock::now();
  if (settled) {
    b.spend += cost;
    if (r.counts_tokens) b.tokens.add(now, tokens);
    if (r.counts_model_tokens) b.model_tokens[r.model].add(now, tokens);
    impl->publish_remaining(b.kind, b.label, b.max_budget, b.spend);
  } else {
    // A request that never reached the provider does not count against rpm either.
    if (r.has_request_handle) b.requests.cancel(r.request_handle);
    if (r.has_model_handle) b.model_requests[r.model].cancel(r.model_request_handle);
  }
  b.reservations.erase(it);
}

// Ends reservations nobody settled in time; true when the budget is idle and may retire.
bool sweep(EntityBudget& b, Impl* impl) {
  const auto now = Clock::now();
  for (auto it = b.reservations.begin(); it != b.reservations.end();) {
    if (it->second.expires > now) {
      ++it;
      continue;
    }
    const auto expired = it->first;
    ++it;
    telemetry::log_warn("reservation_expired", {{"entity", entity_name(b.kind)}});
    end_reservation(b, impl, expired, false, 0, 0);
  }
  return b.loaded && b.reservations.empty() && !b.reset_at && now - b.last_used > impl->options.idle_timeout;
}

// ---- the actor (no budget lock held on entry)

void load_spend(BudgetActor* self, Impl* impl) {
  caf::actor me = caf::actor_cast<caf::actor>(self);
  const auto kind = self->state.budget->kind;
  const auto id = self->state.budget->id;
  impl->store.submit(
      [me, kind, id, impl](persistence::Store& store) {
        // Pending first, then the store: an increment flushed in between is counted twice
        // (a conservative error), never missed.
        const double pending = impl->writer.pending(kind, id);
        const double spend = store.entity_spend(kind, id).value_or(0.0) + pending;
        impl->answer_from_store([me, spend] { caf::anon_send(me, loaded_atom::value, spend, true); });
      },
      // Unreachable, overloaded or failed: admit on the spend the cached record carries.
      [me, kind, id, impl](persistence::JobFailure, const std::string&) {
        const double pending = impl->writer.pending(kind, id);
        impl->answer_from_store([me, pending] { caf::anon_send(me, loaded_atom::value, pending, false); });
      });
}

caf::behavior budget_actor(BudgetActor* self, BudgetPtr budget, Impl* impl) {
  self->state.budget = std::move(budget);
  load_spend(self, impl);
  self->delayed_send(self, kSweepEvery, sweep_atom::value);
  return {
      // By reference: the ticket is taken over before anything touches it (mailbox_handoff.h).
      [=](admit_atom, TicketPtr& t) {
        taken_over(t.get());
        auto& b = *self->state.budget;
        if (b.retiring) {  // unregistered already: the entity's new actor takes it
          impl->send_ticket(b.kind, b.id, std::move(t));
          return;
        }
        if (!b.loaded) {
          self->state.waiting.push_back(std::move(t));
          return;
        }
        impl->walk(t);
      },
      [=](loaded_atom, double spend, bool from_store) {
        auto& b = *self->state.budget;
        auto waiting = std::move(self->state.waiting);
        {
          std::lock_guard lock(b.mutex);
          b.spend = spend;
          if (!from_store && !waiting.empty()) {
            // The store is unreachable: fall back to the spend in the cached record.
            const auto& first = waiting.front();
            b.spend += first->request.stops[first->next].limits.record_spend;
            telemetry::log_warn("budget_spend_from_cache", {{"entity", entity_name(b.kind)}});
          }
          b.loaded = true;
        }
        for (auto& t : waiting) impl->walk(t);
      },
      [=](settle_atom, std::uint64_t reservation, double cost, std::int64_t tokens) {
        auto& b = *self->state.budget;
        std::lock_guard lock(b.mutex);
        end_reservation(b, impl, reservation, true, cost, tokens);
      },
      [=](release_atom, std::uint64_t reservation) {
        auto& b = *self->state.budget;
        std::lock_guard lock(b.mutex);
        end_reservation(b, impl, reservation, false, 0, 0);
      },
      [=](reset_atom) {
        auto& b = *self->state.budget;
        std::lock_guard lock(b.mutex);
        b.reset_scheduled = false;
        reset_if_due(b, impl, std::nullopt);
        schedule_reset(b, caf::actor_cast<caf::actor>(self));
      },
      [=](sweep_atom) {
        auto& b = *self->state.budget;
        bool idle = false;
        {
          std::lock_guard lock(b.mutex);
          idle = sweep(b, impl);
        }
        if (idle && self->state.waiting.empty() && impl->retire(self->state.budget)) {
          self->send(self, retire_atom::value);  // after every message sent before unregistering
          return;
        }
        self->delayed_send(self, kSweepEvery, sweep_atom::value);
      },
      [=](retire_atom) { self->quit(); },
      [=](spend_atom) {
        auto& b = *self->state.budget;
        std::lock_guard lock(b.mutex);
        return b.spend;
      },
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
    entity.budget = std::make_shared<EntityBudget>(kind, id);
    entity.actor = system.spawn(budget_actor, entity.budget, this);
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
  std::lock_guard budget_lock(budget->mutex);
  // Checked again under both locks: an admission on another thread may have used it since.
  if (!budget->reservations.empty() || Clock::now() - budget->last_used <= options.idle_timeout) return false;
  budget->retiring = true;
  s.entities.erase(it);
  return true;
}

void Admission::Impl::walk(const TicketPtr& t) {
  while (t->next < t->request.stops.size()) {
    const auto& stop = t->request.stops[t->next];
    const auto e = entity(stop.kind, stop.id);
    std::optional<Denial> denial;
    {
      std::unique_lock lock(e.budget->mutex);
      if (!e.budget->loaded || e.budget->retiring) {
        // Not loaded yet: its actor takes the ticket and walks on once it has loaded.
        lock.unlock();
        send_ticket(stop.kind, stop.id, t);
        return;
      }
      denial = admit_at(*e.budget, e.actor, this, t);
    }
    if (denial) {
      deny(this, t, std::move(*denial));
      return;
    }
  }
  AdmissionResult result;
  result.admitted = true;
  result.grant.stops = t->request.stops;
  result.grant.headers = t->headers;
  result.grant.reserved_cost = t->request.worst_case_cost;
  finish(t, std::move(result));
}

void Admission::Impl::end(const AdmissionStop& stop, bool settled, double cost, std::int64_t tokens) {
  if (const auto e = find(stop.kind, stop.id)) {
    std::lock_guard lock(e->budget->mutex);
    if (e->budget->loaded && !e->budget->retiring) {
      end_reservation(*e->budget, this, stop.reservation, settled, cost, tokens);
      return;
    }
  }
  // Not loaded (or gone): the actor ends it in order, after its load.
  if (settled) {
    send(stop.kind, stop.id, settle_atom::value, stop.reservation, cost, tokens);
  } else {
    send(stop.kind, stop.id, release_atom::value, stop.reservation);
  }
}

Admission::Admission(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& metrics, Options options)
    : impl_(std::make_unique<Impl>(store, writer, metrics, options)) {}

Admission::~Admission() { stop(); }

void Admission::admit(AdmissionRequest request, std::function<void(AdmissionResult)> done) {
  if (request.stops.empty()) {
    AdmissionResult result;
    result.admitted = true;
    done(std::move(result));
    return;
  }
  auto ticket = std::make_shared<Ticket>();
  ticket->request = std::move(request);
  ticket->done = std::move(done);
  impl_->walk(ticket);
}

void Admission::settle(const AdmissionGrant& grant, double cost, std::int64_t tokens) {
  // Compared with admission's floating-point tolerance: equal sums in another order are equal.
  if (!grant.stops.empty() && !core::fits_budget(grant.reserved_cost, 0, 0, cost)) {
    impl_->above_reservation.Increment();
    telemetry::log_warn("settle_above_reservation",
                        {{"cost", format_usd(cost)}, {"reserved", format_usd(grant.reserved_cost)}});
  }
  for (const auto& stop : grant.stops) impl_->end(stop, true, cost, tokens);
}

void Admission::release(const AdmissionGrant& grant) {
  for (const auto& stop : grant.stops) impl_->end(stop, false, 0, 0);
}

std::optional<double> Admission::spend(EntityKind kind, const std::string& id, std::chrono::milliseconds wait) {
  const auto e = impl_->find(kind, id);
  if (!e) return std::nullopt;
  caf::scoped_actor self{impl_->system};
  std::optional<double> out;
  self->request(e->actor, wait, spend_atom::value).receive([&](double spend) { out = spend; }, [&](caf::error&) {});
  return out;
}

std::size_t Admission::run_actors(bool fire_timers) {
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(impl_->system.scheduler());
  std::vector<std::function<void()>> answers;
  {
    std::lock_guard lock(impl_->store_answers_mutex);
    answers.swap(impl_->store_answers);
  }
  for (auto& send : answers) send();
  if (fire_timers) sched.trigger_timeouts();
  return sched.run();
}

void Admission::stop() {
  if (!impl_) return;
  for (auto& shard : impl_->shards) {
    std::lock_guard lock(shard.mutex);
    for (auto& [key, entity] : shard.entities) caf::anon_send_exit(entity.actor, caf::exit_reason::user_shutdown);
    shard.entities.clear();
  }
  if (impl_->options.deterministic) {
    run_actors();  // nothing else runs them: let the exits happen before the system goes away
  }
}

}  // namespace tollgate::actors
