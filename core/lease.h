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
#include <utility>
#include <vector>

#include "core/budget_ledger.h"
#include "core/budget_math.h"
#include "core/reset_schedule.h"

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
  // The owner's reset schedule: its caller passes them to LeaseDesk::follow_reset_schedule with
  // its wall clock (grant() reads no clock and does not use them).
  std::optional<std::int64_t> reset_period_ms;
  std::optional<std::int64_t> budget_reset_at;
  // The rpm/tpm limits are an entity's per-model limits (a "key:<hash>#model:<name>" entity): a
  // refusal names model_rpm / model_tpm, as BudgetLedger's would.
  bool per_model = false;
};

// Node → owner: "here is what I used since my last sync; keep what my in-flight requests hold;
// I need `need` to admit the request waiting now (all zero: a renewal) and would like `want`".
struct LeaseRequest {
  std::string entity;  // "key:<hash>", "team:<id>", "user:<id>", "org:<id>", "key:<hash>#model:<name>"
  std::string node;    // the asking node's incarnation ("<node_id>/<start_ms>"): a restarted node is
                       // another holder, and its predecessor's holding expires (counted as spent)
  LeaseLimits limits;
  // The owner incarnation the report is owed to (empty: none yet). A report owed to another
  // incarnation (a first sync after ownership moved) is applied in full all the same: what the
  // node settled under the old lease after the new owner loaded its spend is in no load
  // (docs/cluster.md, "Accounting at the owner"; a loaded desk of actors/ reloads on one).
  std::string report_to;
  std::string report_to_endpoint;  // that owner's cluster endpoint, when the node knows it
  // A new number for every sync, counting up from the holder's first_reservation: an owner
  // applies a report only when its number is above the last one it saw from the node.
  std::uint64_t report_seq = 0;
  double spent_usd = 0;  // settled cost since the last applied report
  std::int64_t used_requests = 0;
  std::int64_t used_tokens = 0;
  LeaseAmounts keep;  // held by in-flight reservations (usd, tokens estimates, parallel slots)
                      // and the free room the node keeps using while the sync is out
  LeaseAmounts need;  // for the request waiting now; zero for a renewal or return
  LeaseAmounts want;  // what the node would like to hold in all (≥ keep + need)
  // The node's settled spend not yet in the store, when it asked: not counted by the desk (a
  // new owner's load collects every node's, core/lease_handover.h) but kept with the node's
  // write-ahead exposure record, for the owner after the next if this node dies.
  double unflushed_usd = 0;
};

// Owner → node.
struct LeaseGrant {
  std::string owner;               // owner incarnation ("<node_id>/<start_ms>")
  std::uint64_t report_seq = 0;    // echo of the request's; 0: a repeat or an older request,
                                   // nothing changed (the holder handles it as a failed sync)
  LeaseAmounts held;               // the node's whole holding now (keep included)
  std::int64_t ttl_ms = 0;         // hard expiry, counted by the node from when it SENT the request
  std::optional<Refusal> refusal;  // `need` did not fit: the 429 to answer (held still valid)
  bool not_owner = false;          // ask the ring again (ownership moved)
  // The owner is near a limit (or refused): leases are cut to single requests, and the node
  // returns room as soon as it has some unused (renewal_due) and keeps none through its syncs.
  bool tight = false;
  // The refusal would not have happened without other nodes' holdings. Near a limit they give
  // back what they do not use at once (tight), so the asker may ask again shortly before it
  // answers the refusal (a single node holding all of it would have admitted the request).
  bool contended = false;
  // The request's report was owed to another owner, and this owner reloaded since it arrived
  // (it asked every node it knows again): the holder takes this owner as its own even when a
  // handover fenced it to another (LeaseHolder::rebase). Set by actors/, not by the desk.
  bool rebase = false;
};

struct HandoverAnswer;  // core/lease_handover.h

// What one request needs of each limited resource (worst-case usd, one request, its token
// estimate, one parallel slot); zero for a resource without a limit.
LeaseAmounts lease_needs(const LeaseLimits& limits, const LedgerRequest& request);

