#include "core/authz.h"

#include <algorithm>

namespace tollgate::core {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return !value.empty() && std::find(list.begin(), list.end(), value) != list.end();
}

bool any_common(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (const auto& x : a) {
    if (contains(b, x)) return true;
  }
  return false;
}

bool is_admin(const Actor& a) { return a.role == Role::proxy_admin; }
bool is_admin_or_viewer(const Actor& a) { return a.role == Role::proxy_admin || a.role == Role::proxy_admin_viewer; }
bool read_only(const Actor& a) { return a.role == Role::proxy_admin_viewer || a.role == Role::internal_user_viewer; }
bool administrative(Role r) { return r == Role::proxy_admin || r == Role::proxy_admin_viewer; }

// org_admin rights reach the organizations the actor administers.
bool org_admin_of(const Actor& a, const std::string& org_id) {
  return a.role == Role::org_admin && contains(a.admin_org_ids, org_id);
}

bool team_admin_of(const Actor& a, const std::string& team_id) { return contains(a.admin_team_ids, team_id); }

bool owns(const Actor& a, const Target& t) { return !a.user_id.empty() && a.user_id == t.owner_user_id; }

// What an actor manages: its own key, its team's keys as team admin, its org's keys as
// org admin; admins manage everything.
bool manages_key(const Actor& a, const Target& t) {
  return is_admin(a) || org_admin_of(a, t.organization_id) || team_admin_of(a, t.team_id);
}

bool manages_team(const Actor& a, const Target& t) { return is_admin(a) || org_admin_of(a, t.organization_id); }

bool grants_administration(Role r) { return administrative(r) || r == Role::org_admin; }

// Users (or a key's user) the actor administers: everyone for a proxy_admin; for an org_admin,
// the users of its organizations who are not administrators themselves.
bool manages_user(const Actor& a, const Target& t) {
  if (is_admin(a)) return true;
  if (a.role != Role::org_admin) return false;
  return !grants_administration(t.user_role) && any_common(a.admin_org_ids, t.user_org_ids);
}

// Whether the actor may hold a credential that acts as this user. Such a key carries everything
// the user can do, in every organization it reaches (its own, its memberships, its teams'), so
// an org_admin may mint one only for a non-admin user whose every organization it administers:
// a user who also belongs elsewhere would carry the org_admin's credential into places it does
// not administer (docs/authz.md, "Whose a key is").
bool may_act_as(const Actor& a, const Target& user) {
  if (is_admin(a)) return true;
  if (a.role != Role::org_admin || grants_administration(user.user_role) || user.user_org_ids.empty()) return false;
  for (const auto& org : user.user_org_ids) {
    if (!contains(a.admin_org_ids, org)) return false;
  }
  return true;
}

Decision allow_if(bool allowed) { return allowed ? Decision::allow : Decision::forbidden; }

// Whose a key is decides what it can do: its user's role and memberships, its team (and
// service-account status), the organization whose budget it draws on. Creating a key, and
// changing any of these on an existing one, is allowed only for a holder the actor administers
// entirely, so that no credential ever carries more than its creator's rights.
Decision decide_key_holder(const Actor& a, const Target& t) {
  if (read_only(a) || a.service_account) return Decision::forbidden;
  // A key of no user and no team answers to no one's budget but its own and its organization's.
  if (t.owner_user_id.empty() && t.team_id.empty()) return allow_if(is_admin(a));
  if (!t.team_id.empty()) {
    // The team must be visible (404 like a missing one), and its keys the actor's to manage.
    if (!is_admin(a) && !org_admin_of(a, t.organization_id) && !contains(a.member_team_ids, t.team_id)) {
      return Decision::not_found;
    }
    if (!manages_key(a, t)) return Decision::forbidden;
  }
  // A key for another user only from one who administers that user: a team admin mints keys
  // for itself and its team's service accounts, never for its members.
  const bool for_self = owns(a, t);
  if (!t.owner_user_id.empty() && !for_self && !may_act_as(a, t)) return Decision::forbidden;
  // A personal key draws on its user's own organization's budget; billing it to another (or to
  // none) takes one who administers both the user and that organization.
  if (t.team_id.empty() && !t.owner_user_id.empty() && t.organization_id != t.user_home_org_id) {
    return allow_if(is_admin(a) || (org_admin_of(a, t.organization_id) && (for_self || may_act_as(a, t))));
  }
  return Decision::allow;
}

