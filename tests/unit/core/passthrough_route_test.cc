#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "core/passthrough_route.h"

using namespace tollgate::core;

TEST_CASE("pass-through: provider prefixes", "[core][passthrough]") {
  CHECK(passthrough_provider("openai")->provider == ProviderKind::openai);
  CHECK(passthrough_provider("anthropic")->provider == ProviderKind::anthropic);
  CHECK(passthrough_provider("gemini")->provider == ProviderKind::gemini);
  CHECK(passthrough_provider("bedrock")->provider_prefix == "bedrock");
  CHECK(passthrough_provider("vertex_ai")->provider == ProviderKind::vertex_ai);
  CHECK(passthrough_provider("vertex_ai")->provider_prefix == "vertex_ai");
  CHECK_FALSE(passthrough_provider("azure"));
  CHECK_FALSE(passthrough_provider("OpenAI"));
  CHECK_FALSE(passthrough_provider(""));
}

TEST_CASE("pass-through: what a path asks for", "[core][passthrough]") {
  struct Row {
    std::string prefix;
    std::string path;
    PassthroughShape shape;
    std::string model;
    bool streams;
  };
  using S = PassthroughShape;
  const Row rows[] = {
      {"openai", "/v1/chat/completions", S::openai_chat, "", false},
      {"openai", "/chat/completions", S::openai_chat, "", false},
      {"openai", "/v1/completions", S::openai_completion, "", false},
      {"openai", "/v1/embeddings", S::openai_embedding, "", false},
      {"openai", "/v1/responses", S::openai_responses, "", false},
      {"openai", "/v1/models", S::other, "", false},
      {"openai", "/v1/chat/completions/x", S::other, "", false},
      {"anthropic", "/v1/messages", S::anthropic_messages, "", false},
      {"anthropic", "/v1/messages/count_tokens", S::other, "", false},
      {"gemini", "/v1beta/models/gemini-2.0-flash:generateContent", S::gemini_generate, "gemini-2.0-flash", false},
      {"gemini", "/v1/models/gemini-1.5-pro:streamGenerateContent", S::gemini_generate, "gemini-1.5-pro", true},
      {"gemini", "/v1beta/models/gemini-2.0-flash:countTokens", S::other, "", false},
      {"gemini", "/v1beta/models/:generateContent", S::other, "", false},
      {"bedrock", "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", S::bedrock_converse,
       "anthropic.claude-3-haiku-20240307-v1:0", false},
      {"bedrock", "/model/amazon.nova-lite-v1:0/converse-stream", S::bedrock_converse, "amazon.nova-lite-v1:0", true},
      {"bedrock", "/model/anthropic.claude-v2/invoke", S::bedrock_invoke, "anthropic.claude-v2", false},
      {"bedrock", "/model/anthropic.claude-v2/invoke-with-response-stream", S::other, "anthropic.claude-v2", true},
      {"bedrock", "/model/%zz/converse", S::bedrock_converse, "%zz", false},  // a bad escape stays as written
      {"bedrock", "/guardrail/x/version/1/apply", S::other, "", false},
      {"vertex_ai", "/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.0-flash:generateContent",
       S::gemini_generate, "gemini-2.0-flash", false},
      {"vertex_ai", "/v1beta1/publishers/google/models/gemini-2.0-flash:streamGenerateContent", S::gemini_generate,
       "gemini-2.0-flash", true},
      {"vertex_ai", "/publishers/google/models/gemini-1.5-pro:generateContent", S::gemini_generate, "gemini-1.5-pro",
       false},
      {"vertex_ai", "/v1/projects/p/locations/l/publishers/anthropic/models/claude-3-5-sonnet-v2%4020241022:rawPredict",
       S::anthropic_messages, "claude-3-5-sonnet-v2@20241022", false},
      {"vertex_ai", "/v1/projects/p/locations/l/publishers/anthropic/models/claude-3-haiku@20240307:streamRawPredict",
       S::anthropic_messages, "claude-3-haiku@20240307", true},
      // Not inference shapes (proxy admins only), though the model is still judged.
      {"vertex_ai", "/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:countTokens", S::other,
       "gemini-2.0-flash", false},
      {"vertex_ai", "/v1/projects/p/locations/l/publishers/anthropic/models/claude-3-haiku@20240307:generateContent",
       S::other, "claude-3-haiku@20240307", false},
      {"vertex_ai", "/v1/projects/p/locations/l/publishers/google/models/text-embedding-004:predict", S::other,
       "text-embedding-004", false},
      {"vertex_ai", "/v1/projects/p/locations/l/cachedContents", S::other, "", false},
      {"vertex_ai", "/v1/projects/p/locations/l/publishers/meta/models/llama:rawPredict", S::other, "", false},
      {"vertex_ai", "/v1/projects/p/publishers/google/models/gemini-2.0-flash:generateContent", S::other, "", false},
  };
  for (const auto& row : rows) {
    CAPTURE(row.prefix, row.path);
    auto route = *passthrough_provider(row.prefix);
    classify_passthrough_path(route, row.path);
    CHECK(route.shape == row.shape);
    CHECK(route.model_in_path == row.model);
    CHECK(route.streams_by_path == row.streams);
  }
}

