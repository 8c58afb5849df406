#pragma once
// Anthropic Messages response → OpenAI chat.completion.
#include <cstdint>
#include <string_view>

#include "core/usage.h"
#include "providers/stop_reason.h"
#include "providers/translation.h"
#include "providers/usage_json.h"

namespace tollgate::providers {

// Text blocks join into message.content (null when there are only tool calls); tool_use
// blocks become tool_calls (input serialized as the arguments string); thinking blocks become
// message.reasoning_content; stop_reason maps to finish_reason; usage counts cache reads and
// writes as prompt tokens (cache reads also as prompt_tokens_details.cached_tokens). The id is
// kept; `model` is set to what the client asked for. `usage_out` receives the token counts.
Translation openai_chat_response_from_anthropic(std::string_view anthropic_body, std::string_view model_group,
                                                core::Usage& usage_out);
// The same with a given `created` timestamp (unix seconds); the overload above uses now.
Translation openai_chat_response_from_anthropic(std::string_view anthropic_body, std::string_view model_group,
                                                core::Usage& usage_out, std::int64_t created);

}  // namespace tollgate::providers
