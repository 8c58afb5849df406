// The limit the gateway writes into main-route requests to OpenAI-wire deployments
// (providers/written_output_limit.h): per provider and API, through the plug-ins' build_request.
#include <catch2/catch.hpp>

#include "core/output_limit.h"
#include "providers/registry.h"
#include "providers/written_output_limit.h"
#include "translation_test_support.h"

using namespace tollgate;
using providers::Api;

namespace {

config::Deployment deployment(core::ProviderKind kind, const std::string& prefix, const std::string& api_base,
                              const std::string& model) {
  config::Deployment d;
  d.model_name = "group";
  d.provider = kind;
  d.provider_prefix = prefix;
  d.upstream_model = model;
  d.api_base = api_base;
  d.api_key = "sk-secret";
  d.api_version = "2024-06-01";
  return d;
}

const config::Deployment kOpenAI =
    deployment(core::ProviderKind::openai, "openai", "https://api.openai.com/v1", "tg-x");
const config::Deployment kVllm = deployment(core::ProviderKind::openai, "hosted_vllm", "http://vllm:8000/v1", "tg-x");
const config::Deployment kAzure = deployment(core::ProviderKind::azure, "azure", "https://a.example", "tg-x");
const config::Deployment kAzureReasoning = deployment(core::ProviderKind::azure, "azure", "https://a.example", "o4-tg");

const std::string kChat = R"({"model":"group","messages":[{"role":"user","content":"hi"}]})";
const std::string kCompletion = R"({"model":"group","prompt":"hi"})";
const std::string kResponses = R"({"model":"group","input":"hi"})";
const std::string kMessages = R"({"model":"group","messages":[{"role":"user","content":"hi"}]})";

core::Result<providers::UpstreamRequest> build(const config::Deployment& d, Api api, const std::string& body) {
  const auto request = testing::parse_json(body);
  return providers::provider_of(d).build_request(d, api, request, body, std::chrono::system_clock::now());
}

}  // namespace

TEST_CASE("a request without a limit to a model of unknown maximum goes up with the limit reserved, in its field",
          "[providers][budgets][output_limit]") {
  struct Row {
    const config::Deployment* d;
    Api api;
    std::string body;
    const char* field;
  };
  const Row rows[] = {
      {&kOpenAI, Api::openai_chat, kChat, "max_completion_tokens"},
      {&kVllm, Api::openai_chat, kChat, "max_tokens"},
      {&kAzure, Api::openai_chat, kChat, "max_tokens"},
      {&kAzureReasoning, Api::openai_chat, kChat, "max_completion_tokens"},
      {&kOpenAI, Api::openai_completion, kCompletion, "max_tokens"},
      {&kVllm, Api::openai_completion, kCompletion, "max_tokens"},
      {&kAzure, Api::openai_completion, kCompletion, "max_tokens"},
      {&kOpenAI, Api::openai_responses, kResponses, "max_output_tokens"},
      {&kVllm, Api::openai_responses, kResponses, "max_output_tokens"},
      {&kAzure, Api::openai_responses, kResponses, "max_output_tokens"},
      // Anthropic Messages translated to chat.
      {&kOpenAI, Api::anthropic_messages, kMessages, "max_completion_tokens"},
      {&kVllm, Api::anthropic_messages, kMessages, "max_tokens"},
      // A null limit is no limit.
      {&kVllm, Api::openai_chat, R"({"model":"group","max_tokens":null,"messages":[]})", "max_tokens"},
  };
  for (const auto& row : rows) {
    INFO(row.d->provider_prefix << " " << row.d->upstream_model << " " << providers::api_name(row.api) << " "
                                << row.body);
    const auto built = build(*row.d, row.api, row.body);
    REQUIRE(built);
    const auto sent = testing::parse_json(built->body);
    REQUIRE(sent.HasMember(row.field));
    CHECK(sent[row.field].GetInt64() == core::kWrittenOutputLimit);
    // One field only: a provider could read another one instead.
    int limits = 0;
    for (const char* f : {"max_tokens", "max_completion_tokens", "max_output_tokens"})
      limits += sent.HasMember(f) && !sent[f].IsNull();
    CHECK(limits == 1);
    CHECK(providers::provider_of(*row.d).max_tokens_added(*row.d) == core::kWrittenOutputLimit);
  }
}

