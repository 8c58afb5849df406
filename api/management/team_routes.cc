// /team/new, /team/info, /team/list, /team/update, /team/delete, /team/member_add,
// /team/member_delete, /team/block, /team/unblock — LiteLLM's paths, fields and response
// shapes; our policy (docs/authz.md).
#include <algorithm>
#include <set>

#include "api/management/body_fields.h"
#include "api/management/key_fields.h"
#include "api/management/limit_fields.h"
#include "api/management/lookups.h"
#include "api/management/management.h"
#include "api/management/member_list.h"
#include "api/management/model_alias_fields.h"
#include "api/management/object_permission_fields.h"
#include "api/management/query_args.h"
#include "api/management/render.h"
#include "api/management/targets.h"
#include "api/management_routes.h"
#include "persistence/store.h"

namespace tollgate::api {
namespace {

using persistence::Store;
using persistence::TeamMember;
using persistence::TeamRecord;

// Ignored and unenforced fields are LiteLLM's; docs/api.md lists them.
const std::initializer_list<std::string_view> kIgnoredTeamFields = {"tags",
                                                                    "prompts",
                                                                    "router_settings",
                                                                    "secret_manager_settings",
                                                                    "allowed_passthrough_routes",
                                                                    "allowed_vector_store_indexes",
                                                                    "access_group_ids",
                                                                    "litellm_changed_by"};
const std::initializer_list<std::string_view> kUnenforcedTeamFields = {
    "guardrails",         "model_rpm_limit",       "model_tpm_limit",       "model_max_budget",
    "team_member_budget", "team_member_rpm_limit", "team_member_tpm_limit", "team_member_key_duration",
    "policies",           "budget_limits"};

const BodyFields kNewTeamBody = {
    {"team_id", "team_alias", "organization_id", "models", "metadata", "blocked", "team_member_permissions",
     "members_with_roles", "object_permission", "model_aliases"},
    kIgnoredTeamFields,
    kUnenforcedTeamFields};
const BodyFields kUpdateTeamBody = {{"team_id", "team_alias", "organization_id", "models", "metadata", "blocked",
                                     "team_member_permissions", "object_permission", "model_aliases"},
                                    kIgnoredTeamFields,
                                    kUnenforcedTeamFields};

void apply_team_fields(const BodyReader& body, TeamRecord& team, std::int64_t now_ms) {
  set_optional(team.team_alias, body.string("team_alias"), body.is_null("team_alias"));
  set_optional(team.organization_id, body.string("organization_id"), body.is_null("organization_id"));
  apply_limit_fields(body, team, now_ms);
  if (auto blocked = body.boolean("blocked")) team.blocked = *blocked;
  if (auto permissions = body.strings("team_member_permissions")) team.team_member_permissions = *permissions;
  apply_object_permission(body, team.object_permission_mcp);
  if (auto aliases = model_aliases_field(body, "model_aliases")) team.model_aliases = std::move(*aliases);
}

// One member to add to `team`, checked against the caller's rights (nothing is written yet): a
// membership lets its user mint keys on the team, so only users the caller administers join.
TeamMember team_member(Store& store, const core::Actor& actor, const TeamRecord& team, const MemberRequest& request) {
  TeamMember member{member_user_id(store, actor, request), request.role.empty() ? "user" : request.role};
  if (member.role != "admin" && member.role != "user") {
    throw_bad_request("'" + request.where + ".role' must be \"admin\" or \"user\"", request.where + ".role");
  }
  const auto user = store.find_user(member.user_id);
  require(core::decide_team_member(actor, team_target(team),
                                   user ? user_target(store, *user) : missing(core::Resource::user)),
          "user '" + member.user_id + "'");
  return member;
}

std::vector<TeamMember> team_members(Store& store, const core::Actor& actor, const TeamRecord& team,
                                     const rapidjson::Value& value, const std::string& field) {
  std::vector<TeamMember> members;
  for (const auto& request : parse_members(value, field)) members.push_back(team_member(store, actor, team, request));
  return members;
}

std::string team_json(const TeamRecord& team) {
  JsonOut o;
  write_team(o, team);
  return o.str();
}

// The team as stored after a write (it may have raced with another; show what is there).
TeamRecord reload(Store& store, const TeamRecord& team) {
  auto stored = store.find_team(team.team_id);
  if (!stored) throw_not_found("team '" + team.team_id + "' not found");
  return std::move(*stored);
}

// LiteLLM makes a team's creator one of its admins. The master key is no user (LiteLLM names
// a "default_user_id" there): its teams start with the members the body lists, as before.
void add_creator_as_admin(const core::Actor& creator, TeamRecord& team) {
  if (creator.user_id.empty()) return;
  for (auto& member : team.members) {
    if (member.user_id == creator.user_id) {
      member.role = "admin";
      return;
    }
  }
  team.members.push_back(persistence::TeamMember{creator.user_id, "admin"});
}

http::Response create(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kNewTeamBody);
  const auto& actor = call.caller.actor;
  TeamRecord team;
  team.team_id = call.body.string("team_id").value_or(new_id());
  if (team.team_id.empty()) throw_bad_request("'team_id' must not be empty", "team_id");
  apply_team_fields(call.body, team, now_unix_ms());
  // The policy first: who may not create teams in the named organization learns nothing
  // about it (403 whether it exists or not); 404 only tells an allowed caller it is missing.
  require(core::decide(actor, core::Action::create, team_target(team)), "team");
  if (team.organization_id) load_visible_organization(store, actor, *team.organization_id);
  if (const auto* raw = call.body.raw("members_with_roles"); raw && !(raw->IsArray() && raw->Empty())) {
    team.members = team_members(store, actor, team, *raw, "members_with_roles");
  }
  add_creator_as_admin(actor, team);
  if (store.find_team(team.team_id)) throw_bad_request("team_id '" + team.team_id + "' already exists", "team_id");
  team.created_by = call.changed_by();
  team.updated_by = team.created_by;
  const auto stored = store.insert_team(team, call.audit("created"));
  return json_ok(team_json(stored));
}

http::Response info(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  forbid_service_accounts(actor);
  const auto team = load_visible_team(store, actor, required_query(call, "team_id"));
  require(core::decide(actor, core::Action::read, team_target(team)), "team");
  JsonOut o;
  o.begin_object().field("team_id", team.team_id).key("team_info");
  write_team(o, team);
  o.key("keys").begin_array();
  for (const auto& key : store.keys_of_team(team.team_id)) {
    if (core::can_see(actor, key_target(key))) write_key(o, key);  // a member sees its own keys only
  }
  o.end_array().key("team_memberships").begin_array();
  for (const auto& m : team.members) {
    o.begin_object().field("team_id", team.team_id).field("user_id", m.user_id).field("role", m.role).end_object();
  }
  o.end_array().end_object();
  return json_ok(o.str());
}

// Non-admins are never shown teams beyond their own and their organizations' (those they
// administer): only those are read, then each is checked like a single read.
std::vector<TeamRecord> candidate_teams(Store& store, const core::Actor& actor, const std::optional<std::string>& org,
                                        const std::optional<std::string>& member) {
  if (is_admin_or_viewer(actor) || member) return store.list_teams(org, member);
  auto teams = store.list_teams(org, actor.user_id);
  for (const auto& admin_org : actor.admin_org_ids) {
    if (org && *org != admin_org) continue;
    for (auto& team : store.list_teams(admin_org)) teams.push_back(std::move(team));
  }
  std::set<std::string> seen;
  teams.erase(
      std::remove_if(teams.begin(), teams.end(), [&](const TeamRecord& t) { return !seen.insert(t.team_id).second; }),
      teams.end());
  std::sort(teams.begin(), teams.end(), [](const TeamRecord& a, const TeamRecord& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.team_id < b.team_id;
  });
  return teams;
}

http::Response list(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  forbid_service_accounts(actor);
  JsonOut o;
  o.begin_array();
  for (const auto& team :
       candidate_teams(store, actor, optional_query(call, "organization_id"), optional_query(call, "user_id"))) {
    if (core::can_see(actor, team_target(team))) write_team(o, team);
  }
  o.end_array();
  return json_ok(o.str());
}

// A team key carries its team's organization (org_admins' rights over keys follow it), so a
// team that changes organization takes its keys along. This runs after the team update, and
// whenever a /team/update names organization_id, so repeating the call repairs a failure
// half-way through.
void move_team_keys(Store& store, const ManagementCall& call, const TeamRecord& team) {
  for (auto key : store.keys_of_team(team.team_id)) {
    if (key.organization_id == team.organization_id) continue;
    key.organization_id = team.organization_id;
    key.updated_by = call.changed_by();
    store.update_key(key, call.audit("updated"));
  }
}

http::Response update(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::team, core::Action::update);
  check_body_fields(call.body, kUpdateTeamBody);
  const auto& actor = call.caller.actor;
  auto team = load_visible_team(store, actor, call.body.required_string("team_id"));
  const auto action = touches_limits(call.body) ? core::Action::update_limits : core::Action::update;
  require(core::decide(actor, action, team_target(team)), "team");
  const auto before_org = team.organization_id;
  apply_team_fields(call.body, team, now_unix_ms());
  if (team.organization_id != before_org) {
    // Moving a team needs the right to manage it in its new organization too.
    if (team.organization_id) load_visible_organization(store, actor, *team.organization_id);
    require(core::decide(actor, core::Action::update_limits, team_target(team)), "the team's new organization");
  }
  team.updated_by = call.changed_by();
  if (!store.update_team(team, call.audit("updated"))) throw_not_found("team '" + team.team_id + "' not found");
  if (call.body.has("organization_id")) move_team_keys(store, call, team);
  return json_ok(team_json(reload(store, team)));
}

