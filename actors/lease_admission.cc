#include "actors/lease_admission.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "actors/lease_entity.h"
#include "core/budget_refusal.h"
#include "core/duration.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "spend/spend_writer.h"
#include "telemetry/log.h"

// Locks: a held entity's mutex and a desk's mutex are never held together, nor two of either:
// a sync leaves the holder's lock before it reaches a desk (this node's or another's), and a
// grant comes back to the holder after the desk's lock is left. The registries' mutexes are
// leaves.

namespace tollgate::actors {
namespace {

using Clock = core::Clock;
using persistence::EntityKind;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view entity_word(EntityKind kind) {
  switch (kind) {
    case EntityKind::key: return "Key";
    case EntityKind::team: return "Team";
    case EntityKind::user: return "User";
    case EntityKind::organization: return "Organization";
  }
  return "Key";
}

// The record's budget_duration in milliseconds (one that does not parse resets once).
std::optional<std::int64_t> period_ms(const std::optional<std::string>& duration) {
  if (!duration) return std::nullopt;
  const auto period = core::parse_duration(*duration);
  return period ? std::chrono::duration_cast<std::chrono::milliseconds>(*period).count() : 0;
}

core::LeaseLimits entity_limits(const EntityLimits& l) {
  core::LeaseLimits out;
  out.max_budget = l.max_budget;
  out.rpm_limit = l.rpm_limit;
  out.tpm_limit = l.tpm_limit;
  out.max_parallel_requests = l.max_parallel_requests;
  out.reset_period_ms = period_ms(l.budget_duration);
  out.budget_reset_at = l.budget_reset_at;
  return out;
}

// A key's per-model limits for `model`, when it has any.
std::optional<core::LeaseLimits> model_limits(const EntityLimits& l, const std::string& model) {
  core::LeaseLimits out;
  if (const auto it = l.model_rpm_limit.find(model); it != l.model_rpm_limit.end()) out.rpm_limit = it->second;
  if (const auto it = l.model_tpm_limit.find(model); it != l.model_tpm_limit.end()) out.tpm_limit = it->second;
  if (!out.rpm_limit && !out.tpm_limit) return std::nullopt;
  out.per_model = true;
  return out;
}

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

bool limits_anything(const core::LeaseLimits& l) {
  return l.max_budget || l.rpm_limit || l.tpm_limit || l.max_parallel_requests;
}

// The lease checks of a request: one per entity that limits anything (an unlimited team has
// nothing to lease), and one more for a key's per-model limits.
std::vector<LeaseStop> lease_checks(const AdmissionRequest& request) {
  std::vector<LeaseStop> out;
  for (std::size_t i = 0; i < request.stops.size(); ++i) {
    const auto& stop = request.stops[i];
    auto limits = entity_limits(stop.limits);
    if (limits_anything(limits)) out.push_back({lease_entity(stop.kind, stop.id), i, false, std::move(limits)});
    if (auto per_model = model_limits(stop.limits, request.model)) {
      out.push_back({model_lease_entity(stop.kind, stop.id, request.model), i, true, *per_model});
    }
  }
  return out;
}

core::LedgerRequest ledger_request(const AdmissionRequest& r) {
  return {r.model, r.worst_case_cost, r.tokens_estimate};
}

void finish(Ticket& t, AdmissionResult result) {
  auto done = std::move(t.done);
  if (done) done(std::move(result));
}

// This node's lease on one entity, and the admissions waiting for it to grow.
struct Held {
  Held(std::string entity, std::chrono::milliseconds reservation_ttl, std::uint64_t first_reservation)
      : entity(std::move(entity)), holder(reservation_ttl, first_reservation) {}
  const std::string entity;
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
};
using DeskPtr = std::shared_ptr<Desk>;

}  // namespace

struct LeaseAdmission::Impl {
  Impl(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& registry, LeaseNetwork& network,
       LeaseOptions options, LeaseEvents events)
      : store(store),
        writer(writer),
        network(network),
        options(std::move(options)),
        events(std::move(events)),
        syncs(prometheus::BuildCounter()
                  .Name("tollgate_cluster_lease_syncs_total")
                  .Help("Lease syncs this node sent to entity owners, by outcome")
                  .Register(registry)),
        granted(syncs.Add({{"outcome", "granted"}})),
        refused(syncs.Add({{"outcome", "refused"}})),
        not_owner(syncs.Add({{"outcome", "not_owner"}})),
        failed(syncs.Add({{"outcome", "failed"}})),
        handovers(prometheus::BuildCounter()
                      .Name("tollgate_cluster_handovers_total")
                      .Help("Entities this node started owning (spend loaded after asking every node)")
                      .Register(registry)
                      .Add({})),
        entities(prometheus::BuildGauge()
                     .Name("tollgate_cluster_lease_entities")
                     .Help("Entities with a lease on this node (role=holder) or owned by it (role=owner)")
                     .Register(registry)),
        holders_gauge(entities.Add({{"role", "holder"}})),
        owners_gauge(entities.Add({{"role", "owner"}})) {}