TEST_CASE("the client's limit, a known maximum, and embeddings leave the request as it was",
          "[providers][budgets][output_limit]") {
  auto described = kVllm;
  described.info.max_output_tokens = 777;
  auto described_by_max_tokens = kAzure;
  described_by_max_tokens.info.max_tokens = 777;
  const auto builtin = deployment(core::ProviderKind::openai, "openai", "https://api.openai.com/v1", "gpt-4o");
  struct Row {
    const config::Deployment* d;
    Api api;
    std::string body;
  };
  // Each body names the upstream's model: forwarded byte for byte when nothing changes.
  const Row rows[] = {
      {&described, Api::openai_chat, R"({"model":"tg-x","messages":[{"role":"user","content":"hi"}]})"},
      {&described_by_max_tokens, Api::openai_responses, R"({"model":"tg-x","input":"hi"})"},
      {&builtin, Api::openai_chat, R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})"},
      {&kVllm, Api::openai_chat, R"({"model":"tg-x","max_tokens":12,"messages":[]})"},
      {&kVllm, Api::openai_chat, R"({"model":"tg-x","n":3,"max_completion_tokens":12,"messages":[]})"},
      {&kOpenAI, Api::openai_completion, R"({"model":"tg-x","max_tokens":5000,"prompt":"hi"})"},
      {&kOpenAI, Api::openai_responses, R"({"model":"tg-x","max_output_tokens":9,"input":"hi"})"},
      {&kOpenAI, Api::openai_embedding, R"({"model":"tg-x","input":"hi"})"},
      // An unreadable limit beside a known maximum: the maximum bounds it, nothing is written.
      {&described, Api::openai_chat, R"({"model":"tg-x","max_tokens":"100","messages":[]})"},
  };
  for (const auto& row : rows) {
    INFO(row.d->upstream_model << " " << providers::api_name(row.api) << " " << row.body);
    const auto built = build(*row.d, row.api, row.body);
    REQUIRE(built);
    CHECK(built->body == row.body);
  }
  CHECK_FALSE(providers::provider_of(described).max_tokens_added(described));
  CHECK_FALSE(providers::provider_of(builtin).max_tokens_added(builtin));
  CHECK(providers::known_max_output(described_by_max_tokens) == 777);

  // The client's Anthropic max_tokens is the translated request's only limit, in the field the
  // deployment reads: OpenAI's reasoning models refuse max_tokens.
  struct Translated {
    const config::Deployment* d;
    const char* field;
    const char* other;
  };
  for (const auto& row : {Translated{&kOpenAI, "max_completion_tokens", "max_tokens"},
                          Translated{&kAzureReasoning, "max_completion_tokens", "max_tokens"},
                          Translated{&kVllm, "max_tokens", "max_completion_tokens"},
                          Translated{&kAzure, "max_tokens", "max_completion_tokens"}}) {
    INFO(row.d->provider_prefix << " " << row.d->upstream_model);
    const auto translated = build(*row.d, Api::anthropic_messages,
                                  R"({"model":"group","max_tokens":100,"messages":[{"role":"user","content":"hi"}]})");
    REQUIRE(translated);
    const auto sent = testing::parse_json(translated->body);
    REQUIRE(sent.HasMember(row.field));
    CHECK(sent[row.field].GetInt64() == 100);
    CHECK_FALSE(sent.HasMember(row.other));
  }
}

TEST_CASE("a limit the gateway cannot read, for a model of unknown maximum, is refused, not overwritten",
          "[providers][budgets][output_limit]") {
  // The refusal names the field it could not read.
  const std::pair<const char*, const char*> rows[] = {
      {R"({"model":"tg-x","max_tokens":"100","messages":[]})", "max_tokens"},
      {R"({"model":"tg-x","max_completion_tokens":1e5,"messages":[]})", "max_completion_tokens"},
      {R"({"model":"tg-x","max_tokens":100,"max_output_tokens":-1,"messages":[]})", "max_output_tokens"},
  };
  for (const auto& [body, field] : rows) {
    INFO(body);
    const auto built = build(kVllm, Api::openai_chat, body);
    REQUIRE_FALSE(built);
    CHECK(built.error().status == 400);
    CHECK_THAT(built.error().message, Catch::Contains("no known maximum output"));
    CHECK(built.error().param == field);
  }
  const auto built = build(kOpenAI, Api::openai_chat, R"({"model":"tg-x","max_completion_tokens":"9","messages":[]})");
  REQUIRE_FALSE(built);
  CHECK(built.error().param == "max_completion_tokens");
}
