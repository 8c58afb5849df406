#include <catch2/catch.hpp>

#include "config/config_error.h"
#include "config/load_config.h"
#include "config/model_catalog.h"

using namespace tollgate::config;

namespace {

Config parse(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  return parse_config(yaml, "test.yaml", fixed_environment(std::move(env)));
}

// Parses `yaml`, expecting failure; returns the error.
ConfigError parse_error(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  try {
    parse(yaml, std::move(env));
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError for:\n" << yaml);
  throw std::logic_error("unreachable");
}

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

TEST_CASE("environment overrides win over the file", "[config]") {
  const auto c = parse("general_settings: {master_key: sk-file-key-1, port: 1}\n",
                       {{"TOLLGATE_MASTER_KEY", "sk-env-key-123"},
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
  for (const char* s : {"sk-from-file-1234", "sk-openai-xyz", "ant-key-123", "azure-secret-key",
                        "postgresql://u:p@localhost/db"}) {
    INFO(s);
    CHECK(std::find(secrets.begin(), secrets.end(), s) != secrets.end());
  }
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
      {"model_list:\n  - model_name: a\n    litellm_params: {api_key: x}\n",
       "model_list[0].litellm_params.model", "is required"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: bogus/x}\n",
       "model_list[0].litellm_params.model", "unknown provider 'bogus'"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/}\n",
       "model_list[0].litellm_params.model", "is empty"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a, rpm: -1}\n",
       "model_list[0].litellm_params.rpm", "must be between"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a, rpm: lots}\n",
       "model_list[0].litellm_params.rpm", "expected an integer"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a, weight: 0}\n",
       "model_list[0].litellm_params.weight", "greater than 0"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a, timeout: 0}\n",
       "model_list[0].litellm_params.timeout", "positive"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\n    model_info: {input_cost_per_token: cheap}\n",
       "model_list[0].model_info.input_cost_per_token", "expected a number"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\n    model_info: {mode: image}\n",
       "model_list[0].model_info.mode", "must be chat"},
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
      {"general_settings: {log_level: loud}\n", "general_settings.log_level", "must be debug"},
      {"general_settings: [1]\n", "general_settings", "expected a mapping"},
      {"router_settings: {routing_strategy: random}\n", "router_settings.routing_strategy", "must be one of"},
      {"router_settings: {num_retries: 100}\n", "router_settings.num_retries", "between 0 and 20"},
      {"model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\nrouter_settings: {fallbacks: [{a: [b]}]}\n",
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
  const auto c = load_config_file(TOLLGATE_SOURCE_DIR "/config/real-providers.yaml",
                                  fixed_environment({{"OPENAI_API_KEY", "sk-real-openai-key"},
                                                     {"ANTHROPIC_API_KEY", "sk-ant-real-key"}}));
  REQUIRE(c.model_list.size() == 3);
  CHECK(c.model_list[0].provider == tollgate::core::ProviderKind::openai);
  CHECK(c.model_list[1].provider == tollgate::core::ProviderKind::anthropic);
  CHECK(c.warnings.empty());
  CHECK_THROWS_WITH(load_config_file(TOLLGATE_SOURCE_DIR "/config/real-providers.yaml", fixed_environment({})),
                    Catch::Contains("OPENAI_API_KEY is not set"));
}