  // ---- node side
  HeldPtr held(const std::string& entity);
  HeldPtr find_held(const std::string& entity);
  void walk(TicketPtr t);
  // A sync of `h` (its lock held): the holder's request, with the owner endpoint it reports to.
  core::LeaseRequest sync_of(Held& h, const core::LeaseLimits& limits, const core::LeaseAmounts& need,
                             Clock::time_point now);
  void send_sync(const HeldPtr& h, core::LeaseRequest request, Clock::time_point sent_at);
  void on_grant(const HeldPtr& h, core::Result<core::LeaseGrant> answer, Clock::time_point sent_at,
                const std::string& owner_endpoint);
  // Ends a held reservation (settled with its cost, or released).
  void end(const std::string& entity, std::uint64_t reservation, bool settled, double cost, std::int64_t tokens);
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

using Impl = LeaseAdmission::Impl;

// ---------------------------------------------------------------- node side

HeldPtr Impl::held(const std::string& entity) {
  std::lock_guard lock(held_mutex);
  auto& h = helds[entity];
  // Each holder's reservation ids start 2^32 past the previous one's: a late settle meant for a
  // retired holder can never match a reservation of its successor.
  if (!h) h = std::make_shared<Held>(entity, options.reservation_ttl, (holders_made++ << 32) + 1);
  return h;
}

HeldPtr Impl::find_held(const std::string& entity) {
  std::lock_guard lock(held_mutex);
  const auto it = helds.find(entity);
  return it == helds.end() ? nullptr : it->second;
}

void Impl::walk(TicketPtr t) {
  while (t->next < t->checks.size()) {
    if (t->request.abandoned && t->request.abandoned()) {
      undo(*t);
      finish(*t, core::client_closed_request());
      return;
    }
    const auto& check = t->checks[t->next];
    const auto h = held(check.entity);
    std::optional<core::LeaseRequest> sync;
    const auto now = Clock::now();
    {
      std::lock_guard lock(h->mutex);
      h->limits = check.limits;
      h->last_used = now;
      if (h->waiting.empty()) {
        const auto admit = h->holder.admit(check.limits, ledger_request(t->request), now);
        if (admit.admitted()) {
          auto& stop = t->request.stops[check.stop];
          (check.per_model ? stop.model_reservation : stop.reservation) = admit.reservation;
          if (stop.kind == EntityKind::key && !check.per_model) t->headers = h->holder.rate_headers(check.limits);
          events.reservations(1);
          ++t->next;
          continue;
        }
        h->waiting_since = now;
        if (!h->holder.sync_in_flight()) {
          sync = sync_of(*h, check.limits, admit.need, now);
        }
      }
      // Behind others, or waiting for the lease to grow: in arrival order.
      h->waiting.push_back(std::move(t));
    }
    if (sync) send_sync(h, std::move(*sync), now);
    return;
  }
  grant_ticket(std::move(t));
}

void Impl::grant_ticket(TicketPtr t) {
  AdmissionGrant grant;
  grant.stops = std::move(t->request.stops);
  grant.model = t->request.model;
  grant.headers = t->headers;
  grant.reserved_cost = t->request.worst_case_cost;
  finish(*t, std::move(grant));
}

void Impl::send_sync(const HeldPtr& h, core::LeaseRequest request, Clock::time_point sent_at) {
  // The owner records it with the lease (write-ahead for this node's death).
  if (const auto parsed = parse_lease_entity(request.entity); parsed && !parsed->per_model) {
    request.unflushed_usd = writer.pending(parsed->kind, parsed->id);
  }
  const auto owner = network.owner_of(request.entity);
  auto done = [this, h, sent_at, endpoint = owner.id == options.node ? options.endpoint : owner.endpoint](
                  core::Result<core::LeaseGrant> answer) { on_grant(h, std::move(answer), sent_at, endpoint); };
  if (owner.id == options.node) {
    serve_lease(std::move(request), [done](core::LeaseGrant g) { done(std::move(g)); });
    return;
  }
  network.request_lease(owner, std::move(request), std::move(done));
}

core::LeaseRequest Impl::sync_of(Held& h, const core::LeaseLimits& limits, const core::LeaseAmounts& need,
                                 Clock::time_point now) {
  auto request = h.holder.sync_request(h.entity, options.incarnation, limits, need, now);
  request.report_to_endpoint = h.owner_endpoint;
  return request;
}

void Impl::on_grant(const HeldPtr& h, core::Result<core::LeaseGrant> answer, Clock::time_point sent_at,
                    const std::string& owner_endpoint) {
  std::vector<TicketPtr> admitted;
  std::vector<std::pair<TicketPtr, core::Refusal>> denied;
  std::optional<core::LeaseRequest> sync;
  const auto now = Clock::now();
  {
    std::lock_guard lock(h->mutex);
    if (!answer) {
      // Owner unreachable or gone: the report stays for the next sync; the timer retries (the
      // ring may have moved meanwhile) until the front waiter's wait_limit.
      h->holder.sync_failed();
      failed.Increment();
      return;
    }
    const auto& grant = *answer;
    if (!h->holder.apply(grant, sent_at)) {
      // A stale answer, or one from an owner the entity moved away from: the timer syncs again.
      failed.Increment();
      return;
    }
    if (grant.not_owner) {
      not_owner.Increment();  // the timer asks the ring again
      return;
    }
    h->owner_endpoint = owner_endpoint;
    (grant.refusal ? refused : granted).Increment();
    bool refusal_used = false;
    while (!h->waiting.empty()) {
      auto& t = h->waiting.front();
      const auto& check = t->checks[t->next];
      const auto admit = h->holder.admit(check.limits, ledger_request(t->request), now);
      if (admit.admitted()) {
        auto& stop = t->request.stops[check.stop];
        (check.per_model ? stop.model_reservation : stop.reservation) = admit.reservation;
        if (stop.kind == EntityKind::key && !check.per_model) t->headers = h->holder.rate_headers(check.limits);
        events.reservations(1);
        ++t->next;
        h->contended_since.reset();
        admitted.push_back(std::move(t));
        h->waiting.pop_front();
        continue;
      }
      // The owner refused what the front asked: that is this one's answer, unless other nodes'
      // holdings were in the way. Near a limit they give back what they do not use at once, so
      // the front asks again on the next tick, for a while, as one node would have admitted it.
      if (grant.refusal && !refusal_used && grant.contended &&
          now - h->contended_since.value_or(now) < options.contention_wait) {
        if (!h->contended_since) h->contended_since = now;
        break;
      }
      if (grant.refusal && !refusal_used) {
        refusal_used = true;
        denied.emplace_back(std::move(t), *grant.refusal);
        h->waiting.pop_front();
        continue;
      }
      h->waiting_since = now;
      sync = sync_of(*h, check.limits, admit.need, now);
      break;
    }
    if (h->waiting.empty()) h->contended_since.reset();
  }
  for (auto& [t, refusal] : denied) deny(std::move(t), refusal);
  if (sync) send_sync(h, std::move(*sync), now);
  for (auto& t : admitted) walk(std::move(t));
}

void Impl::end(const std::string& entity, std::uint64_t reservation, bool settled, double cost, std::int64_t tokens) {
  if (reservation == 0) return;  // the entity limits nothing: no lease was checked
  const auto h = find_held(entity);
  if (!h) return;  // retired: it held no reservation any more (they had expired)
  std::optional<core::LeaseRequest> sync;
  const auto now = Clock::now();
  {
    std::lock_guard lock(h->mutex);
    const bool held = settled ? h->holder.settle(reservation, cost, tokens, now) : h->holder.release(reservation);
    if (held) events.reservations(-1);
    // Near a limit, room this node no longer uses goes back at once (others may be waiting).
    if (!h->holder.sync_in_flight() && h->waiting.empty() && h->holder.renewal_due(now)) {
      sync = sync_of(*h, h->limits, {}, now);
    }
  }
  if (sync) send_sync(h, std::move(*sync), now);
}

void Impl::undo(Ticket& t) {
  for (std::size_t i = 0; i < t.next; ++i) {
    const auto& check = t.checks[i];
    const auto& stop = t.request.stops[check.stop];
    end(check.entity, check.per_model ? stop.model_reservation : stop.reservation, false, 0, 0);
  }
}

void Impl::deny(TicketPtr t, const core::Refusal& refusal) {
  const auto& stop = t->request.stops[t->checks[t->next].stop];
  auto error = core::refusal_error(refusal, {entity_word(stop.kind), stop.label, stop.kind == EntityKind::key});
  undo(*t);
  events.denied(core::refusal_reason(refusal.limit));
  finish(*t, std::move(error));
}

void Impl::fail(TicketPtr t, core::ApiError error) {
  undo(*t);
  finish(*t, std::move(error));
}

// ---------------------------------------------------------------- owner side

void Impl::serve_lease(core::LeaseRequest request, std::function<void(core::LeaseGrant)> reply) {
  const auto parsed = parse_lease_entity(request.entity);
  if (!parsed || network.owner_of(request.entity).id != options.node) {
    core::LeaseGrant moved;
    moved.not_owner = true;
    reply(std::move(moved));
    return;
  }
  bool created = false;
  auto d = desk(request.entity, *parsed, created);
  if (bound_elsewhere(*d, request)) d = replace_desk(d, created);
  Granted granted;
  {
    std::lock_guard lock(d->mutex);
    if (!d->loaded) {
      d->waiting.emplace_back(std::move(request), std::move(reply));
      if (!created) return;
    } else {
      granted = grant_locked(*d, request);
    }
  }
  if (created) {
    load(d);
    return;
  }
  answer(*d, request.node, std::move(granted), std::move(reply));
}

// Write-ahead: a node's new exposure is kept before the grant that allows it reaches the node.
void Impl::answer(const Desk& d, const std::string& node, Granted granted,
                  std::function<void(core::LeaseGrant)> reply) {
  if (!granted.exposure) {
    reply(std::move(granted.grant));
    return;
  }
  network.record_exposure(
      d.entity, node, *granted.exposure,
      [reply = std::move(reply), grant = std::move(granted.grant)]() mutable { reply(std::move(grant)); });
}

// The asking node last heard from another owner since this desk loaded (its report is owed
// there): that owner may have granted what this desk does not count — the ring moved away and
// back faster than this node noticed, or the node was out of reach of this desk's handover.
bool Impl::bound_elsewhere(Desk& d, const core::LeaseRequest& request) {
  if (request.report_to.empty() || request.report_to == options.incarnation) return false;
  std::lock_guard lock(d.mutex);
  return d.loaded;
}

// A new desk in place of `stale` (unless another request replaced it already): its load asks
// every node again, fencing the entity to this owner.
DeskPtr Impl::replace_desk(const DeskPtr& stale, bool& created) {
  std::lock_guard lock(desk_mutex);
  auto& d = desks[stale->entity];
  created = d == stale || !d;
  if (created) {
    d = std::make_shared<Desk>(stale->entity, stale->parsed, options.incarnation, options.lease_ttl, options.linger);
    telemetry::log_info("lease_desk_reloaded", {{"entity", stale->entity.substr(0, 12)}});
  }
  return d;
}

DeskPtr Impl::desk(const std::string& entity, const ParsedLeaseEntity& parsed, bool& created) {
  std::lock_guard lock(desk_mutex);
  auto& d = desks[entity];
  created = !d;
  if (created) d = std::make_shared<Desk>(entity, parsed, options.incarnation, options.lease_ttl, options.linger);
  return d;
}

Impl::Granted Impl::grant_locked(Desk& d, const core::LeaseRequest& request) {
  const auto now = Clock::now();
  d.last_used = now;
  if (!d.parsed.per_model) {
    d.desk.follow_reset_schedule(request.limits.reset_period_ms, request.limits.budget_reset_at, now_ms());
    if (d.desk.reset_if_due(now_ms())) {
      writer.reset(d.parsed.kind, d.parsed.id, d.desk.next_reset_ms());
      telemetry::log_info("budget_reset",
                          {{"entity", entity_word(d.parsed.kind)}, {"id_prefix", d.parsed.id.substr(0, 8)}});
    }
  }
  Granted out{d.desk.grant(request, now), std::nullopt};
  // Owed elsewhere: this desk loaded after the request arrived (bound_elsewhere), so it counts
  // what the other owner granted to every node it reached, and the request's keep and report
  // cover the asker: the asker may take this owner as its own, whatever handover fenced it.
  out.grant.rebase = !request.report_to.empty() && request.report_to != options.incarnation;
  if (out.grant.not_owner) return out;
  if (!d.parsed.per_model && request.limits.max_budget) {
    events.remaining(d.parsed.kind, d.parsed.id.substr(0, 8), request.limits.max_budget, d.desk.spend());
  }
  // What the node may use or have spent that the store may not show: its new holding, and what
  // it had not flushed when it asked.
  const core::Exposure exposure{out.grant.held, request.unflushed_usd};
  auto& recorded = d.recorded[request.node];
  if (exposure != recorded) {
    recorded = exposure;
    out.exposure = exposure;
  }
  return out;
}

// Taking an entity over: ask every node (this one too) for what the store does not show yet,
// fencing the entity there; then read the store (core/lease_handover.h).
void Impl::load(const DeskPtr& d) {
  handovers.Increment();
  struct Gather {
    std::mutex mutex;
    std::size_t missing = 0;
    double unflushed = 0;
    std::vector<std::pair<std::string, core::HandoverAnswer>> held;
  };
  auto peers = network.peers();
  for (auto& extra : nodes_outside_the_view(*d, peers)) peers.push_back(std::move(extra));
  auto gather = std::make_shared<Gather>();
  gather->missing = peers.size() + 1;
  auto answered = [this, d, gather](const std::string& node, core::Result<core::HandoverAnswer> answer) {
    std::unique_lock lock(gather->mutex);
    if (answer) {
      gather->unflushed += answer->unflushed_usd;
      gather->held.emplace_back(answer->node, *answer);
    } else {
      // A node that does not answer (dying, partitioned): what it holds from a previous owner
      // expires by itself; its unflushed spend is its journal's (docs/cluster.md, failures).
      telemetry::log_warn("lease_handover_unanswered", {{"node", node}, {"error", answer.error().message}});
    }
    if (--gather->missing > 0) return;
    lock.unlock();
    count_the_silent(d, gather->unflushed, std::move(gather->held));
  };
  const core::HandoverQuery query{d->entity, options.incarnation, options.endpoint};
  serve_handover(query, [answered, node = options.node](core::HandoverAnswer a) { answered(node, std::move(a)); });
  for (const auto& peer : peers) {
    network.request_handover(peer, query, [answered, node = peer.id](core::Result<core::HandoverAnswer> a) {
      answered(node, std::move(a));
    });
  }
}

// Nodes this node's view of the ring misses but that may hold leases on the entity: the last
// node that took it over from here, and the owners the waiting requests report to. Views of
// the ring disagree while members come and go; asking them fences them to this owner as well.
std::vector<LeaseNetwork::Node> Impl::nodes_outside_the_view(Desk& d, const std::vector<LeaseNetwork::Node>& peers) {
  std::vector<LeaseNetwork::Node> out;
  auto add = [&](const std::string& id, const std::string& endpoint) {
    if (endpoint.empty() || endpoint == options.endpoint || id == options.incarnation) return;
    const auto known = [&](const LeaseNetwork::Node& n) { return n.endpoint == endpoint; };
    if (std::any_of(peers.begin(), peers.end(), known) || std::any_of(out.begin(), out.end(), known)) return;
    out.push_back({id, endpoint});
  };
  {
    std::lock_guard lock(desk_mutex);
    if (const auto it = claimants.find(d.entity); it != claimants.end())
      add(it->second.node.id, it->second.node.endpoint);
  }
  std::lock_guard lock(d.mutex);
  for (const auto& [request, reply] : d.waiting) add(request.report_to, request.report_to_endpoint);
  return out;
}

// Nodes that did not answer the handover (dead, or out of this node's view while still
// serving; the node id is the incarnation up to its last '/') may use or have spent what their last exposure record
// says: their unflushed spend counts as spent, their holding is adopted like an answer's (it turns into spend if they
// never sync again). Conservative.
void Impl::count_the_silent(const DeskPtr& d, double unflushed,
                            std::vector<std::pair<std::string, core::HandoverAnswer>> held) {
  auto shared_held = std::make_shared<decltype(held)>(std::move(held));
  network.read_exposure(d->entity, [this, d, unflushed, shared_held](LeaseNetwork::ExposureRecords records) {
    double silent_unflushed = 0;
    for (const auto& [node, exposure] : records) {
      // Answered by this incarnation, or by a later one of the same node: a restarted node
      // replayed its journal into the store before it served, and its old leases died with
      // the old process.
      const auto id = node.substr(0, node.rfind('/'));
      const bool answered = std::any_of(shared_held->begin(), shared_held->end(), [&](const auto& h) {
        return h.first == node || h.first.substr(0, h.first.rfind('/')) == id;
      });
      if (answered) continue;
      silent_unflushed += exposure.unflushed_usd;
      core::HandoverAnswer silent;
      silent.node = node;
      silent.held = exposure.held;
      shared_held->emplace_back(node, silent);
      telemetry::log_warn("lease_exposure_counted", {{"node", node}, {"entity", d->entity.substr(0, 12)}});
    }
    read_store(d, unflushed + silent_unflushed, std::move(*shared_held));
  });
}

void Impl::read_store(const DeskPtr& d, double unflushed,
                      std::vector<std::pair<std::string, core::HandoverAnswer>> held) {
  if (d->parsed.per_model) {  // windows only: nothing in the store
    loaded(d, 0, held);
    return;
  }
  auto shared_held = std::make_shared<decltype(held)>(std::move(held));
  const auto kind = d->parsed.kind;
  const auto id = d->parsed.id;
  store.submit(
      [this, d, unflushed, shared_held, kind, id](persistence::Store& s) {
        const double spend = s.entity_spend(kind, id).value_or(0.0);
        loaded(d, spend + unflushed, *shared_held);
      },
      [this, d, unflushed, shared_held](persistence::JobFailure, const std::string&) {
        // The store is unreachable: what the nodes reported is all this owner knows. Logged:
        // the budget is enforced on the spend since the store went away only.
        telemetry::log_warn("budget_spend_store_unreachable", {{"entity", entity_word(d->parsed.kind)}});
        loaded(d, unflushed, *shared_held);
      });
}

void Impl::loaded(const DeskPtr& d, double spend,
                  const std::vector<std::pair<std::string, core::HandoverAnswer>>& held) {
  struct Answer {
    std::string node;
    Granted granted;
    std::function<void(core::LeaseGrant)> reply;
  };
  std::vector<Answer> answers;
  {
    std::lock_guard lock(d->mutex);
    d->desk.load(spend);
    const auto now = Clock::now();
    for (const auto& [node, answer] : held) {
      d->desk.adopt(node, answer.held, now);
      d->desk.adopt_window(answer.recent_requests, answer.recent_tokens, now);
    }
    d->loaded = true;
    for (auto& [request, reply] : d->waiting)
      answers.push_back({request.node, grant_locked(*d, request), std::move(reply)});
    d->waiting.clear();
  }
  for (auto& a : answers) answer(*d, a.node, std::move(a.granted), std::move(a.reply));
}

void Impl::serve_handover(const core::HandoverQuery& query, const std::function<void(core::HandoverAnswer)>& reply) {
  if (query.new_owner != options.incarnation) {
    // Another node is taking the entity over (the ring moved, as that node sees it): a desk
    // kept here would grant from a count that misses what the other owner grants. If the ring
    // gives the entity back to this node, a new desk starts with a handover of its own, which
    // asks that node too.
    std::lock_guard lock(desk_mutex);
    desks.erase(query.entity);
    claimants[query.entity] = {{query.new_owner, query.new_owner_endpoint}, Clock::now()};
  }
  core::HandoverAnswer answer;
  const auto parsed = parse_lease_entity(query.entity);
  if (const auto h = find_held(query.entity)) {
    std::lock_guard lock(h->mutex);
    answer = h->holder.rebase(query.new_owner, Clock::now());
    h->owner_endpoint = query.new_owner == options.incarnation ? options.endpoint : query.new_owner_endpoint;
  }
  answer.node = options.incarnation;
  // Read after the rebase: a settle between the two is in the pending sum (counted), and the
  // holder's report to the new owner starts after the rebase (so counted once more at most).
  if (parsed && !parsed->per_model) answer.unflushed_usd = writer.pending(parsed->kind, parsed->id);
  reply(std::move(answer));
}

// ---------------------------------------------------------------- timers

void Impl::tick() {
  const auto now = Clock::now();
  std::vector<HeldPtr> held_now;
  {
    std::lock_guard lock(held_mutex);
    for (auto it = helds.begin(); it != helds.end();) {
      auto& h = it->second;
      bool idle = false;
      {
        std::lock_guard held_lock(h->mutex);
        idle = h->waiting.empty() && !h->holder.sync_in_flight() && !h->holder.has_reservations() &&
               now - h->last_used > options.idle_timeout;
      }
      if (idle) {
        it = helds.erase(it);
        continue;
      }
      held_now.push_back(h);
      ++it;
    }
  }
  holders_gauge.Set(static_cast<double>(held_now.size()));
  for (const auto& h : held_now) tick_held(h, now);

  std::vector<DeskPtr> desks_now;
  {
    std::lock_guard lock(desk_mutex);
    for (auto it = claimants.begin(); it != claimants.end();) {
      it = now - it->second.at > std::chrono::minutes(1) ? claimants.erase(it) : std::next(it);
    }
    for (auto it = desks.begin(); it != desks.end();) {
      const auto& d = it->second;
      bool drop = network.owner_of(d->entity).id != options.node;  // ownership moved
      if (!drop) {
        std::lock_guard desk_lock(d->mutex);
        drop = d->loaded && d->waiting.empty() && d->desk.idle(now) && now - d->last_used > options.idle_timeout;
      }
      if (drop) {
        it = desks.erase(it);
        continue;
      }
      desks_now.push_back(d);
      ++it;
    }
  }
  owners_gauge.Set(static_cast<double>(desks_now.size()));
  for (const auto& d : desks_now) tick_desk(d, now);
}

void Impl::tick_held(const HeldPtr& h, Clock::time_point now) {
  std::optional<core::LeaseRequest> sync;
  std::vector<TicketPtr> timed_out;
  {
    std::lock_guard lock(h->mutex);
    for (std::size_t i = h->holder.expire(now).size(); i > 0; --i) {
      events.reservations(-1);
      telemetry::log_warn("reservation_expired", {{"entity", h->entity.substr(0, 12)}});
    }
    if (!h->waiting.empty() && now - h->waiting_since > options.wait_limit) {
      // No owner answered in time (partition, owner dying before the ring moves).
      for (auto& t : h->waiting) timed_out.push_back(std::move(t));
      h->waiting.clear();
    }
    if (!h->holder.sync_in_flight()) {
      if (!h->waiting.empty()) {  // a sync failed or met an old owner: ask (the ring) again
        const auto& t = h->waiting.front();
        const auto& check = t->checks[t->next];
        sync = sync_of(*h, check.limits, core::lease_needs(check.limits, ledger_request(t->request)), now);
      } else if (h->holder.renewal_due(now)) {
        sync = sync_of(*h, h->limits, {}, now);
      }
    }
  }
  for (auto& t : timed_out) {
    fail(std::move(t), core::service_unavailable("The owner of this budget did not answer in time. Retry shortly."));
  }
  if (sync) send_sync(h, std::move(*sync), now);
}

void Impl::tick_desk(const DeskPtr& d, Clock::time_point now) {
  std::lock_guard lock(d->mutex);
  if (!d->loaded) return;
  d->desk.expire(now);
  if (!d->parsed.per_model && d->desk.reset_if_due(now_ms())) {
    writer.reset(d->parsed.kind, d->parsed.id, d->desk.next_reset_ms());
  }
}

// ---------------------------------------------------------------- LeaseAdmission

LeaseAdmission::LeaseAdmission(persistence::StorePool& store, spend::SpendWriter& writer, prometheus::Registry& metrics,
                               LeaseNetwork& network, LeaseOptions options, LeaseEvents events)
    : impl_(std::make_unique<Impl>(store, writer, metrics, network, std::move(options), std::move(events))) {
  impl_->timer = std::thread([impl = impl_.get()] {
    std::unique_lock lock(impl->timer_mutex);
    while (!impl->stopping) {
      impl->timer_wake.wait_for(lock, impl->options.tick);
      if (impl->stopping) break;
      lock.unlock();
      impl->tick();
      lock.lock();
    }
  });
}

LeaseAdmission::~LeaseAdmission() { stop(); }

void LeaseAdmission::stop() {
  {
    std::lock_guard lock(impl_->timer_mutex);
    impl_->stopping = true;
  }
  impl_->timer_wake.notify_all();
  if (impl_->timer.joinable()) impl_->timer.join();
}

void LeaseAdmission::admit(AdmissionRequest request, std::function<void(AdmissionResult)> done) {
  auto t = std::make_unique<Ticket>();
  t->checks = lease_checks(request);
  t->request = std::move(request);
  t->done = std::move(done);
  impl_->walk(std::move(t));
}

void LeaseAdmission::settle(const AdmissionGrant& grant, double cost, std::int64_t tokens) {
  for (const auto& stop : grant.stops) {
    impl_->end(lease_entity(stop.kind, stop.id), stop.reservation, true, cost, tokens);
    if (stop.model_reservation) {
      impl_->end(model_lease_entity(stop.kind, stop.id, grant.model), stop.model_reservation, true, cost, tokens);
    }
  }
}

void LeaseAdmission::release(const AdmissionGrant& grant) {
  for (const auto& stop : grant.stops) {
    impl_->end(lease_entity(stop.kind, stop.id), stop.reservation, false, 0, 0);
    if (stop.model_reservation) {
      impl_->end(model_lease_entity(stop.kind, stop.id, grant.model), stop.model_reservation, false, 0, 0);
    }
  }
}

void LeaseAdmission::serve_lease(core::LeaseRequest request, std::function<void(core::LeaseGrant)> reply) {
  impl_->serve_lease(std::move(request), std::move(reply));
}

void LeaseAdmission::serve_handover(core::HandoverQuery query, std::function<void(core::HandoverAnswer)> reply) {
  impl_->serve_handover(query, reply);
}

}  // namespace tollgate::actors
