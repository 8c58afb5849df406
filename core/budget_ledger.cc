#include "core/budget_ledger.h"

#include <algorithm>

namespace tollgate::core {
namespace {

// The window of `model` in `windows`, created empty on first use.
SlidingWindow& window_of(std::map<std::string, SlidingWindow, std::less<>>& windows, std::string_view model) {
  const auto it = windows.find(model);
  if (it != windows.end()) return it->second;
  return windows.emplace(std::string(model), SlidingWindow{}).first->second;
}

}  // namespace

Refusal parallel_refusal(std::int64_t max_parallel_requests) {
  Refusal r;
  r.limit = RefusedBy::max_parallel_requests;
  r.limit_value = max_parallel_requests;
  r.retry_after = 1;
  return r;
}

Refusal rate_refusal(RefusedBy limit, std::int64_t value, Clock::time_point now, SlidingWindow& window) {
  Refusal r;
  r.limit = limit;
  r.limit_value = value;
  r.retry_after = retry_after_seconds(now, window.next_expiry(now));
  return r;
}

Refusal budget_refusal(double max_budget, double spend, double reserved, double cost) {
  Refusal r;
  r.limit = RefusedBy::budget;
  r.max_budget = max_budget;
  r.spend = spend;
  r.reserved = reserved;
  r.cost = cost;
  return r;
}

std::optional<Refusal> BudgetLedger::check(const LedgerLimits& limits, const LedgerRequest& request,
                                           Clock::time_point now) {
  if (limits.max_parallel_requests && in_flight_ >= *limits.max_parallel_requests) {
    return parallel_refusal(*limits.max_parallel_requests);
  }
  if (limits.rpm_limit && requests_.total(now) >= *limits.rpm_limit) {
    return rate_refusal(RefusedBy::rpm, *limits.rpm_limit, now, requests_);
  }
  if (limits.model_rpm_limit) {
    auto& window = window_of(model_requests_, request.model);
    if (window.total(now) >= *limits.model_rpm_limit) {
      return rate_refusal(RefusedBy::model_rpm, *limits.model_rpm_limit, now, window);
    }
  }
  const auto estimate = request.tokens_estimate;
  if (limits.tpm_limit && tokens_.total(now) + reserved_tokens_ + estimate > *limits.tpm_limit) {
    return rate_refusal(RefusedBy::tpm, *limits.tpm_limit, now, tokens_);
  }
  if (limits.model_tpm_limit) {
    // Settled tokens of the model only: the estimates in flight count against tpm_limit.
    auto& window = window_of(model_tokens_, request.model);
    if (window.total(now) + estimate > *limits.model_tpm_limit) {
      return rate_refusal(RefusedBy::model_tpm, *limits.model_tpm_limit, now, window);
    }
  }
  const double cost = request.worst_case_cost;
  if (limits.max_budget && !fits_budget(*limits.max_budget, spend_, reserved_cost_, cost)) {
    return budget_refusal(*limits.max_budget, spend_, reserved_cost_, cost);
  }
  return std::nullopt;
}

AdmitOutcome BudgetLedger::admit(const LedgerLimits& limits, const LedgerRequest& request, Clock::time_point now) {
  AdmitOutcome out;
  out.refusal = check(limits, request, now);
  if (out.refusal) return out;

  Reservation r;
  r.cost = request.worst_case_cost;
  r.tokens = request.tokens_estimate;
  r.expires = now + reservation_ttl_;
  if (limits.rpm_limit) r.request_event = requests_.add(now);
  if (limits.model_rpm_limit) r.model_request_event = window_of(model_requests_, request.model).add(now);
  r.counts_tokens = limits.tpm_limit.has_value();
  r.counts_model_tokens = limits.model_tpm_limit.has_value();
  if (r.model_request_event || r.counts_model_tokens) r.model = request.model;
  reserved_cost_ += r.cost;
  reserved_tokens_ += r.tokens;
  ++in_flight_;
  out.reservation = next_reservation_++;
  reservations_.emplace(out.reservation, std::move(r));
  return out;
}

BudgetLedger::Reservation BudgetLedger::take(std::unordered_map<std::uint64_t, Reservation>::iterator it) {
  Reservation r = std::move(it->second);
  reservations_.erase(it);
  reserved_cost_ = std::max(0.0, reserved_cost_ - r.cost);  // no float residue below zero
  reserved_tokens_ -= r.tokens;
  --in_flight_;
  return r;
}

bool BudgetLedger::settle(std::uint64_t reservation, double cost, std::int64_t tokens, Clock::time_point now) {
  spend_ += cost;  // held or not, the call was made and paid for
  const auto it = reservations_.find(reservation);
  if (it == reservations_.end()) return false;
  const auto r = take(it);
  if (r.counts_tokens) tokens_.add(now, tokens);
  if (r.counts_model_tokens) window_of(model_tokens_, r.model).add(now, tokens);
  return true;
}

bool BudgetLedger::release(std::uint64_t reservation) {
  const auto it = reservations_.find(reservation);
  if (it == reservations_.end()) return false;
  const auto r = take(it);
  // A request that never reached the provider does not count against rpm either.
  if (r.request_event) requests_.cancel(*r.request_event);
  if (r.model_request_event) window_of(model_requests_, r.model).cancel(*r.model_request_event);
  return true;
}

std::vector<std::uint64_t> BudgetLedger::expire(Clock::time_point now) {
  const auto expired = expired_reservations(reservations_, now);
  for (const auto id : expired) release(id);
  return expired;
}

bool BudgetLedger::reset_if_due(std::int64_t now_ms) {
  if (!reset_schedule_.advance_if_due(now_ms)) return false;
  spend_ = 0;
  return true;
}

RateHeaders BudgetLedger::rate_headers(const LedgerLimits& limits, Clock::time_point now) {
  RateHeaders h;
  if (limits.rpm_limit) {
    h.limit_requests = *limits.rpm_limit;
    h.remaining_requests = std::max<std::int64_t>(0, *limits.rpm_limit - requests_.total(now));
  }
  if (limits.tpm_limit) {
    h.limit_tokens = *limits.tpm_limit;
    h.remaining_tokens = std::max<std::int64_t>(0, *limits.tpm_limit - tokens_.total(now) - reserved_tokens_);
  }
  return h;
}

}  // namespace tollgate::core
