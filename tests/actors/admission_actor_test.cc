// The budget owners under CAF's deterministic test coordinator: an owner's load, timers and
// messages run only in run_actors(), on the test thread, in exactly the order they were queued.
#include <catch2/catch.hpp>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "actors/admission.h"
#include "actors/owner_retirement.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "spend/spend_writer.h"
#include "tests/support/deterministic_actors.h"
#include "tests/support/key_rows.h"
#include "tests/support/metrics_text.h"
#include "tests/support/test_env.h"

using namespace tollgate;
using namespace tollgate::actors;
using persistence::EntityKind;
using namespace std::chrono_literals;

namespace {

// The owners run under the deterministic coordinator; with `threads`, under the gateway's
// scheduler instead.
struct Fixture {
  explicit Fixture(Admission::Options admission_options = options(), int threads = 0, const std::string& db = "t.db")
      : dir(testing::temp_dir()),
        threaded(threads > 0),
        pool("", dir + "/" + db, 1, 1000),
        writer("", dir + "/" + db, spend::SpendWriter::Options{}),
        admission(pool, writer, registry, admission_options,
                  threaded ? actors::scheduler_config(threads) : deterministic.config()) {}
  // Store jobs in flight (a budget load) use the admission and the writer: finish them first,
  // as the gateway's shutdown does. Then the owners exit before their actor system ends.
  ~Fixture() {
    pool.stop();
    admission.stop();
    if (!threaded) run_actors();
  }

  static Admission::Options options() {
    Admission::Options o;
    o.reservation_ttl = 0ms;  // so a sweep expires every unsettled reservation
    return o;
  }

  // Deterministic only: runs every queued actor job (first firing the pending timers when
  // asked); returns how many ran.
  std::size_t run_actors(bool fire_timers = false) { return deterministic.run(fire_timers); }

  // Runs actor jobs until `done` holds; the store thread answers in between.
  template <class Pred>
  void run_until(Pred done) {
    for (int i = 0; i < 2000 && !done(); ++i) {
      if (run_actors() == 0) std::this_thread::sleep_for(1ms);
    }
    REQUIRE(done());
  }

  // A key's or team's spend as its owner publishes it: max_budget minus the remaining budget.
  double spend(const std::string& entity, const std::string& name, double max_budget) {
    const auto text = prometheus::TextSerializer().Serialize(registry.Collect());
    const auto label = "entity=\"" + entity + "\",name=\"" + name + "\"";
    REQUIRE(text.find(label) != std::string::npos);
    return max_budget - testing::metric_sum(text, "tollgate_remaining_budget_usd", label);
  }

  std::string dir;
  prometheus::Registry registry;
  testing::DeterministicActors deterministic;
  const bool threaded;
  persistence::StorePool pool;
  spend::SpendWriter writer;
  Admission admission;
};

AdmissionStop key_stop(const std::string& id, std::optional<double> max_budget,
                       std::optional<std::int64_t> rpm = std::nullopt) {
  AdmissionStop s;
  s.kind = EntityKind::key;
  s.id = id;
  s.label = id;
  s.limits.max_budget = max_budget;
  s.limits.rpm_limit = rpm;
  return s;
}

AdmissionRequest request(std::vector<AdmissionStop> stops, double cost) {
  AdmissionRequest r;
  r.stops = std::move(stops);
  r.model = "m";
  r.worst_case_cost = cost;
  return r;
}

}  // namespace

TEST_CASE("100 concurrent admissions against a budget for 7: the first 7 are granted", "[actors][budgets]") {
  Fixture f;
  std::vector<int> outcome(100, -1);
  for (int i = 0; i < 100; ++i) {
    f.admission.admit(request({key_stop("k", 0.7)}, 0.1), [&outcome, i](AdmissionResult r) {
      outcome[static_cast<std::size_t>(i)] = r.ok() ? 1 : 0;
      if (!r.ok()) CHECK(r.error().type == "budget_exceeded");
    });
  }
  f.run_until([&] { return std::count(outcome.begin(), outcome.end(), -1) == 0; });
  for (int i = 0; i < 100; ++i) CHECK(outcome[static_cast<std::size_t>(i)] == (i < 7 ? 1 : 0));
}