TEST_CASE("pass-through: upstream path and query", "[core][passthrough]") {
  CHECK(passthrough_upstream_path("/v1", "/v1/chat/completions") == "/v1/chat/completions");
  CHECK(passthrough_upstream_path("/v1/", "/v1/chat/completions") == "/v1/chat/completions");
  CHECK(passthrough_upstream_path("/v1", "/chat/completions") == "/v1/chat/completions");
  CHECK(passthrough_upstream_path("", "/v1/messages") == "/v1/messages");
  CHECK(passthrough_upstream_path("/", "/v1/messages") == "/v1/messages");
  CHECK(passthrough_upstream_path("/openai/v1", "/v1/chat/completions") == "/openai/v1/v1/chat/completions");
  CHECK(passthrough_upstream_path("/v1", "/v1beta/models") == "/v1/v1beta/models");  // "/v1" is not "/v1beta"'s prefix

  CHECK(passthrough_query("") == "");
  CHECK(passthrough_query("alt=sse") == "alt=sse");
  CHECK(passthrough_query("key=AIza-secret") == "");
  CHECK(passthrough_query("alt=sse&key=AIza-secret") == "alt=sse");
  CHECK(passthrough_query("key=x&alt=sse&keys=1") == "alt=sse&keys=1");
  CHECK(passthrough_query("a=1&&b=2") == "a=1&b=2");
}

TEST_CASE("pass-through: only inference shapes are open to every key, chaining state is not", "[core][passthrough]") {
  struct Row {
    std::string prefix;
    std::string path;
    bool open;
  };
  const Row rows[] = {
      {"openai", "/v1/chat/completions", true},
      {"openai", "/v1/responses", true},
      {"openai", "/v1/embeddings", true},
      {"openai", "/v1/files", false},
      {"openai", "/v1/batches", false},
      {"openai", "/v1/responses/resp_123", false},
      {"openai", "/v1/responses/resp_123/input_items", false},
      {"openai", "/v1/conversations/conv_1", false},
      {"openai", "/v1/models", false},
      {"anthropic", "/v1/messages", true},
      {"anthropic", "/v1/messages/batches", false},
      {"anthropic", "/v1/files", false},
      {"gemini", "/v1beta/models/gemini-2.0-flash:generateContent", true},
      {"gemini", "/v1beta/files", false},
      {"gemini", "/v1beta/cachedContents", false},
      {"bedrock", "/model/amazon.nova-lite-v1:0/converse", true},
      {"vertex_ai", "/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:generateContent", true},
      {"vertex_ai", "/v1/projects/p/locations/l/publishers/anthropic/models/claude-3-haiku@20240307:rawPredict", true},
      {"vertex_ai", "/v1/projects/p/locations/l/publishers/google/models/gemini-2.0-flash:countTokens", false},
      {"vertex_ai", "/v1/projects/p/locations/l/batchPredictionJobs", false},
      {"vertex_ai", "/v1/projects/p/locations/l/endpoints/123:predict", false},
  };
  for (const auto& row : rows) {
    INFO(row.prefix << row.path);
    auto route = *passthrough_provider(row.prefix);
    classify_passthrough_path(route, row.path);
    CHECK(passthrough_open_to_every_key(route) == row.open);
  }
  auto responses = *passthrough_provider("openai");
  classify_passthrough_path(responses, "/v1/responses");
  CHECK(passthrough_shared_state_field(responses, true, false) ==
        std::optional<std::string_view>("previous_response_id"));
  CHECK(passthrough_shared_state_field(responses, false, true) == std::optional<std::string_view>("conversation"));
  CHECK_FALSE(passthrough_shared_state_field(responses, false, false));
  auto chat = *passthrough_provider("openai");
  classify_passthrough_path(chat, "/v1/chat/completions");
  CHECK_FALSE(passthrough_shared_state_field(chat, true, true));
}

