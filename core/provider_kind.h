#pragma once
// The provider named by the prefix of `litellm_params.model` ("openai/gpt-4o").
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::core {

enum class ProviderKind { openai, azure, anthropic, mock, bedrock, gemini, vertex_ai };

struct ProviderPrefix {
  ProviderKind kind;
  // Where an OpenAI-compatible service lives when the config gives no api_base ("" = none).
  std::string_view default_api_base;
};

// Known prefixes: openai, azure, anthropic, mock, bedrock, gemini, vertex_ai, and OpenAI-compatible services
// (hosted_vllm, vllm, ollama, ollama_chat, groq, together_ai, deepseek, mistral, openrouter, fireworks_ai, perplexity,
// xai, lm_studio, openai_compatible). Unknown → nullopt.
std::optional<ProviderPrefix> parse_provider_prefix(std::string_view prefix);

std::string_view provider_kind_name(ProviderKind kind);

}  // namespace tollgate::core
