#include <catch2/catch.hpp>

#include <algorithm>
#include <array>

#include "config/config_error.h"
#include "config/load_config.h"
#include "config/model_catalog.h"
#include "tests/support/config_parse.h"
#include "tests/support/fixed_environment.h"

using namespace tollgate::config;
using tollgate::testing::fixed_environment;

namespace {

Config parse(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  return tollgate::testing::parse_test_config(yaml, std::move(env));
}

// Parses `yaml`, expecting failure; returns the error.
ConfigError parse_error(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  return tollgate::testing::parse_test_config_error(yaml, std::move(env));
}

// What every enabled cluster needs beside membership: a listen address and its TLS files.
const std::string kTransport =
    "listen: \"10.0.0.1:4100\", tls: {certificate: /etc/tg/node.pem, key: /etc/tg/node-key.pem, ca: /etc/tg/ca.pem}";

const char* kFull = R"(
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
      rpm: 600
      tpm: 100000
      weight: 2
      timeout: 30
    model_info:
      id: gpt4o-primary
      input_cost_per_token: 0.0000025
      output_cost_per_token: 0.00001
  - model_name: gpt-4o
    litellm_params:
      model: azure/my-deployment
      api_base: https://example.openai.azure.com
      api_version: "2024-02-01"
      api_key: azure-secret-key
  - model_name: claude
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20241022
      api_key: os.environ/ANTHROPIC_API_KEY
  - model_name: local
    litellm_params:
      model: hosted_vllm/llama
      api_base: http://127.0.0.1:8000/v1
  - model_name: fake
    litellm_params:
      model: mock/fake
      mock_response: "hi"
general_settings:
  master_key: sk-from-file-1234
  database_url: postgresql://u:p@localhost/db
  port: 4100
  max_request_size_mb: 1
router_settings:
  routing_strategy: least-busy
  num_retries: 3
  fallbacks: [{"gpt-4o": ["claude"]}]
  allowed_fails: 2
  cooldown_time: 10
)";

}  // namespace

TEST_CASE("a full LiteLLM-style config parses", "[config]") {
  const auto c = parse(kFull, {{"OPENAI_API_KEY", "sk-openai-xyz"}, {"ANTHROPIC_API_KEY", "ant-key"}});
  REQUIRE(c.model_list.size() == 5);
  const auto& gpt = c.model_list[0];
  CHECK(gpt.model_name == "gpt-4o");
  CHECK(gpt.provider == tollgate::core::ProviderKind::openai);
  CHECK(gpt.upstream_model == "gpt-4o");
  CHECK(gpt.api_base == "https://api.openai.com/v1");
  CHECK(gpt.api_key == "sk-openai-xyz");
  CHECK(gpt.rpm == 600);
  CHECK(gpt.tpm == 100000);
  CHECK(gpt.weight == 2.0);
  CHECK(gpt.timeout == std::chrono::milliseconds(30000));
  CHECK(gpt.info.id == "gpt4o-primary");
  CHECK(gpt.info.input_cost_per_token == Approx(0.0000025));
  CHECK(c.model_list[1].provider == tollgate::core::ProviderKind::azure);
  CHECK(c.model_list[1].api_version == "2024-02-01");
  CHECK(c.model_list[2].provider == tollgate::core::ProviderKind::anthropic);
  CHECK(c.model_list[2].api_base == "https://api.anthropic.com");
  CHECK(c.model_list[3].provider == tollgate::core::ProviderKind::openai);
  CHECK(c.model_list[4].provider == tollgate::core::ProviderKind::mock);
  CHECK(c.model_list[4].mock_response == "hi");
  CHECK(c.general.master_key == "sk-from-file-1234");
  CHECK(c.general.port == 4100);
  CHECK(c.general.max_request_body_bytes == 1024 * 1024);
  CHECK(c.general.max_json_depth == 64);  // the default
  CHECK(c.router.routing_strategy == "least-busy");
  CHECK(c.router.num_retries == 3);
  REQUIRE(c.router.fallbacks.size() == 1);
  CHECK(c.router.fallbacks[0].model_group == "gpt-4o");
  CHECK(c.router.fallbacks[0].fallbacks == std::vector<std::string>{"claude"});
  CHECK(c.router.cooldown_time == std::chrono::milliseconds(10000));
  CHECK(c.warnings.empty());
}

TEST_CASE("deployment ids are generated, stable and unique", "[config]") {
  const char* yaml = R"(
model_list:
  - model_name: a
    litellm_params: {model: mock/a}
  - model_name: a
    litellm_params: {model: mock/a}
)";
  const auto first = parse(yaml);
  const auto second = parse(yaml);
  CHECK(first.model_list[0].info.id == second.model_list[0].info.id);
  CHECK(first.model_list[0].info.id != first.model_list[1].info.id);
}

TEST_CASE("the model catalog groups deployments by model_name", "[config]") {
  auto c = std::make_shared<const Config>(parse(kFull, {{"OPENAI_API_KEY", "k"}, {"ANTHROPIC_API_KEY", "k"}}));
  ModelCatalog catalog(c);
  REQUIRE(catalog.groups().size() == 4);
  CHECK(catalog.find("gpt-4o")->deployments.size() == 2);
  CHECK(catalog.find("nope") == nullptr);
}

