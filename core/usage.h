#pragma once
#include <cstdint>

namespace tollgate::core {

// Token usage of one call, as providers report it (or as estimated when they do not).
struct Usage {
  std::int64_t prompt_tokens = 0;
  std::int64_t completion_tokens = 0;
  std::int64_t cached_prompt_tokens = 0;          // of prompt_tokens: read from the provider's cache
  std::int64_t cache_creation_prompt_tokens = 0;  // of prompt_tokens: written to it (Anthropic, Bedrock)
  std::int64_t total() const { return prompt_tokens + completion_tokens; }
};

}  // namespace tollgate::core
