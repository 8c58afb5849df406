#include "api/management/render.h"

#include "persistence/record_json.h"

namespace tollgate::api {

void write_key(JsonOut& o, const persistence::KeyRecord& k) {
  o.begin_object();
  o.field("token", k.token_hash);
  o.field("key_name", k.key_name);
  o.field("key_alias", k.key_alias);
  o.field("spend", k.spend);
  persistence::write_limit_fields(o, k);
  o.field("soft_budget", k.soft_budget);
  o.time_field("expires", k.expires_at);
  o.field("models", k.models);
  o.field("user_id", k.user_id);
  o.field("team_id", k.team_id);
  o.field("organization_id", k.organization_id);
  o.field("budget_id", k.budget_id);
  o.field("model_rpm_limit", k.model_rpm_limit);
  o.field("model_tpm_limit", k.model_tpm_limit);
  o.field("blocked", k.blocked);
  o.key("metadata").raw_json(k.metadata);
  o.field("service_account", k.service_account);
  o.field("created_by", k.created_by);
  o.field("updated_by", k.updated_by);
  o.key("created_at").time(k.created_at);
  o.key("updated_at").time(k.updated_at);
  o.end_object();
}

void write_team(JsonOut& o, const persistence::TeamRecord& t) {
  o.begin_object();
  write_team_fields(o, t);
  o.end_object();
}

void write_team_fields(JsonOut& o, const persistence::TeamRecord& t) {
  o.field("team_id", t.team_id);
  o.field("team_alias", t.team_alias);
  o.field("organization_id", t.organization_id);
  o.field("models", t.models);
  o.field("spend", t.spend);
  persistence::write_limit_fields(o, t);
  o.field("blocked", t.blocked);
  o.key("metadata").raw_json(t.metadata);
  o.key("members_with_roles").begin_array();
  std::vector<std::string> admins, members;
  for (const auto& m : t.members) {
    o.begin_object().field("user_id", m.user_id).field("role", m.role).end_object();
    (m.role == "admin" ? admins : members).push_back(m.user_id);
  }
  o.end_array();
  o.field("admins", admins);
  o.field("members", members);
  o.field("team_member_permissions", t.team_member_permissions);
  o.field("created_by", t.created_by);
  o.key("created_at").time(t.created_at);
  o.key("updated_at").time(t.updated_at);
}

void write_user(JsonOut& o, const persistence::UserRecord& u) {
  o.begin_object();
  write_user_fields(o, u);
  o.end_object();
}

void write_user_fields(JsonOut& o, const persistence::UserRecord& u) {
  o.field("user_id", u.user_id);
  o.field("user_alias", u.user_alias);
  o.field("user_email", u.user_email);
  o.field("user_role", u.user_role);
  o.field("organization_id", u.organization_id);
  o.field("models", u.models);
  o.field("spend", u.spend);
  persistence::write_limit_fields(o, u);
  o.key("metadata").raw_json(u.metadata);
  o.key("created_at").time(u.created_at);
  o.key("updated_at").time(u.updated_at);
}

void write_organization(JsonOut& o, const persistence::OrganizationRecord& org,
                        const std::vector<persistence::OrgMember>& members) {
  o.begin_object();
  o.field("organization_id", org.organization_id);
  o.field("organization_alias", org.organization_alias);
  o.field("budget_id", org.budget_id);
  o.field("models", org.models);
  o.field("spend", org.spend);
  persistence::write_limit_fields(o, org);
  o.key("metadata").raw_json(org.metadata);
  o.key("members").begin_array();
  for (const auto& m : members) {
    o.begin_object().field("user_id", m.user_id).field("user_role", m.user_role)
        .field("organization_id", m.organization_id).end_object();
  }
  o.end_array();
  o.field("created_by", org.created_by);
  o.key("created_at").time(org.created_at);
  o.key("updated_at").time(org.updated_at);
  o.end_object();
}

void write_budget(JsonOut& o, const persistence::BudgetRecord& b) {
  o.begin_object();
  o.field("budget_id", b.budget_id);
  persistence::write_limit_fields(o, b);
  o.field("soft_budget", b.soft_budget);
  o.key("created_at").time(b.created_at);
  o.key("updated_at").time(b.updated_at);
  o.end_object();
}

}  // namespace tollgate::api
