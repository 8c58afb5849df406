#include "api/management/key_fields.h"

#include "api/management/http_error.h"
#include "api/management/limit_fields.h"
#include "api/management/model_alias_fields.h"
#include "api/management/object_permission_fields.h"
#include "core/duration.h"

namespace tollgate::api {

// Ignored and unenforced fields are LiteLLM's; docs/api.md lists them.
const BodyFields kKeyBody = {
    {"key", "key_alias", "duration", "models", "soft_budget", "budget_id", "model_rpm_limit", "model_tpm_limit",
     "team_id", "user_id", "organization_id", "metadata", "blocked", "spend", "object_permission", "aliases"},
    {"config", "tags", "send_invite_email", "key_type", "rpm_limit_type", "tpm_limit_type", "prompts", "auto_rotate",
     "rotation_interval", "access_group_ids", "router_settings", "grace_period", "litellm_changed_by",
     "soft_budget_cooldown", "expires"},
    {"guardrails", "enforced_params", "allowed_routes", "permissions", "allowed_cache_controls", "model_max_budget",
     "budget_limits", "policies"}};

std::int64_t now_unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool touches_limit_fields(const BodyReader& body) {
  return has_any(body, kBudgetLimitFields) ||
         has_any(body,
                 {"models", "soft_budget", "budget_id", "model_rpm_limit", "model_tpm_limit", "team_id", "user_id",
                  "organization_id", "blocked", "spend", "duration", "expires", "object_permission", "aliases"});
}

namespace {

std::optional<std::int64_t> expiry_from_duration(const BodyReader& body, std::int64_t now_ms) {
  const auto text = body.string("duration");
  if (!text) return std::nullopt;
  const auto d = core::parse_duration(*text);
  if (!d) throw_bad_request("'duration' must look like 30s, 15m, 1h, 7d or 1mo", "duration");
  return now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(*d).count();
}

}  // namespace

void apply_key_fields(const BodyReader& body, persistence::KeyRecord& key, std::int64_t now_ms) {
  set_optional(key.key_alias, body.string("key_alias"), body.is_null("key_alias"));
  if (auto models = body.strings("models")) key.models = *models;
  apply_budget_limits(body, key, now_ms);
  set_optional(key.soft_budget, body.number("soft_budget"), body.is_null("soft_budget"));
  set_optional(key.budget_id, body.string("budget_id"), body.is_null("budget_id"));
  if (auto m = body.integer_map("model_rpm_limit")) key.model_rpm_limit = *m;
  if (auto m = body.integer_map("model_tpm_limit")) key.model_tpm_limit = *m;
  set_optional(key.team_id, body.string("team_id"), body.is_null("team_id"));
  set_optional(key.user_id, body.string("user_id"), body.is_null("user_id"));
  set_optional(key.organization_id, body.string("organization_id"), body.is_null("organization_id"));
  if (auto metadata = body.object_json("metadata")) key.metadata = *metadata;
  if (auto blocked = body.boolean("blocked")) key.blocked = *blocked;
  apply_object_permission(body, key.object_permission_mcp);
  if (auto aliases = model_aliases_field(body, "aliases")) key.model_aliases = std::move(*aliases);
  if (auto expires = expiry_from_duration(body, now_ms)) {
    key.expires_at = expires;
  } else if (body.is_null("duration")) {
    key.expires_at.reset();
  }
}

}  // namespace tollgate::api
