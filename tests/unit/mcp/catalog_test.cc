#include <catch2/catch.hpp>

#include "mcp/catalog.h"

using namespace tollgate::mcp;

TEST_CASE("tools/list pages: tools without their name, the next cursor, bad names skipped", "[unit][mcp]") {
  std::vector<ToolEntry> tools;
  std::string cursor;
  REQUIRE(read_tools_page(
      R"({"tools":[{"name":"echo","description":"d","inputSchema":{"type":"object"}},{"name":"bad name"},{"name":"bare"},{"description":"nameless"}],"nextCursor":"p2"})",
      tools, cursor));
  REQUIRE(tools.size() == 2);
  CHECK(tools[0].name == "echo");
  CHECK(tools[0].members == R"("description":"d","inputSchema":{"type":"object"})");
  CHECK(tools[1].name == "bare");
  CHECK(tools[1].members.empty());
  CHECK(cursor == "p2");
  REQUIRE(read_tools_page(R"({"tools":[]})", tools, cursor));
  CHECK(cursor.empty());
  CHECK_FALSE(read_tools_page(R"({"content":[]})", tools, cursor));
  CHECK_FALSE(read_tools_page("garbage", tools, cursor));
}
