// /user/new, /user/info, /user/list, /user/update, /user/delete — LiteLLM's paths, fields
// and response shapes; our policy (docs/authz.md): only a proxy_admin makes administrators,
// org_admins manage the non-admin users of their organizations.
#include <algorithm>
#include <chrono>
#include <set>

#include "api/management/body_fields.h"
#include "api/management/issued_key.h"
#include "api/management/key_fields.h"
#include "api/management/limit_fields.h"
#include "api/management/lookups.h"
#include "api/management/management.h"
#include "api/management/query_args.h"
#include "api/management/render.h"
#include "api/management/targets.h"
#include "api/management_routes.h"
#include "core/duration.h"
#include "core/key_generation.h"
#include "persistence/errors.h"
#include "persistence/store.h"
#include "telemetry/log.h"

namespace tollgate::api {
namespace {

using persistence::KeyRecord;
using persistence::Store;
using persistence::TeamRecord;
using persistence::UserRecord;

// Ignored and unenforced fields are LiteLLM's; docs/api.md lists them.
const std::initializer_list<std::string_view> kIgnoredUserFields = {
    "send_invite_email", "soft_budget", "sso_user_id", "password",          "prompts",
    "aliases",           "config",      "tags",        "litellm_changed_by"};
const std::initializer_list<std::string_view> kUnenforcedUserFields = {
    "model_max_budget", "model_rpm_limit", "model_tpm_limit",        "object_permission",
    "budget_limits",    "guardrails",      "allowed_cache_controls", "permissions"};

const BodyFields kNewUserBody = {{"user_id", "user_alias", "user_email", "user_role", "organization_id", "teams",
                                  "team_id", "models", "metadata", "auto_create_key", "key_alias", "duration"},
                                 kIgnoredUserFields,
                                 kUnenforcedUserFields};
const BodyFields kUpdateUserBody = {{"user_id", "user_alias", "user_email", "user_role", "models", "metadata", "spend"},
                                    kIgnoredUserFields,
                                    kUnenforcedUserFields};

void apply_user_fields(const BodyReader& body, UserRecord& user, std::int64_t now_ms) {
  set_optional(user.user_alias, body.string("user_alias"), body.is_null("user_alias"));
  set_optional(user.user_email, body.string("user_email"), body.is_null("user_email"));
  if (user.user_email && user.user_email->empty()) throw_bad_request("'user_email' must not be empty", "user_email");
  if (auto role = body.string("user_role")) {
    core::Role parsed;
    if (!core::parse_role(*role, parsed)) {
      throw_bad_request(
          "'user_role' must be one of proxy_admin, proxy_admin_viewer, org_admin, internal_user, "
          "internal_user_viewer",
          "user_role");
    }
    user.user_role = *role;
  }
  apply_limit_fields(body, user, now_ms);
}

core::Role role_of(const UserRecord& user) {
  core::Role role = core::Role::internal_user;
  core::parse_role(user.user_role, role);
  return role;
}

// A user that does not exist yet, as the policy sees it: its role and its organization.
core::Target new_user_target(const UserRecord& user) {
  core::Target t;
  t.resource = core::Resource::user;
  t.id = user.user_id;
  t.owner_user_id = user.user_id;
  t.user_role = role_of(user);
  if (user.organization_id) t.user_org_ids.push_back(*user.organization_id);
  return t;
}

// An org_admin creates users in its organization: when it administers exactly one, that one.
void default_organization(const core::Actor& actor, UserRecord& user) {
  if (user.organization_id || actor.role != core::Role::org_admin) return;
  if (actor.admin_org_ids.size() != 1) {
    throw_bad_request("'organization_id' is required: name the organization the user joins", "organization_id");
  }
  user.organization_id = actor.admin_org_ids.front();
}

// `teams` and LiteLLM's single `team_id`, each checked as /team/member_add would check adding
// this user.
std::vector<TeamRecord> teams_to_join(Store& store, const core::Actor& actor, const BodyReader& body,
                                      const UserRecord& user) {
  auto team_ids = body.strings("teams").value_or(std::vector<std::string>{});
  if (auto team_id = body.string("team_id")) {
    if (team_id->empty()) throw_bad_request("'team_id' must not be empty", "team_id");
    if (std::find(team_ids.begin(), team_ids.end(), *team_id) == team_ids.end()) team_ids.push_back(*team_id);
  }
  std::vector<TeamRecord> teams;
  for (const auto& team_id : team_ids) {
    auto team = load_visible_team(store, actor, team_id);
    const auto target = team_target(team);
    require(core::decide(actor, core::Action::manage_members, target), "team '" + team_id + "'");
    require(core::decide_team_member(actor, target, new_user_target(user)), "team '" + team_id + "'");
    teams.push_back(std::move(team));
  }
  return teams;
}

void require_unique(Store& store, const UserRecord& user) {
  if (store.find_user(user.user_id)) throw_bad_request("user_id '" + user.user_id + "' already exists", "user_id");
  if (user.user_email && store.find_user_by_email(*user.user_email)) {
    throw_bad_request("user_email '" + *user.user_email + "' is already taken", "user_email");
  }
}

// The personal key /user/new creates (auto_create_key): what /key/generate would make for
// {user_id, key_alias, duration} plus, like LiteLLM, the user's models and rate limits.
KeyRecord personal_key(const BodyReader& body, const UserRecord& user, std::int64_t now_ms) {
  KeyRecord key;
  key.user_id = user.user_id;
  key.organization_id = user.organization_id;  // so the user's org_admin manages it
  key.key_alias = body.string("key_alias");
  key.models = user.models;
  key.tpm_limit = user.tpm_limit;
  key.rpm_limit = user.rpm_limit;
  key.max_parallel_requests = user.max_parallel_requests;
  if (auto text = body.string("duration")) {
    const auto d = core::parse_duration(*text);
    if (!d) throw_bad_request("'duration' must look like 30s, 15m, 1h, 7d or 1mo", "duration");
    key.expires_at = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(*d).count();
  }
  return key;
}

// The new user's personal key as a holder of rights: the user's role, in its own organization.
core::Target personal_key_target(const KeyRecord& key, const UserRecord& user) {
  auto t = key_target(key);
  const auto as_user = new_user_target(user);
  t.user_org_ids = as_user.user_org_ids;
  t.user_role = as_user.user_role;
  t.user_home_org_id = user.organization_id.value_or("");
  return t;
}

struct NewUser {
  UserRecord user;
  std::vector<TeamRecord> teams;
  std::optional<KeyRecord> key;
  std::string cleartext;
};

void write_memberships_and_key(Store& store, const ManagementCall& call, NewUser& plan) {
  if (plan.user.organization_id) {
    persistence::OrgMember member{*plan.user.organization_id, plan.user.user_id, plan.user.user_role};
    if (!store.add_organization_member(member.organization_id, member, call.audit("member_added"))) {
      throw_not_found("organization '" + member.organization_id + "' not found");  // deleted meanwhile
    }
  }
  for (const auto& team : plan.teams) {
    if (!store.add_team_member(team.team_id, persistence::TeamMember{plan.user.user_id, "user"},
                               call.audit("member_added"))) {
      throw_not_found("team '" + team.team_id + "' not found");  // deleted meanwhile
    }
  }
  if (plan.key) plan.key = insert_new_key(store, call, *plan.key, plan.cleartext);
}

// The user row, its memberships and its key are separate store calls. Everything was checked
// before the first one, so only the store (or a team or organization deleted meanwhile) can
// fail now; if that happens after the user row exists, the user goes again with its
// memberships and keys, and no half-made user stays behind.
void write_or_undo(Store& store, const ManagementCall& call, NewUser& plan) {
  // Failing here (an id or email taken meanwhile) leaves nothing to undo, and nothing of
  // another user's may be undone.
  plan.user = store.insert_user(plan.user, call.audit("created"));
  try {
    write_memberships_and_key(store, call, plan);
  } catch (...) {
    try {
      store.delete_users_and_keys({plan.user.user_id}, call.audit("deleted"));
    } catch (const persistence::StoreError& e) {
      telemetry::log_error("user_new_undo_failed", {{"user_id", plan.user.user_id}, {"error", e.what()}});
    }
    throw;
  }
}

std::string new_user_response(const NewUser& plan) {
  JsonOut o;
  o.begin_object();
  write_user_fields(o, plan.user);
  o.key("teams").begin_array();
  for (const auto& team : plan.teams) o.value(team.team_id);
  o.end_array();
  if (plan.key) {
    o.field("key", plan.cleartext);  // shown once, never stored
    o.field("token", plan.key->token_hash)
        .field("key_name", plan.key->key_name)
        .field("key_alias", plan.key->key_alias);
    o.time_field("expires", plan.key->expires_at);
  } else {
    o.key("key").null().key("token").null().key("key_name").null().key("key_alias").null().key("expires").null();
  }
  o.end_object();
  return o.str();
}

http::Response create(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kNewUserBody);
  const auto& actor = call.caller.actor;
  const auto now = now_unix_ms();
  NewUser plan;
  plan.user.user_id = call.body.string("user_id").value_or(new_id());
  if (plan.user.user_id.empty()) throw_bad_request("'user_id' must not be empty", "user_id");
  apply_user_fields(call.body, plan.user, now);
  plan.user.organization_id = call.body.string("organization_id");
  default_organization(actor, plan.user);
  // The policy first: who may not create this user in the named organization learns nothing
  // about it (403 whether it exists or not); 404 only tells an allowed caller it is missing.
  require(core::decide(actor, core::Action::create, new_user_target(plan.user)), "user");
  if (plan.user.organization_id) load_visible_organization(store, actor, *plan.user.organization_id);
  plan.teams = teams_to_join(store, actor, call.body, plan.user);
  require_unique(store, plan.user);
  if (call.body.boolean("auto_create_key").value_or(true)) {
    plan.key = personal_key(call.body, plan.user, now);
    require(core::decide(actor, core::Action::create, personal_key_target(*plan.key, plan.user)), "key");
    plan.cleartext = core::generate_virtual_key();
  }
  write_or_undo(store, call, plan);
  return json_ok(new_user_response(plan));
}

http::Response info(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  forbid_service_accounts(actor);
  auto user_id = optional_query(call, "user_id");
  if (!user_id && !actor.user_id.empty()) user_id = actor.user_id;  // no user_id: the caller's own
  if (!user_id) throw_bad_request("'user_id' is required", "user_id");
  const auto user = load_visible_user(store, actor, *user_id);
  require(core::decide(actor, core::Action::read, user_target(store, user)), "user");
  JsonOut o;
  o.begin_object().field("user_id", user.user_id).key("user_info");
  write_user(o, user);
  o.key("keys").begin_array();
  for (const auto& key : store.keys_of_user(user.user_id)) {
    if (core::can_see(actor, key_target(key))) write_key(o, key);
  }
  o.end_array().key("teams").begin_array();
  for (const auto& [team_id, role] : store.teams_of_user(user.user_id)) {
    const auto team = store.find_team(team_id);
    if (team && core::can_see(actor, team_target(*team))) write_team(o, *team);
  }
  o.end_array().end_object();
  return json_ok(o.str());
}

std::vector<UserRecord> all_pages(Store& store, const persistence::UserFilter& filter) {
  constexpr int kBatch = 500;
  std::vector<UserRecord> users;
  for (int page = 1;; ++page) {
    auto batch = store.list_users(filter, page, kBatch).users;
    for (auto& user : batch) users.push_back(std::move(user));
    if (batch.size() < static_cast<std::size_t>(kBatch)) return users;
  }
}

// What a non-admin may list: the users of the organizations it administers, and itself.
std::vector<UserRecord> scoped_users(Store& store, const core::Actor& actor, const persistence::UserFilter& filter) {
  std::vector<UserRecord> users;
  for (const auto& org : actor.admin_org_ids) {
    if (filter.organization_id && *filter.organization_id != org) continue;
    auto scoped = filter;
    scoped.organization_id = org;
    for (auto& user : all_pages(store, scoped)) users.push_back(std::move(user));
  }
  const bool self_in_org =
      !filter.organization_id || std::find(actor.member_org_ids.begin(), actor.member_org_ids.end(),
                                           *filter.organization_id) != actor.member_org_ids.end();
  if (self_in_org) {
    if (auto self = store.find_user(actor.user_id); self && (!filter.role || *filter.role == self->user_role)) {
      users.push_back(std::move(*self));
    }
  }
  std::set<std::string> seen;
  users.erase(std::remove_if(users.begin(), users.end(),
                             [&](const UserRecord& u) {
                               return !seen.insert(u.user_id).second || !core::can_see(actor, user_target(store, u));
                             }),
              users.end());
  std::sort(users.begin(), users.end(), [](const UserRecord& a, const UserRecord& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.user_id < b.user_id;
  });
  return users;
}

http::Response list(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  forbid_service_accounts(actor);
  const int page = query_int(call, "page", 1, 1, 1'000'000);
  const int page_size = query_int(call, "page_size", 25, 1, 100);
  persistence::UserFilter filter;
  filter.role = optional_query(call, "role");
  filter.organization_id = optional_query(call, "organization_id");
  core::Role ignored;
  if (filter.role && !core::parse_role(*filter.role, ignored))
    throw_bad_request("'role' is not a known user_role", "role");
  persistence::UserPage result;
  if (is_admin_or_viewer(actor)) {
    result = store.list_users(filter, page, page_size);
  } else {
    auto users = scoped_users(store, actor, filter);
    result.total_count = static_cast<std::int64_t>(users.size());
    const auto first = std::min(users.size(), static_cast<std::size_t>(page - 1) * page_size);
    const auto last = std::min(users.size(), first + page_size);
    result.users.assign(users.begin() + first, users.begin() + last);
  }
  JsonOut o;
  o.begin_object().key("users").begin_array();
  for (const auto& user : result.users) write_user(o, user);
  o.end_array();
  o.field("total", result.total_count);
  o.field("page", page);
  o.field("page_size", page_size);
  o.field("total_pages", static_cast<std::int64_t>((result.total_count + page_size - 1) / page_size));
  o.end_object();
  return json_ok(o.str());
}

// By user_id, else by user_email (then the email identifies the user and changes nothing).
UserRecord load_for_update(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  if (auto id = call.body.string("user_id"); id && !id->empty()) return load_visible_user(store, actor, *id);
  if (auto email = call.body.string("user_email"); email && !email->empty()) {
    return load_visible_user_by_email(store, actor, *email);
  }
  throw_bad_request("'user_id' or 'user_email' is required", "user_id");
}

// LiteLLM's /user/update creates a user id it does not know. Here only a proxy_admin's does
// (anyone else learns nothing: 404), as a created user, audited as such, without a key.
std::optional<UserRecord> upsert_missing_user(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  const auto id = call.body.string("user_id");
  if (actor.role != core::Role::proxy_admin || !id || id->empty() || store.find_user(*id)) return std::nullopt;
  UserRecord user;
  user.user_id = *id;
  apply_user_fields(call.body, user, now_unix_ms());
  require(core::decide(actor, core::Action::create, new_user_target(user)), "user");
  require_unique(store, user);
  user = store.insert_user(user, call.audit("created"));
  if (auto spend = call.body.number("spend")) {
    store.set_spend(persistence::EntityKind::user, user.user_id, *spend, call.audit("updated"));
  }
  return store.find_user(user.user_id).value_or(user);
}

http::Response update(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::user, core::Action::update);
  check_body_fields(call.body, kUpdateUserBody);
  const auto& actor = call.caller.actor;
  if (auto created = upsert_missing_user(store, call)) {
    JsonOut o;
    write_user(o, *created);
    return json_ok(o.str());
  }
  const auto user = load_for_update(store, call);
  auto target = user_target(store, user);
  require(core::decide(actor, touches_limits(call.body) ? core::Action::update_limits : core::Action::update, target),
          "user");
  auto updated = user;
  apply_user_fields(call.body, updated, now_unix_ms());
  if (updated.user_role != user.user_role) {
    // A role change is checked as if the user already had the new role: only a proxy_admin
    // makes (or unmakes) administrators.
    target.user_role = role_of(updated);
    require(core::decide(actor, core::Action::update_limits, target), "user");
  }
  if (updated.user_email && updated.user_email != user.user_email && store.find_user_by_email(*updated.user_email)) {
    throw_bad_request("user_email '" + *updated.user_email + "' is already taken", "user_email");
  }
  if (!store.update_user(updated, call.audit("updated"))) throw_not_found("user '" + user.user_id + "' not found");
  if (auto spend = call.body.number("spend")) {
    store.set_spend(persistence::EntityKind::user, user.user_id, *spend, call.audit("updated"));
  }
  const auto stored = store.find_user(user.user_id);
  JsonOut o;
  write_user(o, stored ? *stored : updated);
  return json_ok(o.str());
}