TEST_CASE("settling with the real cost frees the rest of the reservation", "[actors][budgets]") {
  Fixture f;
  std::optional<AdmissionGrant> grant;
  f.admission.admit(request({key_stop("k", 1.0)}, 0.8), [&](AdmissionResult r) { grant = *r; });
  f.run_until([&] { return grant.has_value(); });
  int second = -1;
  f.admission.admit(request({key_stop("k", 1.0)}, 0.5), [&](AdmissionResult r) { second = r.ok(); });
  f.run_until([&] { return second != -1; });
  CHECK(second == 0);  // 0.8 reserved + 0.5 > 1.0
  f.admission.settle(*grant, 0.2, 10);
  int third = -1;
  f.admission.admit(request({key_stop("k", 1.0)}, 0.5), [&](AdmissionResult r) { third = r.ok(); });
  f.run_until([&] { return third != -1; });
  CHECK(third == 1);  // spend 0.2 + 0.5 fits
}

TEST_CASE("a denial further down the chain releases the reservations already made", "[actors][budgets]") {
  Fixture f;
  AdmissionStop team;
  team.kind = EntityKind::team;
  team.id = "t";
  team.label = "t";
  team.limits.max_budget = 0.05;  // too small for the request
  int first = -1;
  std::string type;
  f.admission.admit(request({key_stop("k", 0.1), team}, 0.1), [&](AdmissionResult r) {
    first = r.ok();
    type = r.error().type;
  });
  f.run_until([&] { return first != -1; });
  CHECK(first == 0);
  CHECK(type == "budget_exceeded");
  // Had the key kept its reservation, this one (the whole key budget) could not fit.
  int second = -1;
  f.admission.admit(request({key_stop("k", 0.1)}, 0.1), [&](AdmissionResult r) { second = r.ok(); });
  f.run_until([&] { return second != -1; });
  CHECK(second == 1);
}

TEST_CASE("rpm: exactly the limit is admitted, a released request gives its slot back", "[actors][ratelimits]") {
  Fixture f;
  std::vector<int> outcome(15, -1);
  std::vector<AdmissionGrant> grants;
  for (int i = 0; i < 15; ++i) {
    f.admission.admit(request({key_stop("k", std::nullopt, 10)}, 0), [&, i](AdmissionResult r) {
      outcome[static_cast<std::size_t>(i)] = r.ok();
      if (r.ok()) grants.push_back(*r);
    });
  }
  f.run_until([&] { return std::count(outcome.begin(), outcome.end(), -1) == 0; });
  CHECK(std::count(outcome.begin(), outcome.end(), 1) == 10);
  f.admission.release(grants.front());  // never reached the provider
  int again = -1;
  f.admission.admit(request({key_stop("k", std::nullopt, 10)}, 0), [&](AdmissionResult r) { again = r.ok(); });
  f.run_until([&] { return again != -1; });
  CHECK(again == 1);
}

TEST_CASE("an unsettled reservation expires and stops holding budget", "[actors][budgets]") {
  Fixture f;
  int first = -1;
  f.admission.admit(request({key_stop("k", 1.0)}, 1.0), [&](AdmissionResult r) { first = r.ok(); });
  f.run_until([&] { return first != -1; });
  REQUIRE(first == 1);  // and never settled: a crashed request
  int blocked = -1;
  f.admission.admit(request({key_stop("k", 1.0)}, 0.5), [&](AdmissionResult r) { blocked = r.ok(); });
  f.run_until([&] { return blocked != -1; });
  CHECK(blocked == 0);
  f.run_actors(true);  // the periodic sweep fires: the reservation has expired
  int after = -1;
  f.admission.admit(request({key_stop("k", 1.0)}, 0.5), [&](AdmissionResult r) { after = r.ok(); });
  f.run_until([&] { return after != -1; });
  CHECK(after == 1);
}

