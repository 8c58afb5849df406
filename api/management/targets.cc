#include "api/management/targets.h"

#include "persistence/store.h"

namespace tollgate::api {

core::Target key_target(const persistence::KeyRecord& key) {
  core::Target t;
  t.resource = core::Resource::key;
  t.id = key.token_hash;
  t.owner_user_id = key.user_id.value_or("");
  t.team_id = key.team_id.value_or("");
  t.organization_id = key.organization_id.value_or("");
  return t;
}

core::Target team_target(const persistence::TeamRecord& team) {
  core::Target t;
  t.resource = core::Resource::team;
  t.id = team.team_id;
  t.team_id = team.team_id;
  t.organization_id = team.organization_id.value_or("");
  return t;
}

core::Target user_target(persistence::Store& store, const persistence::UserRecord& user) {
  core::Target t;
  t.resource = core::Resource::user;
  t.id = user.user_id;
  t.owner_user_id = user.user_id;
  if (!core::parse_role(user.user_role, t.user_role)) t.user_role = core::Role::internal_user;
  for (const auto& m : store.organizations_of_user(user.user_id)) t.user_org_ids.push_back(m.organization_id);
  if (user.organization_id) t.user_org_ids.push_back(*user.organization_id);
  return t;
}

core::Target organization_target(const std::string& organization_id) {
  core::Target t;
  t.resource = core::Resource::organization;
  t.id = organization_id;
  t.organization_id = organization_id;
  return t;
}

core::Target missing(core::Resource resource) {
  core::Target t;
  t.resource = resource;
  t.exists = false;
  return t;
}

}  // namespace tollgate::api
