#pragma once
// The authorization policy: one pure function from (actor, action, target) to a decision.
// docs/authz.md is the same policy as a table; tests/authz checks it against a real gateway.
//
// Semantics:  401 no valid credential (decided before this function runs);
//             404 the target does not exist, or the actor may not know it exists;
//             403 the actor sees the target (or the endpoint) but may not do this.
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core {

enum class Role { proxy_admin, proxy_admin_viewer, org_admin, internal_user, internal_user_viewer };

// Parses LiteLLM's user_role values; unknown → nullopt-like false return.
bool parse_role(std::string_view text, Role& out);
std::string_view role_name(Role role);

struct Actor {
  Role role = Role::internal_user;
  std::string user_id;                       // empty for the master key and service-account keys
  bool service_account = false;              // a team-owned key without a user: inference only
  std::string key_hash;                      // the calling key's own hash: a key always sees itself
  std::vector<std::string> admin_org_ids;    // organizations where the actor is org_admin
  std::vector<std::string> member_org_ids;   // every organization the actor belongs to
  std::vector<std::string> admin_team_ids;   // teams where the actor's team role is admin
  std::vector<std::string> member_team_ids;  // every team the actor belongs to
};

// control_plane: /config/reload and the audit log; mcp_server: MCP servers registered through
// /v1/mcp/server — global objects like budgets.
enum class Resource {
  key,
  team,
  user,
  organization,
  budget,
  spend_logs,
  global_spend,
  control_plane,
  mcp_server,
  end_user,  // LiteLLM's customers (/customer/*): global objects like budgets
};

enum class Action {
  create,
  read,           // info, and inclusion in lists
  update,         // ordinary fields: alias, metadata
  update_limits,  // budgets, rate limits, models, roles: fields that grant more
  remove,
  regenerate,
  block,
  manage_members,
};

std::string_view action_name(Action action);
std::string_view resource_name(Resource resource);

struct Target {
  Resource resource = Resource::key;
  bool exists = true;
  std::string id;
  std::string owner_user_id;    // key: its user; user: the user itself
  std::string team_id;          // key: its team; team: the team itself
  std::string organization_id;  // key/team/organization: its organization
  // About the user (user targets) or the key's user (key targets being created): its
  // organizations (for a key's user also those of its teams, "" for a team without one), the
  // one that is its own, and its role.
  std::vector<std::string> user_org_ids;
  std::string user_home_org_id;
  Role user_role = Role::internal_user;
};

enum class Decision { allow, forbidden, not_found };

Decision decide(const Actor& actor, Action action, const Target& target);

// What the actor's role alone decides, before any target is looked up: forbidden for a
// service-account key on any management call, for a read-only role (proxy_admin_viewer,
// internal_user_viewer) on any write, and for budgets and global spend beyond the admins'
// (and, for reads, the viewers') role; allow otherwise (the target decides). decide() starts
// with it, and handlers call it before any lookup that could answer 404, so a call beyond the
// caller's role is 403 whatever the target (docs/authz.md, "Order of checks").
Decision decide_role(const Actor& actor, Resource resource, Action action);

// Whether the actor may add `user` (a user target; exists=false for an unknown id) to `team`
// (a team target the actor may manage the members of): proxy_admins add anyone; others add
// only users they administer (org_admins: non-admin users of their organizations) or, as the
// team's admin, non-admin users of the team's organization. Anyone else is 404, like an
// invisible user; an administrator of the team's organization is 403.
Decision decide_team_member(const Actor& actor, const Target& team, const Target& user);

// Whether the actor may see the target at all (404 otherwise).
bool can_see(const Actor& actor, const Target& target);

}  // namespace tollgate::core
