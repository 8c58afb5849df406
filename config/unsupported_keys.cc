#include "config/unsupported_keys.h"

#include <algorithm>
#include <iterator>

namespace tollgate::config {
namespace {

struct Entry {
  std::string_view section;
  std::string_view key;
  KeyTreatment treatment;
  std::string_view why;
};

constexpr auto refuse = KeyTreatment::refuse;
constexpr auto warn = KeyTreatment::warn;

constexpr std::string_view kJwtPart = "this part of LiteLLM's JWT authentication is not implemented";
constexpr std::string_view kOauth = "OAuth2 authentication is not implemented";
constexpr std::string_view kRoutes = "per-route access lists are not implemented";
constexpr std::string_view kKms =
    "reading secrets from a key management system is not implemented: "
    "encrypted values would be used as written";
constexpr std::string_view kKeyGeneration = "restrictions on who may generate which keys are not implemented";
constexpr std::string_view kProxyBudget = "a proxy-wide budget is not implemented";
constexpr std::string_view kUserDefaults = "defaults for new internal users (role, models, budget) are not implemented";
constexpr std::string_view kGuardrails = "guardrails are not implemented: requests would reach models unchecked";
constexpr std::string_view kDeploymentBudget = "deployment budgets are not implemented";
constexpr std::string_view kAwsCredentials =
    "AWS roles, profiles and web identities are not implemented: set aws_access_key_id and "
    "aws_secret_access_key (and aws_session_token) or the AWS_* environment variables";

constexpr Entry kEntries[] = {
    // Top level.
    {"", "guardrails", refuse, kGuardrails},
    {"", "include", refuse, "including other files is not implemented: whatever they configure would be missing"},

    // general_settings: authentication.
    {"general_settings", "custom_auth", refuse, "custom authentication hooks are not implemented"},
    {"general_settings", "custom_sso", refuse, "SSO is not implemented"},
    {"general_settings", "enable_oauth2_auth", refuse, kOauth},
    {"general_settings", "enable_oauth2_proxy_auth", refuse, kOauth},
    {"general_settings", "oauth2_config_mappings", refuse, kOauth},
    {"general_settings", "allow_user_auth", refuse, "user name and password authentication is not implemented"},
    {"general_settings", "litellm_key_header_name", refuse, "a custom API-key header is not implemented"},
    // general_settings.litellm_jwtauth: what restricts or maps tokens beyond docs/jwt.md.
    {"general_settings.litellm_jwtauth", "scope_mappings", refuse, kJwtPart},
    {"general_settings.litellm_jwtauth", "enforce_scope_based_access", refuse, kJwtPart},
    {"general_settings.litellm_jwtauth", "user_roles_jwt_field", refuse, kJwtPart},
    {"general_settings.litellm_jwtauth", "user_allowed_roles", refuse, kJwtPart},
    {"general_settings.litellm_jwtauth", "user_allowed_email_domain", refuse, kJwtPart},
    {"general_settings.litellm_jwtauth", "object_id_jwt_field", refuse, kJwtPart},
    {"general_settings.litellm_jwtauth", "jwt_litellm_role_map", refuse, kJwtPart},
    {"general_settings.litellm_jwtauth", "sync_user_role_and_teams", refuse, kJwtPart},
    {"general_settings.litellm_jwtauth", "enforce_team_based_model_access", refuse, kJwtPart},
    {"general_settings.litellm_jwtauth", "custom_validate", refuse, "custom JWT validation hooks are not implemented"},
    {"general_settings.litellm_jwtauth", "issuers", refuse, "per-issuer JWT settings are not implemented"},
    {"general_settings.litellm_jwtauth", "upsert_sso_user_to_team", warn,
     "adding upserted users to their token's team is not implemented (the token's team still applies)"},
    {"general_settings.litellm_jwtauth", "public_allowed_routes", warn, "public routes need no token anyway"},
    // general_settings: authorization.
    {"general_settings", "allowed_routes", refuse, kRoutes},
    {"general_settings", "admin_only_routes", refuse, kRoutes},
    {"general_settings", "public_routes", refuse, kRoutes},
    {"general_settings", "role_permissions", refuse, "per-role model and route permissions are not implemented"},
    {"general_settings", "enforce_user_param", refuse, "requiring a 'user' parameter on requests is not implemented"},
    {"general_settings", "enforced_params", refuse, "required request parameters are not implemented"},
    {"general_settings", "default_team_disabled", refuse, "forbidding personal (team-less) keys is not implemented"},
    {"general_settings", "key_generation_settings", refuse, kKeyGeneration},
    {"general_settings", "service_account_settings", refuse, "service-account key settings are not implemented"},
    // general_settings: network.
    {"general_settings", "allowed_ips", refuse, "the client IP allowlist is not implemented: every address could call"},
    {"general_settings", "use_x_forwarded_for", refuse,
     "client addresses from X-Forwarded-For are not implemented: the authentication-failure limiter "
     "and the logs see the TCP peer's address"},
    // general_settings: secrets.
    {"general_settings", "key_management_system", refuse, kKms},
    {"general_settings", "key_management_settings", refuse, kKms},
    {"general_settings", "use_azure_key_vault", refuse, kKms},
    {"general_settings", "use_google_kms", refuse, kKms},
    // general_settings: limits.
    {"general_settings", "max_parallel_requests", refuse, "a parallel-request limit per deployment is not implemented"},
    {"general_settings", "global_max_parallel_requests", refuse,
     "a proxy-wide parallel-request limit is not implemented"},
    // general_settings: relaxations Tollgate never applies, and features it does not have.
    {"general_settings", "allow_requests_on_db_unavailable", warn,
     "keys already in the node's cache keep working while the store is down, unknown keys get 503 either way"},
    {"general_settings", "allow_client_side_credentials", warn, "credentials sent by clients are never used"},
    {"general_settings", "reject_clientside_metadata_tags", warn, "client-side tags never affect budgets or routing"},
    {"general_settings", "ui_access_mode", warn, "there is no admin UI"},
    {"general_settings", "pass_through_endpoints", warn,
     "pass-through endpoints are not implemented (they answer 404)"},

    // litellm_settings.
    {"litellm_settings", "guardrails", refuse, kGuardrails},
    {"litellm_settings", "max_budget", refuse, kProxyBudget},
    {"litellm_settings", "budget_duration", refuse, kProxyBudget},
    {"litellm_settings", "max_internal_user_budget", refuse, kUserDefaults},
    {"litellm_settings", "internal_user_budget_duration", refuse, kUserDefaults},
    {"litellm_settings", "default_internal_user_params", refuse, kUserDefaults},
    {"litellm_settings", "default_team_params", refuse, "defaults for new teams (budget, limits) are not implemented"},
    {"litellm_settings", "default_key_generate_params", refuse,
     "defaults for new keys (budget, models, limits) are not implemented"},
    {"litellm_settings", "upperbound_key_generate_params", refuse,
     "upper bounds on new keys' limits are not implemented"},
    {"litellm_settings", "key_generation_settings", refuse, kKeyGeneration},
    {"litellm_settings", "drop_params", warn,
     "parameters are never dropped: they reach the provider as sent (or as translated)"},
    {"litellm_settings", "set_verbose", warn, "use general_settings.log_level: debug"},

    // router_settings.
    {"router_settings", "enable_tag_filtering", refuse,
     "tag-based routing is not implemented: a tagged deployment would serve every request of its group"},
    {"router_settings", "optional_pre_call_checks", refuse,
     "pre-call checks (enforce_model_rate_limits, router_budget_limiting, ...) are not implemented"},
    {"router_settings", "provider_budget_config", refuse, "provider budgets are not implemented"},

    // model_list[].litellm_params.
    {"litellm_params", "max_budget", refuse, kDeploymentBudget},
    {"litellm_params", "budget_duration", refuse, kDeploymentBudget},
    {"litellm_params", "max_retries", warn, "retries are set for every deployment by router_settings.num_retries"},
    {"litellm_params", "order", warn,
     "deployment priority tiers are not implemented: every deployment of the group is eligible"},
    {"litellm_params", "tags", warn, "tag-based routing is not implemented"},
    // AWS credentials other than keys (litellm_params, os.environ/ or the AWS_* variables): signing
    // with whatever keys the environment holds instead of the role or profile named here would
    // act with another identity's rights.
    {"litellm_params", "aws_role_name", refuse, kAwsCredentials},
    {"litellm_params", "aws_session_name", refuse, kAwsCredentials},
    {"litellm_params", "aws_profile_name", refuse, kAwsCredentials},
    {"litellm_params", "aws_web_identity_token", refuse, kAwsCredentials},
    {"litellm_params", "aws_sts_endpoint", refuse, kAwsCredentials},
    {"litellm_params", "aws_external_id", refuse, kAwsCredentials},

    // model_list[].model_info.
    {"model_info", "team_id", refuse,
     "team-only models are not implemented: every key allowed the model group could use it"},
    {"model_info", "base_model", warn,
     "base_model is not used for pricing: set input_cost_per_token and output_cost_per_token"},
};

// Log and trace sinks LiteLLM ships as callbacks: they observe requests, they never reject one.
constexpr std::string_view kLoggingCallbacks[] = {
    "langfuse",
    "langfuse_otel",
    "langsmith",
    "lunary",
    "helicone",
    "otel",
    "opentelemetry",
    "datadog",
    "datadog_llm_observability",
    "sentry",
    "s3",
    "s3_v2",
    "gcs_bucket",
    "gcs_pubsub",
    "azure_storage",
    "dynamodb",
    "supabase",
    "posthog",
    "arize",
    "arize_phoenix",
    "logfire",
    "mlflow",
    "braintrust",
    "athina",
    "opik",
    "galileo",
    "humanloop",
    "literalai",
    "openmeter",
    "traceloop",
    "wandb",
    "weights_biases",
    "promptlayer",
    "lago",
    "greenscale",
    "generic",
    "generic_api",
    "prometheus_system",
    "slack",
    "email",
};

}  // namespace

std::optional<UnsupportedKey> find_unsupported_key(std::string_view section, std::string_view key) {
  for (const auto& e : kEntries) {
    if (e.section == section && e.key == key) return UnsupportedKey{e.treatment, e.why};
  }
  return std::nullopt;
}

CallbackKind classify_callback(std::string_view name) {
  if (name == "prometheus") return CallbackKind::metrics;
  if (std::find(std::begin(kLoggingCallbacks), std::end(kLoggingCallbacks), name) != std::end(kLoggingCallbacks)) {
    return CallbackKind::logging;
  }
  return CallbackKind::other;
}

}  // namespace tollgate::config
