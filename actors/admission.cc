#include "actors/admission.h"

#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <array>
#include <mutex>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "actors/spend_writer.h"
#include "core/budget_math.h"
#include "core/duration.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
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

std::string format_usd(double value) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.10g", value);
  return buffer;
}

struct Reservation {
  double cost = 0;
  std::int64_t tokens = 0;
  std::string model;
  Clock::time_point expires;
  std::uint64_t request_handle = 0;
  std::uint64_t model_request_handle = 0;
  bool has_model_handle = false;
};

struct BudgetState {
  static inline const char* name = "budget";
  EntityKind kind = EntityKind::key;
  std::string id;
  bool loaded = false;
  bool retiring = false;
  std::vector<TicketPtr> waiting;
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

using BudgetActor = caf::stateful_actor<BudgetState>;

}  // namespace

struct Admission::Impl {
  Impl(persistence::StorePool& store, SpendWriter& writer, prometheus::Registry& registry, Options options)
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

  // ---- registry: one actor per entity; sends happen under the shard lock so an actor that
  // retires (under the same lock) can never miss a message sent to it.
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, caf::actor> actors;
  };
  static std::string entity_key(EntityKind kind, const std::string& id) {
    return std::string(1, static_cast<char>('0' + static_cast<int>(kind))) + id;
  }
  Shard& shard(const std::string& key) { return shards[std::hash<std::string>{}(key) % shards.size()]; }

  template <class... Ts>
  void send(EntityKind kind, const std::string& id, Ts&&... xs);
  bool retire(EntityKind kind, const std::string& id, const caf::actor& self);
  caf::actor find(EntityKind kind, const std::string& id) {
    const auto key = entity_key(kind, id);
    auto& s = shard(key);
    std::lock_guard lock(s.mutex);
    const auto it = s.actors.find(key);
    return it == s.actors.end() ? caf::actor() : it->second;
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
  SpendWriter& writer;
  Options options;
  prometheus::Family<prometheus::Counter>& denials;
  prometheus::Family<prometheus::Gauge>& remaining;
  prometheus::Gauge& reservations;
  std::map<std::pair<int, std::string>, prometheus::Gauge*> remaining_children;
  std::mutex metrics_mutex;
  std::map<std::string, prometheus::Counter*> denial_children;
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

// Undo the reservations made so far and answer the denial.
void deny(Impl* impl, const TicketPtr& t, core::ApiError error, const std::string& reason) {
  for (std::size_t i = 0; i < t->next; ++i) {
    const auto& stop = t->request.stops[i];
    impl->send(stop.kind, stop.id, release_atom::value, stop.reservation);
  }
  impl->denial_counter(reason).Increment();
  AdmissionResult result;
  result.admitted = false;
  result.denial = std::move(error);
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

void schedule_reset(BudgetActor* self, Impl* impl) {
  auto& s = self->state;
  if (s.reset_scheduled || !s.reset_at) return;
  s.reset_scheduled = true;
  const auto delay = std::max<std::int64_t>(0, *s.reset_at - now_ms());
  self->delayed_send(self, std::chrono::milliseconds(delay), reset_atom::value);
  (void)impl;
}

// Spend goes back to zero at budget_reset_at, then every budget_duration after.
void apply_reset_schedule(BudgetActor* self, Impl* impl, const EntityLimits& limits) {
  auto& s = self->state;
  if (!limits.budget_duration) {
    s.reset_at.reset();
    return;
  }
  if (!s.reset_at || (limits.budget_reset_at && *limits.budget_reset_at > *s.reset_at)) {
    s.reset_at = limits.budget_reset_at.value_or(now_ms());
  }
  schedule_reset(self, impl);
}

void reset_if_due(BudgetActor* self, Impl* impl, const std::optional<std::string>& duration) {
  auto& s = self->state;
  if (!s.reset_at || now_ms() < *s.reset_at) return;
  const auto period = duration ? core::parse_duration(*duration) : std::nullopt;
  const std::int64_t period_ms = period ? std::chrono::duration_cast<std::chrono::milliseconds>(*period).count() : 0;
  const auto next = period_ms > 0 ? std::optional<std::int64_t>(core::next_reset_ms(*s.reset_at, period_ms, now_ms()))
                                  : std::nullopt;
  s.spend = 0;
  impl->publish_remaining(s.kind, s.label, s.max_budget, s.spend);
  impl->writer.reset(s.kind, s.id, next);
  s.reset_at = next;
  s.reset_scheduled = false;
  telemetry::log_info("budget_reset", {{"entity", entity_name(s.kind)}, {"id_prefix", s.id.substr(0, 8)}});
}

void handle_admit(BudgetActor* self, Impl* impl, const TicketPtr& t) {
  auto& s = self->state;
  auto& stop = t->request.stops[t->next];
  const auto& limits = stop.limits;
  const auto now = Clock::now();
  s.last_used = now;
  s.label = stop.label;
  s.max_budget = limits.max_budget;
  apply_reset_schedule(self, impl, limits);
  reset_if_due(self, impl, limits.budget_duration);
  const auto& model = t->request.model;

  if (limits.max_parallel_requests && s.in_flight >= *limits.max_parallel_requests) {
    auto e = core::too_many_requests("Max parallel request limit reached for " + std::string(entity_name(stop.kind)) +
                                         ": " + stop.label + ". Limit: " +
                                         std::to_string(*limits.max_parallel_requests),
                                     1);
    deny(impl, t, std::move(e), "max_parallel_requests");
    return;
  }
  if (limits.rpm_limit && s.requests.total(now) >= *limits.rpm_limit) {
    deny(impl, t, rate_error(stop, "requests", *limits.rpm_limit, core::retry_after_seconds(now, s.requests.next_expiry(now))),
         "rpm");
    return;
  }
  const auto model_rpm = limits.model_rpm_limit.find(model);
  if (model_rpm != limits.model_rpm_limit.end() && s.model_requests[model].total(now) >= model_rpm->second) {
    deny(impl, t,
         rate_error(stop, "requests", model_rpm->second,
                    core::retry_after_seconds(now, s.model_requests[model].next_expiry(now))),
         "model_rpm");
    return;
  }
  const auto estimate = t->request.tokens_estimate;
  if (limits.tpm_limit && s.tokens.total(now) + s.reserved_tokens + estimate > *limits.tpm_limit) {
    deny(impl, t, rate_error(stop, "tokens", *limits.tpm_limit, core::retry_after_seconds(now, s.tokens.next_expiry(now))),
         "tpm");
    return;
  }
  const auto model_tpm = limits.model_tpm_limit.find(model);
  if (model_tpm != limits.model_tpm_limit.end() &&
      s.model_tokens[model].total(now) + estimate > model_tpm->second) {
    deny(impl, t,
         rate_error(stop, "tokens", model_tpm->second,
                    core::retry_after_seconds(now, s.model_tokens[model].next_expiry(now))),
         "model_tpm");
    return;
  }
  const double cost = t->request.worst_case_cost;
  if (limits.max_budget && !core::fits_budget(*limits.max_budget, s.spend, s.reserved_cost, cost)) {
    core::ApiError e{429,
                     "Budget has been exceeded! " + std::string(entity_name(stop.kind)) + "=" + stop.label +
                         " Current cost: " + format_usd(s.spend) + ", Reserved by requests in flight: " +
                         format_usd(s.reserved_cost) + ", Estimated request cost: " + format_usd(cost) +
                         ", Max budget: " + format_usd(*limits.max_budget),
                     "budget_exceeded",
                     {},
                     {},
                     {}};
    deny(impl, t, std::move(e), "budget");
    return;
  }

  Reservation r;
  r.cost = cost;
  r.tokens = estimate;
  r.model = model;
  r.expires = now + impl->options.reservation_ttl;
  r.request_handle = s.requests.add(now);
  if (model_rpm != limits.model_rpm_limit.end()) {
    r.model_request_handle = s.model_requests[model].add(now);
    r.has_model_handle = true;
  }
  const auto id = s.next_reservation++;
  s.reservations.emplace(id, r);
  s.reserved_cost += cost;
  s.reserved_tokens += estimate;
  ++s.in_flight;
  impl->reservations.Increment();
  stop.reservation = id;

  if (stop.kind == EntityKind::key) {
    if (limits.rpm_limit) {
      t->headers.limit_requests = *limits.rpm_limit;
      t->headers.remaining_requests = std::max<std::int64_t>(0, *limits.rpm_limit - s.requests.total(now));
    }
    if (limits.tpm_limit) {
      t->headers.limit_tokens = *limits.tpm_limit;
      t->headers.remaining_tokens =
          std::max<std::int64_t>(0, *limits.tpm_limit - s.tokens.total(now) - s.reserved_tokens);
    }
  }
  ++t->next;
  if (t->next < t->request.stops.size()) {
    const auto& next = t->request.stops[t->next];
    impl->send(next.kind, next.id, admit_atom::value, t);
    return;
  }
  AdmissionResult result;
  result.admitted = true;
  result.grant.stops = t->request.stops;
  result.grant.headers = t->headers;
  finish(t, std::move(result));
}

// Drops a reservation; `settled` adds what the call really cost and used.
void end_reservation(BudgetActor* self, Impl* impl, std::uint64_t id, bool settled, double cost, std::int64_t tokens) {
  auto& s = self->state;
  const auto it = s.reservations.find(id);
  if (it == s.reservations.end()) {
    if (settled) s.spend += cost;  // expired earlier: the spend still happened
    return;
  }
  const auto& r = it->second;
  s.reserved_cost -= r.cost;
  if (s.reserved_cost < 0) s.reserved_cost = 0;
  s.reserved_tokens -= r.tokens;
  --s.in_flight;
  impl->reservations.Decrement();
  const auto now = Clock::now();
  if (settled) {
    s.spend += cost;
    s.tokens.add(now, tokens);
    s.model_tokens[r.model].add(now, tokens);
    impl->publish_remaining(s.kind, s.label, s.max_budget, s.spend);
  } else {
    // A request that never reached the provider does not count against rpm either.
    s.requests.cancel(r.request_handle);
    if (r.has_model_handle) s.model_requests[r.model].cancel(r.model_request_handle);
  }
  s.reservations.erase(it);
}

void load_spend(BudgetActor* self, Impl* impl) {
  auto& s = self->state;
  caf::actor me = caf::actor_cast<caf::actor>(self);
  const auto kind = s.kind;
  const auto id = s.id;
  impl->store.submit(
      [me, kind, id, impl](persistence::Store& store) {
        // Pending first, then the store: an increment flushed in between is counted twice
        // (a conservative error), never missed.
        const double pending = impl->writer.pending(kind, id);
        const double stored = store.entity_spend(kind, id).value_or(0.0);
        caf::anon_send(me, loaded_atom::value, stored + pending, true);
      },
      [me, kind, id, impl](const std::string&) {
        caf::anon_send(me, loaded_atom::value, impl->writer.pending(kind, id), false);
      });
}

caf::behavior budget_actor(BudgetActor* self, EntityKind kind, std::string id, Impl* impl) {
  self->state.kind = kind;
  self->state.id = std::move(id);
  load_spend(self, impl);
  self->delayed_send(self, kSweepEvery, sweep_atom::value);
  return {
      [=](admit_atom, TicketPtr t) {
        auto& s = self->state;
        if (s.retiring) {  // unregistered already: the entity's new actor takes it
          impl->send(s.kind, s.id, admit_atom::value, std::move(t));
          return;
        }
        if (!s.loaded) {
          s.waiting.push_back(std::move(t));
          return;
        }
        handle_admit(self, impl, t);
      },
      [=](loaded_atom, double spend, bool from_store) {
        auto& s = self->state;
        s.spend = spend;
        if (!from_store && !s.waiting.empty()) {
          // The store is unreachable: fall back to the spend in the cached record.
          const auto& first = s.waiting.front();
          s.spend += first->request.stops[first->next].limits.record_spend;
          telemetry::log_warn("budget_spend_from_cache", {{"entity", entity_name(s.kind)}});
        }
        s.loaded = true;
        auto waiting = std::move(s.waiting);
        for (auto& t : waiting) handle_admit(self, impl, t);
      },
      [=](settle_atom, std::uint64_t reservation, double cost, std::int64_t tokens) {
        end_reservation(self, impl, reservation, true, cost, tokens);
      },
      [=](release_atom, std::uint64_t reservation) { end_reservation(self, impl, reservation, false, 0, 0); },
      [=](reset_atom) {
        self->state.reset_scheduled = false;
        reset_if_due(self, impl, std::nullopt);
        schedule_reset(self, impl);
      },
      [=](sweep_atom) {
        auto& s = self->state;
        const auto now = Clock::now();
        for (auto it = s.reservations.begin(); it != s.reservations.end();) {
          if (it->second.expires > now) {
            ++it;
            continue;
          }
          const auto expired = it->first;
          ++it;
          telemetry::log_warn("reservation_expired", {{"entity", entity_name(s.kind)}});
          end_reservation(self, impl, expired, false, 0, 0);
        }
        const bool idle = s.loaded && s.reservations.empty() && s.waiting.empty() && !s.reset_at &&
                          now - s.last_used > impl->options.idle_timeout;
        if (idle && impl->retire(s.kind, s.id, caf::actor_cast<caf::actor>(self))) {
          s.retiring = true;
          self->send(self, retire_atom::value);  // after every message sent before unregistering
          return;
        }
        self->delayed_send(self, kSweepEvery, sweep_atom::value);
      },
      [=](retire_atom) { self->quit(); },
      [=](spend_atom) { return self->state.spend; },
  };
}

}  // namespace

template <class... Ts>
void Admission::Impl::send(EntityKind kind, const std::string& id, Ts&&... xs) {
  const auto key = entity_key(kind, id);
  auto& s = shard(key);
  std::lock_guard lock(s.mutex);
  auto& actor = s.actors[key];
  if (!actor) actor = system.spawn(budget_actor, kind, id, this);
  caf::anon_send(actor, std::forward<Ts>(xs)...);
}

bool Admission::Impl::retire(EntityKind kind, const std::string& id, const caf::actor& self) {
  const auto key = entity_key(kind, id);
  auto& s = shard(key);
  std::lock_guard lock(s.mutex);
  const auto it = s.actors.find(key);
  if (it == s.actors.end() || it->second != self) return false;
  s.actors.erase(it);
  return true;
}

Admission::Admission(persistence::StorePool& store, SpendWriter& writer, prometheus::Registry& metrics, Options options)
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
  const auto& first = ticket->request.stops.front();
  impl_->send(first.kind, first.id, admit_atom::value, ticket);
}

