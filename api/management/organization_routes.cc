// /organization/new, /organization/info, /organization/list, /organization/update,
// /organization/delete, /organization/member_add, /organization/member_update,
// /organization/member_delete — LiteLLM's
// paths, fields and response shapes; our policy (docs/authz.md).
//
// Membership in an organization gives its org_admins the management of the member, so
// org_admins only add users they already manage, grant no administrator roles, and leave
// their fellow admins' memberships alone.
#include "api/management/body_fields.h"
#include "api/management/budget_table.h"
#include "api/management/key_fields.h"
#include "api/management/limit_fields.h"
#include "api/management/lookups.h"
#include "api/management/management.h"
#include "api/management/member_list.h"
#include "api/management/query_args.h"
#include "api/management/render.h"
#include "api/management/targets.h"
#include "api/management_routes.h"
#include "persistence/store.h"

namespace tollgate::api {
namespace {

using persistence::OrganizationRecord;
using persistence::OrgMember;
using persistence::Store;

// Ignored and unenforced fields are LiteLLM's; docs/api.md lists them.
const BodyFields kOrganizationBody = {{"organization_id", "organization_alias", "models", "metadata", "budget_id"},
                                      {"soft_budget", "tags", "model_aliases", "litellm_changed_by"},
                                      {"model_max_budget", "model_rpm_limit", "model_tpm_limit", "object_permission"}};

void apply_organization_fields(Store& store, const BodyReader& body, OrganizationRecord& org, std::int64_t now_ms) {
  if (auto alias = body.string("organization_alias")) {
    if (alias->empty()) throw_bad_request("'organization_alias' must not be empty", "organization_alias");
    org.organization_alias = *alias;
  }
  set_optional(org.budget_id, body.string("budget_id"), body.is_null("budget_id"));
  require_linked_budget_exists(store, body.string("budget_id"));
  apply_limit_fields(body, org, now_ms);
}

std::string organization_json(Store& store, const OrganizationRecord& org) {
  JsonOut o;
  write_organization_object(o, store, org);
  return o.str();
}

http::Response create(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kOrganizationBody);
  OrganizationRecord org;
  org.organization_id = call.body.string("organization_id").value_or(new_id());
  if (org.organization_id.empty()) throw_bad_request("'organization_id' must not be empty", "organization_id");
  org.organization_alias = call.body.required_string("organization_alias");
  require(core::decide(call.caller.actor, core::Action::create, organization_target(org.organization_id)),
          "organization");
  apply_organization_fields(store, call.body, org, now_unix_ms());
  if (store.find_organization(org.organization_id)) {
    throw_bad_request("organization_id '" + org.organization_id + "' already exists", "organization_id");
  }
  org.created_by = call.changed_by();
  org.updated_by = org.created_by;
  return json_ok(organization_json(store, store.insert_organization(org, call.audit("created"))));
}

http::Response info(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  forbid_service_accounts(actor);
  const auto org = load_visible_organization(store, actor, required_query(call, "organization_id"));
  require(core::decide(actor, core::Action::read, organization_target(org.organization_id)), "organization");
  return json_ok(organization_json(store, org));
}

http::Response list(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  forbid_service_accounts(actor);
  std::vector<OrganizationRecord> orgs;
  if (is_admin_or_viewer(actor)) {
    orgs = store.list_organizations();
  } else {
    // The organizations the actor belongs to (admin_org_ids are a subset of member_org_ids).
    for (const auto& id : actor.member_org_ids) {
      if (auto org = store.find_organization(id)) orgs.push_back(std::move(*org));
    }
  }
  JsonOut o;
  o.begin_array();
  for (const auto& org : orgs) {
    if (core::can_see(actor, organization_target(org.organization_id))) {
      write_organization_object(o, store, org);
    }
  }
  o.end_array();
  return json_ok(o.str());
}

http::Response update(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::organization, core::Action::update);
  check_body_fields(call.body, kOrganizationBody);
  const auto& actor = call.caller.actor;
  auto org = load_visible_organization(store, actor, call.body.required_string("organization_id"));
  const auto action = touches_limits(call.body) ? core::Action::update_limits : core::Action::update;
  require(core::decide(actor, action, organization_target(org.organization_id)), "organization");
  apply_organization_fields(store, call.body, org, now_unix_ms());
  org.updated_by = call.changed_by();
  if (!store.update_organization(org, call.audit("updated"))) {
    throw_not_found("organization '" + org.organization_id + "' not found");
  }
  const auto stored = store.find_organization(org.organization_id);
  return json_ok(organization_json(store, stored ? *stored : org));
}