http::Response remove(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::team, core::Action::remove);
  call.body.reject_unknown({"team_ids"});
  const auto team_ids = call.body.required_strings("team_ids");
  for (const auto& id : team_ids) {  // every team is checked before anything is deleted
    const auto team = load_visible_team(store, call.caller.actor, id);
    require(core::decide(call.caller.actor, core::Action::remove, team_target(team)), "team '" + id + "'");
  }
  const auto deleted_keys = store.delete_teams(team_ids, call.audit("deleted"));
  if (!deleted_keys) throw_not_found("team not found");  // deleted meanwhile: nothing was deleted now
  JsonOut o;
  o.begin_object().field("deleted_teams", team_ids).end_object();
  return json_ok(o.str());
}

// The team with what a membership call changed (LiteLLM's TeamAddMemberResponse shape).
std::string membership_response(const TeamRecord& team, const std::vector<TeamMember>& changed) {
  JsonOut o;
  o.begin_object();
  write_team_fields(o, team);
  o.key("updated_team_memberships").begin_array();
  for (const auto& m : changed) {
    o.begin_object().field("team_id", team.team_id).field("user_id", m.user_id).field("role", m.role).end_object();
  }
  o.end_array().end_object();
  return o.str();
}

http::Response member_add(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::team, core::Action::manage_members);
  call.body.reject_unknown({"team_id", "member"}, {"max_budget_in_team"});
  const auto& actor = call.caller.actor;
  const auto team = load_visible_team(store, actor, call.body.required_string("team_id"));
  require(core::decide(actor, core::Action::manage_members, team_target(team)), "team '" + team.team_id + "'");
  const auto* raw = call.body.raw("member");
  if (!raw) throw_bad_request("'member' is required", "member");
  const auto members = team_members(store, actor, team, *raw, "member");  // all validated before any write
  for (const auto& member : members) {
    if (!store.add_team_member(team.team_id, member, call.audit("member_added"))) {
      throw_not_found("team '" + team.team_id + "' not found");
    }
  }
  return json_ok(membership_response(reload(store, team), members));
}

