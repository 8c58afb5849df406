#include <catch2/catch.hpp>

#include "mcp/inference_tools.h"

using namespace tollgate::mcp;

TEST_CASE("an inference request naming MCP tools is found out", "[unit][mcp]") {
  struct Row {
    const char* body;
    const char* found;  // nullptr: none
  };
  const Row rows[] = {
      {R"({"model":"m","messages":[]})", nullptr},
      {R"({"tools":[{"type":"function","function":{"name":"f"}}]})", nullptr},
      {R"({"tools":[{"type":"mcp","server_url":"litellm_proxy","require_approval":"never"}]})", "tools[0]"},
      {R"({"tools":[{"type":"function","function":{"name":"f"}},{"type":"mcp","server_url":"litellm_proxy/mcp/x"}]})",
       "tools[1]"},
      {R"({"tools":"mcp"})", nullptr},
      {R"({"tools":[7,{"type":7},{"name":"mcp"}]})", nullptr},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    rapidjson::Document d;
    d.Parse(row.body);
    const auto found = mcp_tool_in_request(d);
    if (row.found == nullptr) {
      CHECK_FALSE(found);
    } else {
      REQUIRE(found);
      CHECK(*found == row.found);
    }
  }
}