http::Response remove(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::organization, core::Action::remove);
  call.body.reject_unknown({"organization_ids"});
  const auto& actor = call.caller.actor;
  const auto ids = call.body.required_strings("organization_ids");
  std::vector<std::pair<OrganizationRecord, std::vector<OrgMember>>> deleted;
  for (const auto& id : ids) {  // every organization is checked before anything is deleted
    auto org = load_visible_organization(store, actor, id);
    require(core::decide(actor, core::Action::remove, organization_target(id)), "organization '" + id + "'");
    auto members = store.organization_members(id);
    deleted.emplace_back(std::move(org), std::move(members));
  }
  // ConflictError (409) while an organization still has teams: nothing is deleted.
  if (!store.delete_organizations(ids, call.audit("deleted"))) throw_not_found("organization not found");
  JsonOut o;
  o.begin_array();
  for (const auto& [org, members] : deleted) write_organization(o, org, members);
  o.end_array();
  return json_ok(o.str());
}

bool grants_admin(core::Role role) {
  return role != core::Role::internal_user && role != core::Role::internal_user_viewer;
}

OrgMember find_member(Store& store, const std::string& organization_id, const std::string& user_id) {
  for (auto& m : store.organization_members(organization_id)) {
    if (m.user_id == user_id) return m;
  }
  return OrgMember{organization_id, "", ""};  // empty user_id: not a member
}

// One member to add, checked against the caller's rights (nothing is written yet).
OrgMember checked_member(Store& store, const core::Actor& actor, const std::string& organization_id,
                         const MemberRequest& request) {
  OrgMember member{organization_id, member_user_id(store, actor, request),
                   request.role.empty() ? "internal_user" : request.role};
  core::Role role;
  if (!core::parse_role(member.user_role, role)) {
    throw_bad_request("'" + request.where + ".role' must be a user role such as internal_user or org_admin",
                      request.where + ".role");
  }
  if (actor.role == core::Role::proxy_admin) return member;  // may name users that do not exist yet
  if (grants_admin(role)) throw_forbidden("Only a proxy_admin grants administrator roles");
  load_visible_user(store, actor, member.user_id);  // 404 for users it does not manage already
  if (find_member(store, organization_id, member.user_id).user_role == "org_admin") {
    throw_forbidden("Only a proxy_admin changes an organization admin's membership");
  }
  return member;
}

http::Response member_add(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::organization, core::Action::manage_members);
  call.body.reject_unknown({"organization_id", "member"}, {"max_budget_in_organization"});
  const auto& actor = call.caller.actor;
  const auto org = load_visible_organization(store, actor, call.body.required_string("organization_id"));
  require(core::decide(actor, core::Action::manage_members, organization_target(org.organization_id)), "organization");
  const auto* raw = call.body.raw("member");
  if (!raw) throw_bad_request("'member' is required", "member");
  std::vector<OrgMember> members;
  for (const auto& request : parse_members(*raw, "member")) {
    members.push_back(checked_member(store, actor, org.organization_id, request));
  }
  for (const auto& member : members) {
    if (!store.add_organization_member(org.organization_id, member, call.audit("member_added"))) {
      throw_not_found("organization '" + org.organization_id + "' not found");
    }
  }
  JsonOut o;
  o.begin_object().field("organization_id", org.organization_id).key("updated_users").begin_array();
  for (const auto& member : members) {
    if (const auto user = store.find_user(member.user_id)) write_user(o, *user);
  }
  o.end_array().key("updated_organization_memberships").begin_array();
  for (const auto& m : members) {
    o.begin_object()
        .field("organization_id", m.organization_id)
        .field("user_id", m.user_id)
        .field("user_role", m.user_role)
        .end_object();
  }
  o.end_array().end_object();
  return json_ok(o.str());
}

