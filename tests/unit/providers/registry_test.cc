#include <catch2/catch.hpp>

#include <algorithm>

#include "providers/registry.h"
#include "translation_test_support.h"

using namespace tollgate;
using providers::Api;

namespace {

config::Deployment deployment(core::ProviderKind kind, const std::string& prefix, const std::string& api_base) {
  config::Deployment d;
  d.model_name = "group";
  d.provider = kind;
  d.provider_prefix = prefix;
  d.upstream_model = "up-model";
  d.api_base = api_base;
  d.api_key = "sk-secret";
  d.api_version = "2024-06-01";
  return d;
}

std::string header(const providers::UpstreamRequest& r, const std::string& name) {
  const auto it = std::find_if(r.headers.begin(), r.headers.end(), [&](const auto& h) { return h.first == name; });
  return it == r.headers.end() ? std::string("<none>") : it->second;
}

}  // namespace

TEST_CASE("each provider prefix selects its plug-in: target, credential header and upstream API",
          "[providers][registry]") {
  struct Row {
    core::ProviderKind kind;
    std::string prefix;
    std::string api_base;
    Api client;
    Api upstream;
    std::string target;
    std::string credential_header;
    std::string credential;
  };
  const std::vector<Row> rows{
      {core::ProviderKind::openai, "openai", "https://api.openai.com/v1/", Api::openai_chat, Api::openai_chat,
       "/v1/chat/completions", "authorization", "Bearer sk-secret"},
      {core::ProviderKind::openai, "groq", "https://g/openai/v1", Api::openai_embedding, Api::openai_embedding,
       "/openai/v1/embeddings", "authorization", "Bearer sk-secret"},
      {core::ProviderKind::openai, "openai", "http://h:1", Api::anthropic_messages, Api::openai_chat,
       "/chat/completions", "authorization", "Bearer sk-secret"},
      {core::ProviderKind::azure, "azure", "https://a.example/", Api::openai_chat, Api::openai_chat,
       "/openai/deployments/up-model/chat/completions?api-version=2024-06-01", "api-key", "sk-secret"},
      {core::ProviderKind::anthropic, "anthropic", "https://api.anthropic.com", Api::openai_chat,
       Api::anthropic_messages, "/v1/messages", "x-api-key", "sk-secret"},
  };
  const auto request = testing::parse_json(R"({"model":"group","messages":[{"role":"user","content":"hi"}]})");
  for (const auto& row : rows) {
    CAPTURE(row.prefix, row.target);
    const auto d = deployment(row.kind, row.prefix, row.api_base);
    const auto& provider = providers::provider_of(d);
    CHECK_FALSE(provider.answers_in_process());
    CHECK(provider.upstream_api(row.client) == row.upstream);
    const auto built = provider.build_request(d, row.client, request, "{}", std::chrono::system_clock::now());
    REQUIRE(built);
    CHECK(built->api == row.upstream);
    CHECK(built->target == row.target);
    CHECK(header(*built, row.credential_header) == row.credential);
  }
}

TEST_CASE("the body is renamed for the upstream, dropped into the URL for Azure, translated for Anthropic",
          "[providers][registry]") {
  const auto request = testing::parse_json(R"({"model":"group","messages":[{"role":"user","content":"hi"}]})");
  const auto now = std::chrono::system_clock::now();
  const auto openai = deployment(core::ProviderKind::openai, "openai", "https://o/v1");
  auto built = providers::provider_of(openai).build_request(openai, Api::openai_chat, request, "{}", now);
  REQUIRE(built);
  CHECK(testing::parse_json(built->body)["model"] == "up-model");

  const auto azure = deployment(core::ProviderKind::azure, "azure", "https://a");
  built = providers::provider_of(azure).build_request(azure, Api::openai_chat, request, "{}", now);
  REQUIRE(built);
  CHECK_FALSE(testing::parse_json(built->body).HasMember("model"));

  const auto anthropic = deployment(core::ProviderKind::anthropic, "anthropic", "https://x");
  const auto& plugin = providers::provider_of(anthropic);
  built = plugin.build_request(anthropic, Api::openai_chat, request, "{}", now);
  REQUIRE(built);
  CHECK(testing::parse_json(built->body)["max_tokens"].GetInt64() == 4096);
  CHECK(header(*built, "anthropic-version") == "2023-06-01");
  CHECK(plugin.max_tokens_added(anthropic) == 4096);
  CHECK(providers::provider_of(openai).max_tokens_added(openai) == 4096);  // up-model: unknown maximum
  auto described = openai;
  described.info.max_output_tokens = 100;
  CHECK_FALSE(providers::provider_of(described).max_tokens_added(described));

  const auto refused = plugin.build_request(anthropic, Api::openai_embedding, request, "{}", now);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().status == 400);
}

TEST_CASE("mock/ deployments are answered in process", "[providers][registry]") {
  const auto d = deployment(core::ProviderKind::mock, "mock", "");
  CHECK(providers::provider_of(d).answers_in_process());
}
