#include "core/provider_kind.h"

#include <array>
#include <utility>

namespace tollgate::core {
namespace {

struct KnownPrefix {
  std::string_view prefix;
  ProviderKind kind;
  std::string_view default_api_base;
};

constexpr std::array<KnownPrefix, 21> kKnownPrefixes{{
    {"openai", ProviderKind::openai, "https://api.openai.com/v1"},
    {"azure", ProviderKind::azure, ""},
    {"anthropic", ProviderKind::anthropic, "https://api.anthropic.com"},
    {"mock", ProviderKind::mock, ""},
    {"bedrock", ProviderKind::bedrock, ""},  // api_base from the region (config/load_config.cc)
    {"gemini", ProviderKind::gemini, "https://generativelanguage.googleapis.com"},
    {"vertex_ai", ProviderKind::vertex_ai, ""},  // api_base from the location (config/load_config.cc)
    {"openai_compatible", ProviderKind::openai, ""},
    {"hosted_vllm", ProviderKind::openai, ""},
    {"vllm", ProviderKind::openai, ""},
    {"ollama", ProviderKind::openai, "http://localhost:11434/v1"},
    {"ollama_chat", ProviderKind::openai, "http://localhost:11434/v1"},
    {"groq", ProviderKind::openai, "https://api.groq.com/openai/v1"},
    {"together_ai", ProviderKind::openai, "https://api.together.xyz/v1"},
    {"deepseek", ProviderKind::openai, "https://api.deepseek.com/v1"},
    {"mistral", ProviderKind::openai, "https://api.mistral.ai/v1"},
    {"openrouter", ProviderKind::openai, "https://openrouter.ai/api/v1"},
    {"fireworks_ai", ProviderKind::openai, "https://api.fireworks.ai/inference/v1"},
    {"perplexity", ProviderKind::openai, "https://api.perplexity.ai"},
    {"xai", ProviderKind::openai, "https://api.x.ai/v1"},
    {"lm_studio", ProviderKind::openai, "http://localhost:1234/v1"},
}};

}  // namespace

std::optional<ProviderPrefix> parse_provider_prefix(std::string_view prefix) {
  for (const auto& known : kKnownPrefixes) {
    if (known.prefix == prefix) {
      return ProviderPrefix{known.kind, known.default_api_base};
    }
  }
  return std::nullopt;
}

std::string_view provider_kind_name(ProviderKind kind) {
  switch (kind) {
    case ProviderKind::openai: return "openai";
    case ProviderKind::azure: return "azure";
    case ProviderKind::anthropic: return "anthropic";
    case ProviderKind::mock: return "mock";
    case ProviderKind::bedrock: return "bedrock";
    case ProviderKind::gemini: return "gemini";
    case ProviderKind::vertex_ai: return "vertex_ai";
  }
  return "openai";
}

}  // namespace tollgate::core
