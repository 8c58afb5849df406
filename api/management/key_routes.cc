// /key/generate, /key/service-account/generate, /key/info, /key/list, /key/update,
// /key/regenerate, /key/delete, /key/block, /key/unblock — LiteLLM's paths, fields and response shapes; our own policy.
#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <set>

#include "api/management/budget_table.h"
#include "api/management/issued_key.h"
#include "api/management/key_fields.h"
#include "api/management/lookups.h"
#include "api/management/management.h"
#include "api/management/query_args.h"
#include "api/management/render.h"
#include "api/management/targets.h"
#include "api/management_routes.h"
#include "core/ascii_case.h"
#include "core/key_generation.h"
#include "core/key_hash.h"
#include "persistence/store.h"

namespace tollgate::api {
namespace {

using persistence::KeyRecord;
using persistence::Store;

// Management endpoints accept a key as its cleartext or as its hash (LiteLLM's convention).
std::string hash_of(const std::string& key_or_hash) {
  return key_or_hash.rfind("sk-", 0) == 0 ? core::hash_key(key_or_hash) : key_or_hash;
}

// The key, if it exists and the caller may see it; 404 otherwise (the same for both). A caller
// whose role rules out `action` altogether gets 403 first, whatever the key.
KeyRecord load_visible_key(Store& store, const ManagementCall& call, const std::string& key_or_hash,
                           core::Action action) {
  require_role(call.caller.actor, core::Resource::key, action);
  const auto key = store.find_key(hash_of(key_or_hash));
  if (!key || !core::can_see(call.caller.actor, key_target(*key))) throw_not_found("key not found");
  return *key;
}

std::string key_json(Store& store, const KeyRecord& key) {
  JsonOut o;
  write_key_object(o, store, key);
  return o.str();
}

// A new key's cleartext: the caller's custom `key` (LiteLLM allows it) or a fresh one.
std::string new_cleartext(const BodyReader& body) {
  if (auto custom = body.string("key")) {
    if (custom->rfind("sk-", 0) != 0 || custom->size() < 16) {
      throw_bad_request("a custom 'key' must start with 'sk-' and be at least 16 characters", "key");
    }
    return *custom;
  }
  return core::generate_virtual_key();
}

// Fills team/organization of a key to create (or a key being moved) and checks they agree;
// returns the team (none for a personal key).
std::optional<persistence::TeamRecord> resolve_team_and_org(Store& store, const ManagementCall& call, KeyRecord& key) {
  if (!key.team_id) return std::nullopt;
  auto team = store.find_team(*key.team_id);
  if (!team || !core::can_see(call.caller.actor, team_target(*team))) {
    throw_not_found("team '" + *key.team_id + "' not found");
  }
  if (key.organization_id && team->organization_id && *key.organization_id != *team->organization_id) {
    throw_bad_request("organization_id does not match the team's organization", "organization_id");
  }
  if (team->organization_id) key.organization_id = team->organization_id;
  return team;
}

// A user's key on a team needs the user on the team (proxy_admins may set up keys first).
void require_team_member(const ManagementCall& call, const persistence::TeamRecord& team, const KeyRecord& key) {
  if (!key.user_id || call.caller.actor.role == core::Role::proxy_admin || call.caller.actor.user_id.empty()) return;
  for (const auto& m : team.members) {
    if (m.user_id == *key.user_id) return;
  }
  throw_bad_request("user '" + *key.user_id + "' is not a member of team '" + team.team_id + "'", "user_id");
}

// The key as a holder of rights: its user's role, and every organization the user reaches —
// its own, its memberships and its teams' ("" for a team in no organization).
core::Target holder_target(Store& store, const KeyRecord& key, const std::optional<persistence::UserRecord>& user) {
  auto target = key_target(key);
  if (user) {
    const auto as_user = user_target(store, *user);
    target.user_org_ids = as_user.user_org_ids;
    for (const auto& [team_id, role] : store.teams_of_user(user->user_id)) {
      const auto team = store.find_team(team_id);
      target.user_org_ids.push_back(team && team->organization_id ? *team->organization_id : "");
    }
    target.user_role = as_user.user_role;
    target.user_home_org_id = user->organization_id.value_or("");
  }
  return target;
}

// Settles whose the key is — its team's organization, a personal key's organization (its
// user's own unless the body names one) and service-account status — and requires that the
// caller administers that holder: one decision for a new key, a regenerated one (its new
// cleartext acts as the holder) and an existing key whose user, team or organization changes
// (docs/authz.md, "Whose a key is"). `before` is the key as stored, if it exists.
void authorize_holder(Store& store, const ManagementCall& call, KeyRecord& key, const KeyRecord* before) {
  const auto user = key.user_id ? store.find_user(*key.user_id) : std::nullopt;
  const bool new_holder = !before || key.user_id != before->user_id || key.team_id != before->team_id;
  if (new_holder && key.user_id && !key.team_id && !call.body.has("organization_id")) {
    key.organization_id = user ? user->organization_id : std::nullopt;
  }
  const auto team = resolve_team_and_org(store, call, key);
  require(core::decide(call.caller.actor, core::Action::create, holder_target(store, key, user)), "key");
  if (team) require_team_member(call, *team, key);
  key.service_account = key.team_id && !key.user_id;
}

bool same_holder(const KeyRecord& a, const KeyRecord& b) {
  return a.user_id == b.user_id && a.team_id == b.team_id && a.organization_id == b.organization_id;
}

http::Response generate(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kKeyBody);
  const auto now = now_unix_ms();
  KeyRecord key;
  apply_key_fields(call.body, key, now);
  const auto& actor = call.caller.actor;
  if (!key.user_id && !key.team_id && !actor.user_id.empty()) {
    key.user_id = actor.user_id;  // a personal key for the caller
  }
  // Roles that create no keys are refused before the team is looked up (403, not 404).
  require_role(actor, core::Resource::key, core::Action::create);
  authorize_holder(store, call, key, nullptr);
  require_linked_budget_exists(store, call.body.string("budget_id"));
  const std::string cleartext = new_cleartext(call.body);
  const auto stored = insert_new_key(store, call, std::move(key), cleartext);
  if (auto spend = call.body.number("spend"); spend && *spend > 0) {
    store.set_spend(persistence::EntityKind::key, stored.token_hash, *spend, call.audit("updated"));
  }
  return json_ok(generated_key_response(store, cleartext, stored));
}

// A team-owned key with no user (LiteLLM's service accounts): it calls models and manages
// nothing. The same as /key/generate with a `team_id` and no `user_id`, which this insists on.
http::Response generate_service_account(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::key, core::Action::create);
  if (!call.body.string("team_id")) throw_bad_request("'team_id' is required for a service-account key", "team_id");
  if (call.body.string("user_id")) throw_bad_request("a service-account key belongs to a team, not a user", "user_id");
  return generate(store, call);
}

