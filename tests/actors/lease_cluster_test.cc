// Three gateways' admissions in one process, joined by a network that delivers every lease
// message on a thread of its own (as a remote actor's reply would arrive): exactness across
// nodes, handover and the loss of a node, with the real lease code on both sides.
#include <catch2/catch.hpp>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "actors/admission.h"
#include "actors/lease_admission.h"
#include "actors/lease_network.h"
#include "actors/owner_retirement.h"
#include "core/hash_ring.h"
#include "identity/key_cache.h"
#include "identity/key_changes.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "spend/spend_writer.h"
#include "tests/support/key_rows.h"
#include "tests/support/metrics_text.h"
#include "tests/support/test_env.h"

using namespace tollgate;
using namespace tollgate::actors;
using persistence::EntityKind;
using namespace std::chrono_literals;

namespace {

// Delivers jobs in order on one thread: the "wire".
class Wire {
 public:
  Wire() : thread_([this] { run(); }) {}
  ~Wire() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  // Waits until every job, and every job those posted, has run.
  void drain() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return jobs_.empty() && !running_; });
  }
  void post(std::function<void()> job) {
    {
      std::lock_guard lock(mutex_);
      jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      running_ = true;
      lock.unlock();
      job();
      lock.lock();
      running_ = false;
      idle_.notify_all();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> jobs_;
  bool running_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

// The cluster as every node sees it: one ring over the live nodes, messages over the wire; a
// node marked down answers nothing (its messages fail, as a dead remote actor's would).
struct World {
  std::mutex mutex;
  std::set<std::string> live;
  core::HashRing ring;
  std::map<std::string, Admission*> nodes;
  std::set<std::string> down;
  std::map<std::string, std::map<std::string, core::Exposure>> exposures;  // as Redis keeps them
  Wire wire;

  void set_live(std::set<std::string> ids) {
    std::lock_guard lock(mutex);
    live = std::move(ids);
    ring = core::HashRing(std::vector<std::string>(live.begin(), live.end()));
  }
  LeaseAdmission* target(const std::string& id) {
    std::lock_guard lock(mutex);
    if (down.count(id)) return nullptr;
    const auto it = nodes.find(id);
    return it == nodes.end() ? nullptr : it->second->cluster();
  }
};

class TestNetwork : public LeaseNetwork {
 public:
  TestNetwork(World& world, std::string self) : world_(world), self_(std::move(self)) {}
  Node owner_of(std::string_view entity) const override {
    std::lock_guard lock(world_.mutex);
    const auto id = std::string(world_.ring.owner_of(entity));
    return {id, id};  // a node's "endpoint" is its id on this wire
  }
  std::vector<Node> peers() const override {
    std::lock_guard lock(world_.mutex);
    std::vector<Node> out;
    for (const auto& id : world_.live) {
      if (id != self_) out.push_back({id, id});
    }
    return out;
  }
  void request_lease(const Node& owner, core::LeaseRequest request,
                     std::function<void(core::Result<core::LeaseGrant>)> done) override {
    world_.wire.post([this, owner, request = std::move(request), done = std::move(done)]() mutable {
      auto* target = world_.target(owner.endpoint);
      if (!target) {
        done(core::service_unavailable("unreachable"));
        return;
      }
      target->serve_lease(std::move(request), [this, done](core::LeaseGrant grant) {
        world_.wire.post([done, grant = std::move(grant)] { done(grant); });
      });
    });
  }
  void request_handover(const Node& peer, core::HandoverQuery query,
                        std::function<void(core::Result<core::HandoverAnswer>)> done) override {
    world_.wire.post([this, peer, query = std::move(query), done = std::move(done)]() mutable {
      auto* target = world_.target(peer.endpoint);
      if (!target) {
        done(core::service_unavailable("unreachable"));
        return;
      }
      target->serve_handover(std::move(query), [this, done](core::HandoverAnswer answer) {
        world_.wire.post([done, answer = std::move(answer)] { done(answer); });
      });
    });
  }
  void record_exposure(const std::string& entity, const std::string& node, const core::Exposure& exposure,
                       std::function<void()> then) override {
    {
      std::lock_guard lock(world_.mutex);
      world_.exposures[entity][node] = exposure;
    }
    world_.wire.post(std::move(then));
  }
  void read_exposure(const std::string& entity, std::function<void(ExposureRecords)> done) override {
    ExposureRecords records;
    {
      std::lock_guard lock(world_.mutex);
      for (const auto& [node, exposure] : world_.exposures[entity]) records.emplace_back(node, exposure);
    }
    world_.wire.post([done = std::move(done), records = std::move(records)] { done(records); });
  }

 private:
  World& world_;
  std::string self_;
};

struct GatewayNode {
  GatewayNode(World& world, const std::string& id, const std::string& db)
      : pool("", db, 1, 1000),
        writer("", db, spend::SpendWriter::Options{}),
        admission(pool, writer, registry, Admission::Options{}, actors::scheduler_config(1)),
        network(world, id) {
    LeaseOptions o;
    o.node = id;
    o.incarnation = id + "/1";
    o.endpoint = id;
    o.lease_ttl = 2000ms;
    o.tick = 20ms;
    admission.join_cluster(network, o);
    key_changes.also_notify(&retirement);  // as app/gateway.cc wires it
    retirement.attach(admission, pool);
  }
  ~GatewayNode() {
    retirement.detach();
    pool.stop();
    admission.stop();
  }
  // What a change the fan-out delivers to this node does to its admission (as app/gateway.cc
  // wires it): a deleted entity's state goes.
  void heard(persistence::ChangeKind kind, const std::string& id) {
    retirement.committed({persistence::Change{kind, {id}}});
  }
  // What the fan-out's subscriber does when it (re)subscribes or sees a gap: changes may have
  // been missed, whatever they were.
  void missed_changes() { key_changes.missed_changes(); }
  double metric(const std::string& name, const std::string& label = "") {
    return testing::metric_sum(prometheus::TextSerializer().Serialize(registry.Collect()), name, label);
  }
  // Waits for the store jobs queued so far (one store thread: in order), such as the check of a
  // change heard().
  void flush() {
    std::promise<void> done;
    pool.submit([&](persistence::Store&) { done.set_value(); },
                [&](persistence::JobFailure, const std::string&) { done.set_value(); });
    done.get_future().wait();
  }
  double reservations() { return metric("tollgate_budget_reservations_outstanding"); }
  double holders() { return metric("tollgate_cluster_lease_entities", R"(role="holder")"); }
  double desks() { return metric("tollgate_cluster_lease_entities", R"(role="owner")"); }
  prometheus::Registry registry;
  persistence::StorePool pool;
  spend::SpendWriter writer;
  Admission admission;
  TestNetwork network;
  OwnerRetirement retirement;
  identity::KeyCache key_cache;
  identity::KeyCacheInvalidator key_changes{key_cache};
};

struct Cluster {
  explicit Cluster(int n = 3) : dir(testing::temp_dir()) {
    std::set<std::string> ids;
    for (int i = 1; i <= n; ++i) ids.insert("n" + std::to_string(i));
    world.set_live(ids);
    for (const auto& id : ids) {
      nodes.push_back(std::make_unique<GatewayNode>(world, id, dir + "/cluster.db"));
      std::lock_guard lock(world.mutex);
      world.nodes[id] = &nodes.back()->admission;
    }
  }
  // Timers first, then the messages in flight, then the nodes.
  ~Cluster() {
    for (auto& n : nodes) n->admission.stop();
    world.wire.drain();
    for (auto& n : nodes) n->pool.stop();  // a spend load in flight answers over the wire
    world.wire.drain();
  }
  Admission& node(std::size_t i) { return nodes[i]->admission; }
  std::string dir;
  World world;
  std::vector<std::unique_ptr<GatewayNode>> nodes;
};

AdmissionStop stop(EntityKind kind, const std::string& id, std::optional<double> max_budget,
                   std::optional<std::int64_t> rpm = std::nullopt) {
  AdmissionStop s;
  s.kind = kind;
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

// Outcomes of many admissions answered on any thread; settles each admitted one at `cost`.
struct Tally {
  std::mutex mutex;
  std::condition_variable answered_cv;
  int answered = 0, admitted = 0, over_budget = 0, rate_limited = 0, other = 0;
  std::vector<std::pair<Admission*, AdmissionGrant>> grants;

  std::function<void(AdmissionResult)> on(Admission& a) {
    return [this, &a](AdmissionResult r) {
      std::lock_guard lock(mutex);
      if (r.ok()) {
        ++admitted;
        grants.emplace_back(&a, *r);
      } else if (r.error().type == "budget_exceeded") {
        ++over_budget;
      } else if (r.error().status == 429) {
        ++rate_limited;
      } else {
        ++other;
        std::fprintf(stderr, "unexpected: %d %s\n", r.error().status, r.error().message.c_str());
      }
      ++answered;
      answered_cv.notify_all();
    };
  }
  bool wait_for(int n, std::chrono::milliseconds limit = 20s) {
    std::unique_lock lock(mutex);
    return answered_cv.wait_for(lock, limit, [&] { return answered >= n; });
  }
  void settle_all(double cost) {
    std::lock_guard lock(mutex);
    for (auto& [a, g] : grants) a->settle(g, cost, 0);
    grants.clear();
  }
};

}  // namespace

TEST_CASE("300 concurrent admissions over 3 nodes against a budget for exactly 7: exactly 7 admitted",
          "[actors][leases]") {
  Cluster c;
  Tally tally;
  std::vector<std::thread> threads;
  for (std::size_t n = 0; n < 3; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < 100; ++i) {
        c.node(n).admit(request({stop(EntityKind::key, "k", 0.875)}, 0.125), tally.on(c.node(n)));
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(tally.wait_for(300));
  CHECK(tally.other == 0);
  CHECK(tally.admitted == 7);
  CHECK(tally.over_budget == 293);
  tally.settle_all(0.125);
}

TEST_CASE("a team budget shared by keys owned on different nodes is exact", "[actors][leases]") {
  Cluster c;
  Tally tally;
  const auto team = stop(EntityKind::team, "t", 2.0);  // 16 requests of 0.125
  std::vector<std::thread> threads;
  for (std::size_t n = 0; n < 3; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < 60; ++i) {
        const auto key = "k" + std::to_string(i % 6);  // six keys: their owners are spread
        c.node(n).admit(request({stop(EntityKind::key, key, 100.0), team}, 0.125), tally.on(c.node(n)));
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(tally.wait_for(180));
  CHECK(tally.other == 0);
  CHECK(tally.admitted == 16);
  tally.settle_all(0.125);
}

TEST_CASE("a new end user's first requests on 3 nodes at once: its budget is exact", "[actors][leases]") {
  Cluster c;
  Tally tally;
  const auto end_user = stop(EntityKind::end_user, "cust-new", 1.0);  // 8 requests of 0.125
  std::vector<std::thread> threads;
  for (std::size_t n = 0; n < 3; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < 50; ++i) {
        const auto key = "k" + std::to_string(i % 5);
        c.node(n).admit(request({stop(EntityKind::key, key, 100.0), end_user}, 0.125), tally.on(c.node(n)));
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(tally.wait_for(150));
  CHECK(tally.other == 0);
  CHECK(tally.admitted == 8);
  CHECK(tally.over_budget == 142);
  tally.settle_all(0.125);
}

TEST_CASE("rpm 30 over 3 nodes: exactly 30 of 200 admitted within the window", "[actors][leases]") {
  Cluster c;
  Tally tally;
  std::vector<std::thread> threads;
  for (std::size_t n = 0; n < 3; ++n) {
    threads.emplace_back([&, n] {
      for (int i = 0; i < 67; ++i) {
        if (n == 2 && i == 66) break;  // 200 in all
        c.node(n).admit(request({stop(EntityKind::key, "k", std::nullopt, 30)}, 0), tally.on(c.node(n)));
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(tally.wait_for(200));
  CHECK(tally.other == 0);
  CHECK(tally.admitted == 30);
  CHECK(tally.rate_limited == 170);
  tally.settle_all(0);
}

TEST_CASE("spending settles back to the owner: what one node spent is refused on the others", "[actors][leases]") {
  Cluster c;
  {
    Tally tally;
    for (int i = 0; i < 4; ++i) c.node(0).admit(request({stop(EntityKind::key, "k", 1.0)}, 0.25), tally.on(c.node(0)));
    REQUIRE(tally.wait_for(4));
    REQUIRE(tally.admitted == 4);
    tally.settle_all(0.25);  // the whole budget is spent
  }
  Tally after;
  c.node(1).admit(request({stop(EntityKind::key, "k", 1.0)}, 0.25), after.on(c.node(1)));
  c.node(2).admit(request({stop(EntityKind::key, "k", 1.0)}, 0.25), after.on(c.node(2)));
  REQUIRE(after.wait_for(2));
  CHECK(after.admitted == 0);
  CHECK(after.over_budget == 2);
}

TEST_CASE("ownership moves while leases are outstanding: the budget stays exact", "[actors][leases]") {
  Cluster c;
  Tally tally;
  // Half of the budget's requests, spread over the nodes; their leases stay out.
  for (int i = 0; i < 30; ++i) {
    auto& a = c.node(static_cast<std::size_t>(i % 3));
    a.admit(request({stop(EntityKind::key, "k", 2.0)}, 0.125), tally.on(a));
  }
  REQUIRE(tally.wait_for(30));
  CHECK(tally.admitted == 16);
  // The owner leaves the ring (gracefully: it still answers the handover) and comes back.
  std::string owner;
  {
    std::lock_guard lock(c.world.mutex);
    owner = std::string(c.world.ring.owner_of("key:k"));
  }
  std::set<std::string> without;
  for (const auto& id : {"n1", "n2", "n3"}) {
    if (id != owner) without.insert(id);
  }
  c.world.set_live(without);
  for (int i = 0; i < 30; ++i) {
    auto& a = c.node(static_cast<std::size_t>(i % 3));
    a.admit(request({stop(EntityKind::key, "k", 2.0)}, 0.125), tally.on(a));
  }
  REQUIRE(tally.wait_for(60));
  c.world.set_live({"n1", "n2", "n3"});
  for (int i = 0; i < 30; ++i) {
    auto& a = c.node(static_cast<std::size_t>(i % 3));
    a.admit(request({stop(EntityKind::key, "k", 2.0)}, 0.125), tally.on(a));
  }
  REQUIRE(tally.wait_for(90));
  CHECK(tally.other == 0);
  CHECK(tally.admitted == 16);  // never more than the budget, through both moves
  tally.settle_all(0.125);
}

namespace {

// Polls `done` every 10 ms; false after `limit`.
template <typename Done>
bool within(std::chrono::milliseconds limit, Done done) {
  for (const auto deadline = std::chrono::steady_clock::now() + limit; !done();) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::size_t owner_index(Cluster& c, const std::string& entity) {
  std::lock_guard lock(c.world.mutex);
  return static_cast<std::size_t>(std::string(c.world.ring.owner_of(entity)).at(1) - '1');  // "n1" → 0
}

// A key's row in the cluster's store: the entity exists (again).
void insert_key(Cluster& c, const std::string& hash) { testing::insert_key_row(c.dir + "/cluster.db", hash); }

// One admission's answer: its grant, or its status.
struct Answer {
  std::optional<AdmissionGrant> grant;
  int status = 0;
};
Answer admit_on(Admission& a, AdmissionRequest r) {
  std::mutex mutex;
  std::condition_variable cv;
  std::optional<Answer> answer;
  a.admit(std::move(r), [&](AdmissionResult result) {
    std::lock_guard lock(mutex);
    answer.emplace();
    if (result.ok()) {
      answer->grant = *result;
      answer->status = 200;
    } else {
      answer->status = result.error().status;
    }
    cv.notify_all();
  });
  std::unique_lock lock(mutex);
  REQUIRE(cv.wait_for(lock, 10s, [&] { return answer.has_value(); }));
  return *answer;
}

}  // namespace

TEST_CASE("a deleted key's leases and desks go at once on every node, its per-model ones too",
          "[actors][leases][deleted]") {
  Cluster c;
  insert_key(c, "kept");  // "gone" has no row: deleted
  auto gone = stop(EntityKind::key, "gone", 10.0);
  gone.limits.model_rpm_limit["m"] = 1000;  // a second entity: "key:gone#model:m"
  const auto kept = stop(EntityKind::key, "kept", 10.0);
  for (std::size_t n = 0; n < 3; ++n) {
    for (const auto& key : {gone, kept}) {
      const auto answer = admit_on(c.node(n), request({key}, 0.125));
      REQUIRE(answer.grant);
      c.node(n).settle(*answer.grant, 0.125, 0);
    }
  }
  // Every node holds three leases (gone, its per-model limits, kept); three desks in all.
  const auto desks = [&] { return c.nodes[0]->desks() + c.nodes[1]->desks() + c.nodes[2]->desks(); };
  for (auto& n : c.nodes) REQUIRE(within(1s, [&] { return n->holders() == 3; }));
  REQUIRE(within(1s, [&] { return desks() == 3; }));

  for (auto& n : c.nodes) n->heard(persistence::ChangeKind::key, "kept");  // updated: stays
  for (auto& n : c.nodes) n->heard(persistence::ChangeKind::key, "gone");
  // Before: the leases stayed for their idle timeout (60 s), the desks as long.
  for (auto& n : c.nodes) CHECK(within(1s, [&] { return n->holders() == 1; }));
  CHECK(within(1s, [&] { return desks() == 1; }));
  for (std::size_t n = 0; n < 3; ++n) {
    CHECK_FALSE(c.node(n).has_owner(EntityKind::key, "gone"));
    CHECK(c.node(n).has_owner(EntityKind::key, "kept"));
  }
}

TEST_CASE(
    "changes missed by the fan-out: the leases and desks of what was deleted meanwhile go on every node, the rest "
    "stay",
    "[actors][leases][deleted][missed]") {
  Cluster c;
  insert_key(c, "kept");  // "gone" and team "t-gone" have no row: deleted while nobody listened
  auto gone = stop(EntityKind::key, "gone", 10.0);
  gone.limits.model_rpm_limit["m"] = 1000;  // a second entity: "key:gone#model:m"
  const auto kept = stop(EntityKind::key, "kept", 10.0);
  const auto team = stop(EntityKind::team, "t-gone", 10.0);
  for (std::size_t n = 0; n < 3; ++n) {
    for (const auto& stops : {std::vector{gone, team}, std::vector{kept}}) {
      const auto answer = admit_on(c.node(n), request(stops, 0.125));
      REQUIRE(answer.grant);
      c.node(n).settle(*answer.grant, 0.125, 0);
    }
  }
  // Every node holds four leases (gone, its per-model limits, the team, kept); four desks in all.
  const auto desks = [&] { return c.nodes[0]->desks() + c.nodes[1]->desks() + c.nodes[2]->desks(); };
  for (auto& n : c.nodes) REQUIRE(within(1s, [&] { return n->holders() == 4; }));
  REQUIRE(within(1s, [&] { return desks() == 4; }));

  // No deletion was heard; each node's subscription came back (or saw a gap).
  for (auto& n : c.nodes) n->missed_changes();
  // Before: the key cache was dropped, but the leases and desks stayed for their idle timeout.
  for (auto& n : c.nodes) CHECK(within(1s, [&] { return n->holders() == 1; }));
  CHECK(within(1s, [&] { return desks() == 1; }));
  for (std::size_t n = 0; n < 3; ++n) {
    CHECK_FALSE(c.node(n).has_owner(EntityKind::key, "gone"));
    CHECK_FALSE(c.node(n).has_owner(EntityKind::team, "t-gone"));
    CHECK(c.node(n).has_owner(EntityKind::key, "kept"));
  }
  // The kept key's lease still admits on every node.
  for (std::size_t n = 0; n < 3; ++n) {
    const auto answer = admit_on(c.node(n), request({kept}, 0.125));
    REQUIRE(answer.grant);
    c.node(n).settle(*answer.grant, 0.125, 0);
  }
}

TEST_CASE(
    "a lease holder of a deleted key with requests in flight: they settle, then it goes without a word to the "
    "owner",
    "[actors][leases][deleted]") {
  Cluster c;
  const auto owner = owner_index(c, "key:inflight");
  auto& holder = *c.nodes[(owner + 1) % 3];
  const auto key = stop(EntityKind::key, "inflight", 1.0);
  const auto settled = admit_on(holder.admission, request({key}, 0.25));
  const auto released = admit_on(holder.admission, request({key}, 0.25));
  REQUIRE(settled.grant);
  REQUIRE(released.grant);
  const double handovers = c.nodes[owner]->metric("tollgate_cluster_handovers_total");

  for (auto& n : c.nodes) n->heard(persistence::ChangeKind::key, "inflight");
  for (auto& n : c.nodes) n->flush();  // every node has checked the store
  CHECK_FALSE(c.nodes[owner]->admission.has_owner(EntityKind::key, "inflight"));
  const double syncs = holder.metric("tollgate_cluster_lease_syncs_total");
  // Two reservations keep the holder.
  CHECK(holder.admission.has_owner(EntityKind::key, "inflight"));
  holder.admission.release(*released.grant);
  CHECK(holder.admission.has_owner(EntityKind::key, "inflight"));
  holder.admission.settle(*settled.grant, 0.25, 10);
  CHECK_FALSE(holder.admission.has_owner(EntityKind::key, "inflight"));
  CHECK(within(1s, [&] { return holder.holders() == 0; }));
  // Past the point where a renewal was due (2/3 of the 2 s lease): nothing went to the owner,
  // which loaded nothing again.
  std::this_thread::sleep_for(1500ms);
  CHECK(holder.metric("tollgate_cluster_lease_syncs_total") == syncs);
  CHECK(c.nodes[owner]->metric("tollgate_cluster_handovers_total") == handovers);
  for (auto& n : c.nodes) CHECK(n->desks() == 0);
}

TEST_CASE(
    "a sync for a deleted key from a node that has not heard yet brings no handover back, the same id created "
    "again loads as new",
    "[actors][leases][deleted]") {
  Cluster c;
  const auto owner_at = owner_index(c, "key:late");
  auto& owner = *c.nodes[owner_at];
  auto& holder = *c.nodes[(owner_at + 1) % 3];
  const auto key = stop(EntityKind::key, "late", 10.0);
  const auto first = admit_on(holder.admission, request({key}, 0.125));
  REQUIRE(first.grant);
  holder.admission.settle(*first.grant, 0.125, 0);
  REQUIRE(owner.admission.has_owner(EntityKind::key, "late"));
  const double handovers = owner.metric("tollgate_cluster_handovers_total");

  owner.heard(persistence::ChangeKind::key, "late");  // the holder's node has not heard yet
  REQUIRE(within(1s, [&] { return !owner.admission.has_owner(EntityKind::key, "late"); }));
  // More than its lease holds: a sync to the owner, which answers without asking every node
  // and keeps no desk.
  const auto late = admit_on(holder.admission, request({key}, 9.0));
  CHECK(late.status == 200);
  if (late.grant) holder.admission.settle(*late.grant, 0, 0);
  CHECK(owner.metric("tollgate_cluster_handovers_total") == handovers);
  CHECK(within(1s, [&] { return !owner.admission.has_owner(EntityKind::key, "late"); }));

  // A request still in flight on the holder when its node hears of the deletion.
  const auto pending = admit_on(holder.admission, request({key}, 0.125));
  REQUIRE(pending.grant);
  holder.heard(persistence::ChangeKind::key, "late");
  holder.flush();
  CHECK(holder.admission.has_owner(EntityKind::key, "late"));  // the request in flight keeps it

  // Created again with the same id while that request runs: a new holder, not the deleted one,
  // and a desk loaded as for any entity.
  insert_key(c, "late");
  const auto again = admit_on(holder.admission, request({key}, 0.125));
  REQUIRE(again.grant);
  CHECK(owner.metric("tollgate_cluster_handovers_total") == handovers + 1);
  CHECK(holder.reservations() == 2);
  holder.admission.settle(*pending.grant, 0.125, 0);  // ends on the deleted holder
  CHECK(holder.reservations() == 1);
  holder.admission.settle(*again.grant, 0.125, 0);
  CHECK(holder.reservations() == 0);
  std::this_thread::sleep_for(200ms);  // past a few ticks: the new holder and the desk stay
  CHECK(owner.admission.has_owner(EntityKind::key, "late"));
  CHECK(holder.admission.has_owner(EntityKind::key, "late"));
  CHECK(holder.holders() == 1);
}