Decision decide_key(const Actor& a, Action action, const Target& t) {
  switch (action) {
    case Action::create: return decide_key_holder(a, t);
    case Action::read: return Decision::allow;  // visibility already checked
    case Action::update: return allow_if(!read_only(a) && (manages_key(a, t) || owns(a, t)));
    case Action::update_limits:
    case Action::block:
      // Owners may not raise their own budget or limits, nor block or unblock their own key
      // (LiteLLM's fix c7c3df2b, kept here) — an org_admin or team admin whose own key is in
      // what it manages included; only a proxy_admin may.
      return allow_if(manages_key(a, t) && (is_admin(a) || !owns(a, t)));
    case Action::remove:
    case Action::regenerate: return allow_if(!read_only(a) && (manages_key(a, t) || owns(a, t)));
    case Action::manage_members: return Decision::forbidden;
  }
  return Decision::forbidden;
}

Decision decide_team(const Actor& a, Action action, const Target& t) {
  switch (action) {
    case Action::create:
      if (is_admin(a)) return Decision::allow;
      return allow_if(!t.organization_id.empty() && org_admin_of(a, t.organization_id));
    case Action::read: return Decision::allow;
    case Action::update:
    case Action::update_limits:
    case Action::remove:
    case Action::block: return allow_if(manages_team(a, t));
    case Action::manage_members: return allow_if(manages_team(a, t) || team_admin_of(a, t.team_id));
    case Action::regenerate: return Decision::forbidden;
  }
  return Decision::forbidden;
}

Decision decide_user(const Actor& a, Action action, const Target& t) {
  switch (action) {
    case Action::create: return allow_if(manages_user(a, t));
    case Action::read: return Decision::allow;
    case Action::update:
    case Action::update_limits:
    case Action::remove: return allow_if(manages_user(a, t));
    default: return Decision::forbidden;
  }
}

Decision decide_organization(const Actor& a, Action action, const Target& t) {
  switch (action) {
    case Action::create:
    case Action::remove: return allow_if(is_admin(a));
    case Action::read: return Decision::allow;
    case Action::update:
    case Action::update_limits:
    case Action::manage_members: return allow_if(is_admin(a) || org_admin_of(a, t.organization_id));
    default: return Decision::forbidden;
  }
}

}  // namespace

bool parse_role(std::string_view text, Role& out) {
  if (text == "proxy_admin")
    out = Role::proxy_admin;
  else if (text == "proxy_admin_viewer")
    out = Role::proxy_admin_viewer;
  else if (text == "org_admin")
    out = Role::org_admin;
  else if (text == "internal_user")
    out = Role::internal_user;
  else if (text == "internal_user_viewer")
    out = Role::internal_user_viewer;
  else
    return false;
  return true;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::proxy_admin: return "proxy_admin";
    case Role::proxy_admin_viewer: return "proxy_admin_viewer";
    case Role::org_admin: return "org_admin";
    case Role::internal_user: return "internal_user";
    case Role::internal_user_viewer: return "internal_user_viewer";
  }
  return "internal_user";
}

std::string_view action_name(Action action) {
  switch (action) {
    case Action::create: return "create";
    case Action::read: return "read";
    case Action::update: return "update";
    case Action::update_limits: return "update_limits";
    case Action::remove: return "delete";
    case Action::regenerate: return "regenerate";
    case Action::block: return "block";
    case Action::manage_members: return "manage_members";
  }
  return "read";
}

