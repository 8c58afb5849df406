#include "persistence/record_rows.h"

#include <iterator>

#include "persistence/json_columns.h"

namespace tollgate::persistence {
namespace {

// Reads a row's columns left to right, mirroring the order of the *_values functions.
class RowReader {
 public:
  explicit RowReader(const SqlRow& row) : row_(row) {}
  std::string text() { return row_.text(next_++); }
  std::optional<std::string> optional_text() { return row_.optional_text(next_++); }
  std::int64_t int64() { return row_.int64(next_++); }
  std::optional<std::int64_t> optional_int64() { return row_.optional_int64(next_++); }
  double real() { return row_.real(next_++); }
  std::optional<double> optional_real() { return row_.optional_real(next_++); }
  bool boolean() { return row_.boolean(next_++); }
  std::vector<std::string> string_list() { return string_list_from_json(row_.text(next_++)); }
  std::map<std::string, std::int64_t> int_map() { return int_map_from_json(row_.text(next_++)); }
  core::ModelAliases string_map() { return string_map_from_json(row_.text(next_++)); }
  std::optional<core::McpPermission> mcp_permission() { return mcp_permission_from_json(optional_text()); }
  // The columns append_limit_values() lists, in its order.
  void limits(BudgetLimits& l) {
    l.max_budget = optional_real();
    l.budget_duration = optional_text();
    l.budget_reset_at = optional_int64();
    l.tpm_limit = optional_int64();
    l.rpm_limit = optional_int64();
    l.max_parallel_requests = optional_int64();
  }

