#include <catch2/catch.hpp>

#include "mcp/protocol.h"

using namespace tollgate::mcp;

TEST_CASE("tool names: SEP-986 characters, server names without the separator", "[unit][mcp]") {
  struct Row {
    const char* name;
    bool tool;
    bool server;
  };
  const Row rows[] = {
      {"echo", true, true},        {"get-sum", true, false},     {"a.b_c", true, true},   {"", false, false},
      {"has space", false, false}, {"slash/name", false, false}, {"émoji", false, false}, {"semi;colon", false, false},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(valid_tool_name(row.name) == row.tool);
    CHECK(valid_server_name(row.name) == row.server);
  }
  CHECK(valid_tool_name(std::string(128, 'a')));
  CHECK_FALSE(valid_tool_name(std::string(129, 'a')));
  CHECK_FALSE(valid_server_name(std::string(65, 'a')));
}

TEST_CASE("tool names: <server>-<tool> split at the first separator", "[unit][mcp]") {
  struct Row {
    const char* name;
    const char* server;  // nullptr: no split
    const char* tool;
  };
  const Row rows[] = {
      {"everything-echo", "everything", "echo"},
      {"everything-get-sum", "everything", "get-sum"},
      {"a-b-c-d", "a", "b-c-d"},
      {"echo", nullptr, nullptr},
      {"-echo", nullptr, nullptr},
      {"server-", nullptr, nullptr},
      {"", nullptr, nullptr},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto split = split_tool_name(row.name);
    if (row.server == nullptr) {
      CHECK_FALSE(split);
    } else {
      REQUIRE(split);
      CHECK(split->first == row.server);
      CHECK(split->second == row.tool);
      CHECK(prefixed_tool_name(split->first, split->second) == row.name);
    }
  }
}

TEST_CASE("protocol versions: 2025-06-18 and 2025-03-26", "[unit][mcp]") {
  CHECK(supported_protocol_version("2025-06-18"));
  CHECK(supported_protocol_version("2025-03-26"));
  CHECK_FALSE(supported_protocol_version("2024-11-05"));
  CHECK_FALSE(supported_protocol_version("1999-01-01"));
  CHECK_FALSE(supported_protocol_version(""));
  CHECK(negotiate_protocol_version("2025-03-26") == "2025-03-26");
  CHECK(negotiate_protocol_version("2025-11-25") == "2025-06-18");
  CHECK(negotiate_protocol_version("") == "2025-06-18");
}

TEST_CASE("Origin: absent, loopback or this gateway's host only", "[unit][mcp][security]") {
  struct Row {
    const char* origin;
    const char* host;
    bool allowed;
  };
  const Row rows[] = {
      {"", "gw.example:4000", true},
      {"http://localhost:3000", "gw.example:4000", true},
      {"http://127.0.0.1", "gw.example", true},
      {"http://[::1]:8080", "gw.example", true},
      {"https://gw.example", "gw.example:4000", true},
      {"https://GW.example:9999", "gw.example:4000", true},
      {"http://evil.example", "gw.example:4000", false},
      {"http://gw.example.evil.example", "gw.example", false},
      {"null", "gw.example", false},
      {"file://", "gw.example", false},
      {"ftp://gw.example", "gw.example", false},
      {"http://localhost@evil.example", "gw.example", false},
      {"http://evil.example/path", "evil.example", false},
      {"http://127.0.0.1.evil.example", "gw.example", false},
      {"http://evil.example?x", "evil.example", false},
      {"http://evil.example#x", "evil.example", false},
      {"http://[::1", "gw.example", false},
      {"http://[::1]x", "gw.example", false},
      {"http://[::1]:8080", "[::1]:4000", true},
      {"HTTPS://gw.example:9999", "gw.example:4000", true},
  };
  for (const auto& row : rows) {
    INFO(row.origin << " vs " << row.host);
    CHECK(origin_allowed(row.origin, row.host) == row.allowed);
  }
}

TEST_CASE("session ids: visible ASCII only", "[unit][mcp]") {
  CHECK(well_formed_session_id("0123abcd"));
  CHECK(well_formed_session_id("a-b_c.d~!"));
  CHECK_FALSE(well_formed_session_id(""));
  CHECK_FALSE(well_formed_session_id("has space"));
  CHECK_FALSE(well_formed_session_id("tab\there"));
  CHECK_FALSE(well_formed_session_id(std::string(129, 'a')));
}