// The node side of one entity: admits locally against its lease.
//
// Accounting. Every sync sent starts a BOUND: what the owner may hold for this node from then on
// — the grant's `held` once it is applied, the request's `keep` while it is unanswered (the owner
// may or may not have processed it: keep is granted in every case). A bound counts what the
// node used since it was sent: usd and tokens settled, requests admitted. Admission needs, on
// every limited resource and under every live bound,
//     used_since_send + reserved + this request ≤ bound      (parallel: in_flight + 1 ≤ bound)
// so whatever the owner did with the requests it got, the node stays inside the holding the
// owner counts for it. Applying a grant replaces every bound by the grant's (the owner replaced
// its holding). The REPORT is what the node used since the last report the owner applied; it
// travels in every sync until a grant echoes its sequence number.
class LeaseHolder {
 public:
  // Reservation ids count up from `first_reservation` (like BudgetLedger); so do report
  // sequence numbers: a holder that replaces a retired one of the same entity on the same node
  // (first_reservation 2^32 further on, actors/admission.cc) continues above its numbers, and
  // the owner, which applies only a number above the last one it saw from the node, never
  // mistakes a new report for one it applied.
  explicit LeaseHolder(std::chrono::milliseconds reservation_ttl, std::uint64_t first_reservation = 1);

  struct Admit {
    std::uint64_t reservation = 0;  // admitted (ids start at first_reservation)
    LeaseAmounts need;              // not admitted: what a sync must obtain for this request
    bool admitted() const { return reservation != 0; }
  };
  // Admits when the lease is valid at `now` (before expires()) and covers the request on every
  // limited resource. Not admitted: `need` = the request's own needs on the limited resources
  // (worst_case usd, 1 request, its tokens estimate, 1 slot); nothing was reserved.
  Admit admit(const LeaseLimits& limits, const LedgerRequest& request, Clock::time_point now);
  // Replaces the reservation with the real cost and tokens (both reported). False when it was
  // no longer held (expired or unknown): the cost and tokens are reported all the same.
  bool settle(std::uint64_t reservation, double cost, std::int64_t tokens, Clock::time_point now);
  // Withdraws a call that never reached the provider: its request no longer counts, unless it
  // already went out in a report (the owner counted it: conservative). False when not held.
  bool release(std::uint64_t reservation);
  // Releases every reservation admitted reservation_ttl ago or earlier; returns their ids.
  std::vector<std::uint64_t> expire(Clock::time_point now);

  // The request to send now (marks a sync in flight: one at a time per holder; calling it again
  // before apply/sync_failed is safe: only the newest answer is applied). `need` comes from a
  // refused admit(), or zero for a renewal or a return. See docs/cluster.md ("Sizing").
  LeaseRequest sync_request(const std::string& entity, const std::string& node, const LeaseLimits& limits,
                            const LeaseAmounts& need, Clock::time_point now);
  // The owner's answer to the request sent at `sent_at`. False when it does not answer the sync
  // in flight: an answer to an older sync is ignored, any other ends the sync as sync_failed().
  // not_owner: nothing held until a sync with the ring's new owner (the report stays).
  bool apply(const LeaseGrant& grant, Clock::time_point sent_at);
  // The sync failed (timeout, owner gone): the report stays unreported for the next one, and the
  // request's keep stays a bound (the owner may have processed it).
  void sync_failed();
  bool sync_in_flight() const { return sync_in_flight_; }
  // True (with no sync in flight) when a renewal is due: the lease expires within a third of
  // its ttl (or has expired) while the node holds anything — reservations, an unapplied report,
  // an unused lease the owner would otherwise count as spent at its expiry; or at once when the
  // last grant was tight and the node holds room it is not using (others may need it). Check it
  // after every settle and release, and on a timer.
  bool renewal_due(Clock::time_point now) const;
  Clock::time_point expires() const { return expires_; }

  // A new owner takes the entity over (core/lease_handover.h): what this node may still spend
  // under its current lease, and its recent requests and tokens. Everything settled so far is
  // the new owner's load's to count, so the report starts empty, owed to `new_owner`; grants
  // from any other owner are ignored from now on.
  HandoverAnswer rebase(const std::string& new_owner, Clock::time_point now);

  // x-ratelimit-* after an admission, from this node's lease (not the cluster's remaining).
  RateHeaders rate_headers(const LeaseLimits& limits) const;
  bool has_reservations() const { return !reservations_.empty(); }
  int in_flight() const { return static_cast<int>(reservations_.size()); }
  // The current holding (the last grant applied).
  const LeaseAmounts& held() const { return holding_.limit; }
  // Settled cost not yet in an applied report.
  double unreported_usd() const { return report_.usd; }

