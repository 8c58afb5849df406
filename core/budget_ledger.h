#pragma once
// The budget and rate-limit state of ONE entity (key, team, user or organization) and the
// arithmetic over it: admit (check every limit, reserve), settle, release, expire, reset.
// Pure: no I/O, no locks, no clock reads (time comes in as arguments), so it is table-tested
// and the same ledger can sit behind a local owner actor now and a remote owner later.
// The caller serializes access (actors/admission.cc: the entity's lock).
//
// The rules (docs/budgets.md, core/budget_math.h):
//   budget:  spend + reserved + worst_case ≤ max_budget
//   rpm:     requests admitted in the last 60 s < rpm_limit (a released request is withdrawn)
//   tpm:     tokens settled in the last 60 s + estimates in flight + this estimate ≤ tpm_limit
//   parallel: reservations outstanding < max_parallel_requests
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/budget_math.h"
#include "core/reset_schedule.h"

namespace tollgate::core {

// The limits of the entity as they apply to one request: the per-model limits are the ones of
// the request's model (none when the entity sets none for it).
struct LedgerLimits {
  std::optional<double> max_budget;
  std::optional<std::int64_t> max_parallel_requests;
  std::optional<std::int64_t> rpm_limit;
  std::optional<std::int64_t> tpm_limit;
  std::optional<std::int64_t> model_rpm_limit;
  std::optional<std::int64_t> model_tpm_limit;
};

// What the ledger needs to know about a request.
struct LedgerRequest {
  std::string_view model;  // model group: the key of the per-model windows
  double worst_case_cost = 0;
  std::int64_t tokens_estimate = 0;  // counted against tpm until the call settles
};

// Which limit refused a request, in the order they are checked.
enum class RefusedBy { max_parallel_requests, rpm, model_rpm, tpm, model_tpm, budget };

struct Refusal {
  RefusedBy limit = RefusedBy::budget;
  std::int64_t limit_value = 0;  // rpm/tpm/parallel: the limit that was reached
  int retry_after = 1;           // seconds (max_parallel_requests: always 1)
  // budget: the numbers the message shows
  double max_budget = 0;
  double spend = 0;
  double reserved = 0;
  double cost = 0;
};

// The refusals, built one way wherever a limit is checked (BudgetLedger on one node, LeaseDesk
// at a cluster's owner), so the client reads the same numbers either way.
Refusal parallel_refusal(std::int64_t max_parallel_requests);
// rpm/tpm (or their per-model forms): retry when the window's oldest event leaves it.
Refusal rate_refusal(RefusedBy limit, std::int64_t value, Clock::time_point now, SlidingWindow& window);
Refusal budget_refusal(double max_budget, double spend, double reserved, double cost);

struct AdmitOutcome {
  std::uint64_t reservation = 0;   // when admitted (ids start at 1)
  std::optional<Refusal> refusal;  // when refused: nothing was reserved
  bool admitted() const { return !refusal; }
};

// Rate-limit state for response headers (x-ratelimit-*), for the limits the entity has.
struct RateHeaders {
  std::optional<std::int64_t> limit_requests, remaining_requests;
  std::optional<std::int64_t> limit_tokens, remaining_tokens;
};

class BudgetLedger {
 public:
  // A reservation nobody settles or releases stops holding budget after `reservation_ttl`.
  // Reservation ids count up from `first_reservation`: a ledger that replaces a retired one of
  // the same entity starts elsewhere, so a very late settle of a reservation the old ledger let
  // expire can never match one of the new ledger's.
  explicit BudgetLedger(std::chrono::milliseconds reservation_ttl, std::uint64_t first_reservation = 1)
      : reservation_ttl_(reservation_ttl), next_reservation_(first_reservation) {}

  // Spend as loaded from the store (replaces what the ledger had).
  void load(double spend) { spend_ = spend; }

  // Checks every limit and, when all pass, reserves the worst case.
  AdmitOutcome admit(const LedgerLimits& limits, const LedgerRequest& request, Clock::time_point now);
  // Replaces the reservation with the real cost and tokens. False when it was no longer held
  // (expired or unknown): the cost is added to the spend all the same (it was spent).
  bool settle(std::uint64_t reservation, double cost, std::int64_t tokens, Clock::time_point now);
  // Drops the reservation of a call that never reached the provider: it is withdrawn from the
  // request windows too. False when it was no longer held.
  bool release(std::uint64_t reservation);
  // Releases every reservation whose expiry has come; returns their ids.
  std::vector<std::uint64_t> expire(Clock::time_point now);

  // Follows the entity's record: spend resets at `budget_reset_at` (now when the record has
  // none), then every `period_ms` (core/reset_schedule.h).
  void follow_reset_schedule(std::optional<std::int64_t> period_ms, std::optional<std::int64_t> budget_reset_at,
                             std::int64_t now_ms) {
    reset_schedule_.follow(period_ms, budget_reset_at, now_ms);
  }
  bool reset_due(std::int64_t now_ms) const { return reset_schedule_.due(now_ms); }
  // At or after the reset time: spend goes to 0 and the next reset is one period on (missed
  // periods skipped; the schedule keeps its period, so a timer's reset continues it). True
  // when it reset.
  bool reset_if_due(std::int64_t now_ms);
  std::optional<std::int64_t> next_reset_ms() const { return reset_schedule_.next_ms(); }

  // Header values after an admission (the request just admitted counts).
  RateHeaders rate_headers(const LedgerLimits& limits, Clock::time_point now);

  double spend() const { return spend_; }
  double reserved_cost() const { return reserved_cost_; }
  std::int64_t reserved_tokens() const { return reserved_tokens_; }
  int in_flight() const { return in_flight_; }
  bool has_reservations() const { return !reservations_.empty(); }

 private:
  struct Reservation {
    double cost = 0;
    std::int64_t tokens = 0;
    std::string model;  // only when a per-model window counts it
    Clock::time_point expires;
    // Windows are kept only for the limits the entity has: a window holds every event of the
    // last 60 s, so an unlimited team or organization at 40k requests/s would hold millions.
    std::optional<std::uint64_t> request_event;
    std::optional<std::uint64_t> model_request_event;
    bool counts_tokens = false;        // the entity had a tpm_limit
    bool counts_model_tokens = false;  // ... or a model_tpm_limit for this model
  };
  std::optional<Refusal> check(const LedgerLimits& limits, const LedgerRequest& request, Clock::time_point now);
  // Ends a held reservation: its cost and estimate stop counting.
  Reservation take(std::unordered_map<std::uint64_t, Reservation>::iterator it);

  std::chrono::milliseconds reservation_ttl_;
  double spend_ = 0;
  double reserved_cost_ = 0;
  std::int64_t reserved_tokens_ = 0;
  int in_flight_ = 0;
  std::uint64_t next_reservation_;
  std::unordered_map<std::uint64_t, Reservation> reservations_;
  SlidingWindow requests_;
  SlidingWindow tokens_;
  std::map<std::string, SlidingWindow, std::less<>> model_requests_;
  std::map<std::string, SlidingWindow, std::less<>> model_tokens_;
  ResetSchedule reset_schedule_;
};

}  // namespace tollgate::core
