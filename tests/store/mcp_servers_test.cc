// Store: MCP servers (/v1/mcp/server) and the MCP object_permission of keys and teams.
#include "persistence/errors.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::McpServerRecord;
using testing::audit_by;

namespace {

McpServerRecord make_server(const std::string& id, const std::string& name) {
  McpServerRecord server;
  server.server_id = id;
  server.server_name = name;
  server.url = "https://" + name + ".example.com/mcp";
  return server;
}

core::McpPermission sample_permission() {
  core::McpPermission permission;
  permission.servers = {"files", "srv-2"};
  permission.access_groups = {"dev"};
  permission.tool_permissions["files"] = {"read", "list"};
  permission.tool_permissions["db"] = {};
  return permission;
}

}  // namespace

STORE_TEST_CASE("mcp servers: insert, find, list, update, delete", "[store][mcp]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  McpServerRecord server = make_server("m-1", "files");
  server.alias = "Files";
  server.description = "the file server";
  server.transport = "sse";
  server.auth_type = "bearer_token";
  server.auth_value_sealed = "upstream-secret-123";
  server.mcp_access_groups = {"dev", "ops"};
  server.allowed_tools = {"read"};
  server.created_by = "admin-user";
  const auto stored = store->insert_mcp_server(server, audit_by());
  CHECK(stored.created_at > 0);
  store->insert_mcp_server(make_server("m-2", "db"), audit_by());

  const auto found = store->find_mcp_server("m-1");
  REQUIRE(found);
  CHECK(found->server_name == "files");
  CHECK(found->alias == std::optional<std::string>("Files"));
  CHECK(found->description == std::optional<std::string>("the file server"));
  CHECK(found->url == "https://files.example.com/mcp");
  CHECK(found->transport == "sse");
  CHECK(found->auth_type == "bearer_token");
  CHECK(found->auth_value_sealed == std::optional<std::string>("upstream-secret-123"));
  CHECK(found->mcp_access_groups == std::vector<std::string>{"dev", "ops"});
  CHECK(found->allowed_tools == std::vector<std::string>{"read"});
  CHECK(found->created_at == stored.created_at);
  CHECK(store->find_mcp_server_by_name("db")->server_id == "m-2");
  CHECK_FALSE(store->find_mcp_server("m-404"));
  CHECK_FALSE(store->find_mcp_server_by_name("nope"));

  const auto listed = store->list_mcp_servers();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].server_name == "db");  // by name
  CHECK(listed[1].server_name == "files");

  McpServerRecord changed = *found;
  changed.url = "https://other.example.com/mcp";
  changed.auth_value_sealed.reset();
  changed.allowed_tools.clear();
  changed.created_by = "someone-else";
  REQUIRE(store->update_mcp_server(changed, audit_by()));
  const auto updated = store->find_mcp_server("m-1");
  CHECK(updated->url == "https://other.example.com/mcp");
  CHECK_FALSE(updated->auth_value_sealed);
  CHECK(updated->allowed_tools.empty());
  CHECK(updated->created_by == std::optional<std::string>("admin-user"));
  CHECK(updated->created_at == stored.created_at);
  CHECK_FALSE(store->update_mcp_server(make_server("m-404", "ghost"), audit_by()));

  CHECK(store->delete_mcp_server("m-2", audit_by()));
  CHECK_FALSE(store->find_mcp_server("m-2"));
  CHECK_FALSE(store->delete_mcp_server("m-2", audit_by()));
  CHECK(store->list_mcp_servers().size() == 1);
}

STORE_TEST_CASE("mcp servers: a taken id or name is a duplicate", "[store][mcp]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->insert_mcp_server(make_server("m-1", "files"), audit_by());
  store->insert_mcp_server(make_server("m-2", "db"), audit_by());
  CHECK_THROWS_AS(store->insert_mcp_server(make_server("m-1", "other"), audit_by()), persistence::DuplicateError);
  CHECK_THROWS_AS(store->insert_mcp_server(make_server("m-3", "files"), audit_by()), persistence::DuplicateError);
  CHECK_THROWS_AS(store->update_mcp_server(make_server("m-2", "files"), audit_by()), persistence::DuplicateError);
  CHECK(store->find_mcp_server("m-2")->server_name == "db");
  CHECK(store->list_mcp_servers().size() == 2);
}

STORE_TEST_CASE("mcp servers: the audit log never holds the credential", "[store][mcp]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  McpServerRecord server = make_server("m-1", "files");
  server.auth_value_sealed = "upstream-secret-123";
  store->insert_mcp_server(server, audit_by());
  server.auth_value_sealed = "upstream-secret-456";
  REQUIRE(store->update_mcp_server(server, audit_by()));
  REQUIRE(store->delete_mcp_server("m-1", audit_by()));
  const auto audit = store->audit_log(std::string("m-1"), 10);
  REQUIRE(audit.size() == 3);
  for (const auto& row : audit) {
    CHECK(row.table_name == "mcp_servers");
    CHECK(row.before_json.find("upstream-secret") == std::string::npos);
    CHECK(row.after_json.find("upstream-secret") == std::string::npos);
  }
  CHECK(audit.back().after_json.find(R"("has_credentials":true)") != std::string::npos);
}

STORE_TEST_CASE("mcp permissions: keys and teams keep object_permission, null when unset", "[store][mcp]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  auto team = testing::make_team("t-1");
  team.object_permission_mcp = sample_permission();
  store->insert_team(team, audit_by());
  store->insert_team(testing::make_team("t-2"), audit_by());
  auto key = testing::make_key("sk-mcp-key-1", std::nullopt, std::string("t-1"));
  key.object_permission_mcp = core::McpPermission{};  // set, and empty: grants nothing
  store->insert_key(key, audit_by());
  const auto plain = testing::make_key("sk-mcp-key-2");
  store->insert_key(plain, audit_by());

  CHECK(store->find_team("t-1")->object_permission_mcp == std::optional<core::McpPermission>(sample_permission()));
  CHECK_FALSE(store->find_team("t-2")->object_permission_mcp);
  CHECK(store->find_key(key.token_hash)->object_permission_mcp ==
        std::optional<core::McpPermission>(core::McpPermission{}));
  CHECK_FALSE(store->find_key(plain.token_hash)->object_permission_mcp);

  key.object_permission_mcp = sample_permission();
  REQUIRE(store->update_key(key, audit_by()));
  CHECK(store->find_key(key.token_hash)->object_permission_mcp ==
        std::optional<core::McpPermission>(sample_permission()));
  team.object_permission_mcp.reset();
  REQUIRE(store->update_team(team, audit_by()));
  CHECK_FALSE(store->find_team("t-1")->object_permission_mcp);
  CHECK(store->list_teams().size() == 2);
}
