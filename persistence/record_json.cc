#include "persistence/record_json.h"

#include <rapidjson/document.h>

namespace tollgate::persistence {
namespace {

using core::JsonOut;

// Audit rows keep timestamps as stored (unix milliseconds).
constexpr auto kAuditTimes = JsonOut::Times::unix_ms;

// Embeds a stored JSON object verbatim when it parses, else as a string: an audit row stays
// valid JSON whatever the record holds.
void stored_object_field(JsonOut& o, const char* name, const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) {
    o.field(name, json);
  } else {
    o.key(name).raw_json(json);
  }
}

void members_field(JsonOut& o, const std::vector<TeamMember>& members) {
  o.key("members_with_roles").begin_array();
  for (const auto& m : members) o.begin_object().field("user_id", m.user_id).field("role", m.role).end_object();
  o.end_array();
}

}  // namespace

void write_limit_fields(JsonOut& o, const BudgetLimits& l) {
  o.field("max_budget", l.max_budget);
  o.field("budget_duration", l.budget_duration);
  o.time_field("budget_reset_at", l.budget_reset_at);
  o.field("tpm_limit", l.tpm_limit);
  o.field("rpm_limit", l.rpm_limit);
  o.field("max_parallel_requests", l.max_parallel_requests);
}

std::string to_json(const KeyRecord& k) {
  JsonOut o(kAuditTimes);
  o.begin_object();
  o.field("token", k.token_hash);
  o.field("key_name", k.key_name);
  o.field("key_alias", k.key_alias);
  o.field("user_id", k.user_id);
  o.field("team_id", k.team_id);
  o.field("organization_id", k.organization_id);
  o.field("budget_id", k.budget_id);
  o.field("models", k.models);
  o.field("spend", k.spend);
  write_limit_fields(o, k);
  o.field("soft_budget", k.soft_budget);
  o.field("model_rpm_limit", k.model_rpm_limit);
  o.field("model_tpm_limit", k.model_tpm_limit);
  o.time_field("expires", k.expires_at);
  o.field("blocked", k.blocked);
  stored_object_field(o, "metadata", k.metadata);
  o.field("service_account", k.service_account);
  o.field("created_by", k.created_by);
  o.field("updated_by", k.updated_by);
  o.key("created_at").time(k.created_at);
  o.key("updated_at").time(k.updated_at);
  return o.end_object().str();
}

std::string to_json(const TeamRecord& t) {
  JsonOut o(kAuditTimes);
  o.begin_object();
  o.field("team_id", t.team_id);
  o.field("team_alias", t.team_alias);
  o.field("organization_id", t.organization_id);
  o.field("models", t.models);
  o.field("spend", t.spend);
  write_limit_fields(o, t);
  o.field("blocked", t.blocked);
  o.field("team_member_permissions", t.team_member_permissions);
  stored_object_field(o, "metadata", t.metadata);
  members_field(o, t.members);
  o.field("created_by", t.created_by);
  o.field("updated_by", t.updated_by);
  o.key("created_at").time(t.created_at);
  o.key("updated_at").time(t.updated_at);
  return o.end_object().str();
}

std::string to_json(const UserRecord& u) {
  JsonOut o(kAuditTimes);
  o.begin_object();
  o.field("user_id", u.user_id);
  o.field("user_alias", u.user_alias);
  o.field("user_email", u.user_email);
  o.field("user_role", u.user_role);
  o.field("organization_id", u.organization_id);
  o.field("models", u.models);
  o.field("spend", u.spend);
  write_limit_fields(o, u);
  stored_object_field(o, "metadata", u.metadata);
  o.key("created_at").time(u.created_at);
  o.key("updated_at").time(u.updated_at);
  return o.end_object().str();
}

std::string to_json(const OrganizationRecord& g) {
  JsonOut o(kAuditTimes);
  o.begin_object();
  o.field("organization_id", g.organization_id);
  o.field("organization_alias", g.organization_alias);
  o.field("budget_id", g.budget_id);
  o.field("models", g.models);
  o.field("spend", g.spend);
  write_limit_fields(o, g);
  stored_object_field(o, "metadata", g.metadata);
  o.field("created_by", g.created_by);
  o.field("updated_by", g.updated_by);
  o.key("created_at").time(g.created_at);
  o.key("updated_at").time(g.updated_at);
  return o.end_object().str();
}

std::string to_json(const BudgetRecord& b) {
  JsonOut o(kAuditTimes);
  o.begin_object();
  o.field("budget_id", b.budget_id);
  write_limit_fields(o, b);
  o.field("soft_budget", b.soft_budget);
  o.field("created_by", b.created_by);
  o.field("updated_by", b.updated_by);
  o.key("created_at").time(b.created_at);
  o.key("updated_at").time(b.updated_at);
  return o.end_object().str();
}

std::string to_json(const OrgMember& m) {
  JsonOut o(kAuditTimes);
  o.begin_object().field("organization_id", m.organization_id).field("user_id", m.user_id).field("user_role", m.user_role);
  return o.end_object().str();
}

std::string to_json(const std::string& team_id, const TeamMember& m) {
  JsonOut o(kAuditTimes);
  o.begin_object().field("team_id", team_id).field("user_id", m.user_id).field("role", m.role);
  return o.end_object().str();
}

}  // namespace tollgate::persistence