std::string_view resource_name(Resource resource) {
  switch (resource) {
    case Resource::key: return "key";
    case Resource::team: return "team";
    case Resource::user: return "user";
    case Resource::organization: return "organization";
    case Resource::budget: return "budget";
    case Resource::spend_logs: return "spend_logs";
    case Resource::global_spend: return "global_spend";
    case Resource::control_plane: return "control_plane";
    case Resource::mcp_server: return "mcp_server";
    case Resource::end_user: return "end_user";
  }
  return "key";
}

Decision decide_team_member(const Actor& a, const Target& team, const Target& user) {
  if (is_admin(a)) return Decision::allow;  // may name users that do not exist yet
  if (!user.exists) return Decision::not_found;
  if (manages_user(a, user)) return Decision::allow;
  const bool in_team_org = contains(user.user_org_ids, team.organization_id);
  if (in_team_org && team_admin_of(a, team.team_id) && !grants_administration(user.user_role)) {
    return Decision::allow;
  }
  // The users of the team's organization (and an org_admin's own organizations) are visible
  // for this purpose: refusing one of them is 403; anyone else is 404, like a missing user.
  if (in_team_org || (a.role == Role::org_admin && any_common(a.admin_org_ids, user.user_org_ids))) {
    return Decision::forbidden;
  }
  return Decision::not_found;
}

bool can_see(const Actor& a, const Target& t) {
  if (is_admin_or_viewer(a)) return true;
  switch (t.resource) {
    case Resource::key:
      return owns(a, t) || (!a.key_hash.empty() && a.key_hash == t.id) || org_admin_of(a, t.organization_id) ||
             team_admin_of(a, t.team_id);
    case Resource::team: return contains(a.member_team_ids, t.team_id) || org_admin_of(a, t.organization_id);
    case Resource::user:
      return owns(a, t) || (a.role == Role::org_admin && any_common(a.admin_org_ids, t.user_org_ids));
    case Resource::organization:
      return contains(a.member_org_ids, t.organization_id) || org_admin_of(a, t.organization_id);
    case Resource::budget:
    case Resource::global_spend:
    case Resource::control_plane:
    case Resource::mcp_server:
    case Resource::end_user: return false;
    case Resource::spend_logs: return true;  // scoped by the handler to what the actor can see
  }
  return false;
}

// Objects of no user, team or organization: budgets, global spend, the control plane, MCP
// servers, end users (customers of the proxy's clients, not its users).
static bool is_global(Resource resource) {
  return resource == Resource::budget || resource == Resource::global_spend || resource == Resource::control_plane ||
         resource == Resource::mcp_server || resource == Resource::end_user;
}

Decision decide_role(const Actor& a, Resource resource, Action action) {
  if (a.service_account) {
    // Service-account keys exist to call models; they manage nothing, read nothing.
    return Decision::forbidden;
  }
  if (is_global(resource)) {
    // Global objects: admins write them, admins and viewers read them.
    return allow_if(action == Action::read ? is_admin_or_viewer(a) : is_admin(a));
  }
  if (resource == Resource::spend_logs) return Decision::allow;  // scoped by the handler
  if (read_only(a) && action != Action::read) return Decision::forbidden;
  return Decision::allow;
}

Decision decide(const Actor& a, Action action, const Target& t) {
  if (const auto by_role = decide_role(a, t.resource, action); by_role != Decision::allow) return by_role;
  if (is_global(t.resource)) {
    // No existence secret to keep from those allowed to know them.
    return t.exists || action == Action::create ? Decision::allow : Decision::not_found;
  }
  if (t.resource == Resource::spend_logs) return Decision::allow;
  if (action != Action::create && (!t.exists || !can_see(a, t))) return Decision::not_found;
  switch (t.resource) {
    case Resource::key: return decide_key(a, action, t);
    case Resource::team: return decide_team(a, action, t);
    case Resource::user: return decide_user(a, action, t);
    case Resource::organization: return decide_organization(a, action, t);
    default: return Decision::forbidden;
  }
}

}  // namespace tollgate::core
