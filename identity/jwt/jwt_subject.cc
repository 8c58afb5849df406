#include "identity/jwt/jwt_subject.h"

#include <algorithm>

#include "core/jwt_claims.h"

namespace tollgate::identity::jwt {
namespace {

constexpr std::size_t kMaxIdBytes = 256;  // longer ids are not ids the store should see
constexpr std::size_t kMaxTeamCandidates = 32;

std::optional<std::string> field_text(const rapidjson::Value& claims, const std::optional<std::string>& field) {
  if (!field) return std::nullopt;
  auto text = core::claim_text(core::find_claim(claims, *field));
  if (!text || text->empty() || text->size() > kMaxIdBytes) return std::nullopt;
  return text;
}

void add_candidate(std::vector<std::string>& list, const std::string& id) {
  if (id.empty() || id.size() > kMaxIdBytes || list.size() >= kMaxTeamCandidates) return;
  if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
}

}  // namespace

JwtSubject read_subject(const rapidjson::Value& claims, const config::JwtAuthSettings& settings) {
  JwtSubject s;
  s.subject = field_text(claims, std::string("sub"));
  s.user_id = field_text(claims, settings.user_id_jwt_field);
  s.user_email = field_text(claims, settings.user_email_jwt_field);
  s.organization_id = field_text(claims, settings.org_id_jwt_field);
  s.end_user_id = field_text(claims, settings.end_user_id_jwt_field);
  if (auto team = field_text(claims, settings.team_id_jwt_field)) {
    add_candidate(s.team_candidates, *team);
    s.upsertable_team = team;
  }
  if (settings.team_ids_jwt_field) {
    for (const auto& team : core::claim_strings(core::find_claim(claims, *settings.team_ids_jwt_field))) {
      add_candidate(s.team_candidates, team);
    }
  }
  if (settings.team_id_default) {
    add_candidate(s.team_candidates, *settings.team_id_default);
    if (!s.upsertable_team) s.upsertable_team = settings.team_id_default;
  }
  for (const char* name : {"scope", "scp"}) {
    for (auto& scope : core::claim_strings(core::find_claim(claims, name))) s.role_facts.scopes.push_back(scope);
  }
  if (settings.roles_jwt_field) {
    s.role_facts.idp_roles = core::claim_strings(core::find_claim(claims, *settings.roles_jwt_field));
  }
  s.role_facts.has_team = !s.team_candidates.empty();
  s.role_facts.has_user = s.user_id.has_value() || s.user_email.has_value();
  return s;
}

core::JwtRolePolicy role_policy(const config::JwtAuthSettings& settings) {
  core::JwtRolePolicy policy;
  policy.admin_scope = settings.admin_jwt_scope;
  policy.enforce_rbac = settings.enforce_rbac;
  for (const auto& m : settings.role_mappings) {
    core::JwtRole role;
    if (core::parse_jwt_role(m.internal_role, role)) policy.mappings.push_back({m.role, role});
  }
  return policy;
}

}  // namespace tollgate::identity::jwt