TEST_CASE("a model group knows its deployments' provider models and access groups", "[config]") {
  auto c = std::make_shared<const Config>(parse(R"(
model_list:
  - model_name: smart
    litellm_params: {model: openai/gpt-4o}
    model_info: {access_groups: [premium, beta]}
  - model_name: smart
    litellm_params: {model: mock/smart-backup}
    model_info: {access_groups: [beta]}
)"));
  CHECK(c->warnings.empty());
  ModelCatalog catalog(c);
  const auto* group = catalog.find("smart");
  REQUIRE(group != nullptr);
  CHECK(group->provider_models == std::vector<std::string>{"openai/gpt-4o", "mock/smart-backup"});
  CHECK(group->access_groups == std::vector<std::string>{"premium", "beta"});
}

TEST_CASE("environment overrides win over the file", "[config]") {
  const auto c =
      parse("general_settings: {master_key: sk-file-key-1, port: 1}\n", {{"TOLLGATE_MASTER_KEY", "sk-env-key-123"},
                                                                         {"DATABASE_URL", "postgresql://x/y"},
                                                                         {"REDIS_URL", "redis://h:1"},
                                                                         {"PORT", "4321"}});
  CHECK(c.general.master_key == "sk-env-key-123");
  CHECK(c.general.database_url == "postgresql://x/y");
  CHECK(c.general.redis_url == "redis://h:1");
  CHECK(c.general.port == 4321);
}

TEST_CASE("LITELLM_MASTER_KEY is honoured, TOLLGATE_MASTER_KEY preferred", "[config]") {
  CHECK(parse("", {{"LITELLM_MASTER_KEY", "sk-litellm-1"}}).general.master_key == "sk-litellm-1");
  CHECK(parse("", {{"LITELLM_MASTER_KEY", "sk-litellm-1"}, {"TOLLGATE_MASTER_KEY", "sk-tollgate-1"}})
            .general.master_key == "sk-tollgate-1");
}

TEST_CASE("environment_variables in the file feed os.environ/ references", "[config]") {
  const auto c = parse(R"(
environment_variables: {MY_KEY: sk-from-vars-1}
general_settings: {master_key: os.environ/MY_KEY}
)");
  CHECK(c.general.master_key == "sk-from-vars-1");
}

TEST_CASE("unknown keys are warnings, not errors", "[config]") {
  const auto c = parse(R"(
model_list:
  - model_name: a
    litellm_params: {model: mock/a, colour: blue}
general_settings: {alerting: [slack]}
something_else: 1
)");
  REQUIRE(c.warnings.size() == 3);
  CHECK(c.warnings[0].find("something_else") != std::string::npos);
  CHECK(c.warnings[1].find("general_settings.alerting") != std::string::npos);
  CHECK(c.warnings[2].find("model_list[0].litellm_params.colour") != std::string::npos);
}

TEST_CASE("secrets() lists every credential for the redactor", "[config]") {
  const auto c = parse(kFull, {{"OPENAI_API_KEY", "sk-openai-xyz"}, {"ANTHROPIC_API_KEY", "ant-key-123"}});
  const auto secrets = c.secrets();
  for (const char* s :
       {"sk-from-file-1234", "sk-openai-xyz", "ant-key-123", "azure-secret-key", "postgresql://u:p@localhost/db"}) {
    INFO(s);
    CHECK(std::find(secrets.begin(), secrets.end(), s) != secrets.end());
  }
}

TEST_CASE("general_settings.max_json_depth sets the JSON nesting limit", "[config]") {
  CHECK(parse("general_settings: {max_json_depth: 8}\n").general.max_json_depth == 8);
  CHECK(parse("general_settings: {max_json_depth: 1000}\n").general.max_json_depth == 1000);
  CHECK(parse("general_settings: {max_json_depth: 8}\n").warnings.empty());
}

TEST_CASE("invalid configs name the key path and the problem", "[config]") {
  struct Row {
    const char* yaml;
    const char* key_path;
    const char* problem;
  };
  const Row rows[] = {
      {"model_list: [\n", "line", "invalid YAML"},
      {"- a\n- b\n", "", "expected a mapping"},
      {"model_list: {a: 1}\n", "model_list", "expected a list"},
      {"model_list:\n  - litellm_params: {model: mock/a}\n", "model_list[0].model_name", "is required"},
      {"model_list:\n  - model_name: a\n", "model_list[0].litellm_params", "is required"},
      {"model_list:\n  - model_name: a\n    litellm_params: {api_key: x}\n", "model_list[0].litellm_params.model",
       "is required"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: bogus/x}\n", "model_list[0].litellm_params.model",
       "unknown provider 'bogus'"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/}\n", "model_list[0].litellm_params.model",
       "is empty"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a, rpm: -1}\n",
       "model_list[0].litellm_params.rpm", "must be between"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a, rpm: lots}\n",
       "model_list[0].litellm_params.rpm", "expected an integer"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a, weight: 0}\n",
       "model_list[0].litellm_params.weight", "greater than 0"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a, timeout: 0}\n",
       "model_list[0].litellm_params.timeout", "positive"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\n    model_info: {input_cost_per_token: "
       "cheap}\n",
       "model_list[0].model_info.input_cost_per_token", "expected a number"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\n    model_info: {mode: image}\n",
       "model_list[0].model_info.mode", "must be chat"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\n    model_info: "
       "{search_context_cost_per_query: {search_context_size_huge: 0.1}}\n",
       "model_list[0].model_info.search_context_cost_per_query.search_context_size_huge",
       "must be search_context_size_low"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, api_key: os.environ/NOPE}\n",
       "model_list[0].litellm_params.api_key", "NOPE is not set"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: azure/a, api_base: https://x}\n",
       "model_list[0].litellm_params.api_version", "required for azure"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: hosted_vllm/a}\n",
       "model_list[0].litellm_params.api_base", "is required"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, api_base: ftp://x}\n",
       "model_list[0].litellm_params.api_base", "http:// or https://"},
      {"general_settings: {port: 70000}\n", "general_settings.port", "between 0 and 65535"},
      {"general_settings: {master_key: short}\n", "general_settings.master_key", "too short"},
      {"general_settings: {max_json_depth: 0}\n", "general_settings.max_json_depth", "between 1 and 1000"},
      {"general_settings: {max_json_depth: 1001}\n", "general_settings.max_json_depth", "between 1 and 1000"},
      {"general_settings: {log_level: loud}\n", "general_settings.log_level", "must be debug"},
      {"general_settings: [1]\n", "general_settings", "expected a mapping"},
      {"router_settings: {routing_strategy: random}\n", "router_settings.routing_strategy", "must be one of"},
      {"router_settings: {num_retries: 100}\n", "router_settings.num_retries", "between 0 and 20"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\nrouter_settings: {fallbacks: [{a: "
       "[b]}]}\n",
       "router_settings.fallbacks.a", "fallback 'b' is not a model_name"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\n    model_info: {id: x}\n"
       "  - model_name: b\n    litellm_params: {model: mock/b}\n    model_info: {id: x}\n",
       "model_list[1].model_info.id", "duplicate deployment id"},
  };
  for (const auto& row : rows) {
    INFO(row.yaml);
    const auto error = parse_error(row.yaml);
    CHECK(error.file() == "test.yaml");
    CHECK(error.key_path().find(row.key_path) == 0);
    CHECK_THAT(error.problem(), Catch::Contains(row.problem));
    CHECK_THAT(std::string(error.what()), Catch::StartsWith("test.yaml: "));
  }
}

TEST_CASE("a missing file is a clear error", "[config]") {
  CHECK_THROWS_WITH(load_config_file("/nonexistent/x.yaml", fixed_environment({})),
                    Catch::Contains("/nonexistent/x.yaml") && Catch::Contains("cannot open"));
}

TEST_CASE("the shipped quickstart config is valid", "[config]") {
  const auto c = load_config_file(TOLLGATE_SOURCE_DIR "/config/quickstart.yaml", fixed_environment({}));
  CHECK_FALSE(c.model_list.empty());
  CHECK(c.warnings.empty());
  for (const auto& d : c.model_list) {
    CHECK(d.provider == tollgate::core::ProviderKind::mock);
  }
}

TEST_CASE("the real-providers example config is valid when its keys are set", "[config]") {
  const auto c = load_config_file(
      TOLLGATE_SOURCE_DIR "/config/real-providers.yaml",
      fixed_environment({{"OPENAI_API_KEY", "sk-real-openai-key"}, {"ANTHROPIC_API_KEY", "sk-ant-real-key"}}));
  REQUIRE(c.model_list.size() == 3);
  CHECK(c.model_list[0].provider == tollgate::core::ProviderKind::openai);
  CHECK(c.model_list[1].provider == tollgate::core::ProviderKind::anthropic);
  CHECK(c.warnings.empty());
  CHECK_THROWS_WITH(load_config_file(TOLLGATE_SOURCE_DIR "/config/real-providers.yaml", fixed_environment({})),
                    Catch::Contains("OPENAI_API_KEY is not set"));
}

namespace {

// YAML placing `key: value` in `section` (a model_list entry for litellm_params/model_info).
std::string yaml_with(const std::string& section, const std::string& key, const std::string& value) {
  const std::string entry = key + ": " + value;
  if (section.empty()) return entry + "\n";
  if (section == "litellm_params") {
    return "model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\n      " + entry + "\n";
  }
  if (section == "model_info") {
    return "model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\n    model_info:\n      " + entry +
           "\n";
  }
  return section + ":\n  " + entry + "\n";
}

std::string path_of(const std::string& section, const std::string& key) {
  if (section.empty()) return key;
  if (section == "litellm_params" || section == "model_info") return "model_list[0]." + section + "." + key;
  return section + "." + key;
}

struct KeyRow {
  const char* section;
  const char* key;
  const char* value;
};

}  // namespace

TEST_CASE("keys configuring protection Tollgate lacks stop start-up", "[config][security]") {
  const KeyRow rows[] = {
      {"", "guardrails", "[{guardrail_name: pii, litellm_params: {guardrail: presidio}}]"},
      {"", "include", "[models.yaml]"},
      {"general_settings", "custom_auth", "custom_auth.user_api_key_auth"},
      {"general_settings", "custom_sso", "custom_sso.handler"},
      {"general_settings", "enable_oauth2_auth", "true"},
      {"general_settings", "enable_oauth2_proxy_auth", "true"},
      {"general_settings", "oauth2_config_mappings", "{token: x}"},
      {"general_settings", "allow_user_auth", "true"},
      {"general_settings", "litellm_key_header_name", "X-Litellm-Key"},
      {"general_settings", "allowed_routes", "[/chat/completions]"},
      {"general_settings", "admin_only_routes", "[/key/generate]"},
      {"general_settings", "public_routes", "[/v1/models]"},
      {"general_settings", "role_permissions", "[{role: internal_user, models: [a]}]"},
      {"general_settings", "enforce_user_param", "true"},
      {"general_settings", "enforced_params", "[user]"},
      {"general_settings", "default_team_disabled", "true"},
      {"general_settings", "key_generation_settings", "{team_key_generation: {allowed_team_member_roles: [admin]}}"},
      {"general_settings", "service_account_settings", "{enforced_params: [user]}"},
      {"general_settings", "allowed_ips", "[\"10.0.0.1\"]"},
      {"general_settings", "use_x_forwarded_for", "true"},
      {"general_settings", "key_management_system", "google_kms"},
      {"general_settings", "key_management_settings", "{hosted_keys: [master_key]}"},
      {"general_settings", "use_azure_key_vault", "true"},
      {"general_settings", "use_google_kms", "true"},
      {"general_settings", "max_parallel_requests", "10"},
      {"general_settings", "global_max_parallel_requests", "100"},
      {"litellm_settings", "guardrails", "[{prompt_injection: {callbacks: [lakera_prompt_injection]}}]"},
      {"litellm_settings", "max_budget", "100"},
      {"litellm_settings", "budget_duration", "30d"},
      {"litellm_settings", "max_internal_user_budget", "10"},
      {"litellm_settings", "internal_user_budget_duration", "1mo"},
      {"litellm_settings", "default_internal_user_params", "{user_role: internal_user_viewer}"},
      {"litellm_settings", "default_team_params", "{max_budget: 10}"},
      {"litellm_settings", "default_key_generate_params", "{max_budget: 1}"},
      {"litellm_settings", "upperbound_key_generate_params", "{max_budget: 100}"},
      {"litellm_settings", "key_generation_settings", "{personal_key_generation: {allowed_user_roles: [proxy_admin]}}"},
      {"router_settings", "enable_tag_filtering", "true"},
      {"router_settings", "optional_pre_call_checks", "[enforce_model_rate_limits]"},
      {"router_settings", "provider_budget_config", "{openai: {budget_limit: 100, time_period: 1d}}"},
      {"litellm_params", "max_budget", "10"},
      {"litellm_params", "budget_duration", "1d"},
      {"model_info", "team_id", "team-a"},
  };
  for (const auto& row : rows) {
    const auto yaml = yaml_with(row.section, row.key, row.value);
    INFO(yaml);
    const auto error = parse_error(yaml);
    CHECK(error.file() == "test.yaml");
    CHECK(error.key_path() == path_of(row.section, row.key));
    CHECK_THAT(error.problem(), Catch::Contains("not implemented") && Catch::Contains("refuses to start"));
  }
}

TEST_CASE("a refused key that is off is only a warning", "[config][security]") {
  const KeyRow rows[] = {
      {"general_settings", "use_x_forwarded_for", "False"},
      {"general_settings", "allowed_ips", ""},
      {"router_settings", "enable_tag_filtering", "no"},
  };
  for (const auto& row : rows) {
    const auto yaml = yaml_with(row.section, row.key, row.value);
    INFO(yaml);
    const auto c = parse(yaml);
    REQUIRE(c.warnings.size() == 1);
    CHECK_THAT(c.warnings[0], Catch::StartsWith("test.yaml: " + path_of(row.section, row.key) + ": ") &&
                                  Catch::Contains("it is off here"));
  }
  // An empty allowlist admits nobody in LiteLLM: it is not "off".
  CHECK(parse_error(yaml_with("general_settings", "allowed_ips", "[]")).key_path() == "general_settings.allowed_ips");
}

TEST_CASE("keys Tollgate accepts without acting on them are warned about, with the reason", "[config]") {
  struct Row {
    KeyRow key;
    const char* reason;
  };
  const Row rows[] = {
      {{"general_settings", "allow_requests_on_db_unavailable", "true"}, "unknown keys get 503"},
      {{"general_settings", "allow_client_side_credentials", "true"}, "never used"},
      {{"general_settings", "reject_clientside_metadata_tags", "true"}, "never affect budgets"},
      {{"general_settings", "ui_access_mode", "admin_only"}, "no admin UI"},
      {{"general_settings", "pass_through_endpoints", "[{path: /x, target: \"https://x\"}]"}, "not implemented"},
      {{"litellm_settings", "drop_params", "true"}, "never dropped"},
      {{"litellm_settings", "set_verbose", "true"}, "log_level"},
      {{"litellm_settings", "json_logs", "false"}, "always JSON"},
      {{"litellm_settings", "callbacks", "[langfuse]"}, "log sink"},
      {{"litellm_params", "max_retries", "3"}, "router_settings.num_retries"},
      {{"litellm_params", "order", "1"}, "priority tiers are not implemented"},
      {{"litellm_params", "tags", "[free]"}, "tag-based routing"},
      {{"model_info", "base_model", "azure/gpt-4"}, "input_cost_per_token"},
      {{"model_info", "supports_vision", "true"}, "unknown or unsupported key"},
  };
  for (const auto& row : rows) {
    const auto yaml = yaml_with(row.key.section, row.key.key, row.key.value);
    INFO(yaml);
    const auto c = parse(yaml);
    REQUIRE(c.warnings.size() == 1);
    const auto path = path_of(row.key.section, row.key.key) + (std::string(row.key.key) == "callbacks" ? "[0]" : "");
    CHECK_THAT(c.warnings[0], Catch::StartsWith("test.yaml: " + path + ": ") && Catch::Contains(row.reason) &&
                                  Catch::EndsWith("ignored"));
  }
}

TEST_CASE("callbacks: prometheus is what /metrics does, log sinks warn, anything else is refused",
          "[config][security]") {
  CHECK(parse("litellm_settings: {callbacks: [prometheus], json_logs: true}\n").warnings.empty());
  const auto logging =
      parse("litellm_settings: {success_callback: [prometheus, langfuse], failure_callback: sentry}\n");
  REQUIRE(logging.warnings.size() == 2);
  CHECK_THAT(logging.warnings[0], Catch::Contains("litellm_settings.success_callback[1]: callback 'langfuse'"));
  CHECK_THAT(logging.warnings[1], Catch::Contains("litellm_settings.failure_callback: callback 'sentry'"));

  const auto hook = parse_error("litellm_settings: {callbacks: [langfuse, custom_callbacks.proxy_handler_instance]}\n");
  CHECK(hook.key_path() == "litellm_settings.callbacks[1]");
  CHECK_THAT(hook.problem(), Catch::Contains("guardrail") && Catch::Contains("refuses to start"));
  CHECK(parse_error("litellm_settings: {callbacks: presidio}\n").key_path() == "litellm_settings.callbacks");
}

TEST_CASE("router keys in litellm_settings apply without a warning, router_settings wins", "[config]") {
  const auto c = parse(R"(
litellm_settings: {routing_strategy: least-busy, num_retries: 1, request_timeout: 5, disable_cooldowns: true}
router_settings: {num_retries: 2}
)");
  CHECK(c.warnings.empty());
  CHECK(c.router.routing_strategy == "least-busy");
  CHECK(c.router.num_retries == 2);
  CHECK(c.router.timeout == std::chrono::milliseconds(5000));
  CHECK(c.router.disable_cooldowns);
}

TEST_CASE("store_queue_limit bounds the store queue", "[config]") {
  CHECK(parse("").general.store_queue_limit == 10'000);
  CHECK(parse("general_settings: {store_queue_limit: 3}\n").general.store_queue_limit == 3);
  CHECK(parse_error("general_settings: {store_queue_limit: 0}\n").key_path() == "general_settings.store_queue_limit");
}

TEST_CASE("key_cache_max_size and max_budget_owners bound memory, 0 lifts a bound", "[config]") {
  const auto defaults = parse("").general;
  CHECK(defaults.key_cache_max_size == 100'000);
  CHECK(defaults.max_budget_owners == 100'000);
  const auto set = parse("general_settings: {key_cache_max_size: 5, max_budget_owners: 0}\n").general;
  CHECK(set.key_cache_max_size == 5);
  CHECK(set.max_budget_owners == 0);
  CHECK(parse_error("general_settings: {key_cache_max_size: -1}\n").key_path() ==
        "general_settings.key_cache_max_size");
}

TEST_CASE("max_in_flight_requests and max_pending_upstream_connects bound concurrent work", "[config]") {
  CHECK(parse("").general.max_in_flight_requests == 0);
  CHECK(parse("").general.max_pending_upstream_connects == 1024);
  const auto c = parse("general_settings: {max_in_flight_requests: 64, max_pending_upstream_connects: 8}\n");
  CHECK(c.general.max_in_flight_requests == 64);
  CHECK(c.general.max_pending_upstream_connects == 8);
  CHECK(parse_error("general_settings: {max_pending_upstream_connects: 0}\n").key_path() ==
        "general_settings.max_pending_upstream_connects");
  CHECK(parse_error("general_settings: {max_in_flight_requests: -1}\n").key_path() ==
        "general_settings.max_in_flight_requests");
}

TEST_CASE("event_loop_poll_us keeps the I/O threads polling after work, off by default", "[config]") {
  CHECK(parse("").general.event_loop_poll.count() == 0);
  CHECK(parse("general_settings: {event_loop_poll_us: 50}\n").general.event_loop_poll == std::chrono::microseconds(50));
  for (const char* bad : {"-1", "10001", "0.5", "soon"}) {
    INFO(bad);
    CHECK(parse_error(std::string("general_settings: {event_loop_poll_us: ") + bad + "}\n").key_path() ==
          "general_settings.event_loop_poll_us");
  }
}

TEST_CASE("max_event_loop_delay_ms turns on shedding past a loop delay, off by default", "[config]") {
  CHECK(parse("").general.max_event_loop_delay.count() == 0);
  CHECK(parse("general_settings: {max_event_loop_delay_ms: 10}\n").general.max_event_loop_delay ==
        std::chrono::milliseconds(10));
  CHECK(parse("general_settings: {max_event_loop_delay_ms: 0.5}\n").general.max_event_loop_delay ==
        std::chrono::microseconds(500));
  CHECK(parse("").general.max_event_loop_utilization == 0);
  CHECK(parse("general_settings: {max_event_loop_utilization: 0.8}\n").general.max_event_loop_utilization == 0.8);
  for (const char* bad : {"1", "0.05", "-0.5", "high"}) {
    INFO(bad);
    CHECK(parse_error(std::string("general_settings: {max_event_loop_utilization: ") + bad + "}\n").key_path() ==
          "general_settings.max_event_loop_utilization");
  }
  for (const char* bad : {"-1", "60001", "soon", ".nan"}) {
    INFO(bad);
    CHECK(parse_error(std::string("general_settings: {max_event_loop_delay_ms: ") + bad + "}\n").key_path() ==
          "general_settings.max_event_loop_delay_ms");
  }
}

TEST_CASE("cluster: change_channel names the fan-out's channel, tollgate:changes by default", "[config][cluster]") {
  CHECK(parse("").cluster.changes.channel == "tollgate:changes");
  const auto c = parse("cluster: {enabled: true, node_id: node-a, change_channel: tg-test, " + kTransport + "}\n",
                       {{"REDIS_URL", "redis://h:1"}});
  CHECK(c.warnings.empty());
  CHECK(c.cluster.changes.channel == "tg-test");
}

TEST_CASE("cluster: an empty change_channel stops start-up, static peers without Redis warn that changes stay local",
          "[config][cluster]") {
  const auto empty = parse_error("cluster: {change_channel: \"\"}\n");
  CHECK(empty.key_path() == "cluster.change_channel");
  const auto fixed = parse("cluster: {enabled: true, node_id: a, peers: [{node_id: a}], " + kTransport + "}\n");
  REQUIRE(fixed.warnings.size() == 1);
  CHECK_THAT(fixed.warnings[0], Catch::Contains("cluster.enabled: without general_settings.redis_url") &&
                                    Catch::Contains("keeps working on the others"));
}

TEST_CASE("cluster: membership keys parse, with defaults", "[config][cluster]") {
  const auto defaults = parse("").cluster.membership;
  CHECK_FALSE(defaults.enabled);
  CHECK(defaults.name == "tollgate");
  CHECK(defaults.node_id.empty());
  CHECK(defaults.heartbeat_interval == std::chrono::milliseconds(1000));
  CHECK(defaults.node_ttl == std::chrono::milliseconds(5000));

  const auto redis = parse(R"(
cluster:
  enabled: true
  name: prod-eu
  node_id: gw-1
  advertise_address: 10.0.0.1:4100
  heartbeat_interval: 0.5
  node_ttl: 2
  tls: {certificate: /etc/tg/node.pem, key: /etc/tg/node-key.pem, ca: /etc/tg/ca.pem}
)",
                           {{"REDIS_URL", "redis://127.0.0.1:6379"}});
  CHECK(redis.warnings.empty());
  const auto& m = redis.cluster.membership;
  CHECK(m.enabled);
  CHECK(m.name == "prod-eu");
  CHECK(m.node_id == "gw-1");
  CHECK(m.advertise_address == "10.0.0.1:4100");
  CHECK(m.heartbeat_interval == std::chrono::milliseconds(500));
  CHECK(m.node_ttl == std::chrono::milliseconds(2000));
  CHECK(m.peers.empty());

  const auto fixed = parse(R"(
cluster:
  enabled: true
  node_id: b
  peers:
    - {node_id: a, address: "10.0.0.1:4100"}
    - {node_id: b}
  listen: 10.0.0.2:4100
  tls: {certificate: /etc/tg/node.pem, key: /etc/tg/node-key.pem, ca: /etc/tg/ca.pem}
)");
  REQUIRE(fixed.cluster.membership.peers.size() == 2);
  CHECK(fixed.cluster.membership.peers[0].node_id == "a");
  CHECK(fixed.cluster.membership.peers[0].address == "10.0.0.1:4100");
  CHECK(fixed.cluster.membership.peers[1].address.empty());
}

TEST_CASE("cluster: an unknown key is warned about, never silently taken", "[config][cluster]") {
  const auto c = parse("cluster:\n  enabled: false\n  heartbeat: 1\n");
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Catch::Contains("cluster.heartbeat: unknown or unsupported key"));
}

TEST_CASE("cluster: invalid membership settings name the key and the problem", "[config][cluster]") {
  struct Row {
    const char* yaml;
    const char* key_path;
    const char* problem;
  };
  const Row rows[] = {
      {"cluster: {enabled: true}\n", "cluster.enabled", "needs general_settings.redis_url"},
      {"cluster: {enabled: maybe}\n", "cluster.enabled", "expected true or false"},
      {"cluster: {node_id: \"two words\"}\n", "cluster.node_id", "letters, digits"},
      {"cluster: {name: \"a/b\"}\n", "cluster.name", "letters, digits"},
      {"cluster: {advertise_address: nohost}\n", "cluster.advertise_address", "expected host:port"},
      {"cluster: {heartbeat_interval: 0}\n", "cluster.heartbeat_interval", "positive"},
      {"cluster: {heartbeat_interval: 2, node_ttl: 3}\n", "cluster.node_ttl", "at least twice"},
      {"cluster: {peers: gw-1}\n", "cluster.peers", "expected a list"},
      {"cluster: {peers: [{address: \"h:1\"}]}\n", "cluster.peers[0].node_id", "is required"},
      {"cluster: {peers: [{node_id: a}, {node_id: a}]}\n", "cluster.peers[1].node_id", "duplicate node id"},
      {"cluster: {peers: [{node_id: a, address: \"h:0\"}]}\n", "cluster.peers[0].address", "expected host:port"},
      {"cluster: {enabled: true, peers: [{node_id: a}]}\n", "cluster.node_id", "is required with cluster.peers"},
      {"cluster: {enabled: true, node_id: c, peers: [{node_id: a}, {node_id: b}]}\n", "cluster.peers",
       "does not list this node's node_id 'c'"},
  };
  for (const auto& row : rows) {
    INFO(row.yaml);
    const auto error = parse_error(row.yaml);
    CHECK(error.key_path() == row.key_path);
    CHECK_THAT(error.problem(), Catch::Contains(row.problem));
  }
}

TEST_CASE("cluster: the transport's listen address and TLS files parse, listen defaults to advertise_address",
          "[config][cluster]") {
  const auto off = parse("").cluster.transport;
  CHECK(off.listen.empty());
  CHECK(off.tls.certificate.empty());

  const auto c = parse(R"(
cluster:
  enabled: true
  node_id: gw-1
  advertise_address: 10.0.0.1:4100
  listen: "[::]:4200"
  tls:
    certificate: /etc/tg/gw-1.pem
    key: os.environ/TG_NODE_KEY
    ca: /etc/tg/ca.pem
    passphrase: os.environ/TG_KEY_PASSPHRASE
)",
                       {{"REDIS_URL", "redis://h:1"},
                        {"TG_NODE_KEY", "/run/secrets/gw-1-key.pem"},
                        {"TG_KEY_PASSPHRASE", "correct horse"}});
  CHECK(c.warnings.empty());
  const auto& t = c.cluster.transport;
  CHECK(t.listen == "[::]:4200");
  CHECK(t.tls.certificate == "/etc/tg/gw-1.pem");
  CHECK(t.tls.key == "/run/secrets/gw-1-key.pem");
  CHECK(t.tls.ca == "/etc/tg/ca.pem");
  CHECK(t.tls.passphrase == "correct horse");
  const auto secrets = c.secrets();
  CHECK(std::find(secrets.begin(), secrets.end(), "correct horse") != secrets.end());

  const auto defaulted = parse(
      "cluster: {enabled: true, node_id: gw-1, advertise_address: \"10.0.0.1:4100\", tls: {certificate: c, "
      "key: k, ca: a}}\n",
      {{"REDIS_URL", "redis://h:1"}});
  CHECK(defaulted.cluster.transport.listen == "10.0.0.1:4100");
  // And the other way: a node listening on a specific address is advertised there.
  const auto advertised = parse(
      "cluster: {enabled: true, node_id: gw-1, listen: \"10.0.0.2:4100\", tls: {certificate: c, key: k, ca: a}}\n",
      {{"REDIS_URL", "redis://h:1"}});
  CHECK(advertised.cluster.membership.advertise_address == "10.0.0.2:4100");
}

TEST_CASE("cluster: an enabled cluster without its TLS files or a listen address stops start-up, naming the key",
          "[config][cluster]") {
  const std::map<std::string, std::string> env = {{"REDIS_URL", "redis://h:1"}};
  struct Row {
    const char* transport;
    const char* key_path;
    const char* problem;
  };
  const Row rows[] = {
      {"advertise_address: \"10.0.0.1:4100\"", "cluster.tls.certificate", "mutual TLS"},
      {"listen: \"10.0.0.1:4100\", tls: {key: k, ca: a}", "cluster.tls.certificate",
       "is required with cluster.enabled"},
      {"listen: \"10.0.0.1:4100\", tls: {certificate: c, ca: a}", "cluster.tls.key",
       "is required with cluster.enabled"},
      {"listen: \"10.0.0.1:4100\", tls: {certificate: c, key: k}", "cluster.tls.ca",
       "is required with cluster.enabled"},
      {"listen: \"10.0.0.1:4100\", tls: {certificate: c, key: k, ca: \"\"}", "cluster.tls.ca", "is required"},
      {"tls: {certificate: c, key: k, ca: a}", "cluster.advertise_address", "reach the budgets this node owns"},
      {"listen: \"0.0.0.0:4100\", tls: {certificate: c, key: k, ca: a}", "cluster.advertise_address",
       "is required with cluster.enabled"},
      {"listen: nohost, tls: {certificate: c, key: k, ca: a}", "cluster.listen", "expected host:port"},
      {"listen: \"10.0.0.1:4100\", tls: /etc/tg", "cluster.tls", "expected a mapping"},
      {"listen: \"10.0.0.1:4100\", tls: {certificate: c, key: os.environ/TG_UNSET, ca: a}", "cluster.tls.key",
       "TG_UNSET is not set"},
  };
  for (const auto& row : rows) {
    const auto yaml = std::string("cluster: {enabled: true, node_id: gw-1, ") + row.transport + "}\n";
    INFO(yaml);
    const auto error = parse_error(yaml, env);
    CHECK(error.key_path() == row.key_path);
    CHECK_THAT(error.problem(), Catch::Contains(row.problem));
  }
  // A cluster that is not enabled needs none of it; an unknown TLS key is warned about.
  const auto off = parse("cluster: {enabled: false, tls: {certificate: c, cert_dir: /etc}}\n");
  REQUIRE(off.warnings.size() == 1);
  CHECK_THAT(off.warnings[0], Catch::Contains("cluster.tls.cert_dir: unknown or unsupported key"));
}

TEST_CASE("the spend writer's interval and journal directory: configured, defaulted per store, or off", "[config]") {
  CHECK(parse("").general.spend_flush_interval == std::chrono::milliseconds(1000));
  CHECK(parse("general_settings: {proxy_batch_write_at: 30}\n").general.spend_flush_interval ==
        std::chrono::milliseconds(30'000));
  CHECK(parse_error("general_settings: {proxy_batch_write_at: 0}\n").key_path() ==
        "general_settings.proxy_batch_write_at");
  CHECK(parse("general_settings: {sqlite_path: /var/lib/tg.db}\n").general.spend_journal_dir() ==
        "/var/lib/tg.db-spend-journal");
  CHECK(parse("general_settings: {database_url: 'postgresql://h/db', port: 4001}\n").general.spend_journal_dir() ==
        "tollgate-spend-journal-0afb49c634e1-4001");
  // With PostgreSQL and no path: the XDG state directory (never the working directory when
  // HOME or XDG_STATE_HOME is set).
  const std::string pg = "general_settings: {database_url: 'postgresql://h/db', port: 4001}\n";
  CHECK(parse(pg, {{"HOME", "/home/tg"}}).general.spend_journal_dir() ==
        "/home/tg/.local/state/tollgate/spend-journal-0afb49c634e1-4001");
  CHECK(parse(pg, {{"HOME", "/home/tg"}, {"XDG_STATE_HOME", "/var/state"}}).general.spend_journal_dir() ==
        "/var/state/tollgate/spend-journal-0afb49c634e1-4001");
  CHECK(parse("", {{"HOME", "/h"}, {"DATABASE_URL", "postgresql://h/db"}}).general.spend_journal_dir() ==
        "/h/.local/state/tollgate/spend-journal-0afb49c634e1-4000");
  CHECK(parse("general_settings: {sqlite_path: /var/lib/tg.db}\n", {{"HOME", "/h"}}).general.spend_journal_dir() ==
        "/var/lib/tg.db-spend-journal");
  CHECK(parse("general_settings: {spend_journal_path: /data/j}\n", {{"HOME", "/h"}}).general.spend_journal_dir() ==
        "/data/j");
  CHECK(parse("general_settings: {spend_journal_path: /data/j}\n").general.spend_journal_dir() == "/data/j");
  CHECK(parse("general_settings: {spend_journal_path: ''}\n").general.spend_journal_dir().empty());
  CHECK(parse("general_settings: {spend_journal_path: /data/j}\n").warnings.empty());
}

TEST_CASE("mcp_allowed_networks: CIDRs for admin-registered MCP servers", "[config][mcp]") {
  const auto c = parse("mcp_allowed_networks: [\"172.18.0.0/16\", \"fd00:1::/32\", \"10.1.2.3\"]\n");
  REQUIRE(c.mcp_allowed_networks.size() == 3);
  CHECK(c.mcp_allowed_networks[0].prefix_length == 16);
  CHECK(tollgate::core::contains(c.mcp_allowed_networks[0], *tollgate::core::parse_ip("172.18.9.9")));
  CHECK(c.mcp_allowed_networks[1].network.v6);
  CHECK(c.mcp_allowed_networks[2].prefix_length == 32);
  CHECK(parse("model_list: []\n").mcp_allowed_networks.empty());
  const auto error = parse_error("mcp_allowed_networks: [\"172.18.0.0/16\", \"172.18/16\"]\n");
  CHECK_THAT(std::string(error.what()), Catch::Contains("mcp_allowed_networks[1]"));
}

TEST_CASE("end-user budget defaults: max_end_user_budget and max_end_user_budget_id", "[config]") {
  const auto c = parse("litellm_settings: {max_end_user_budget: 0.5, max_end_user_budget_id: free_tier}\n");
  CHECK(c.warnings.empty());
  CHECK(c.general.max_end_user_budget == std::optional<double>(0.5));
  CHECK(c.general.max_end_user_budget_id == std::optional<std::string>("free_tier"));
  CHECK_FALSE(parse("litellm_settings: {}\n").general.max_end_user_budget);
  CHECK(parse_error("litellm_settings: {max_end_user_budget: -1}\n").key_path() ==
        "litellm_settings.max_end_user_budget");
}

// Found by the config_yaml fuzz target: a key that is a list or a map made yaml-cpp throw a
// bad conversion past the loader (a crash at start-up, and on /config/reload of the running
// gateway) instead of a ConfigError.
TEST_CASE("a key that is a list, a map or null is a ConfigError naming where", "[config][fuzz]") {
  const auto top = parse_error("{[model_list]: 1}\n");
  CHECK_THAT(std::string(top.what()), Catch::Contains("a key must be text"));
  CHECK(parse_error("general_settings: {? {a: 1} : 2}\n").key_path() == "general_settings");
  CHECK(parse_error("litellm_settings:\n  ? [x, y]\n  : 1\n").key_path() == "litellm_settings");
  CHECK(parse_error("general_settings: {~: 1}\n").key_path() == "general_settings");
  std::vector<std::string> warnings;
  CHECK_THROWS_AS(parse_model_entry(R"({"model_name":"m","litellm_params":{[1]: 2}})", "model", "model",
                                    fixed_environment({}), warnings),
                  ConfigError);
}

TEST_CASE("search_context_cost_per_query: LiteLLM's map by search context size, or one price for every size",
          "[config][web_search]") {
  struct Row {
    const char* value;
    std::array<double, 3> fees;  // low, medium, high
  };
  const Row rows[] = {
      {"{search_context_size_low: 0.03, search_context_size_medium: 0.035, search_context_size_high: 0.05}",
       {0.03, 0.035, 0.05}},
      {"0.02", {0.02, 0.02, 0.02}},
      // A size the map leaves out costs its highest: never less than the provider may charge.
      {"{search_context_size_low: 0.01, search_context_size_high: 0.04}", {0.01, 0.04, 0.04}},
  };
  for (const auto& row : rows) {
    INFO(row.value);
    const auto config = parse(std::string("model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\n"
                                          "    model_info: {search_context_cost_per_query: ") +
                              row.value + "}\n");
    const auto& fees = config.model_list.at(0).info.search_context_cost_per_query;
    REQUIRE(fees);
    for (std::size_t i = 0; i < 3; ++i) CHECK((*fees)[i] == Approx(row.fees[i]));
  }
}
