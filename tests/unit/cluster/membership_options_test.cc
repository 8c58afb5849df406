// From the cluster settings to one node's membership options.
#include <catch2/catch.hpp>

#include <unistd.h>

#include "cluster/membership.h"
#include "core/node_address.h"

using tollgate::cluster::membership_options;
using tollgate::config::ClusterMembershipSettings;

TEST_CASE("the node id defaults to <hostname>:<HTTP port>", "[unit][cluster]") {
  ClusterMembershipSettings settings;
  settings.advertise_address = "10.0.0.1:4100";
  const auto options = membership_options(settings, "redis://127.0.0.1:6379", 4000);
  char host[256] = {};
  REQUIRE(gethostname(host, sizeof host - 1) == 0);
  CHECK(options.self.node_id == std::string(host) + ":4000");
  CHECK(tollgate::core::is_valid_node_id(options.self.node_id));
  CHECK(options.self.endpoint == "10.0.0.1:4100");
  CHECK(options.self.started_at_ms > 0);
  CHECK(options.redis_url == "redis://127.0.0.1:6379");
  CHECK(options.static_members.empty());
}

TEST_CASE("static peers become the fixed members, the configured id names this node", "[unit][cluster]") {
  ClusterMembershipSettings settings;
  settings.node_id = "b";
  settings.peers = {{"a", "10.0.0.1:4100"}, {"b", ""}};
  settings.heartbeat_interval = std::chrono::milliseconds(300);
  settings.node_ttl = std::chrono::milliseconds(900);
  const auto options = membership_options(settings, "", 4000);
  CHECK(options.self.node_id == "b");
  REQUIRE(options.static_members.size() == 2);
  CHECK(options.static_members[0].node_id == "a");
  CHECK(options.static_members[0].endpoint == "10.0.0.1:4100");
  CHECK(options.heartbeat_interval == std::chrono::milliseconds(300));
  CHECK(options.node_ttl == std::chrono::milliseconds(900));
}