 private:
  // Usd and tokens settled, requests admitted (released ones withdrawn).
  struct Usage {
    double usd = 0;
    std::int64_t requests = 0;
    std::int64_t tokens = 0;
  };
  struct Bound {
    LeaseAmounts limit;
    Usage used;              // since the sync that started the bound was sent
    std::uint64_t sent = 0;  // that sync's number (sends_ after it)
  };
  struct Reservation {
    double usd = 0;
    std::int64_t tokens = 0;
    Clock::time_point expires;
    std::uint64_t admitted_after = 0;  // sends_ at admission: counted by the bounds sent up to then
  };
  bool fits(const Bound& bound, const LeaseLimits& limits, const LeaseAmounts& need) const;
  // The room `bound` leaves after its use and the reservations (never negative).
  LeaseAmounts free_room(const Bound& bound) const;
  // What admissions may still take: the least room any live bound leaves.
  LeaseAmounts usable_room() const;
  void end(std::unordered_map<std::uint64_t, Reservation>::iterator it, bool withdraw_request);
  template <typename F>
  void for_each_bound(F&& f) {
    f(holding_);
    for (auto& b : pending_) f(b);
  }

  std::chrono::milliseconds reservation_ttl_;
  std::uint64_t next_reservation_;
  std::unordered_map<std::uint64_t, Reservation> reservations_;
  LeaseAmounts reserved_;       // in flight: worst-case usd, token estimates, slots (requests unused)
  Bound holding_;               // the last grant applied (nothing before the first)
  std::vector<Bound> pending_;  // syncs sent and not answered (in flight or failed): their keep
  Usage report_;                // used since the last applied report
  Usage sent_report_;           // report_ when the sync in flight was sent
  std::uint64_t next_seq_;      // report sequence numbers
  std::uint64_t sends_ = 0;     // syncs sent
  std::uint64_t in_flight_seq_ = 0;
  std::string report_to_;  // the owner incarnation of the current holding
  std::chrono::milliseconds lease_ttl_{0};
  Usage period_;  // admitted since the last sync (usd and tokens: worst case, estimates)
  // What the syncs of the last 60 s carried (requests admitted, token estimates), counted at
  // each sync: the node's recent use for a new owner's windows (rebase).
  SlidingWindow recent_requests_;
  SlidingWindow recent_tokens_;
  std::string fence_;    // set by rebase: the only owner whose grants are applied
  int period_peak_ = 0;  // most reservations at once after an admission since the last sync
  bool tight_ = false;   // the last grant was tight
  bool sync_in_flight_ = false;
  Clock::time_point expires_{};
};

// The owner side of one entity.
//
//     spend + Σ holdings ≤ max_budget
//     requests in the window + Σ held requests ≤ rpm_limit     (tokens likewise ≤ tpm_limit)
//     Σ held slots ≤ max_parallel_requests
//
// New capacity (a request's `need`, and anything beyond it) is granted only inside these; a
// node's `keep` (what its requests in flight hold) is granted always — it replaces the node's
// previous holding, which covered it. Times passed to one desk must not go backwards.
class LeaseDesk {
 public:
  // `incarnation` names this owner ("<node_id>/<start_ms>"); `lease_ttl` is the hard expiry of
  // every grant. `linger`: how long an expired holding still counts as held before it turns
  // into spend (usd) and window events (requests, tokens) and its slots come free. Give it the
  // holders' reservation ttl to stay exact when a node is cut off with requests running (they
  // hold their slot and their budget until then, and a budget reset meanwhile must not forget
  // them); zero frees the slots of a dead node at its lease's expiry. The cluster gives it 30 s
  // (actors/lease_admission.h; docs/cluster.md, "Accounting at the owner", "Failure cases").
  LeaseDesk(std::string incarnation, std::chrono::milliseconds lease_ttl,
            std::chrono::milliseconds linger = std::chrono::milliseconds(0));