http::Response info(Store& store, const ManagementCall& call) {
  auto requested = call.query("key");
  if (!requested || requested->empty()) {
    if (!call.caller.identity) throw_bad_request("'key' is required", "key");
    requested = call.caller.identity->key.token_hash;  // no key given: the caller's own
  }
  const auto key = load_visible_key(store, call, *requested, core::Action::read);
  require(core::decide(call.caller.actor, core::Action::read, key_target(key)), "key");
  JsonOut o;
  o.begin_object().field("key", *requested).key("info");
  write_key_object(o, store, key);
  o.end_object();
  return json_ok(o.str());
}

// Non-admins only ever list what they could read one by one.
void scope_to_caller(Store& store, const core::Actor& actor, persistence::KeyFilter& filter) {
  filter.user_ids_any.push_back(actor.user_id.empty() ? "\x01none" : actor.user_id);
  for (const auto& team : actor.admin_team_ids) filter.team_ids_any.push_back(team);
  for (const auto& org : actor.admin_org_ids) {
    for (const auto& team : store.list_teams(org)) filter.team_ids_any.push_back(team.team_id);
    for (const auto& member : store.organization_members(org)) filter.user_ids_any.push_back(member.user_id);
  }
}

// Every key of the caller's scope that it can read one by one, newest first: the store's
// scope (own keys, administered teams, members of administered organizations) is wider than
// what the policy lets it see (a member's key in another organization), so the page is cut
// after the policy's filter.
persistence::KeyPage visible_page(Store& store, const core::Actor& actor, const persistence::KeyFilter& filter,
                                  int page, int size) {
  constexpr int kBatch = 500;
  std::vector<KeyRecord> visible;
  for (int batch = 1;; ++batch) {
    auto keys = store.list_keys(filter, batch, kBatch).keys;
    for (auto& key : keys) {
      if (core::can_see(actor, key_target(key))) visible.push_back(std::move(key));
    }
    if (keys.size() < static_cast<std::size_t>(kBatch)) break;
  }
  persistence::KeyPage result;
  result.total_count = static_cast<std::int64_t>(visible.size());
  const auto first = std::min(visible.size(), static_cast<std::size_t>(page - 1) * static_cast<std::size_t>(size));
  const auto last = std::min(visible.size(), first + static_cast<std::size_t>(size));
  result.keys.assign(std::make_move_iterator(visible.begin() + first), std::make_move_iterator(visible.begin() + last));
  return result;
}