TEST_CASE("an actor starts from the spend the store and the writer know", "[actors][budgets]") {
  Fixture f;
  {
    auto store = persistence::Store::open("", f.dir + "/t.db");
    store->migrate();
    persistence::KeyRecord key;
    key.token_hash = "known";
    key.key_name = "sk-...nown";
    store->insert_key(key, persistence::AuditEntry{"t", "created", "", "", "", ""});
    store->set_spend(EntityKind::key, "known", 0.6, persistence::AuditEntry{"t", "updated", "", "", "", ""});
  }
  int admitted = -1;
  f.admission.admit(request({key_stop("known", 1.0)}, 0.5), [&](AdmissionResult r) { admitted = r.ok(); });
  f.run_until([&] { return admitted != -1; });
  CHECK(admitted == 0);  // 0.6 already spent
}

TEST_CASE("a store that cannot be read: the owner starts from the spend in the cached record", "[actors][budgets]") {
  Fixture f(Fixture::options(), 0, "missing-dir/t.db");  // SQLite cannot create it
  auto stop = key_stop("k", 1.0);
  stop.limits.record_spend = 0.6;
  int first = -1;
  f.admission.admit(request({stop}, 0.5), [&](AdmissionResult r) { first = r.ok(); });
  CHECK(first == -1);  // parked with the owner until its spend is loaded
  f.run_until([&] { return first != -1; });
  CHECK(first == 0);  // 0.6 + 0.5 > 1.0
  int second = -1;
  f.admission.admit(request({stop}, 0.4), [&](AdmissionResult r) { second = r.ok(); });
  CHECK(second == 1);  // loaded: answered inline, 0.6 + 0.4 fits
}