  // The spend to start from: the nodes' unflushed spend collected first, then the store's.
  void load(double spend) { spend_ = spend; }
  // Applies the request's report (once: only a report_seq above the last one seen from the
  // node), replaces the node's holding with keep + need (+ a share of what is left, up to want), or refuses `need`
  // (held = keep). A request whose report_seq is not above the last seen from the node changes nothing: the answer's
  // report_seq is 0 (the holder treats it as a failed sync).
  LeaseGrant grant(const LeaseRequest& request, Clock::time_point now);
  // Holdings past their expiry + linger (a node that died or lost the owner) count as spent:
  // their usd is added to the spend, their requests and tokens to the windows at `now`.
  // Conservative: the dead node may have spent any of it. grant() and held_total() call it.
  // A node's record goes with its holding (a request of it arriving later, delayed, is then
  // applied as new: counted twice at worst).
  void expire(Clock::time_point now);
  // Budget resets (same rules as BudgetLedger: core/reset_schedule.h). Holdings are untouched.
  void follow_reset_schedule(std::optional<std::int64_t> period_ms, std::optional<std::int64_t> budget_reset_at,
                             std::int64_t now_ms) {
    reset_schedule_.follow(period_ms, budget_reset_at, now_ms);
  }
  bool reset_if_due(std::int64_t now_ms);
  std::optional<std::int64_t> next_reset_ms() const { return reset_schedule_.next_ms(); }

  double spend() const { return spend_; }
  LeaseAmounts held_total(Clock::time_point now);  // Σ holdings (lingering ones included)
  // Requests and tokens counted in the 60 s windows at `now` (reports and expired holdings).
  std::int64_t requests_in_window(Clock::time_point now) { return requests_.total(now); }
  std::int64_t tokens_in_window(Clock::time_point now) { return tokens_.total(now); }
  // What `node` may spend that the store does not yet show: its holding's usd. (The cluster's
  // write-ahead exposure record is the grant's whole holding plus the node's unflushed spend,
  // actors/lease_desks.cc; docs/cluster.md, "Exposure records".)
  double exposure(const std::string& node) const;
  // Requests and tokens `node`'s applied reports carried in the last 60 s.
  std::pair<std::int64_t, std::int64_t> reported_recently(const std::string& node, Clock::time_point now);

  // Ownership moves. Every node's holding (lingering ones included): with the windows' totals,
  // what a successor could adopt from an old desk (the property test's model). The cluster's new
  // owner instead adopts what each node answers to its handover query (core/lease_handover.h;
  // docs/cluster.md, "Taking an entity over").
  std::vector<std::pair<std::string, LeaseAmounts>> holdings() const;
  // The successor, before it answers any sync, adopts them: each holding counts as this desk's
  // own until now + lease_ttl (+ linger) or the node's next sync, which replaces it (ignored for
  // a node that already synced here); the window totals count as used at `now`. With load() =
  // the store's spend and the nodes' unflushed spend, budget and slots stay exact across the
  // move, and rpm/tpm err only by counting the old minute's requests a little longer.
  void adopt(const std::string& node, const LeaseAmounts& held, Clock::time_point now);
  void adopt_window(std::int64_t requests, std::int64_t tokens, Clock::time_point now);
  bool idle(Clock::time_point now) const;  // no holdings (lingering ones included)

 private:
  struct Node {
    LeaseAmounts held;
    Clock::time_point expires{};
    std::uint64_t last_seq = 0;
    LeaseAmounts last_need;  // the size of its last waiting request: near-limit test of renewals
    // What its applied reports carried in the last 60 s (exposure records: a successor's
    // windows count them for a node that does not answer its handover).
    SlidingWindow reported_requests;
    SlidingWindow reported_tokens;
    bool holds() const { return held.usd > 0 || held.requests > 0 || held.tokens > 0 || held.parallel > 0; }
  };
  void apply_report(const LeaseRequest& request, Clock::time_point now);
  // Whether `refusal` is owed to other nodes' holdings (LeaseGrant::contended).
  bool others_in_the_way(const Refusal& refusal, const LeaseLimits& limits, const LeaseAmounts& keep,
                         const LeaseAmounts& need, const LeaseAmounts& others, Clock::time_point now);
  LeaseAmounts held_by_others(const std::string* node) const;  // nullptr: every holding
  int live_holders(const std::string& asker, Clock::time_point now) const;

  std::string incarnation_;
  std::chrono::milliseconds lease_ttl_;
  std::chrono::milliseconds linger_;
  double spend_ = 0;
  SlidingWindow requests_;
  SlidingWindow tokens_;
  std::unordered_map<std::string, Node> nodes_;
  ResetSchedule reset_schedule_;
};

}  // namespace tollgate::core
