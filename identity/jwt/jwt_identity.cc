#include "identity/jwt/jwt_identity.h"

#include "identity/authenticator.h"
#include "persistence/errors.h"
#include "persistence/record_json.h"
#include "persistence/store.h"

namespace tollgate::identity::jwt {
namespace {

persistence::AuditEntry created(const JwtCallerFacts& facts, const char* table, const std::string& id,
                                std::string after) {
  return persistence::AuditEntry{
      "jwt:" + facts.subject.subject.value_or("?"), "created", table, id, "", std::move(after)};
}

// The first candidate team that exists; else the upsertable one, created when allowed. A
// concurrent creation (two nodes, two first requests) is a DuplicateError: read it back.
core::Result<std::optional<persistence::TeamRecord>> resolve_team(persistence::Store& store,
                                                                  const JwtCallerFacts& facts,
                                                                  const config::JwtAuthSettings& settings) {
  const auto& subject = facts.subject;
  for (const auto& id : subject.team_candidates) {
    if (auto team = store.find_team(id)) return std::optional<persistence::TeamRecord>(std::move(team));
  }
  if (!subject.upsertable_team) return std::optional<persistence::TeamRecord>();
  const auto& id = *subject.upsertable_team;
  if (!settings.team_id_upsert) {
    return core::forbidden("The team '" + id + "' named by the token does not exist (team_id_upsert is off)");
  }
  persistence::TeamRecord team;
  team.team_id = id;
  try {
    return std::optional<persistence::TeamRecord>(store.insert_team(team, created(facts, "teams", id, to_json(team))));
  } catch (const persistence::DuplicateError&) {
    return std::optional<persistence::TeamRecord>(store.find_team(id));
  }
}

std::optional<persistence::UserRecord> resolve_user(persistence::Store& store, const JwtCallerFacts& facts,
                                                    const config::JwtAuthSettings& settings) {
  const auto& subject = facts.subject;
  if (subject.user_id) {
    if (auto user = store.find_user(*subject.user_id)) return user;
  } else if (subject.user_email) {
    return store.find_user_by_email(*subject.user_email);
  }
  if (!subject.user_id || !settings.user_id_upsert) return std::nullopt;
  persistence::UserRecord user;
  user.user_id = *subject.user_id;
  user.user_email = subject.user_email;
  try {
    return store.insert_user(user, created(facts, "users", user.user_id, to_json(user)));
  } catch (const persistence::DuplicateError&) {
    // The id raced with another node, or the email belongs to another user: use what exists.
    return store.find_user(user.user_id);
  }
}

core::Actor jwt_actor(persistence::Store& store, core::JwtRole role,
                      const std::optional<persistence::UserRecord>& user) {
  core::Actor actor;
  const bool acts_as_user =
      user && (role == core::JwtRole::internal_user || role == core::JwtRole::internal_user_viewer);
  if (acts_as_user) actor = actor_for_user(store, user);
  actor.role = core::authz_role(role);  // the IdP decides the role, not the stored user_role
  // A caller with no user to act as may call models and nothing else, like a team's key.
  actor.service_account = role == core::JwtRole::team || (!acts_as_user && actor.role != core::Role::proxy_admin &&
                                                          actor.role != core::Role::proxy_admin_viewer);
  return actor;
}

std::string label_of(const JwtCallerFacts& facts, const KeyIdentity& identity) {
  if (identity.user) return "jwt:" + identity.user->user_id;
  if (identity.team) return "jwt:team:" + identity.team->team_id;
  return "jwt:" + facts.subject.subject.value_or(std::string(core::jwt_role_name(facts.role)));
}

}  // namespace

core::Result<KeyIdentity> resolve_jwt_identity(persistence::Store& store, const JwtCallerFacts& facts,
                                               const config::JwtAuthSettings& settings) {
  KeyIdentity identity;
  auto team = resolve_team(store, facts, settings);
  if (!team) return std::move(team).error();
  identity.team = std::move(*team);
  identity.user = resolve_user(store, facts, settings);
  auto org_id = facts.subject.organization_id;
  if (!org_id && identity.team) org_id = identity.team->organization_id;
  if (org_id) {
    identity.organization = store.find_organization(*org_id);
    if (!identity.organization) {
      return core::forbidden("The organization '" + *org_id + "' named by the token does not exist");
    }
    if (identity.organization->budget_id)
      identity.organization_budget = store.find_budget(*identity.organization->budget_id);
  }
  const bool admin = facts.role == core::JwtRole::proxy_admin || facts.role == core::JwtRole::proxy_admin_viewer;
  if (!admin && !identity.team && !identity.user && !identity.organization) {
    return core::forbidden("The token names no team, user or organization known to the gateway");
  }
  identity.actor = jwt_actor(store, facts.role, identity.user);
  identity.jwt_role = facts.role;
  identity.end_user_id = facts.subject.end_user_id;
  auto& key = identity.key;
  key.token_hash = facts.token_hash;
  key.expires_at = facts.usable_until_ms;
  if (identity.user) key.user_id = identity.user->user_id;
  if (identity.team) key.team_id = identity.team->team_id;
  if (identity.organization) key.organization_id = identity.organization->organization_id;
  identity.label = label_of(facts, identity);
  key.key_name = identity.label;
  return identity;
}

}  // namespace tollgate::identity::jwt