TEST_CASE("threads racing on loaded budgets: a shared team budget admits exactly what fits", "[actors][budgets]") {
  // The real scheduler: once loaded, admissions and settlements run on the calling threads
  // under each budget's lock, as the I/O threads do.
  Fixture f(Admission::Options{}, 1);
  AdmissionStop team;
  team.kind = EntityKind::team;
  team.id = "t";
  team.label = "t";
  team.limits.max_budget = 10.0;  // 80 requests of 0.125 (exact in binary)
  auto stops_for = [&](int thread) {
    return std::vector<AdmissionStop>{key_stop("k" + std::to_string(thread), 100.0), team};
  };
  constexpr int kThreads = 4;
  constexpr int kPerThread = 200;

  std::atomic<int> loaded{0};  // first use loads each entity's spend through its actor
  for (int t = 0; t < kThreads; ++t) {
    f.admission.admit(request(stops_for(t), 0), [&](AdmissionResult r) {
      f.admission.settle(*r, 0, 0);
      loaded.fetch_add(1);
    });
  }
  for (int i = 0; i < 5000 && loaded.load() < kThreads; ++i) std::this_thread::sleep_for(1ms);
  REQUIRE(loaded.load() == kThreads);

  std::atomic<int> admitted{0}, over_budget{0}, answered{0};
  std::vector<std::vector<AdmissionGrant>> grants(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        f.admission.admit(request(stops_for(t), 0.125), [&, t](AdmissionResult r) {
          if (r.ok()) {
            admitted.fetch_add(1);
            grants[static_cast<std::size_t>(t)].push_back(*r);
          } else if (r.error().type == "budget_exceeded") {
            over_budget.fetch_add(1);
          }
          answered.fetch_add(1);
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(answered.load() == kThreads * kPerThread);  // loaded entities answer inline
  CHECK(admitted.load() == 80);
  CHECK(over_budget.load() == kThreads * kPerThread - 80);

  // Concurrent settlements at half the reservation: the team's spend is their exact sum.
  threads.clear();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (const auto& grant : grants[static_cast<std::size_t>(t)]) f.admission.settle(grant, 0.0625, 10);
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(f.spend("team", "t", 10.0) == 5.0);
  double keys = 0;
  for (int t = 0; t < kThreads; ++t) keys += f.spend("key", "k" + std::to_string(t), 100.0);
  CHECK(keys == 5.0);
}

TEST_CASE("an admission abandoned while its budget loads reserves nothing and is not counted as a denial",
          "[actors][budgets]") {
  Fixture f;
  std::atomic<bool> gone{false};
  auto abandoned = request({key_stop("k", 1.0), key_stop("k2", 1.0)}, 0.5);
  abandoned.abandoned = [&gone] { return gone.load(); };
  std::optional<AdmissionResult> first;
  f.admission.admit(std::move(abandoned), [&](AdmissionResult r) { first = std::move(r); });
  gone = true;  // the client hangs up while the spend is loading
  f.run_until([&] { return first.has_value(); });
  CHECK_FALSE(first->ok());
  CHECK(first->error().status == 499);

  const auto text = prometheus::TextSerializer().Serialize(f.registry.Collect());
  CHECK(testing::metric_sum(text, "tollgate_budget_reservations_outstanding") == 0);
  CHECK(testing::metric_sum(text, "tollgate_rate_limit_denials_total") == 0);

  // The whole budget is still there: a request for all of it is admitted.
  std::optional<AdmissionResult> next;
  f.admission.admit(request({key_stop("k", 1.0), key_stop("k2", 1.0)}, 1.0),
                    [&](AdmissionResult r) { next = std::move(r); });
  f.run_until([&] { return next.has_value(); });
  CHECK(next->ok());
}

TEST_CASE("concurrent first requests of a new end user: its budget admits exactly what fits", "[actors][budgets]") {
  // LiteLLM reads an end user's spend per request and checks it before the call: the requests
  // of an end user nobody has seen yet all pass before the first one's spend is written. Here
  // they all arrive before the end user's spend is loaded, park with its owner, and are
  // admitted in turn against spend + reservations.
  Fixture f(Admission::Options{}, 1);
  AdmissionStop end_user;
  end_user.kind = EntityKind::end_user;
  end_user.id = "cust-new";
  end_user.label = "cust-new";
  end_user.limits.max_budget = 0.5;  // 4 requests of 0.125 (exact in binary)
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::atomic<int> admitted{0}, over_budget{0}, answered{0};
  std::mutex grants_mutex;
  std::vector<AdmissionGrant> grants;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        f.admission.admit(request({key_stop("k" + std::to_string(t), 100.0), end_user}, 0.125), [&](AdmissionResult r) {
          if (r.ok()) {
            admitted.fetch_add(1);
            std::lock_guard lock(grants_mutex);
            grants.push_back(*r);
          } else if (r.error().type == "budget_exceeded") {
            CHECK(r.error().message.find("End User=cust-new") != std::string::npos);
            over_budget.fetch_add(1);
          }
          answered.fetch_add(1);
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int i = 0; i < 5000 && answered.load() < kThreads * kPerThread; ++i) std::this_thread::sleep_for(1ms);
  REQUIRE(answered.load() == kThreads * kPerThread);
  CHECK(admitted.load() == 4);
  CHECK(over_budget.load() == kThreads * kPerThread - 4);

  // Settled below the reservation, the rest frees up for the next request; above none.
  for (const auto& grant : grants) f.admission.settle(grant, 0.1, 10);
  int next = -1;
  f.admission.admit(request({key_stop("k0", 100.0), end_user}, 0.1), [&](AdmissionResult r) { next = r.ok(); });
  CHECK(next == 1);  // 0.4 spent + 0.1 fits 0.5
  int last = -1;
  f.admission.admit(request({key_stop("k0", 100.0), end_user}, 0.01), [&](AdmissionResult r) { last = r.ok(); });
  CHECK(last == 0);
}

namespace {

// Owners bounded to one, evictable as soon as idle (a real gateway waits a whole rate window).
Admission::Options bounded_to_one(std::chrono::milliseconds evictable_after) {
  auto o = Fixture::options();
  o.reservation_ttl = 15min;  // reservations held until settled: a sweep must not end them
  o.max_owners = 1;
  o.evictable_after = evictable_after;
  return o;
}

void insert_key(Fixture& f, const std::string& hash) { testing::insert_key_row(f.dir + "/t.db", hash); }

std::optional<AdmissionGrant> admit_now(Fixture& f, AdmissionRequest r) {
  int answered = 0;
  std::optional<AdmissionGrant> grant;
  f.admission.admit(std::move(r), [&](AdmissionResult result) {
    answered = 1;
    if (result.ok()) grant = *result;
  });
  f.run_until([&] { return answered == 1; });
  return grant;
}

double metric(Fixture& f, const std::string& name) {
  return testing::metric_sum(prometheus::TextSerializer().Serialize(f.registry.Collect()), name);
}

}  // namespace

TEST_CASE("owners over their bound: the idle one is evicted and its successor reloads the spend exactly",
          "[actors][budgets][bounded]") {
  Fixture f(bounded_to_one(0ms));
  insert_key(f, "idle");
  CHECK(metric(f, "tollgate_budget_owners_max") == 1);
  // "idle" spends 0.6 of its 1.0 (settled, and recorded in the writer as the gateway does).
  const auto spent = admit_now(f, request({key_stop("idle", 1.0)}, 0.6));
  REQUIRE(spent);
  f.admission.settle(*spent, 0.6, 10);
  persistence::SpendLogRow row;
  row.request_id = "r1";
  row.spend = 0.6;
  f.writer.record(row, {{EntityKind::key, "idle", 0.6}});
  // "busy" holds a reservation: never evicted while it does.
  const auto held = admit_now(f, request({key_stop("busy", 1.0)}, 0.9));
  REQUIRE(held);
  CHECK(metric(f, "tollgate_budget_owners") == 2);
  std::this_thread::sleep_for(5ms);
  f.run_actors(true);  // the sweeps: two owners over a bound of one
  CHECK(metric(f, "tollgate_budget_owner_evictions_total") == 1);
  CHECK(metric(f, "tollgate_budget_owners") == 1);
  // busy's reservation survived: 0.9 held, so 0.2 more does not fit; settling frees it.
  CHECK_FALSE(admit_now(f, request({key_stop("busy", 1.0)}, 0.2)));
  f.admission.settle(*held, 0.1, 10);
  CHECK(admit_now(f, request({key_stop("busy", 1.0)}, 0.2)));
  // idle's successor loads 0.6 from the store and the writer: 0.5 more is refused, 0.4 fits.
  CHECK_FALSE(admit_now(f, request({key_stop("idle", 1.0)}, 0.5)));
  CHECK(admit_now(f, request({key_stop("idle", 1.0)}, 0.4)));
}

TEST_CASE("owners over their bound: one with requests in its rate window is not evicted",
          "[actors][ratelimits][bounded]") {
  Fixture f(bounded_to_one(61s));  // the gateway's rule: a whole window (and its last bucket) idle
  const auto first = admit_now(f, request({key_stop("limited", std::nullopt, 1)}, 0));
  REQUIRE(first);
  f.admission.settle(*first, 0, 10);
  REQUIRE(admit_now(f, request({key_stop("other", std::nullopt)}, 0)));
  std::this_thread::sleep_for(5ms);
  f.run_actors(true);
  CHECK(metric(f, "tollgate_budget_owner_evictions_total") == 0);
  CHECK_FALSE(admit_now(f, request({key_stop("limited", std::nullopt, 1)}, 0)));  // rpm 1: still counted
}

TEST_CASE("a deleted entity's idle owner retires at once, not after idle_timeout", "[actors][budgets][deleted]") {
  Fixture f;
  const auto grant = admit_now(f, request({key_stop("gone", 1.0)}, 0.1));
  REQUIRE(grant);
  f.admission.settle(*grant, 0.1, 10);
  REQUIRE(f.admission.has_owner(EntityKind::key, "gone"));
  CHECK(metric(f, "tollgate_budget_owners") == 1);
  f.admission.forget(EntityKind::key, "gone");
  CHECK_FALSE(f.admission.has_owner(EntityKind::key, "gone"));
  CHECK(metric(f, "tollgate_budget_owners") == 0);
  CHECK(metric(f, "tollgate_budget_owner_evictions_total") == 0);  // not an eviction
  f.run_actors(true);                                              // the owner exits; nothing else happens
  f.admission.forget(EntityKind::key, "never-seen");               // no owner: nothing to do
  CHECK(metric(f, "tollgate_budget_owners") == 0);
}

TEST_CASE("a deleted key with a request in flight: its owner stays until the request settles, whose cost is counted",
          "[actors][budgets][deleted]") {
  Fixture f;
  AdmissionStop team;
  team.kind = EntityKind::team;
  team.id = "t";
  team.label = "t";
  team.limits.max_budget = 1.0;
  const auto in_flight = admit_now(f, request({key_stop("gone", 1.0), team}, 0.5));
  const auto released = admit_now(f, request({key_stop("gone", 1.0)}, 0.1));
  REQUIRE(in_flight);
  REQUIRE(released);
  CHECK(metric(f, "tollgate_budget_owners") == 2);
  f.admission.forget(EntityKind::key, "gone");
  // Two reservations hold it: still registered, still settling in place.
  CHECK(f.admission.has_owner(EntityKind::key, "gone"));
  f.admission.release(*released);
  CHECK(f.admission.has_owner(EntityKind::key, "gone"));  // one reservation left
  f.admission.settle(*in_flight, 0.3, 10);
  CHECK_FALSE(f.admission.has_owner(EntityKind::key, "gone"));
  CHECK(metric(f, "tollgate_budget_owners") == 1);  // the team's owner stays
  f.run_actors(true);
  // The settled cost reached the key's budget before it retired, and the team's: 0.3 of 1.0.
  CHECK(f.spend("key", "gone", 1.0) == Approx(0.3));
  CHECK(f.spend("team", "t", 1.0) == Approx(0.3));
  CHECK_FALSE(admit_now(f, request({team}, 0.8)));  // 0.3 + 0.8 > 1.0
  CHECK(admit_now(f, request({team}, 0.7)));
}

TEST_CASE("a deleted key whose owner is still loading retires once the waiting admissions are answered",
          "[actors][budgets][deleted]") {
  Fixture f;
  std::optional<AdmissionGrant> grant;
  int answered = 0;
  f.admission.admit(request({key_stop("loading", 1.0)}, 0.2), [&](AdmissionResult r) {
    answered = 1;
    if (r.ok()) grant = *r;
  });
  REQUIRE(f.admission.has_owner(EntityKind::key, "loading"));
  f.admission.forget(EntityKind::key, "loading");  // before the spend is loaded: the admission waits
  f.run_until([&] { return answered == 1; });
  REQUIRE(grant);
  CHECK(f.admission.has_owner(EntityKind::key, "loading"));  // the grant holds a reservation
  f.admission.settle(*grant, 0.2, 10);
  CHECK_FALSE(f.admission.has_owner(EntityKind::key, "loading"));
  CHECK(metric(f, "tollgate_budget_owners") == 0);
}

TEST_CASE("owner retirement on a change: the owner of an entity missing from the store goes, an updated one stays",
          "[actors][budgets][deleted]") {
  Fixture f;
  insert_key(f, "kept");  // "removed" has no row: deleted
  for (const auto* id : {"kept", "removed"}) {
    const auto grant = admit_now(f, request({key_stop(id, 1.0)}, 0));
    REQUIRE(grant);
    f.admission.settle(*grant, 0, 0);
  }
  OwnerRetirement retirement;
  retirement.committed({persistence::Change{persistence::ChangeKind::key, {"removed"}}});  // not attached: ignored
  CHECK(f.admission.has_owner(EntityKind::key, "removed"));
  retirement.attach(f.admission, f.pool);
  retirement.committed({persistence::Change{persistence::ChangeKind::key, {"kept", "removed"}},
                        persistence::Change{persistence::ChangeKind::model, {"m"}}});
  f.run_until([&] { return !f.admission.has_owner(EntityKind::key, "removed"); });
  f.pool.stop();  // every check has run
  CHECK(f.admission.has_owner(EntityKind::key, "kept"));
  CHECK(metric(f, "tollgate_budget_owners") == 1);
  retirement.detach();
}