http::Response list(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  require_role(actor, core::Resource::key, core::Action::read);
  const int page = query_int(call, "page", 1, 1, 1'000'000);
  const int size = query_int(call, "size", 10, 1, 100);
  persistence::KeyFilter filter;
  filter.user_id = call.query("user_id");
  filter.team_id = call.query("team_id");
  filter.organization_id = call.query("organization_id");
  filter.key_alias = call.query("key_alias");
  if (filter.team_id) {
    const auto team = store.find_team(*filter.team_id);
    if (!team || !core::can_see(actor, team_target(*team))) throw_not_found("team not found");
  }
  persistence::KeyPage result;
  if (actor.role == core::Role::proxy_admin || actor.role == core::Role::proxy_admin_viewer) {
    result = store.list_keys(filter, page, size);
  } else {
    scope_to_caller(store, actor, filter);
    result = visible_page(store, actor, filter, page, size);
  }
  const bool full = call.query("return_full_object").value_or("") == "true";
  JsonOut o;
  o.begin_object().key("keys").begin_array();
  for (const auto& key : result.keys) {
    if (full)
      write_key_object(o, store, key);
    else
      o.value(key.token_hash);
  }
  o.end_array();
  o.field("total_count", result.total_count);
  o.field("current_page", static_cast<std::int64_t>(page));
  o.field("total_pages", static_cast<std::int64_t>((result.total_count + size - 1) / size));
  o.end_object();
  return json_ok(o.str());
}

// Every key the caller may read, oldest batch last (admins and viewers: all keys).
std::vector<KeyRecord> readable_keys(Store& store, const core::Actor& actor, persistence::KeyFilter filter) {
  if (is_admin_or_viewer(actor)) {
    constexpr int kBatch = 500;
    std::vector<KeyRecord> keys;
    for (int batch = 1;; ++batch) {
      auto page = store.list_keys(filter, batch, kBatch).keys;
      const bool last = page.size() < static_cast<std::size_t>(kBatch);
      keys.insert(keys.end(), std::make_move_iterator(page.begin()), std::make_move_iterator(page.end()));
      if (last) return keys;
    }
  }
  scope_to_caller(store, actor, filter);
  return visible_page(store, actor, filter, 1, std::numeric_limits<int>::max()).keys;
}

// LiteLLM's GET /key/aliases: the distinct aliases of the keys the caller can read (of one team
// with ?team_id=), ?search= matching part of an alias (case ignored), sorted, paginated.
http::Response aliases(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  require_role(actor, core::Resource::key, core::Action::read);
  const int page = query_int(call, "page", 1, 1, 1'000'000);
  const int size = query_int(call, "size", 50, 1, 100);
  const auto search = call.query("search").value_or("");
  persistence::KeyFilter filter;
  filter.team_id = optional_query(call, "team_id");
  if (filter.team_id) {
    const auto team = store.find_team(*filter.team_id);
    if (!team || !core::can_see(actor, team_target(*team))) throw_not_found("team not found");
  }
  std::set<std::string> found;
  for (const auto& key : readable_keys(store, actor, filter)) {
    if (key.key_alias && !key.key_alias->empty() && core::ascii_icontains(*key.key_alias, search)) {
      found.insert(*key.key_alias);
    }
  }
  const std::vector<std::string> all(found.begin(), found.end());
  const auto first = std::min(all.size(), static_cast<std::size_t>(page - 1) * static_cast<std::size_t>(size));
  const auto last = std::min(all.size(), first + static_cast<std::size_t>(size));
  const auto total = static_cast<std::int64_t>(all.size());
  JsonOut o;
  o.begin_object()
      .field("aliases", std::vector<std::string>(all.begin() + first, all.begin() + last))
      .field("total_count", total)
      .field("current_page", static_cast<std::int64_t>(page))
      .field("total_pages", (total + size - 1) / size)
      .end_object();
  return json_ok(o.str());
}

http::Response update(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kKeyBody);
  const auto requested = call.body.required_string("key");
  auto key = load_visible_key(store, call, requested, core::Action::update);
  const auto& actor = call.caller.actor;
  const auto action = touches_limit_fields(call.body) ? core::Action::update_limits : core::Action::update;
  require(core::decide(actor, action, key_target(key)), "key");
  const auto before = key;
  apply_key_fields(call.body, key, now_unix_ms());
  if (!same_holder(key, before)) authorize_holder(store, call, key, &before);
  require_linked_budget_exists(store, call.body.string("budget_id"));
  key.updated_by = call.changed_by();
  if (!store.update_key(key, call.audit("updated"))) throw_not_found("key not found");
  if (auto spend = call.body.number("spend")) {
    store.set_spend(persistence::EntityKind::key, key.token_hash, *spend, call.audit("updated"));
  }
  const auto updated = store.find_key(key.token_hash);
  return json_ok(key_json(store, updated ? *updated : key));
}

