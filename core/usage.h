#pragma once
#include <cstdint>

namespace tollgate::core {

// Token usage of one call, as providers report it (or as estimated when they do not).
struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t cached_prompt_tokens = 0;          // of prompt_tokens: read from the provider's cache
  std::int64_t cache_creation_prompt_tokens = 0;  // of prompt_tokens: written to it (Anthropic, Bedrock)
  std::int64_t audio_prompt_tokens = 0;           // of prompt_tokens: audio input (prompt_tokens_details)
  std::int64_t reasoning_tokens = 0;              // of completion_tokens (completion_tokens_details)
  std::int64_t audio_completion_tokens = 0;       // of completion_tokens: audio output
  // Server-side tool calls billed on top of tokens (Anthropic's usage.server_tool_use).
  std::int64_t web_search_requests = 0;
  std::int64_t total() const { return prompt_tokens + completion_tokens; }
};

}  // namespace tollgate::core
