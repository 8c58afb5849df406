#include <catch2/catch.hpp>

#include "core/output_limit_field.h"

using namespace tollgate::core;

TEST_CASE("the chat field of the gateway's output limit: max_completion_tokens for OpenAI and its reasoning models",
          "[core][budgets][output_limit]") {
  struct Row {
    ProviderKind kind;
    const char* api_base;
    const char* model;
    const char* field;
  };
  const Row rows[] = {
      // OpenAI's own platform: the current field, for every model.
      {ProviderKind::openai, "https://api.openai.com/v1", "my-fine-tune", "max_completion_tokens"},
      {ProviderKind::openai, "https://api.openai.com:443/v1/", "gpt-4o", "max_completion_tokens"},
      {ProviderKind::openai, "https://api.openai.com", "o3", "max_completion_tokens"},
      // OpenAI-compatible servers (vLLM, llama.cpp, Ollama, a custom api_base): max_tokens ...
      {ProviderKind::openai, "http://vllm:8000/v1", "meta-llama/Llama-3.1-8B", "max_tokens"},
      {ProviderKind::openai, "http://localhost:11434/v1", "llama3", "max_tokens"},
      {ProviderKind::openai, "https://api.openai.com.evil.example/v1", "my-model", "max_tokens"},
      {ProviderKind::openai, "http://127.0.0.1:9/api.openai.com", "my-model", "max_tokens"},
      {ProviderKind::openai, "https://api.openai.com@127.0.0.1/v1", "my-model", "max_tokens"},
      {ProviderKind::openai, "https://127.0.0.1?api.openai.com", "my-model", "max_tokens"},
      // ... unless the model is an OpenAI reasoning model, which refuses max_tokens anywhere.
      {ProviderKind::openai, "http://other-gateway/v1", "o1", "max_completion_tokens"},
      {ProviderKind::openai, "http://other-gateway/v1", "o4-preview", "max_completion_tokens"},
      // A router's vendor-prefixed name: the router maps max_tokens itself.
      {ProviderKind::openai, "https://openrouter.ai/api/v1", "openai/o4-mini", "max_tokens"},
      {ProviderKind::openai, "http://other-gateway/v1", "gpt-5-mini", "max_completion_tokens"},
      // Azure: max_tokens (older api-versions refuse max_completion_tokens), reasoning models aside.
      {ProviderKind::azure, "https://x.openai.azure.com", "gpt-4o", "max_tokens"},
      {ProviderKind::azure, "https://x.openai.azure.com", "my-deployment", "max_tokens"},
      {ProviderKind::azure, "https://x.openai.azure.com", "o3-mini", "max_completion_tokens"},
      {ProviderKind::azure, "https://x.openai.azure.com", "gpt-5", "max_completion_tokens"},
  };
  for (const auto& row : rows) {
    INFO(provider_kind_name(row.kind) << " " << row.api_base << " " << row.model);
    CHECK(chat_output_limit_field(row.kind, row.api_base, row.model) == row.field);
  }
}

TEST_CASE("OpenAI reasoning model names", "[core][budgets][output_limit]") {
  for (const char* yes : {"o1", "o1-mini", "o3", "o3-mini-2025-01-31", "o4-mini", "gpt-5", "gpt-5-nano"}) {
    INFO(yes);
    CHECK(is_openai_reasoning_model(yes));
  }
  for (const char* no :
       {"", "o", "omni", "o1x", "olmo-7b", "gpt-4o", "gpt-4.1", "gpt-oss-120b", "llama-o3", "openai/o3"}) {
    INFO(no);
    CHECK_FALSE(is_openai_reasoning_model(no));
  }
}
