// This node's side of the cluster's admission: a lease per entity (core::LeaseHolder), the
// admissions waiting for it to grow, its syncs with the owners (docs/cluster.md, "Owners and
// leases").
#include <algorithm>

#include "actors/lease_admission_impl.h"
#include "core/budget_refusal.h"
#include "core/duration.h"
#include "spend/spend_writer.h"
#include "telemetry/log.h"

namespace tollgate::actors::lease_detail {
namespace {

core::LeaseLimits entity_limits(const EntityLimits& l) {
  core::LeaseLimits out;
  out.max_budget = l.max_budget;
  out.rpm_limit = l.rpm_limit;
  out.tpm_limit = l.tpm_limit;
  out.max_parallel_requests = l.max_parallel_requests;
  out.reset_period_ms = core::reset_period_ms(l.budget_duration);
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

bool limits_anything(const core::LeaseLimits& l) {
  return l.max_budget || l.rpm_limit || l.tpm_limit || l.max_parallel_requests;
}

}  // namespace

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

}  // namespace tollgate::actors::lease_detail

namespace tollgate::actors {

using namespace lease_detail;
using Impl = LeaseAdmission::Impl;
using persistence::EntityKind;

HeldPtr Impl::held(const std::string& entity) {
  std::lock_guard lock(held_mutex);
  auto& h = helds[entity];
  if (h && h->deleted) {
    // Its entity was deleted, and this admission names it again: created again with the same
    // id (or a request that authenticated just before the deletion: its sync meets the owner's
    // memory of it, lease_deleted.cc). The deleted holder keeps its requests in flight aside.
    deleted_helds[entity] = std::move(h);
    h = nullptr;
  }
  // Each holder's reservation ids start 2^32 past the previous one's: a late settle meant for a
  // retired holder can never match a reservation of its successor.
  if (!h) {
    h = std::make_shared<Held>(entity, options.reservation_ttl, (holders_made++ << 32) + 1);
    if (const auto parsed = parse_lease_entity(entity); parsed && parsed->per_model) model_helds.insert(entity);
  }
  return h;
}

HeldPtr Impl::find_held(const std::string& entity) {
  std::lock_guard lock(held_mutex);
  const auto it = helds.find(entity);
  return it == helds.end() ? nullptr : it->second;
}

HeldPtr Impl::holder_of(const std::string& entity, std::uint64_t reservation) {
  std::lock_guard lock(held_mutex);
  for (const auto* by_name : {&helds, &deleted_helds}) {
    const auto it = by_name->find(entity);
    if (it != by_name->end() && it->second->generation == reservation >> 32) return it->second;
  }
  return nullptr;
}

core::LeaseHolder::Admit Impl::admit_here(Held& h, Ticket& t, Clock::time_point now) {
  const auto& check = t.checks[t.next];
  const auto admit = h.holder.admit(check.limits, ledger_request(t.request), now);
  if (!admit.admitted()) return admit;
  auto& stop = t.request.stops[check.stop];
  (check.per_model ? stop.model_reservation : stop.reservation) = admit.reservation;
  if (stop.kind == EntityKind::key && !check.per_model) t.headers = h.holder.rate_headers(check.limits);
  events.reservations(1);
  ++t.next;
  return admit;
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
    bool deleted = false;
    {
      std::lock_guard lock(h->mutex);
      deleted = h->deleted;
      if (!deleted) {
        h->limits = check.limits;
        h->last_used = now;
        if (h->waiting.empty()) {
          const auto admit = admit_here(*h, *t, now);
          if (admit.admitted()) continue;
          h->waiting_since = now;
          if (!h->holder.sync_in_flight()) {
            sync = sync_of(*h, check.limits, admit.need, now);
          }
        }
        // Behind others, or waiting for the lease to grow: in arrival order.
        h->waiting.push_back(std::move(t));
      }
    }
    // Deleted between held() and here: authenticated before the deletion, admitted after.
    if (deleted) fail(std::move(t), core::unauthorized());
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
    if (h->deleted) return;  // nothing waits, and nothing goes to the owner any more
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
      const auto admit = admit_here(*h, *t, now);
      if (admit.admitted()) {
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
  const auto h = holder_of(entity, reservation);
  if (!h) return;  // retired: it held no reservation any more (they had expired)
  std::optional<core::LeaseRequest> sync;
  bool last_of_deleted = false;
  const auto now = Clock::now();
  {
    std::lock_guard lock(h->mutex);
    const bool held = settled ? h->holder.settle(reservation, cost, tokens, now) : h->holder.release(reservation);
    if (held) events.reservations(-1);
    if (h->deleted) {
      // The cost is the caller's to record (the spend writer), as for any call; the owner is
      // told nothing: its desk is dropped too.
      last_of_deleted = !h->holder.has_reservations();
    } else if (!h->holder.sync_in_flight() && h->waiting.empty() && h->holder.renewal_due(now)) {
      // Near a limit, room this node no longer uses goes back at once (others may be waiting).
      sync = sync_of(*h, h->limits, {}, now);
    }
  }
  if (last_of_deleted) drop_held(h);
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
    if (!h->deleted && !h->holder.sync_in_flight()) {
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

}  // namespace tollgate::actors
