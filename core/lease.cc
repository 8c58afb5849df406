#include "core/lease.h"

#include "core/lease_handover.h"

#include <algorithm>

namespace tollgate::core {
namespace {

// Leases stop carrying anything beyond `need` once what is left is under this many requests
// per node holding a lease (docs/cluster.md, "Sizing").
constexpr std::int64_t kNearLimitRequestsPerNode = 2;

// `amounts` with the resources `limits` does not limit zeroed.
LeaseAmounts limited(const LeaseLimits& limits, LeaseAmounts amounts) {
  if (!limits.max_budget) amounts.usd = 0;
  if (!limits.rpm_limit) amounts.requests = 0;
  if (!limits.tpm_limit) amounts.tokens = 0;
  if (!limits.max_parallel_requests) amounts.parallel = 0;
  return amounts;
}

// Near the limit: what is left beyond keep + need (`available`) is under
// kNearLimitRequestsPerNode requests of `unit` (the size of one of the node's requests) for each
// of the `holders` nodes holding a lease.
template <typename T>
bool near_limit(T available, int holders, T unit) {
  return available <= 0 || available < static_cast<T>(kNearLimitRequestsPerNode * holders) * unit;
}

// What the holding beyond keep + need may add: `desired` (what the node asked for beyond them),
// at most a fair share of `available` among `holders` nodes, nothing near the limit.
template <typename T>
T extra_share(T desired, T available, int holders, T unit) {
  if (desired <= 0 || near_limit(available, holders, unit)) return 0;
  return std::min(desired, available / static_cast<T>(holders));
}

}  // namespace

LeaseAmounts lease_needs(const LeaseLimits& limits, const LedgerRequest& request) {
  LeaseAmounts need;
  if (limits.max_budget) need.usd = request.worst_case_cost;
  if (limits.rpm_limit) need.requests = 1;
  if (limits.tpm_limit) need.tokens = request.tokens_estimate;
  if (limits.max_parallel_requests) need.parallel = 1;
  return need;
}

// ---------------------------------------------------------------------------------------------
// LeaseHolder

LeaseHolder::LeaseHolder(std::chrono::milliseconds reservation_ttl, std::uint64_t first_reservation)
    : reservation_ttl_(reservation_ttl), next_reservation_(first_reservation), next_seq_(first_reservation) {}

bool LeaseHolder::fits(const Bound& bound, const LeaseLimits& limits, const LeaseAmounts& need) const {
  if (limits.max_budget && !fits_budget(bound.limit.usd, bound.used.usd, reserved_.usd, need.usd)) return false;
  if (limits.rpm_limit && bound.used.requests + need.requests > bound.limit.requests) return false;
  if (limits.tpm_limit && bound.used.tokens + reserved_.tokens + need.tokens > bound.limit.tokens) return false;
  if (limits.max_parallel_requests && reserved_.parallel + need.parallel > bound.limit.parallel) return false;
  return true;
}

LeaseAmounts LeaseHolder::free_room(const Bound& bound) const {
  LeaseAmounts room;
  room.usd = std::max(0.0, bound.limit.usd - bound.used.usd - reserved_.usd);
  room.requests = std::max<std::int64_t>(0, bound.limit.requests - bound.used.requests);
  room.tokens = std::max<std::int64_t>(0, bound.limit.tokens - bound.used.tokens - reserved_.tokens);
  room.parallel = std::max<std::int64_t>(0, bound.limit.parallel - reserved_.parallel);
  return room;
}

LeaseAmounts LeaseHolder::usable_room() const {
  auto room = free_room(holding_);
  for (const auto& bound : pending_) {
    const auto r = free_room(bound);
    room.usd = std::min(room.usd, r.usd);
    room.requests = std::min(room.requests, r.requests);
    room.tokens = std::min(room.tokens, r.tokens);
    room.parallel = std::min(room.parallel, r.parallel);
  }
  return room;
}

LeaseHolder::Admit LeaseHolder::admit(const LeaseLimits& limits, const LedgerRequest& request, Clock::time_point now) {
  Admit out;
  const auto need = lease_needs(limits, request);
  bool covered = now < expires_ && fits(holding_, limits, need);
  for (const auto& bound : pending_) covered = covered && fits(bound, limits, need);
  if (!covered) {
    out.need = need;
    return out;
  }
  Reservation r;
  r.usd = request.worst_case_cost;
  r.tokens = request.tokens_estimate;
  r.expires = now + reservation_ttl_;
  r.admitted_after = sends_;
  reserved_.usd += r.usd;
  reserved_.tokens += r.tokens;
  ++reserved_.parallel;
  for_each_bound([](Bound& b) { ++b.used.requests; });
  ++report_.requests;
  period_.usd += r.usd;
  ++period_.requests;
  period_.tokens += r.tokens;
  period_peak_ = std::max(period_peak_, static_cast<int>(reserved_.parallel));
  out.reservation = next_reservation_++;
  reservations_.emplace(out.reservation, r);
  return out;
}

void LeaseHolder::end(std::unordered_map<std::uint64_t, Reservation>::iterator it, bool withdraw_request) {
  const Reservation r = it->second;
  reservations_.erase(it);
  reserved_.usd = std::max(0.0, reserved_.usd - r.usd);  // no float residue below zero
  reserved_.tokens -= r.tokens;
  --reserved_.parallel;
  if (!withdraw_request) return;
  // The bounds sent before the admission count the request; a report counts it once sent.
  for_each_bound([&](Bound& b) {
    if (b.sent <= r.admitted_after) --b.used.requests;
  });
  if (r.admitted_after == sends_) --report_.requests;
}

bool LeaseHolder::settle(std::uint64_t reservation, double cost, std::int64_t tokens, Clock::time_point) {
  // Held or not, the call was made and paid for: it counts against every bound and is reported.
  report_.usd += cost;
  report_.tokens += tokens;
  for_each_bound([&](Bound& b) {
    b.used.usd += cost;
    b.used.tokens += tokens;
  });
  const auto it = reservations_.find(reservation);
  // What the call used beyond what its admission counted (a token estimate below the real use,
  // a cost above the worst case) is use of this period too: without it the next sync would ask
  // for a lease sized by the estimates, and a node whose calls always use more tokens than
  // estimated would run dry and sync on every request.
  const double counted_usd = it == reservations_.end() ? 0 : it->second.usd;
  const std::int64_t counted_tokens = it == reservations_.end() ? 0 : it->second.tokens;
  period_.usd += std::max(0.0, cost - counted_usd);
  period_.tokens += std::max<std::int64_t>(0, tokens - counted_tokens);
  if (it == reservations_.end()) return false;
  end(it, false);
  return true;
}

bool LeaseHolder::release(std::uint64_t reservation) {
  const auto it = reservations_.find(reservation);
  if (it == reservations_.end()) return false;
  end(it, true);
  return true;
}

std::vector<std::uint64_t> LeaseHolder::expire(Clock::time_point now) {
  const auto expired = expired_reservations(reservations_, now);
  for (const auto id : expired) release(id);
  return expired;
}

LeaseRequest LeaseHolder::sync_request(const std::string& entity, const std::string& node, const LeaseLimits& limits,
                                       const LeaseAmounts& need_in, Clock::time_point now) {
  LeaseRequest q;
  q.entity = entity;
  q.node = node;
  q.limits = limits;
  q.report_to = report_to_;
  q.report_seq = next_seq_++;
  q.spent_usd = report_.usd;
  q.used_requests = report_.requests;
  q.used_tokens = report_.tokens;

  const auto need = limited(limits, need_in);
  // The room the node may keep using while this sync is in flight: what every bound leaves.
  // Nothing once the lease has expired (the node admits nothing until the answer), nor when the
  // owner is tight (near a limit its room goes back: requests wait for the answer).
  LeaseAmounts room;
  if (now < expires_ && !tight_) {
    room = usable_room();
  } else if (now >= expires_) {
    // Admissions stop until a grant is applied, and that grant replaces every bound.
    pending_.clear();
  }
  // want: what the requests in flight hold, plus `need`, plus two periods' admissions like the
  // last one; keep: in flight, plus as much of the free room as the node wants beyond `need`
  // (the rest goes back to the owner). The flow comes on top of what is in flight, not instead
  // of it: a lease that ran dry while many requests were in flight would otherwise be granted
  // just in flight + need, admit the one request, and run dry again at once, one sync per
  // request for good (bench/optimizations.md, "Cluster").
  LeaseAmounts want;
  LeaseAmounts keep;
  want.usd = reserved_.usd + need.usd + 2 * period_.usd;
  keep.usd = reserved_.usd + std::min(room.usd, 2 * period_.usd);
  want.requests = need.requests + 2 * period_.requests;
  keep.requests = std::min(room.requests, 2 * period_.requests);
  want.tokens = reserved_.tokens + need.tokens + 2 * period_.tokens;
  keep.tokens = reserved_.tokens + std::min(room.tokens, 2 * period_.tokens);
  want.parallel = std::max<std::int64_t>(reserved_.parallel + need.parallel, 2 * period_peak_);
  keep.parallel = reserved_.parallel + std::min(room.parallel, want.parallel - reserved_.parallel - need.parallel);
  q.keep = limited(limits, keep);
  q.need = need;
  q.want = limited(limits, want);

  Bound bound;
  bound.limit = q.keep;
  bound.sent = ++sends_;
  pending_.push_back(bound);
  sent_report_ = report_;
  in_flight_seq_ = q.report_seq;
  sync_in_flight_ = true;
  if (period_.requests > 0) recent_requests_.add(now, period_.requests);
  if (period_.tokens > 0) recent_tokens_.add(now, period_.tokens);
  period_ = Usage{};
  period_peak_ = 0;
  return q;
}

bool LeaseHolder::apply(const LeaseGrant& grant, Clock::time_point sent_at) {
  if (!sync_in_flight_) return false;
  if (!fence_.empty() && !grant.not_owner && grant.owner != fence_ && !grant.rebase) {
    // A grant of an owner the entity has moved away from (rebase): that owner's count no longer
    // matters, so its holding must not be used. The sync failed; the next goes to the ring's owner.
    sync_failed();
    return false;
  }
  if (grant.not_owner) {
    // Nothing held until the ring's new owner grants: every bound goes (no admission is
    // possible before the next grant, which replaces them all). The report stays.
    holding_ = Bound{};
    holding_.sent = sends_;
    pending_.clear();
    expires_ = std::min(expires_, sent_at);
    sync_in_flight_ = false;
    return true;
  }
  if (grant.report_seq != in_flight_seq_) {
    // An answer to an older sync of this holder (sent again before that one was answered) is
    // ignored: the newer one is still coming. Any other answer ends the sync as failed.
    if (grant.report_seq == 0 || grant.report_seq > in_flight_seq_) sync_failed();
    return false;
  }
  report_.usd = std::max(0.0, report_.usd - sent_report_.usd);
  report_.requests -= sent_report_.requests;
  report_.tokens -= sent_report_.tokens;
  holding_.limit = grant.held;
  holding_.used = pending_.back().used;  // what the node used since it sent the request
  holding_.sent = pending_.back().sent;
  pending_.clear();
  expires_ = sent_at + std::chrono::milliseconds(grant.ttl_ms);
  lease_ttl_ = std::chrono::milliseconds(grant.ttl_ms);
  report_to_ = grant.owner;
  if (grant.rebase) fence_ = grant.owner;
  tight_ = grant.tight;
  sync_in_flight_ = false;
  return true;
}

void LeaseHolder::sync_failed() { sync_in_flight_ = false; }

HandoverAnswer LeaseHolder::rebase(const std::string& new_owner, Clock::time_point now) {
  HandoverAnswer a;
  // What admissions may still take under every live bound (the node goes on admitting under
  // its lease until it expires), plus what the requests in flight hold.
  LeaseAmounts room;
  if (now < expires_) {
    room = usable_room();
    a.held_ttl_ms = std::chrono::duration_cast<std::chrono::milliseconds>(expires_ - now).count();
  }
  a.held.usd = reserved_.usd + room.usd;
  a.held.requests = room.requests;
  a.held.tokens = reserved_.tokens + room.tokens;
  a.held.parallel = reserved_.parallel + room.parallel;
  a.recent_requests = recent_requests_.total(now) + period_.requests;
  a.recent_tokens = recent_tokens_.total(now) + period_.tokens;
  // Everything used so far is the new owner's load and windows to count: the report restarts.
  report_ = Usage{};
  sent_report_ = Usage{};
  report_to_ = new_owner;
  fence_ = new_owner;
  return a;
}

bool LeaseHolder::renewal_due(Clock::time_point now) const {
  if (sync_in_flight_ || lease_ttl_.count() <= 0) return false;
  const auto& held = holding_.limit;
  const bool holds_lease = held.usd > 0 || held.requests > 0 || held.tokens > 0 || held.parallel > 0;
  const bool unreported = report_.usd > 0 || report_.requests > 0 || report_.tokens > 0;
  if (!holds_lease && !unreported && !has_reservations()) return false;
  if (now >= expires_ - lease_ttl_ / 3) return true;
  if (!tight_) return false;
  const auto room = free_room(holding_);
  return room.usd > 0 || room.requests > 0 || room.tokens > 0 || room.parallel > 0;
}

RateHeaders LeaseHolder::rate_headers(const LeaseLimits& limits) const {
  RateHeaders h;
  const auto room = free_room(holding_);
  if (limits.rpm_limit) {
    h.limit_requests = *limits.rpm_limit;
    h.remaining_requests = room.requests;
  }
  if (limits.tpm_limit) {
    h.limit_tokens = *limits.tpm_limit;
    h.remaining_tokens = room.tokens;
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
// LeaseDesk

LeaseDesk::LeaseDesk(std::string incarnation, std::chrono::milliseconds lease_ttl, std::chrono::milliseconds linger)
    : incarnation_(std::move(incarnation)), lease_ttl_(lease_ttl), linger_(linger) {}

void LeaseDesk::apply_report(const LeaseRequest& q, Clock::time_point now) {
  // Applied in full even when owed to another incarnation: what the node settled under the old
  // owner's lease after this owner loaded the spend is in no load, and the adopted holding that
  // covered it is replaced now. The part settled before the load is counted twice (at most
  // what the node settled since its last applied report): conservative.
  spend_ += q.spent_usd;
  auto& node = nodes_[q.node];
  if (q.used_requests > 0) {
    requests_.add(now, q.used_requests);
    node.reported_requests.add(now, q.used_requests);
  }
  if (q.used_tokens > 0) {
    tokens_.add(now, q.used_tokens);
    node.reported_tokens.add(now, q.used_tokens);
  }
}

std::pair<std::int64_t, std::int64_t> LeaseDesk::reported_recently(const std::string& node, Clock::time_point now) {
  const auto it = nodes_.find(node);
  if (it == nodes_.end()) return {0, 0};
  return {it->second.reported_requests.total(now), it->second.reported_tokens.total(now)};
}

LeaseAmounts LeaseDesk::held_by_others(const std::string* node) const {
  LeaseAmounts sum;
  for (const auto& [id, n] : nodes_) {
    if (node && id == *node) continue;
    sum.usd += n.held.usd;
    sum.requests += n.held.requests;
    sum.tokens += n.held.tokens;
    sum.parallel += n.held.parallel;
  }
  return sum;
}

int LeaseDesk::live_holders(const std::string& asker, Clock::time_point now) const {
  int holders = 1;
  for (const auto& [id, n] : nodes_) holders += id != asker && n.holds() && n.expires > now;
  return holders;
}

bool LeaseDesk::others_in_the_way(const Refusal& refusal, const LeaseLimits& limits, const LeaseAmounts& keep,
                                  const LeaseAmounts& need, const LeaseAmounts& others, Clock::time_point now) {
  switch (refusal.limit) {
    case RefusedBy::max_parallel_requests:
      return others.parallel > 0 && keep.parallel + need.parallel <= *limits.max_parallel_requests;
    case RefusedBy::rpm:
    case RefusedBy::model_rpm:
      return others.requests > 0 && keep.requests + need.requests <= *limits.rpm_limit - requests_.total(now);
    case RefusedBy::tpm:
    case RefusedBy::model_tpm:
      return others.tokens > 0 && keep.tokens + need.tokens <= *limits.tpm_limit - tokens_.total(now);
    case RefusedBy::budget: return others.usd > 0 && fits_budget(*limits.max_budget, spend_, keep.usd, need.usd);
  }
  return false;
}

LeaseGrant LeaseDesk::grant(const LeaseRequest& q, Clock::time_point now) {
  expire(now);
  LeaseGrant g;
  g.owner = incarnation_;
  g.ttl_ms = lease_ttl_.count();
  auto& node = nodes_[q.node];
  if (q.report_seq <= node.last_seq) {
    // A repeat or an older request: applied or superseded already. Nothing changes.
    g.held = node.held;
    return g;
  }
  node.last_seq = q.report_seq;
  g.report_seq = q.report_seq;
  apply_report(q, now);
  node.held = LeaseAmounts{};  // replaced by the new holding (keep covers what it still holds)

  const auto& limits = q.limits;
  const auto keep = limited(limits, q.keep);
  const auto need = limited(limits, q.need);
  const auto want = limited(limits, q.want);
  if (need.usd > 0) node.last_need.usd = need.usd;
  if (need.tokens > 0) node.last_need.tokens = need.tokens;
  const auto others = held_by_others(&q.node);
  const int holders = live_holders(q.node, now);

  // Room left for this node's holding on each limited resource (negative: over the limit).
  const double usd_room = limits.max_budget ? *limits.max_budget - spend_ - others.usd : 0;
  const std::int64_t request_room = limits.rpm_limit ? *limits.rpm_limit - requests_.total(now) - others.requests : 0;
  const std::int64_t token_room = limits.tpm_limit ? *limits.tpm_limit - tokens_.total(now) - others.tokens : 0;
  const std::int64_t slot_room = limits.max_parallel_requests ? *limits.max_parallel_requests - others.parallel : 0;

  // `need` against every limit, in BudgetLedger's order and with its numbers.
  if (need.parallel > 0 && keep.parallel + need.parallel > slot_room) {
    g.refusal = parallel_refusal(*limits.max_parallel_requests);
  } else if (need.requests > 0 && keep.requests + need.requests > request_room) {
    g.refusal =
        rate_refusal(limits.per_model ? RefusedBy::model_rpm : RefusedBy::rpm, *limits.rpm_limit, now, requests_);
  } else if (need.tokens > 0 && keep.tokens + need.tokens > token_room) {
    g.refusal = rate_refusal(limits.per_model ? RefusedBy::model_tpm : RefusedBy::tpm, *limits.tpm_limit, now, tokens_);
  } else if (need.usd > 0 && !fits_budget(*limits.max_budget, spend_, others.usd + keep.usd, need.usd)) {
    g.refusal = budget_refusal(*limits.max_budget, spend_, others.usd + keep.usd, need.usd);
  }

  if (g.refusal) g.contended = others_in_the_way(*g.refusal, limits, keep, need, others, now);

  const double usd_unit = need.usd > 0 ? need.usd : node.last_need.usd;
  const std::int64_t token_unit = need.tokens > 0 ? need.tokens : node.last_need.tokens;
  const double usd_left = usd_room - keep.usd - need.usd;
  const std::int64_t requests_left = request_room - keep.requests - need.requests;
  const std::int64_t tokens_left = token_room - keep.tokens - need.tokens;
  const std::int64_t slots_left = slot_room - keep.parallel - need.parallel;
  LeaseAmounts held = keep;
  if (!g.refusal) {
    held.usd += need.usd + extra_share(want.usd - keep.usd - need.usd, usd_left, holders, usd_unit);
    held.requests += need.requests + extra_share<std::int64_t>(want.requests - keep.requests - need.requests,
                                                               requests_left, holders, 1);
    held.tokens += need.tokens + extra_share(want.tokens - keep.tokens - need.tokens, tokens_left, holders, token_unit);
    held.parallel += need.parallel +
                     extra_share<std::int64_t>(want.parallel - keep.parallel - need.parallel, slots_left, holders, 1);
  }
  // Near a limit once this holding is out: the node is to give back what it does not use.
  g.tight = g.refusal || (limits.max_budget && near_limit(usd_room - held.usd, holders, usd_unit)) ||
            (limits.rpm_limit && near_limit<std::int64_t>(request_room - held.requests, holders, 1)) ||
            (limits.tpm_limit && near_limit(token_room - held.tokens, holders, token_unit)) ||
            (limits.max_parallel_requests && near_limit<std::int64_t>(slot_room - held.parallel, holders, 1));
  node.held = held;
  node.expires = now + lease_ttl_;
  g.held = held;
  return g;
}

void LeaseDesk::expire(Clock::time_point now) {
  for (auto it = nodes_.begin(); it != nodes_.end();) {
    auto& n = it->second;
    if (now < n.expires + linger_) {
      ++it;
      continue;
    }
    spend_ += n.held.usd;
    if (n.held.requests > 0) requests_.add(now, n.held.requests);
    if (n.held.tokens > 0) tokens_.add(now, n.held.tokens);
    it = nodes_.erase(it);
  }
}

bool LeaseDesk::reset_if_due(std::int64_t now_ms) {
  if (!reset_schedule_.advance_if_due(now_ms)) return false;
  spend_ = 0;
  return true;
}

LeaseAmounts LeaseDesk::held_total(Clock::time_point now) {
  expire(now);
  return held_by_others(nullptr);
}

double LeaseDesk::exposure(const std::string& node) const {
  const auto it = nodes_.find(node);
  return it == nodes_.end() ? 0 : it->second.held.usd;
}

std::vector<std::pair<std::string, LeaseAmounts>> LeaseDesk::holdings() const {
  std::vector<std::pair<std::string, LeaseAmounts>> out;
  for (const auto& [id, n] : nodes_) {
    if (n.holds()) out.emplace_back(id, n.held);
  }
  return out;
}

void LeaseDesk::adopt(const std::string& node, const LeaseAmounts& held, Clock::time_point now) {
  const auto [it, added] = nodes_.try_emplace(node);
  if (!added) return;  // the node synced here already: its keep replaced the old holding
  it->second.held = held;
  it->second.expires = now + lease_ttl_;  // the old lease was granted before now
}

void LeaseDesk::adopt_window(std::int64_t requests, std::int64_t tokens, Clock::time_point now) {
  if (requests > 0) requests_.add(now, requests);
  if (tokens > 0) tokens_.add(now, tokens);
}

bool LeaseDesk::idle(Clock::time_point now) const {
  return std::none_of(nodes_.begin(), nodes_.end(),
                      [&](const auto& entry) { return entry.second.holds() && now < entry.second.expires + linger_; });
}

}  // namespace tollgate::core
