// Cluster node ids and host:port addresses.
#include <catch2/catch.hpp>

#include "core/node_address.h"

using tollgate::core::is_host_port;
using tollgate::core::is_valid_node_id;
using tollgate::core::parse_host_port;

TEST_CASE("node ids: letters, digits and . _ : @ - only, 1..200 characters", "[unit][cluster]") {
  struct Row {
    std::string id;
    bool valid;
  };
  const Row rows[] = {
      {"gw-1", true},
      {"gateway-7f9c.prod:4000", true},
      {"node_2@rack-a", true},
      {std::string(200, 'a'), true},
      {"", false},
      {std::string(201, 'a'), false},
      {"has space", false},
      {"new\nline", false},
      {std::string("nul\0id", 6), false},
      {"slash/id", false},
      {"star*", false},
  };
  for (const auto& row : rows) {
    INFO(row.id);
    CHECK(is_valid_node_id(row.id) == row.valid);
  }
}

TEST_CASE("host:port addresses", "[unit][cluster]") {
  struct Row {
    const char* address;
    bool valid;
  };
  const Row rows[] = {
      {"10.0.0.1:4100", true}, {"node-1.internal:4100", true}, {"[::1]:4100", true}, {"localhost:65535", true},
      {"localhost:1", true},   {"localhost", false},           {":4100", false},     {"host:", false},
      {"host:0", false},       {"host:65536", false},          {"host:41a", false},  {"::1:4100", false},
      {"[]:4100", false},      {"ho st:4100", false},          {"host:-1", false},   {"[::1:4100", false},
  };
  for (const auto& row : rows) {
    INFO(row.address);
    CHECK(is_host_port(row.address) == row.valid);
  }
}

TEST_CASE("host:port addresses split into host and port, v6 brackets removed", "[unit][cluster]") {
  struct Row {
    const char* address;
    const char* host;
    std::uint16_t port;
  };
  const Row rows[] = {
      {"10.0.0.1:4100", "10.0.0.1", 4100},
      {"node-1.internal:1", "node-1.internal", 1},
      {"[::1]:65535", "::1", 65535},
      {"[fe80::1]:4100", "fe80::1", 4100},
  };
  for (const auto& row : rows) {
    INFO(row.address);
    const auto parsed = parse_host_port(row.address);
    REQUIRE(parsed);
    CHECK(parsed->host == row.host);
    CHECK(parsed->port == row.port);
  }
  CHECK_FALSE(parse_host_port("::1:4100"));
  CHECK_FALSE(parse_host_port("host:0"));
  CHECK_FALSE(parse_host_port("host"));
}