http::Response regenerate(Store& store, const ManagementCall& call) {
  check_body_fields(call.body, kKeyBody);
  std::string requested(call.exchange.param("key"));
  if (requested.empty()) requested = call.body.required_string("key");
  auto key = load_visible_key(store, call, requested, core::Action::regenerate);
  const auto& actor = call.caller.actor;
  require(core::decide(actor, core::Action::regenerate, key_target(key)), "key");
  if (touches_limit_fields(call.body)) {
    // New limits on regenerate need the same right as updating them.
    require(core::decide(actor, core::Action::update_limits, key_target(key)), "key");
  }
  const auto before = key;
  apply_key_fields(call.body, key, now_unix_ms());
  // The new cleartext acts as the holder: the same decision as creating it, unless it is the
  // caller's own key, unchanged (a credential for itself grants nothing new).
  const bool own_unchanged = same_holder(key, before) && key.user_id && *key.user_id == actor.user_id;
  if (!own_unchanged) authorize_holder(store, call, key, &before);
  require_linked_budget_exists(store, call.body.string("budget_id"));
  const std::string& old_hash = before.token_hash;
  const std::string cleartext = core::generate_virtual_key();  // never the old or a custom one
  assign_cleartext(key, cleartext);
  key.updated_by = call.changed_by();
  if (!store.regenerate_key(old_hash, key, call.audit("regenerated"))) throw_not_found("key not found");
  const auto stored = store.find_key(key.token_hash);
  return json_ok(generated_key_response(store, cleartext, stored ? *stored : key));
}

http::Response remove(Store& store, const ManagementCall& call) {
  require_role(call.caller.actor, core::Resource::key, core::Action::remove);  // before any alias lookup
  call.body.reject_unknown({"keys", "key_aliases"});
  std::vector<std::string> requested = call.body.strings("keys").value_or(std::vector<std::string>{});
  std::vector<std::string> hashes;
  if (auto aliases = call.body.strings("key_aliases")) {
    for (const auto& alias : *aliases) {
      persistence::KeyFilter filter;
      filter.key_alias = alias;
      // Another organization's alias answers exactly like a missing one.
      const auto before = requested.size();
      for (const auto& k : store.list_keys(filter, 1, 100).keys) {
        if (core::can_see(call.caller.actor, key_target(k))) requested.push_back(k.token_hash);
      }
      if (requested.size() == before) throw_not_found("key with alias '" + alias + "' not found");
    }
  }
  if (requested.empty()) throw_bad_request("'keys' must list at least one key", "keys");
  for (const auto& r : requested) {
    const auto key = load_visible_key(store, call, r, core::Action::remove);
    require(core::decide(call.caller.actor, core::Action::remove, key_target(key)), "key");
    hashes.push_back(key.token_hash);
  }
  if (!store.delete_keys(hashes, call.audit("deleted"))) throw_not_found("key not found");
  JsonOut o;
  o.begin_object().field("deleted_keys", requested).end_object();
  return json_ok(o.str());
}

http::Response set_blocked(Store& store, const ManagementCall& call, bool blocked) {
  call.body.reject_unknown({"key"});
  const auto key = load_visible_key(store, call, call.body.required_string("key"), core::Action::block);
  require(core::decide(call.caller.actor, core::Action::block, key_target(key)), "key");
  if (!store.set_key_blocked(key.token_hash, blocked, call.audit(blocked ? "blocked" : "unblocked"))) {
    throw_not_found("key not found");
  }
  const auto updated = store.find_key(key.token_hash);
  return json_ok(key_json(store, updated ? *updated : key));
}

}  // namespace

void register_key_routes(http::Router& router, const GatewayContext& context) {
  using http::Method;
  auto add = [&](Method method, const char* path, ManagementWork work) {
    router.add(method, path, [&context, work](const http::ExchangePtr& ex) { run_management(context, ex, work); });
  };
  add(Method::post, "/key/generate", generate);
  add(Method::post, "/key/service-account/generate", generate_service_account);
  add(Method::get, "/key/info", info);
  add(Method::get, "/key/list", list);
  add(Method::get, "/key/aliases", aliases);
  add(Method::post, "/key/update", update);
  add(Method::post, "/key/regenerate", regenerate);
  add(Method::post, "/key/{key}/regenerate", regenerate);
  add(Method::post, "/key/delete", remove);
  add(Method::post, "/key/block", [](Store& s, const ManagementCall& c) { return set_blocked(s, c, true); });
  add(Method::post, "/key/unblock", [](Store& s, const ManagementCall& c) { return set_blocked(s, c, false); });
}

}  // namespace tollgate::api
