#include "api/management/lookups.h"

#include "api/management/http_error.h"
#include "api/management/targets.h"
#include "core/request_id.h"
#include "persistence/store.h"

namespace tollgate::api {

persistence::TeamRecord load_visible_team(persistence::Store& store, const core::Actor& actor,
                                          const std::string& team_id) {
  auto team = store.find_team(team_id);
  if (!team || !core::can_see(actor, team_target(*team))) throw_not_found("team '" + team_id + "' not found");
  return std::move(*team);
}

namespace {

persistence::UserRecord visible_or_404(persistence::Store& store, const core::Actor& actor,
                                       std::optional<persistence::UserRecord> user, const std::string& shown) {
  if (!user || !core::can_see(actor, user_target(store, *user))) throw_not_found("user '" + shown + "' not found");
  return std::move(*user);
}

}  // namespace

persistence::UserRecord load_visible_user(persistence::Store& store, const core::Actor& actor,
                                          const std::string& user_id) {
  return visible_or_404(store, actor, store.find_user(user_id), user_id);
}

persistence::UserRecord load_visible_user_by_email(persistence::Store& store, const core::Actor& actor,
                                                   const std::string& email) {
  return visible_or_404(store, actor, store.find_user_by_email(email), email);
}

persistence::OrganizationRecord load_visible_organization(persistence::Store& store, const core::Actor& actor,
                                                          const std::string& organization_id) {
  auto org = store.find_organization(organization_id);
  if (!org || !core::can_see(actor, organization_target(org->organization_id))) {
    throw_not_found("organization '" + organization_id + "' not found");
  }
  return std::move(*org);
}

void require_linked_budget_exists(persistence::Store& store, const std::optional<std::string>& budget_id) {
  if (budget_id && !store.find_budget(*budget_id)) throw_not_found("budget '" + *budget_id + "' not found");
}

void forbid_service_accounts(const core::Actor& actor) {
  if (actor.service_account) throw_forbidden("Service-account keys may call models only");
}

void require_role(const core::Actor& actor, core::Resource resource, core::Action action) {
  if (core::decide_role(actor, resource, action) != core::Decision::allow) {
    throw_forbidden("Your role may not do this (" + std::string(core::action_name(action)) + " " +
                    std::string(core::resource_name(resource)) + ")");
  }
}

bool is_admin_or_viewer(const core::Actor& actor) {
  return actor.role == core::Role::proxy_admin || actor.role == core::Role::proxy_admin_viewer;
}

std::string new_id() { return core::generate_request_id(); }

}  // namespace tollgate::api