http::Response remove(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::user, core::Action::remove);
  call.body.reject_unknown({"user_ids"});
  const auto& actor = call.caller.actor;
  const auto user_ids = call.body.required_strings("user_ids");
  for (const auto& id : user_ids) {  // every user is checked before anything is deleted
    const auto user = load_visible_user(store, actor, id);
    require(core::decide(actor, core::Action::remove, user_target(store, user)), "user '" + id + "'");
  }
  const auto deleted_keys = store.delete_users_and_keys(user_ids, call.audit("deleted"));
  if (!deleted_keys) throw_not_found("user not found");  // deleted meanwhile: nothing was deleted now
  JsonOut o;
  o.begin_object()
      .field("deleted_users", user_ids)
      .field("deleted_keys", static_cast<std::int64_t>(deleted_keys->size()));
  o.end_object();
  return json_ok(o.str());
}

}  // namespace

void register_user_routes(http::Router& router, const GatewayContext& context) {
  using http::Method;
  auto add = [&](Method method, const char* path, ManagementWork work) {
    router.add(method, path, [&context, work](const http::ExchangePtr& ex) { run_management(context, ex, work); });
  };
  add(Method::post, "/user/new", create);
  add(Method::get, "/user/info", info);
  add(Method::get, "/user/list", list);
  add(Method::post, "/user/update", update);
  add(Method::post, "/user/delete", remove);
}

}  // namespace tollgate::api
