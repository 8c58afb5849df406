#include "persistence/record_json.h"

#include <rapidjson/document.h>

namespace tollgate::persistence {
namespace {

using core::JsonOut;

// Embeds a stored JSON object verbatim when it parses, else as a string: the output stays
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

// LiteLLM's team lists `admins` and `members` (user ids by role) beside members_with_roles.
void team_members_fields(JsonOut& o, const std::vector<TeamMember>& members, RecordView view) {
  o.key("members_with_roles").begin_array();
  std::vector<std::string> admins, plain;
  for (const auto& m : members) {
    o.begin_object().field("user_id", m.user_id);
    if (view == RecordView::api) o.field("user_email", m.user_email);  // the user's, not the membership's
    o.field("role", m.role).end_object();
    (m.role == "admin" ? admins : plain).push_back(m.user_id);
  }
  o.end_array();
  if (view == RecordView::api) o.field("admins", admins).field("members", plain);
}

// LiteLLM's object_permission (its MCP part); null when the key or team sets none.
void object_permission_field(JsonOut& o, const std::optional<core::McpPermission>& permission) {
  o.key("object_permission");
  if (!permission) {
    o.null();
    return;
  }
  o.begin_object();
  o.field("mcp_servers", permission->servers);
  o.field("mcp_access_groups", permission->access_groups);
  o.key("mcp_tool_permissions").begin_object();
  for (const auto& [server, tools] : permission->tool_permissions) o.field(server, tools);
  o.end_object();
  o.end_object();
}

// A team's aliases as its /team/new body names them; the api view adds LiteLLM's
// litellm_model_table, where LiteLLM's /team/info shows them (null when the team has none).
void model_aliases_fields(JsonOut& o, const core::ModelAliases& aliases, RecordView view) {
  o.field("model_aliases", aliases);
  if (view != RecordView::api) return;
  o.key("litellm_model_table");
  if (aliases.empty()) {
    o.null();
  } else {
    o.begin_object().field("model_aliases", aliases).end_object();
  }
}

// Audit rows as stored: timestamps as unix milliseconds.
template <class Record>
std::string audit_json(const Record& record) {
  JsonOut o(JsonOut::Times::unix_ms);
  write_json(o, record, RecordView::audit);
  return o.str();
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

void write_json(JsonOut& o, const KeyRecord& k, RecordView view) {
  o.begin_object();
  write_fields(o, k, view);
  o.end_object();
}

void write_fields(JsonOut& o, const KeyRecord& k, RecordView) {
  o.field("token", k.token_hash);
  o.field("key_name", k.key_name);
  o.field("key_alias", k.key_alias);
  o.field("spend", k.spend);
  write_limit_fields(o, k);
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
  stored_object_field(o, "metadata", k.metadata);
  o.field("service_account", k.service_account);
  object_permission_field(o, k.object_permission_mcp);
  o.field("aliases", k.model_aliases);  // LiteLLM's name on keys
  o.field("created_by", k.created_by);
  o.field("updated_by", k.updated_by);
  o.key("created_at").time(k.created_at);
  o.key("updated_at").time(k.updated_at);
}

void write_json(JsonOut& o, const TeamRecord& t, RecordView view) {
  o.begin_object();
  write_fields(o, t, view);
  o.end_object();
}

void write_fields(JsonOut& o, const TeamRecord& t, RecordView view) {
  o.field("team_id", t.team_id);
  o.field("team_alias", t.team_alias);
  o.field("organization_id", t.organization_id);
  o.field("models", t.models);
  o.field("spend", t.spend);
  write_limit_fields(o, t);
  o.field("blocked", t.blocked);
  stored_object_field(o, "metadata", t.metadata);
  team_members_fields(o, t.members, view);
  o.field("team_member_permissions", t.team_member_permissions);
  object_permission_field(o, t.object_permission_mcp);
  model_aliases_fields(o, t.model_aliases, view);
  o.field("created_by", t.created_by);
  if (view == RecordView::audit) o.field("updated_by", t.updated_by);
  o.key("created_at").time(t.created_at);
  o.key("updated_at").time(t.updated_at);
}

void write_json(JsonOut& o, const UserRecord& u, RecordView view) {
  o.begin_object();
  write_fields(o, u, view);
  o.end_object();
}

void write_fields(JsonOut& o, const UserRecord& u, RecordView) {
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
}

// LiteLLM_EndUserTable's fields; the api view adds litellm_budget_table (api/management).
void write_fields(JsonOut& o, const EndUserRecord& e, RecordView) {
  o.field("user_id", e.user_id);
  o.field("alias", e.alias);
  o.field("spend", e.spend);
  o.field("blocked", e.blocked);
  o.field("budget_id", e.budget_id);
  o.field("allowed_model_region", e.allowed_model_region);
  o.field("default_model", e.default_model);
  write_limit_fields(o, e);
  stored_object_field(o, "metadata", e.metadata);
  o.key("created_at").time(e.created_at);
  o.key("updated_at").time(e.updated_at);
}

void write_json(JsonOut& o, const OrganizationRecord& g, RecordView view, const std::vector<OrgMember>& members) {
  o.begin_object();
  write_fields(o, g, view, members);
  o.end_object();
}

void write_fields(JsonOut& o, const OrganizationRecord& g, RecordView view, const std::vector<OrgMember>& members) {
  o.field("organization_id", g.organization_id);
  o.field("organization_alias", g.organization_alias);
  o.field("budget_id", g.budget_id);
  o.field("models", g.models);
  o.field("spend", g.spend);
  write_limit_fields(o, g);
  stored_object_field(o, "metadata", g.metadata);
  if (view == RecordView::api) {
    o.key("members").begin_array();
    for (const auto& m : members) write_json(o, m);
    o.end_array();
  }
  o.field("created_by", g.created_by);
  if (view == RecordView::audit) o.field("updated_by", g.updated_by);
  o.key("created_at").time(g.created_at);
  o.key("updated_at").time(g.updated_at);
}

void write_json(JsonOut& o, const BudgetRecord& b, RecordView view) {
  o.begin_object();
  o.field("budget_id", b.budget_id);
  write_limit_fields(o, b);
  o.field("soft_budget", b.soft_budget);
  if (view == RecordView::audit) o.field("created_by", b.created_by).field("updated_by", b.updated_by);
  o.key("created_at").time(b.created_at);
  o.key("updated_at").time(b.updated_at);
  o.end_object();
}

void write_json(JsonOut& o, const McpServerRecord& m, RecordView) {
  o.begin_object();
  o.field("server_id", m.server_id);
  o.field("server_name", m.server_name);
  o.field("alias", m.alias);
  o.field("description", m.description);
  o.field("url", m.url);
  o.field("transport", m.transport);
  o.field("auth_type", m.auth_type);
  // auth_value is a credential: neither the API nor the audit log shows it, only whether one is set.
  o.field("has_credentials", m.auth_value_sealed.has_value());
  o.field("mcp_access_groups", m.mcp_access_groups);
  o.field("allowed_tools", m.allowed_tools);
  o.field("created_by", m.created_by);
  o.field("updated_by", m.updated_by);
  o.key("created_at").time(m.created_at);
  o.key("updated_at").time(m.updated_at);
  o.end_object();
}

void write_json(JsonOut& o, const OrgMember& m) {
  o.begin_object()
      .field("user_id", m.user_id)
      .field("user_role", m.user_role)
      .field("organization_id", m.organization_id);
  o.end_object();
}

std::string to_json(const KeyRecord& key) { return audit_json(key); }
std::string to_json(const TeamRecord& team) { return audit_json(team); }
std::string to_json(const UserRecord& user) { return audit_json(user); }
std::string to_json(const OrganizationRecord& organization) { return audit_json(organization); }
std::string to_json(const BudgetRecord& budget) { return audit_json(budget); }
std::string to_json(const EndUserRecord& end_user) {
  JsonOut o(JsonOut::Times::unix_ms);
  o.begin_object();
  write_fields(o, end_user, RecordView::audit);
  return o.end_object().str();
}
std::string to_json(const McpServerRecord& server) { return audit_json(server); }

std::string to_json(const ModelRecord& m) {
  JsonOut o(JsonOut::Times::unix_ms);
  o.begin_object().field("model_id", m.model_id).field("model_name", m.model_name);
  o.key("litellm_params").raw_json(m.litellm_params);
  o.key("model_info").raw_json(m.model_info);
  o.field("has_api_key", m.api_key_sealed.has_value());
  o.time_field("created_at", m.created_at).time_field("updated_at", m.updated_at);
  o.field("created_by", m.created_by).field("updated_by", m.updated_by);
  o.end_object();
  return o.str();
}

std::string to_json(const OrgMember& member) {
  JsonOut o(JsonOut::Times::unix_ms);
  write_json(o, member);
  return o.str();
}

std::string to_json(const std::string& team_id, const TeamMember& m) {
  JsonOut o(JsonOut::Times::unix_ms);
  o.begin_object().field("team_id", team_id).field("user_id", m.user_id).field("role", m.role);
  return o.end_object().str();
}

}  // namespace tollgate::persistence