TEST_CASE("pass-through: Vertex answers in its publisher's format", "[core][passthrough]") {
  auto route = *passthrough_provider("vertex_ai");
  classify_passthrough_path(route,
                            "/v1/projects/p/locations/l/publishers/anthropic/models/claude-3-haiku@1:rawPredict");
  CHECK(route.answer_format == ProviderKind::anthropic);
  classify_passthrough_path(route, "/v1/projects/p/locations/l/publishers/google/models/gemini:generateContent");
  CHECK(route.answer_format == ProviderKind::gemini);
  auto gemini = *passthrough_provider("gemini");
  classify_passthrough_path(gemini, "/v1beta/models/gemini:generateContent");
  CHECK(gemini.answer_format == ProviderKind::gemini);
  auto openai = *passthrough_provider("openai");
  classify_passthrough_path(openai, "/v1/chat/completions");
  CHECK(openai.answer_format == ProviderKind::openai);
}

TEST_CASE("pass-through: the Vertex upstream path carries the configured project and location", "[core][passthrough]") {
  struct Row {
    std::string path;
    std::optional<std::string> upstream;
  };
  const std::string model = "/publishers/google/models/gemini-2.0-flash:generateContent";
  const Row rows[] = {
      // The caller's project and location are replaced, whatever they were.
      {"/v1/projects/their-project/locations/europe-west4" + model, "/v1/projects/cfg/locations/us-east5" + model},
      {"/v1/projects/cfg/locations/us-east5" + model, "/v1/projects/cfg/locations/us-east5" + model},
      {"/v1beta1/projects/x/locations/y" + model, "/v1beta1/projects/cfg/locations/us-east5" + model},
      {"/v1beta1" + model, "/v1beta1/projects/cfg/locations/us-east5" + model},  // express mode
      {model, "/v1/projects/cfg/locations/us-east5" + model},                    // LiteLLM's short form
      {"/v1/projects/x/locations/y", "/v1/projects/cfg/locations/us-east5"},
      {"/v1/projects/x/locations/y/cachedContents", "/v1/projects/cfg/locations/us-east5/cachedContents"},
      {"/v1/projects/x", std::nullopt},
      {"/v1/projects/x/locations/", std::nullopt},
      {"/v1/projects//locations/y" + model, std::nullopt},
      {"/v1/projects/x/models", std::nullopt},
      // Nothing may climb out of the configured project.
      {"/v1/publishers/../../projects/other/locations/y" + model, std::nullopt},
      {"/v1/projects/x/locations/y/./publishers", std::nullopt},
      {"/v1/publishers/%2e%2e/projects/other", std::nullopt},
      {"/v1/publishers/google%2Fmodels", std::nullopt},
  };
  for (const auto& row : rows) {
    CAPTURE(row.path);
    CHECK(vertex_passthrough_path(row.path, "cfg", "us-east5") == row.upstream);
  }
}

TEST_CASE("pass-through paths that could resolve outside their prefix", "[core][passthrough]") {
  struct Row {
    std::string_view path;
    bool escapes;
  };
  const Row rows[] = {
      {"/v1beta/models/gemini-2.0-flash:generateContent", false},
      {"/v1beta/models/gemini-1.5-pro-002:generateContent", false},  // dots inside a segment
      {"/v1/chat/completions", false},
      {"/v1beta/models/../../files:generateContent", true},
      {"/v1beta/./models/m:generateContent", true},
      {"/v1beta/models/..", true},
      {"/v1beta/models/%2e%2e/x", true},
      {"/v1beta/models/%2E./x", true},
      {"/v1beta/models/a%2Fb", true},
      {"/v1beta/models/a%2fb", true},
      {"/v1beta/models/a%3Ab", false},
      {"", false},
  };
  for (const auto& row : rows) {
    INFO(row.path);
    CHECK(passthrough_path_escapes(row.path) == row.escapes);
  }
}
