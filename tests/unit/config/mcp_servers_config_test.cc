#include <catch2/catch.hpp>

#include <algorithm>

#include "config/config_error.h"
#include "config/load_config.h"
#include "tests/support/fixed_environment.h"

using namespace tollgate::config;
using tollgate::testing::fixed_environment;

namespace {

Config parse(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  return parse_config(yaml, "test.yaml", fixed_environment(std::move(env)));
}

std::string failure(const std::string& yaml) {
  try {
    parse(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError for:\n" << yaml);
  return {};
}

}  // namespace

TEST_CASE("mcp_servers: LiteLLM's shape, credentials resolved into headers", "[config][mcp]") {
  const auto c = parse(R"(
mcp_servers:
  deepwiki:
    url: "https://mcp.deepwiki.com/mcp"
    transport: http
    description: Wiki search
    auth_type: bearer_token
    auth_value: os.environ/DEEPWIKI_TOKEN
    static_headers: {X-Team: research}
    allowed_tools: [search]
    access_groups: [dev]
    timeout: 2.5
    mcp_info: {mcp_server_cost_info: {default_cost_per_query: 0.01, tool_name_to_cost_per_query: {search: 0.05}}}
  legacy_sse:
    url: http://127.0.0.1:3001/sse
    transport: sse
    auth_type: api_key
    auth_value: k-123
  local_fs:
    transport: stdio
    command: npx
    args: ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]
    env: {DEBUG: os.environ/FS_DEBUG}
)",
                       {{"DEEPWIKI_TOKEN", "dw-secret"}, {"FS_DEBUG", "1"}});
  REQUIRE(c.mcp_servers.size() == 3);
  const auto& wiki = c.mcp_servers[0];
  CHECK(wiki.name == "deepwiki");
  CHECK(wiki.transport == McpTransport::http);
  CHECK(wiki.description == "Wiki search");
  CHECK(wiki.headers == std::vector<std::pair<std::string, std::string>>{{"X-Team", "research"},
                                                                         {"Authorization", "Bearer dw-secret"}});
  CHECK(wiki.allowed_tools == std::vector<std::string>{"search"});
  CHECK(wiki.access_groups == std::vector<std::string>{"dev"});
  CHECK(wiki.timeout == std::chrono::milliseconds(2500));
  CHECK(wiki.default_cost_per_query == Approx(0.01));
  CHECK(wiki.tool_cost_per_query.at("search") == Approx(0.05));
  CHECK(c.mcp_servers[1].transport == McpTransport::sse);
  CHECK(c.mcp_servers[1].headers == std::vector<std::pair<std::string, std::string>>{{"X-API-Key", "k-123"}});
  const auto& fs = c.mcp_servers[2];
  CHECK(fs.transport == McpTransport::stdio);
  CHECK(fs.command == "npx");
  CHECK(fs.args.size() == 3);
  CHECK(fs.env.at("DEBUG") == "1");
  // Credentials are secrets for the log redactor.
  const auto secrets = c.secrets();
  CHECK(std::find(secrets.begin(), secrets.end(), "Bearer dw-secret") != secrets.end());
  CHECK(std::find(secrets.begin(), secrets.end(), "k-123") != secrets.end());
}

TEST_CASE("mcp_servers: what cannot work is refused at start-up", "[config][mcp]") {
  struct Row {
    const char* yaml;
    const char* problem;
  };
  const Row rows[] = {
      {"mcp_servers: {bad-name: {url: 'http://h/mcp'}}", "no '-'"},
      {"mcp_servers: {s: {transport: http}}", "needs a url"},
      {"mcp_servers: {s: {url: 'ftp://h/mcp'}}", "http:// or https://"},
      {"mcp_servers: {s: {transport: stdio}}", "needs a command"},
      {"mcp_servers: {s: {url: 'http://h/mcp', transport: websocket}}", "http, sse or stdio"},
      {"mcp_servers: {s: {url: 'http://h/mcp', auth_type: oauth2}}", "auth_type"},
      {"mcp_servers: {s: {url: 'http://h/mcp', auth_type: bearer_token}}", "needs a value"},
      {"mcp_servers: {s: {url: 'http://h/mcp', timeout: 0}}", "positive"},
      {"mcp_servers: [a, b]", "mapping"},
  };
  for (const auto& row : rows) {
    INFO(row.yaml);
    CHECK_THAT(failure(row.yaml), Catch::Contains(row.problem));
  }
}
