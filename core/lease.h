#pragma once
// Capacity leases between cluster nodes (docs/cluster.md, "Owners and leases"; Google's
// Doorman). In a cluster every node — the owner included — admits an entity's requests only
// against a LEASE: a slice of the entity's remaining budget and rate-limit allowance granted
// by the entity's owner node (the node the hash ring gives the entity to), with a hard expiry.
// The owner's LeaseDesk keeps, for its entity,
//
//     spend + Σ holdings of every node ≤ limit          (budget, and rpm/tpm within 60 s)
//
// where a node's holding covers everything it may still spend: its in-flight reservations and
// the unused rest of its lease. So the cluster as a whole can never exceed a limit, and a node
// asks the owner only when its lease runs dry (near the limit, leases shrink to one request).
//
// Pure: no I/O, no locks, no clock reads (time comes in as arguments). The caller serializes
// access per entity (actors/: the entity's lock on the node side, the owner's actor or lock
// on the owner side). Messages are plain data; cluster/ serializes them for CAF.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/budget_ledger.h"
#include "core/budget_math.h"

namespace tollgate::core {

// Amounts of each leased resource. A resource the entity has no limit for is not leased: its
// amount is ignored on both sides (the holder does not check it).
struct LeaseAmounts {
  double usd = 0;             // max_budget
  std::int64_t requests = 0;  // rpm_limit: admissions
  std::int64_t tokens = 0;    // tpm_limit
  std::int64_t parallel = 0;  // max_parallel_requests: slots
};

// The limits a lease is cut from (the entity's record as the asking node sees it; the owner
// uses the latest it was sent, so a changed limit takes effect with the next sync).
struct LeaseLimits {
  std::optional<double> max_budget;
  std::optional<std::int64_t> rpm_limit;
  std::optional<std::int64_t> tpm_limit;
  std::optional<std::int64_t> max_parallel_requests;
  // The owner's reset schedule (BudgetLedger::follow_reset_schedule).
  std::optional<std::int64_t> reset_period_ms;
  std::optional<std::int64_t> budget_reset_at;
};

// Node → owner: "here is what I used since my last sync; keep what my in-flight requests hold;
// I need `need` to admit the request waiting now (all zero: a renewal) and would like `want`".
struct LeaseRequest {
  std::string entity;  // "key:<hash>", "team:<id>", "user:<id>", "org:<id>", "key:<hash>#model:<name>"
  std::string node;    // the asking node's id
  LeaseLimits limits;
  // The owner incarnation the report is owed to (empty: none yet). An owner ignores a report
  // owed to another incarnation: a new owner's load already counts it (docs/cluster.md).
  std::string report_to;
  std::uint64_t report_seq = 0;  // the holder's sync counter: a report is applied once
  double spent_usd = 0;          // settled cost since the last applied report
  std::int64_t used_requests = 0;
  std::int64_t used_tokens = 0;
  LeaseAmounts keep;         // held by in-flight reservations (usd, tokens estimates, parallel slots)
  LeaseAmounts need;         // for the request waiting now; zero for a renewal or return
  LeaseAmounts want;         // what the node would like to hold in all (≥ keep + need)
  double unflushed_usd = 0;  // the node's settled spend not yet in the store (first sync with
                             // a new owner incarnation only; see LeaseDesk::grant)
};

// Owner → node.
struct LeaseGrant {
  std::string owner;               // owner incarnation ("<node_id>/<start_ms>")
  std::uint64_t report_seq = 0;    // echo: the report that was applied
  LeaseAmounts held;               // the node's whole holding now (keep included)
  std::int64_t ttl_ms = 0;         // hard expiry, counted by the node from when it SENT the request
  std::optional<Refusal> refusal;  // `need` did not fit: the 429 to answer (held still valid)
  bool not_owner = false;          // ask the ring again (ownership moved)
};

// The node side of one entity: admits locally against its lease.
class LeaseHolder {
 public:
  explicit LeaseHolder(std::chrono::milliseconds reservation_ttl, std::uint64_t first_reservation = 1);

  struct Admit {
    std::uint64_t reservation = 0;  // admitted (ids start at first_reservation)
    LeaseAmounts need;              // not admitted: what a sync must obtain for this request
    bool admitted() const { return reservation != 0; }
  };
  // Admits when the lease is valid at `now` and covers the request on every limited resource.
  Admit admit(const LeaseLimits& limits, const LedgerRequest& request, Clock::time_point now);
  bool settle(std::uint64_t reservation, double cost, std::int64_t tokens, Clock::time_point now);
  bool release(std::uint64_t reservation);
  std::vector<std::uint64_t> expire(Clock::time_point now);

  // The request to send now (marks a sync in flight: one at a time per holder).
  LeaseRequest sync_request(const std::string& entity, const std::string& node, const LeaseLimits& limits,
                            const LeaseAmounts& need, Clock::time_point now);
  // The owner's answer to the request sent at `sent_at`.
  void apply(const LeaseGrant& grant, Clock::time_point sent_at);
  // The sync failed (timeout, owner gone): the report stays unreported for the next one.
  void sync_failed();
  bool sync_in_flight() const { return sync_in_flight_; }
  // True when a renewal is due: the lease expires within a third of its ttl while the node
  // still holds reservations or has used it recently, or there is something to return.
  bool renewal_due(Clock::time_point now) const;
  Clock::time_point expires() const { return expires_; }

  RateHeaders rate_headers(const LeaseLimits& limits) const;
  bool has_reservations() const;
  int in_flight() const;

 private:
  // ... implementation state (see core/lease.cc)
  bool sync_in_flight_ = false;
  Clock::time_point expires_{};
};

// The owner side of one entity.
class LeaseDesk {
 public:
  // `incarnation` names this owner ("<node_id>/<start_ms>"); `lease_ttl` is the hard expiry of
  // every grant.
  LeaseDesk(std::string incarnation, std::chrono::milliseconds lease_ttl);

  // The spend to start from: the nodes' unflushed spend collected first, then the store's.
  void load(double spend);
  // Applies the request's report (once, when owed to this incarnation), sets the node's
  // holding to keep + need (+ a share of what is left, up to want), or refuses `need`.
  LeaseGrant grant(const LeaseRequest& request, Clock::time_point now);
  // Holdings whose expiry passed (a node that died or lost the owner) count as spent: their
  // usd is added to the spend, their requests and tokens to the windows. Conservative: the
  // dead node may have spent any of it.
  void expire(Clock::time_point now);
  // Budget resets (same rules as BudgetLedger).
  void follow_reset_schedule(std::optional<std::int64_t> period_ms, std::optional<std::int64_t> budget_reset_at,
                             std::int64_t now_ms);
  bool reset_if_due(std::int64_t now_ms);
  std::optional<std::int64_t> next_reset_ms() const;

  double spend() const;
  LeaseAmounts held_total(Clock::time_point now);  // Σ holdings
  // What `node` may spend that the store does not yet show: its holding's usd (write-ahead
  // record for a successor when this owner dies; docs/cluster.md).
  double exposure(const std::string& node) const;
  bool idle(Clock::time_point now) const;  // no holdings
};

}  // namespace tollgate::core