// LiteLLM's PATCH /organization/member_update: a member's role, the member named by user_id or
// user_email. Checked as /organization/member_add of that member with that role (so only a
// proxy_admin grants or takes away an administrator role); a user that is not a member is 404.
http::Response member_update(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::organization, core::Action::manage_members);
  call.body.reject_unknown({"organization_id", "user_id", "user_email", "role"}, {"max_budget_in_organization"});
  const auto& actor = call.caller.actor;
  const auto org = load_visible_organization(store, actor, call.body.required_string("organization_id"));
  require(core::decide(actor, core::Action::manage_members, organization_target(org.organization_id)), "organization");
  auto request = member_named_in(call.body);
  request.user_id = member_user_id(store, actor, request);
  const auto current = find_member(store, org.organization_id, request.user_id);
  if (current.user_id.empty()) {
    throw_not_found("user '" + request.user_id + "' is not a member of organization '" + org.organization_id + "'");
  }
  if (request.role.empty()) request.role = current.user_role;
  const auto member = checked_member(store, actor, org.organization_id, request);
  if (!store.add_organization_member(org.organization_id, member, call.audit("member_updated"))) {
    throw_not_found("organization '" + org.organization_id + "' not found");
  }
  const auto user = store.find_user(member.user_id);
  JsonOut o;
  o.begin_object()
      .field("user_id", member.user_id)
      .field("organization_id", member.organization_id)
      .field("user_role", member.user_role)
      .field("spend", user ? user->spend : 0.0)
      .key("budget_id")
      .null();
  o.key("user");
  if (user) {
    write_user(o, *user);
  } else {
    o.null();
  }
  o.end_object();
  return json_ok(o.str());
}

// A user belongs to an organization through a membership row and/or its own organization_id
// (both count for its actor), so removing it clears both.
http::Response member_delete(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::organization, core::Action::manage_members);
  call.body.reject_unknown({"organization_id", "user_id", "user_email"});
  const auto& actor = call.caller.actor;
  const auto org = load_visible_organization(store, actor, call.body.required_string("organization_id"));
  require(core::decide(actor, core::Action::manage_members, organization_target(org.organization_id)), "organization");
  const auto user_id = member_user_id(store, actor, member_named_in(call.body));
  auto membership = find_member(store, org.organization_id, user_id);
  auto user = store.find_user(user_id);
  const bool primary = user && user->organization_id == org.organization_id;
  if (membership.user_id.empty() && !primary) {
    throw_not_found("user '" + user_id + "' is not a member of organization '" + org.organization_id + "'");
  }
  const bool removes_admin = membership.user_role == "org_admin" || (primary && user->user_role == "org_admin");
  if (removes_admin && actor.role != core::Role::proxy_admin) {
    throw_forbidden("Only a proxy_admin removes an organization's admins");
  }
  if (!membership.user_id.empty())
    store.remove_organization_member(org.organization_id, user_id, call.audit("member_removed"));
  if (primary) {
    user->organization_id.reset();
    store.update_user(*user, call.audit("updated"));
  }
  JsonOut o;
  o.begin_object()
      .field("organization_id", org.organization_id)
      .field("user_id", user_id)
      .field("user_role", membership.user_id.empty() ? (user ? user->user_role : std::string()) : membership.user_role)
      .end_object();
  return json_ok(o.str());
}

}  // namespace

void register_organization_routes(http::Router& router, const GatewayContext& context) {
  using http::Method;
  auto add = [&](Method method, const char* path, ManagementWork work) {
    router.add(method, path, [&context, work](const http::ExchangePtr& ex) { run_management(context, ex, work); });
  };
  add(Method::post, "/organization/new", create);
  add(Method::get, "/organization/info", info);
  add(Method::get, "/organization/list", list);
  add(Method::post, "/organization/update", update);
  add(Method::patch, "/organization/update", update);
  add(Method::post, "/organization/delete", remove);
  add(Method::delete_, "/organization/delete", remove);
  add(Method::post, "/organization/member_add", member_add);
  add(Method::patch, "/organization/member_update", member_update);
  add(Method::post, "/organization/member_delete", member_delete);
}

}  // namespace tollgate::api
