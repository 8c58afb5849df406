#include "cluster/membership.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "cluster/redis_registry.h"
#include "core/node_address.h"
#include "telemetry/log.h"

namespace tollgate::cluster {
namespace {

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string default_node_id(std::uint16_t http_port) {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof host, "node");
  auto id = std::string(host) + ":" + std::to_string(http_port);
  return core::is_valid_node_id(id) ? id : "node:" + std::to_string(http_port);
}

// One command may wait this long: below the heartbeat interval, so a stalled Redis costs at
// most a round, and never so long that stopping the node waits on it.
std::chrono::milliseconds command_timeout(std::chrono::milliseconds heartbeat) {
  return std::clamp(heartbeat, std::chrono::milliseconds(100), std::chrono::milliseconds(2000));
}

std::vector<std::string> ids_of(const std::vector<NodeRecord>& nodes) {
  std::vector<std::string> ids;
  ids.reserve(nodes.size());
  for (const auto& node : nodes) ids.push_back(node.node_id);
  return ids;
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

std::shared_ptr<const MembershipView> initial_view(const MembershipOptions& options) {
  auto view = std::make_shared<MembershipView>();
  view->source = options.static_members.empty() ? "redis" : "static";
  return view;
}

}  // namespace

MembershipOptions membership_options(const config::ClusterMembershipSettings& settings, const std::string& redis_url,
                                     std::uint16_t http_port) {
  MembershipOptions options;
  options.self.node_id = settings.node_id.empty() ? default_node_id(http_port) : settings.node_id;
  options.self.endpoint = settings.advertise_address;
  options.self.started_at_ms = unix_ms_now();
  options.cluster_name = settings.name;
  options.redis_url = redis_url;
  options.heartbeat_interval = settings.heartbeat_interval;
  options.node_ttl = settings.node_ttl;
  for (const auto& peer : settings.peers) {
    options.static_members.push_back({peer.node_id, peer.address, 0});
  }
  return options;
}

Membership::Membership(MembershipOptions options, prometheus::Registry& metrics)
    : options_(std::move(options)),
      cell_(initial_view(options_)),
      members_gauge_(prometheus::BuildGauge()
                         .Name("tollgate_cluster_members")
                         .Help("Live cluster members this node sees, itself included")
                         .Register(metrics)
                         .Add({})),
      ring_changes_(prometheus::BuildCounter()
                        .Name("tollgate_cluster_ring_changes_total")
                        .Help("Times this node rebuilt its hash ring because the member set changed")
                        .Register(metrics)
                        .Add({})) {
  if (options_.static_members.empty()) {
    registry_ = std::make_unique<RedisRegistry>(options_.redis_url, options_.cluster_name,
                                                command_timeout(options_.heartbeat_interval));
  }
}

Membership::~Membership() { stop(); }

void Membership::start() {
  started_ = true;
  telemetry::log_info("cluster_membership_started", {{"node_id", options_.self.node_id},
                                                     {"source", registry_ ? "redis" : "static"},
                                                     {"cluster", options_.cluster_name}});
  if (!registry_) {
    auto members = options_.static_members;
    for (auto& member : members) {
      if (member.node_id == options_.self.node_id) member = options_.self;
    }
    std::sort(members.begin(), members.end(),
              [](const NodeRecord& a, const NodeRecord& b) { return a.node_id < b.node_id; });
    publish(std::move(members), true, {});
    return;
  }
  heartbeat_round();
  thread_ = std::thread([this] { run(); });
}

void Membership::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.heartbeat_interval, [this] { return stopping_; })) {
    lock.unlock();
    heartbeat_round();
    lock.lock();
  }
}

void Membership::heartbeat_round() {
  auto live = registry_->heartbeat(options_.self, options_.node_ttl);
  if (live) {
    publish(std::move(*live), true, {});
    return;
  }
  const auto previous = cell_.load();
  auto nodes = previous->nodes.empty() ? std::vector<NodeRecord>{options_.self} : previous->nodes;
  publish(std::move(nodes), false, live.error().message);
}

void Membership::publish(std::vector<NodeRecord> nodes, bool registry_ok, std::string registry_error) {
  const auto previous = cell_.load();
  if (previous->nodes == nodes && previous->registry_ok == registry_ok && previous->registry_error == registry_error &&
      previous->ring_version > 0) {
    return;
  }
  if (previous->registry_ok != registry_ok) {
    if (registry_ok) {
      telemetry::log_info("cluster_registry_restored", {{"node_id", options_.self.node_id}});
    } else {
      telemetry::log_warn("cluster_registry_unreachable",
                          {{"node_id", options_.self.node_id}, {"error", registry_error}});
    }
  }
  auto view = std::make_shared<MembershipView>();
  view->source = previous->source;
  view->registry_ok = registry_ok;
  view->registry_error = std::move(registry_error);
  auto ids = ids_of(nodes);
  if (previous->ring_version == 0 || ids != previous->ring.members()) {
    view->ring = core::HashRing(ids);
    view->ring_version = previous->ring_version + 1;
    ring_changes_.Increment();
    members_gauge_.Set(static_cast<double>(ids.size()));
    telemetry::log_info("cluster_ring_changed", {{"node_id", options_.self.node_id},
                                                 {"members", joined(ids)},
                                                 {"member_count", ids.size()},
                                                 {"ring_version", static_cast<long long>(view->ring_version)},
                                                 {"ring_fingerprint", view->ring.fingerprint_hex()}});
  } else {
    view->ring = previous->ring;
    view->ring_version = previous->ring_version;
  }
  view->nodes = std::move(nodes);
  cell_.publish(std::move(view));
}

void Membership::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!registry_ || !started_) return;
  if (auto left = registry_->deregister(options_.self.node_id); !left) {
    // Its record expires after the TTL instead.
    telemetry::log_warn("cluster_deregister_failed",
                        {{"node_id", options_.self.node_id}, {"error", left.error().message}});
    return;
  }
  telemetry::log_info("cluster_left", {{"node_id", options_.self.node_id}});
}

}  // namespace tollgate::cluster
