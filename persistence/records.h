#pragma once
// Plain rows of the store, named like LiteLLM's fields. Timestamps are unix milliseconds
// (0 = "let the store fill it in" on insert); optional fields are NULL in the database; lists
// and per-model limits are stored as JSON text; `metadata` holds a JSON object as text.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/mcp_access.h"
#include "core/model_alias.h"

namespace tollgate::persistence {

// The budget and rate limits of a key, team, user, organization or shared budget, under the
// same LiteLLM names in every table, JSON object and request body. Records embed it as a base,
// so its fields keep their flat names (team.max_budget), and it is mapped once each way: rows
// in record_rows.cc, JSON by write_limit_fields (record_json.h), request bodies by the
// management API's apply_budget_limits. soft_budget (keys and budgets only) is an alert
// threshold, not a limit, and stays with those records.
struct BudgetLimits {
  std::optional<double> max_budget;
  std::optional<std::string> budget_duration;   // "30d", "1mo", … (core/duration parses it)
  std::optional<std::int64_t> budget_reset_at;  // when the budget window restarts
  std::optional<std::int64_t> tpm_limit;
  std::optional<std::int64_t> rpm_limit;
  std::optional<std::int64_t> max_parallel_requests;
};

struct BudgetRecord : BudgetLimits {
  std::string budget_id;
  std::optional<double> soft_budget;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::string> created_by;
  std::optional<std::string> updated_by;
};

struct OrganizationRecord : BudgetLimits {
  std::string organization_id;
  std::string organization_alias;
  std::optional<std::string> budget_id;
  std::vector<std::string> models;  // empty = all models
  double spend = 0;                 // changed only by record_spend / reset_spend / set_spend
  std::string metadata = "{}";
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::string> created_by;
  std::optional<std::string> updated_by;
};

struct OrgMember {
  std::string organization_id;
  std::string user_id;
  std::string user_role = "internal_user";  // org_admin | internal_user | internal_user_viewer …
};

struct TeamMember {
  std::string user_id;
  std::string role = "user";  // "admin" | "user"
  // Read from the member's user row (LiteLLM shows it in members_with_roles); not part of the
  // membership, so writes ignore it. Empty for a user without one, or not created yet.
  std::optional<std::string> user_email = std::nullopt;
};

struct TeamRecord : BudgetLimits {
  std::string team_id;
  std::optional<std::string> team_alias;
  std::optional<std::string> organization_id;
  std::vector<std::string> models;
  double spend = 0;
  bool blocked = false;
  std::vector<std::string> team_member_permissions;  // routes plain members may use on team keys
  // The MCP part of LiteLLM's object_permission; nullopt = the team sets none (no ceiling on
  // its keys, core/mcp_access.h).
  std::optional<core::McpPermission> object_permission_mcp;
  core::ModelAliases model_aliases;  // LiteLLM's team `model_aliases` (core/model_alias.h)
  std::string metadata = "{}";
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::string> created_by;
  std::optional<std::string> updated_by;
  // Read from team_members; insert_team stores them, update_team leaves them alone
  // (add_team_member / remove_team_member change them).
  std::vector<TeamMember> members;
};

struct UserRecord : BudgetLimits {
  std::string user_id;
  std::optional<std::string> user_alias;
  std::optional<std::string> user_email;  // unique when present
  std::string user_role = "internal_user";
  std::optional<std::string> organization_id;
  std::vector<std::string> models;
  double spend = 0;
  std::string metadata = "{}";
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

struct KeyRecord : BudgetLimits {
  std::string token_hash;  // lowercase hex SHA-256 (core::hash_key); never the cleartext
  std::string key_name;    // "sk-...abcd" (core::key_display_name)
  std::optional<std::string> key_alias;
  std::optional<std::string> user_id;
  std::optional<std::string> team_id;
  std::optional<std::string> organization_id;
  std::optional<std::string> budget_id;
  std::vector<std::string> models;
  double spend = 0;
  std::optional<double> soft_budget;
  std::map<std::string, std::int64_t> model_rpm_limit;
  std::map<std::string, std::int64_t> model_tpm_limit;
  std::optional<std::int64_t> expires_at;
  bool blocked = false;
  std::string metadata = "{}";
  bool service_account = false;
  // The MCP part of LiteLLM's object_permission; nullopt = the key sets none.
  std::optional<core::McpPermission> object_permission_mcp;
  core::ModelAliases model_aliases;  // LiteLLM's key `aliases`; they override the team's (core/model_alias.h)
  std::optional<std::string> created_by;
  std::optional<std::string> updated_by;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// An end user (LiteLLM's "customer", LiteLLM_EndUserTable): the `user` a request names, or its
// x-litellm-end-user-id header. Its limits are its own (LiteLLM keeps them in a linked budget
// row: budget_id links a shared one here, whose limits apply where the end user's are unset).
// A row also appears when an end user nobody created first spends (LiteLLM does the same).
struct EndUserRecord : BudgetLimits {
  std::string user_id;
  std::optional<std::string> alias;
  double spend = 0;  // changed only by record_spend / reset_spend / set_spend
  bool blocked = false;
  std::optional<std::string> budget_id;
  std::optional<std::string> allowed_model_region;  // "eu" | "us": stored and returned only
  std::optional<std::string> default_model;         // stored and returned only
  std::string metadata = "{}";
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
};

// An MCP server registered through the admin API (/v1/mcp/server), named like LiteLLM's
// LiteLLM_MCPServerTable. The auth value is a credential for the upstream: it is stored sealed
// under the salt key (core/secret_box.h, column auth_value) so the gateway can use it, and never
// returned by the API, written to the audit log or logged.
struct McpServerRecord {
  std::string server_id;
  std::string server_name;  // unique; the tool-name prefix
  std::optional<std::string> alias;
  std::optional<std::string> description;
  std::string url;
  std::string transport = "http";  // "http" (Streamable HTTP) | "sse"
  std::string auth_type = "none";  // none | api_key | bearer_token | basic | authorization
  std::optional<std::string> auth_value_sealed;
  std::vector<std::string> mcp_access_groups;
  std::vector<std::string> allowed_tools;  // empty = every tool
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::string> created_by;
  std::optional<std::string> updated_by;
};

// A model deployment added through /model/new (general_settings.store_model_in_db), named like
// LiteLLM's ProxyModelTable. litellm_params and model_info are the entry's JSON objects as a
// config file would hold them, litellm_params without api_key: the provider key is only in
// api_key_sealed, encrypted under the salt key (core/secret_box.h), and is never returned,
// logged or written to the audit log.
struct ModelRecord {
  std::string model_id;  // model_info.id
  std::string model_name;
  std::string litellm_params = "{}";
  std::string model_info = "{}";
  std::optional<std::string> api_key_sealed;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  std::optional<std::string> created_by;
  std::optional<std::string> updated_by;
};

struct SpendLogRow {
  // The gateway's own call id (x-litellm-call-id), the primary key: a retried flush inserts
  // nothing twice, and an upstream reusing its response ids cannot collide.
  std::string request_id;
  std::string response_id;  // the id of the client's answer (chatcmpl-…, msg_…); "" when none
  std::string call_type = "acompletion";
  std::string api_key;  // the key's hash
  double spend = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t total_tokens = 0;
  std::int64_t start_time = 0;
  std::int64_t end_time = 0;
  std::string model;
  std::string model_group;
  std::string model_id;
  std::string provider;
  std::optional<std::string> user_id;
  std::optional<std::string> team_id;
  std::optional<std::string> organization_id;
  std::optional<std::string> end_user;
  std::string status = "success";
  std::string metadata = "{}";
};

// Who created a stored Responses API answer and which deployment holds it (migration 008).
struct ResponseOwner {
  std::string response_id;
  std::string api_key;  // the creating key's hash; "" for the master key
  std::optional<std::string> team_id;
  std::string model_group;
  std::string model_id;  // the deployment's id (model_info.id)
  std::int64_t created_at = 0;
};

// What a day's rollup row adds up: spend, tokens and requests.
struct SpendTotals {
  double spend = 0;
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t api_requests = 0;
  std::int64_t successful_requests = 0;
  std::int64_t failed_requests = 0;

