// identity::mcp_caller: what the MCP permission decision learns about a caller.
#include <catch2/catch.hpp>

#include <memory>

#include "identity/mcp_caller.h"

using namespace tollgate;

namespace {

core::McpPermission servers(std::vector<std::string> names) { return core::McpPermission{std::move(names), {}, {}}; }

identity::Caller key_caller(core::Role role, std::optional<core::McpPermission> key_permission,
                            std::optional<core::McpPermission> team_permission, bool with_team) {
  identity::Caller caller;
  caller.kind = identity::CallerKind::virtual_key;
  caller.actor.role = role;
  auto identity = std::make_shared<identity::KeyIdentity>();
  identity->key.object_permission_mcp = std::move(key_permission);
  if (with_team) {
    identity->team.emplace();
    identity->team->object_permission_mcp = std::move(team_permission);
  }
  caller.identity = identity;
  return caller;
}

}  // namespace

TEST_CASE("mcp caller: the master key is proxy_admin with no permissions of its own", "[identity][mcp]") {
  identity::Caller master;
  master.actor.role = core::Role::proxy_admin;
  const auto caller = identity::mcp_caller(master);
  CHECK(caller.proxy_admin);
  CHECK_FALSE(caller.key);
  CHECK_FALSE(caller.team);
}

TEST_CASE("mcp caller: a key carries its own and its team's object_permission", "[identity][mcp]") {
  const core::McpServerView files{"srv-1", "files", {}, {}};
  const core::McpServerView db{"srv-2", "db", {}, {}};

  const auto member =
      identity::mcp_caller(key_caller(core::Role::internal_user, servers({"files", "db"}), servers({"files"}), true));
  CHECK_FALSE(member.proxy_admin);
  CHECK(member.key == std::optional<core::McpPermission>(servers({"files", "db"})));
  CHECK(member.team == std::optional<core::McpPermission>(servers({"files"})));
  CHECK(core::may_use_server(member, files));
  CHECK_FALSE(core::may_use_server(member, db));  // never beyond the team

  const auto teamless = identity::mcp_caller(key_caller(core::Role::internal_user, std::nullopt, std::nullopt, false));
  CHECK_FALSE(core::may_use_server(teamless, files));  // the default: no MCP access

  const auto admin_user = identity::mcp_caller(key_caller(core::Role::proxy_admin, std::nullopt, std::nullopt, false));
  CHECK(admin_user.proxy_admin);
  CHECK(core::may_use_server(admin_user, db));
}