// LiteLLM's /team/member_update: a member's role, the member named by user_id or user_email.
// Checked as /team/member_add of that member with that role; a user that is not a member is 404.
http::Response member_update(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::team, core::Action::manage_members);
  call.body.reject_unknown({"team_id", "user_id", "user_email", "role"}, {"max_budget_in_team"});
  const auto& actor = call.caller.actor;
  const auto team = load_visible_team(store, actor, call.body.required_string("team_id"));
  require(core::decide(actor, core::Action::manage_members, team_target(team)), "team '" + team.team_id + "'");
  auto request = member_named_in(call.body);
  request.user_id = member_user_id(store, actor, request);
  const auto current = std::find_if(team.members.begin(), team.members.end(),
                                    [&](const TeamMember& m) { return m.user_id == request.user_id; });
  if (current == team.members.end()) {
    throw_not_found("user '" + request.user_id + "' is not a member of team '" + team.team_id + "'");
  }
  if (request.role.empty()) request.role = current->role;
  const auto member = team_member(store, actor, team, request);
  if (!store.add_team_member(team.team_id, member, call.audit("member_updated"))) {
    throw_not_found("team '" + team.team_id + "' not found");
  }
  return json_ok(membership_response(reload(store, team), {member}));
}

http::Response member_delete(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::team, core::Action::manage_members);
  call.body.reject_unknown({"team_id", "user_id", "user_email"});
  const auto& actor = call.caller.actor;
  const auto team = load_visible_team(store, actor, call.body.required_string("team_id"));
  require(core::decide(actor, core::Action::manage_members, team_target(team)), "team '" + team.team_id + "'");
  const auto user_id = member_user_id(store, actor, member_named_in(call.body));
  if (!store.remove_team_member(team.team_id, user_id, call.audit("member_removed"))) {
    throw_not_found("user '" + user_id + "' is not a member of team '" + team.team_id + "'");
  }
  return json_ok(team_json(reload(store, team)));
}