void Admission::settle(const AdmissionGrant& grant, double cost, std::int64_t tokens) {
  for (const auto& stop : grant.stops) {
    impl_->send(stop.kind, stop.id, settle_atom::value, stop.reservation, cost, tokens);
  }
}

void Admission::release(const AdmissionGrant& grant) {
  for (const auto& stop : grant.stops) {
    impl_->send(stop.kind, stop.id, release_atom::value, stop.reservation);
  }
}

std::optional<double> Admission::spend(EntityKind kind, const std::string& id, std::chrono::milliseconds wait) {
  const auto actor = impl_->find(kind, id);
  if (!actor) return std::nullopt;
  caf::scoped_actor self{impl_->system};
  std::optional<double> out;
  self->request(actor, wait, spend_atom::value).receive([&](double spend) { out = spend; }, [&](caf::error&) {});
  return out;
}

std::size_t Admission::run_actors(bool fire_timers) {
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(impl_->system.scheduler());
  if (fire_timers) sched.trigger_timeouts();
  return sched.run();
}

void Admission::stop() {
  if (!impl_) return;
  for (auto& shard : impl_->shards) {
    std::lock_guard lock(shard.mutex);
    for (auto& [key, actor] : shard.actors) caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    shard.actors.clear();
  }
  if (impl_->options.deterministic) {
    run_actors();  // nothing else runs them: let the exits happen before the system goes away
  }
}

}  // namespace tollgate::actors