 private:
  const SqlRow& row_;
  std::size_t next_ = 0;
};

SqlValue list_value(const std::vector<std::string>& list) { return SqlValue(string_list_to_json(list)); }

SqlValue permission_value(const std::optional<core::McpPermission>& permission) {
  return permission ? SqlValue(mcp_permission_to_json(*permission)) : sql_null();
}

// Every table names the limits' columns alike; they follow each table's own columns.
void append_limit_values(NamedValues& values, const BudgetLimits& l) {
  values.emplace_back("max_budget", sql_real(l.max_budget));
  values.emplace_back("budget_duration", sql_text(l.budget_duration));
  values.emplace_back("budget_reset_at", sql_int(l.budget_reset_at));
  values.emplace_back("tpm_limit", sql_int(l.tpm_limit));
  values.emplace_back("rpm_limit", sql_int(l.rpm_limit));
  values.emplace_back("max_parallel_requests", sql_int(l.max_parallel_requests));
}

}  // namespace

NamedValues key_values(const KeyRecord& k) {
  NamedValues values = {
      {"token_hash", SqlValue(k.token_hash)},
      {"key_name", SqlValue(k.key_name)},
      {"key_alias", sql_text(k.key_alias)},
      {"user_id", sql_text(k.user_id)},
      {"team_id", sql_text(k.team_id)},
      {"organization_id", sql_text(k.organization_id)},
      {"budget_id", sql_text(k.budget_id)},
      {"models", list_value(k.models)},
      {"spend", SqlValue(k.spend)},
      {"soft_budget", sql_real(k.soft_budget)},
      {"model_rpm_limit", SqlValue(int_map_to_json(k.model_rpm_limit))},
      {"model_tpm_limit", SqlValue(int_map_to_json(k.model_tpm_limit))},
      {"expires_at", sql_int(k.expires_at)},
      {"blocked", sql_bool(k.blocked)},
      {"metadata", SqlValue(checked_json_object(k.metadata, "metadata"))},
      {"service_account", sql_bool(k.service_account)},
      {"object_permission", permission_value(k.object_permission_mcp)},
      {"created_by", sql_text(k.created_by)},
      {"updated_by", sql_text(k.updated_by)},
      {"created_at", SqlValue(k.created_at)},
      {"updated_at", SqlValue(k.updated_at)},
  };
  append_limit_values(values, k);
  values.emplace_back("model_aliases", SqlValue(string_map_to_json(k.model_aliases)));
  return values;
}

KeyRecord key_from_row(const SqlRow& row) {
  RowReader r(row);
  KeyRecord k;
  k.token_hash = r.text();
  k.key_name = r.text();
  k.key_alias = r.optional_text();
  k.user_id = r.optional_text();
  k.team_id = r.optional_text();
  k.organization_id = r.optional_text();
  k.budget_id = r.optional_text();
  k.models = r.string_list();
  k.spend = r.real();
  k.soft_budget = r.optional_real();
  k.model_rpm_limit = r.int_map();
  k.model_tpm_limit = r.int_map();
  k.expires_at = r.optional_int64();
  k.blocked = r.boolean();
  k.metadata = r.text();
  k.service_account = r.boolean();
  k.object_permission_mcp = r.mcp_permission();
  k.created_by = r.optional_text();
  k.updated_by = r.optional_text();
  k.created_at = r.int64();
  k.updated_at = r.int64();
  r.limits(k);
  k.model_aliases = r.string_map();
  return k;
}

const std::string& key_columns() {
  static const std::string columns = column_list(key_values(KeyRecord{}));
  return columns;
}

NamedValues team_values(const TeamRecord& t) {
  NamedValues values = {
      {"team_id", SqlValue(t.team_id)},
      {"team_alias", sql_text(t.team_alias)},
      {"organization_id", sql_text(t.organization_id)},
      {"models", list_value(t.models)},
      {"spend", SqlValue(t.spend)},
      {"blocked", sql_bool(t.blocked)},
      {"team_member_permissions", list_value(t.team_member_permissions)},
      {"object_permission", permission_value(t.object_permission_mcp)},
      {"metadata", SqlValue(checked_json_object(t.metadata, "metadata"))},
      {"created_at", SqlValue(t.created_at)},
      {"updated_at", SqlValue(t.updated_at)},
      {"created_by", sql_text(t.created_by)},
      {"updated_by", sql_text(t.updated_by)},
  };
  append_limit_values(values, t);
  values.emplace_back("model_aliases", SqlValue(string_map_to_json(t.model_aliases)));
  return values;
}

TeamRecord team_from_row(const SqlRow& row) {
  RowReader r(row);
  TeamRecord t;
  t.team_id = r.text();
  t.team_alias = r.optional_text();
  t.organization_id = r.optional_text();
  t.models = r.string_list();
  t.spend = r.real();
  t.blocked = r.boolean();
  t.team_member_permissions = r.string_list();
  t.object_permission_mcp = r.mcp_permission();
  t.metadata = r.text();
  t.created_at = r.int64();
  t.updated_at = r.int64();
  t.created_by = r.optional_text();
  t.updated_by = r.optional_text();
  r.limits(t);
  t.model_aliases = r.string_map();
  return t;
}

const std::string& team_columns() {
  static const std::string columns = column_list(team_values(TeamRecord{}));
  return columns;
}

NamedValues mcp_server_values(const McpServerRecord& m) {
  return {
      {"server_id", SqlValue(m.server_id)},
      {"server_name", SqlValue(m.server_name)},
      {"alias", sql_text(m.alias)},
      {"description", sql_text(m.description)},
      {"url", SqlValue(m.url)},
      {"transport", SqlValue(m.transport)},
      {"auth_type", SqlValue(m.auth_type)},
      {"auth_value", sql_text(m.auth_value_sealed)},
      {"mcp_access_groups", list_value(m.mcp_access_groups)},
      {"allowed_tools", list_value(m.allowed_tools)},
      {"created_at", SqlValue(m.created_at)},
      {"updated_at", SqlValue(m.updated_at)},
      {"created_by", sql_text(m.created_by)},
      {"updated_by", sql_text(m.updated_by)},
  };
}

McpServerRecord mcp_server_from_row(const SqlRow& row) {
  RowReader r(row);
  McpServerRecord m;
  m.server_id = r.text();
  m.server_name = r.text();
  m.alias = r.optional_text();
  m.description = r.optional_text();
  m.url = r.text();
  m.transport = r.text();
  m.auth_type = r.text();
  m.auth_value_sealed = r.optional_text();
  m.mcp_access_groups = r.string_list();
  m.allowed_tools = r.string_list();
  m.created_at = r.int64();
  m.updated_at = r.int64();
  m.created_by = r.optional_text();
  m.updated_by = r.optional_text();
  return m;
}

const std::string& mcp_server_columns() {
  static const std::string columns = column_list(mcp_server_values(McpServerRecord{}));
  return columns;
}

NamedValues model_values(const ModelRecord& m) {
  return {
      {"model_id", SqlValue(m.model_id)},
      {"model_name", SqlValue(m.model_name)},
      {"litellm_params", SqlValue(m.litellm_params)},
      {"model_info", SqlValue(m.model_info)},
      {"api_key_sealed", sql_text(m.api_key_sealed)},
      {"created_at", SqlValue(m.created_at)},
      {"updated_at", SqlValue(m.updated_at)},
      {"created_by", sql_text(m.created_by)},
      {"updated_by", sql_text(m.updated_by)},
  };
}

ModelRecord model_from_row(const SqlRow& row) {
  RowReader r(row);
  ModelRecord m;
  m.model_id = r.text();
  m.model_name = r.text();
  m.litellm_params = r.text();
  m.model_info = r.text();
  m.api_key_sealed = r.optional_text();
  m.created_at = r.int64();
  m.updated_at = r.int64();
  m.created_by = r.optional_text();
  m.updated_by = r.optional_text();
  return m;
}

const std::string& model_columns() {
  static const std::string columns = column_list(model_values(ModelRecord{}));
  return columns;
}

NamedValues user_values(const UserRecord& u) {
  NamedValues values = {
      {"user_id", SqlValue(u.user_id)},
      {"user_alias", sql_text(u.user_alias)},
      {"user_email", sql_text(u.user_email)},
      {"user_role", SqlValue(u.user_role)},
      {"organization_id", sql_text(u.organization_id)},
      {"models", list_value(u.models)},
      {"spend", SqlValue(u.spend)},
      {"metadata", SqlValue(checked_json_object(u.metadata, "metadata"))},
      {"created_at", SqlValue(u.created_at)},
      {"updated_at", SqlValue(u.updated_at)},
  };
  append_limit_values(values, u);
  return values;
}

UserRecord user_from_row(const SqlRow& row) {
  RowReader r(row);
  UserRecord u;
  u.user_id = r.text();
  u.user_alias = r.optional_text();
  u.user_email = r.optional_text();
  u.user_role = r.text();
  u.organization_id = r.optional_text();
  u.models = r.string_list();
  u.spend = r.real();
  u.metadata = r.text();
  u.created_at = r.int64();
  u.updated_at = r.int64();
  r.limits(u);
  return u;
}

const std::string& user_columns() {
  static const std::string columns = column_list(user_values(UserRecord{}));
  return columns;
}

NamedValues organization_values(const OrganizationRecord& o) {
  NamedValues values = {
      {"organization_id", SqlValue(o.organization_id)},
      {"organization_alias", SqlValue(o.organization_alias)},
      {"budget_id", sql_text(o.budget_id)},
      {"models", list_value(o.models)},
      {"spend", SqlValue(o.spend)},
      {"metadata", SqlValue(checked_json_object(o.metadata, "metadata"))},
      {"created_at", SqlValue(o.created_at)},
      {"updated_at", SqlValue(o.updated_at)},
      {"created_by", sql_text(o.created_by)},
      {"updated_by", sql_text(o.updated_by)},
  };
  append_limit_values(values, o);
  return values;
}

OrganizationRecord organization_from_row(const SqlRow& row) {
  RowReader r(row);
  OrganizationRecord o;
  o.organization_id = r.text();
  o.organization_alias = r.text();
  o.budget_id = r.optional_text();
  o.models = r.string_list();
  o.spend = r.real();
  o.metadata = r.text();
  o.created_at = r.int64();
  o.updated_at = r.int64();
  o.created_by = r.optional_text();
  o.updated_by = r.optional_text();
  r.limits(o);
  return o;
}

const std::string& organization_columns() {
  static const std::string columns = column_list(organization_values(OrganizationRecord{}));
  return columns;
}

NamedValues end_user_values(const EndUserRecord& e) {
  NamedValues values = {
      {"user_id", SqlValue(e.user_id)},
      {"alias", sql_text(e.alias)},
      {"spend", SqlValue(e.spend)},
      {"blocked", sql_bool(e.blocked)},
      {"budget_id", sql_text(e.budget_id)},
      {"allowed_model_region", sql_text(e.allowed_model_region)},
      {"default_model", sql_text(e.default_model)},
      {"metadata", SqlValue(checked_json_object(e.metadata, "metadata"))},
      {"created_at", SqlValue(e.created_at)},
      {"updated_at", SqlValue(e.updated_at)},
  };
  append_limit_values(values, e);
  return values;
}

EndUserRecord end_user_from_row(const SqlRow& row) {
  RowReader r(row);
  EndUserRecord e;
  e.user_id = r.text();
  e.alias = r.optional_text();
  e.spend = r.real();
  e.blocked = r.boolean();
  e.budget_id = r.optional_text();
  e.allowed_model_region = r.optional_text();
  e.default_model = r.optional_text();
  e.metadata = r.text();
  e.created_at = r.int64();
  e.updated_at = r.int64();
  r.limits(e);
  return e;
}

const std::string& end_user_columns() {
  static const std::string columns = column_list(end_user_values(EndUserRecord{}));
  return columns;
}

NamedValues budget_values(const BudgetRecord& b) {
  NamedValues values = {
      {"budget_id", SqlValue(b.budget_id)},   {"soft_budget", sql_real(b.soft_budget)},
      {"created_at", SqlValue(b.created_at)}, {"updated_at", SqlValue(b.updated_at)},
      {"created_by", sql_text(b.created_by)}, {"updated_by", sql_text(b.updated_by)},
  };
  append_limit_values(values, b);
  return values;
}

BudgetRecord budget_from_row(const SqlRow& row) {
  RowReader r(row);
  BudgetRecord b;
  b.budget_id = r.text();
  b.soft_budget = r.optional_real();
  b.created_at = r.int64();
  b.updated_at = r.int64();
  b.created_by = r.optional_text();
  b.updated_by = r.optional_text();
  r.limits(b);
  return b;
}

const std::string& budget_columns() {
  static const std::string columns = column_list(budget_values(BudgetRecord{}));
  return columns;
}

namespace {

// The spend_logs columns, in the order spend_log_params() appends their values.
constexpr const char* kSpendLogColumns[] = {
    "request_id", "call_type",       "api_key",  "spend",       "prompt_tokens", "completion_tokens", "total_tokens",
    "start_time", "end_time",        "model",    "model_group", "model_id",      "provider",          "user_id",
    "team_id",    "organization_id", "end_user", "status",      "metadata",      "response_id"};

}  // namespace

void append_spend_log_params(const SpendLogRow& s, std::vector<SqlValue>& params) {
  params.emplace_back(s.request_id);
  params.emplace_back(s.call_type);
  params.emplace_back(s.api_key);
  params.emplace_back(s.spend);
  params.emplace_back(s.prompt_tokens);
  params.emplace_back(s.completion_tokens);
  params.emplace_back(s.total_tokens);
  params.emplace_back(s.start_time);
  params.emplace_back(s.end_time);
  params.emplace_back(s.model);
  params.emplace_back(s.model_group);
  params.emplace_back(s.model_id);
  params.emplace_back(s.provider);
  params.push_back(sql_text(s.user_id));
  params.push_back(sql_text(s.team_id));
  params.push_back(sql_text(s.organization_id));
  params.push_back(sql_text(s.end_user));
  params.emplace_back(s.status);
  // A spend log's metadata is always the gateway's own core::JsonOut output (api::spend_log_metadata,
  // the MCP tool call's log), in memory or read back from a CRC-checked journal frame; request
  // values enter it only as escaped strings. So its shape is checked, not its grammar.
  params.emplace_back(own_json_object(s.metadata, "metadata"));
  params.push_back(s.response_id.empty() ? sql_null() : SqlValue(s.response_id));
}

std::size_t spend_log_column_count() { return std::size(kSpendLogColumns); }

NamedValues spend_log_values(const SpendLogRow& s) {
  std::vector<SqlValue> params;
  append_spend_log_params(s, params);
  NamedValues values;
  for (std::size_t i = 0; i < params.size(); ++i) values.emplace_back(kSpendLogColumns[i], std::move(params[i]));
  return values;
}

SpendLogRow spend_log_from_row(const SqlRow& row) {
  RowReader r(row);
  SpendLogRow s;
  s.request_id = r.text();
  s.call_type = r.text();
  s.api_key = r.text();
  s.spend = r.real();
  s.prompt_tokens = r.int64();
  s.completion_tokens = r.int64();
  s.total_tokens = r.int64();
  s.start_time = r.int64();
  s.end_time = r.int64();
  s.model = r.text();
  s.model_group = r.text();
  s.model_id = r.text();
  s.provider = r.text();
  s.user_id = r.optional_text();
  s.team_id = r.optional_text();
  s.organization_id = r.optional_text();
  s.end_user = r.optional_text();
  s.status = r.text();
  s.metadata = r.text();
  s.response_id = r.optional_text().value_or("");
  return s;
}

const std::string& spend_log_columns() {
  static const std::string columns = column_list(spend_log_values(SpendLogRow{}));
  return columns;
}

}  // namespace tollgate::persistence