http::Response set_blocked(Store& store, const ManagementCall& call, bool blocked) {
  require_role(call.caller.actor, core::Resource::team, core::Action::block);
  call.body.reject_unknown({"team_id"});
  const auto& actor = call.caller.actor;
  auto team = load_visible_team(store, actor, call.body.required_string("team_id"));
  require(core::decide(actor, core::Action::block, team_target(team)), "team");
  team.blocked = blocked;
  team.updated_by = call.changed_by();
  if (!store.update_team(team, call.audit(blocked ? "blocked" : "unblocked"))) {
    throw_not_found("team '" + team.team_id + "' not found");
  }
  return json_ok(team_json(reload(store, team)));
}

}  // namespace

void register_team_routes(http::Router& router, const GatewayContext& context) {
  using http::Method;
  auto add = [&](Method method, const char* path, ManagementWork work) {
    router.add(method, path, [&context, work](const http::ExchangePtr& ex) { run_management(context, ex, work); });
  };
  add(Method::post, "/team/new", create);
  add(Method::get, "/team/info", info);
  add(Method::get, "/team/list", list);
  add(Method::post, "/team/update", update);
  add(Method::post, "/team/delete", remove);
  add(Method::post, "/team/member_add", member_add);
  add(Method::post, "/team/member_delete", member_delete);
  add(Method::post, "/team/member_update", member_update);
  add(Method::post, "/team/block", [](Store& s, const ManagementCall& c) { return set_blocked(s, c, true); });
  add(Method::post, "/team/unblock", [](Store& s, const ManagementCall& c) { return set_blocked(s, c, false); });
}

}  // namespace tollgate::api