  void add(const SpendTotals& other) {
    spend += other.spend;
    prompt_tokens += other.prompt_tokens;
    completion_tokens += other.completion_tokens;
    api_requests += other.api_requests;
    successful_requests += other.successful_requests;
    failed_requests += other.failed_requests;
  }
};

// One row of the daily rollups (migration 005): a day's spend of one key, user, team,
// organization, end user and model. Entities a request did not name are "".
struct DailySpendRow {
  std::int64_t day = 0;  // days since 1970-01-01 UTC
  std::string api_key;
  std::string user_id;
  std::string team_id;
  std::string organization_id;
  std::string end_user;
  std::string model;
  std::string model_group;
  std::string provider;
  SpendTotals totals;
};

struct SpendIncrement {
  enum class EntityKind { key, team, user, organization, end_user };
  EntityKind kind = EntityKind::key;
  std::string id;  // token_hash for keys
  double amount = 0;
};
using EntityKind = SpendIncrement::EntityKind;

// A budget window's reset: spend = 0 and, when given, budget_reset_at = next_reset_at.
struct SpendReset {
  EntityKind kind = EntityKind::key;
  std::string id;
  std::optional<std::int64_t> next_reset_at;
};

// One audit row. Callers usually fill changed_by and action only: the store fills table_name,
// object_id and the before/after JSON from the rows it changes when they are left empty.
struct AuditEntry {
  std::string changed_by;
  std::string action;  // "created" | "updated" | "deleted" | "blocked" | "unblocked" | "regenerated" …
  std::string table_name;
  std::string object_id;
  std::string before_json;  // empty = none (NULL)
  std::string after_json;
};

struct AuditRecord : AuditEntry {
  std::int64_t id = 0;
  std::int64_t created_at = 0;
};

}  // namespace tollgate::persistence
