#pragma once
// OpenAI chat.completion → Anthropic Messages response, for /v1/messages clients of
// OpenAI-compatible deployments.
#include <string_view>

#include "core/usage.h"
#include "providers/translation.h"

namespace tollgate::providers {

// The first choice's text → a text block, its tool_calls → tool_use blocks (arguments parsed
// into input; arguments that are not a JSON object, as a truncated call leaves them, become
// {}); finish_reason → stop_reason; usage → input_tokens (without cached tokens),
// cache_read_input_tokens and output_tokens. "msg_" is prefixed to the id; `model` is what
// the client asked for. `usage_out` receives the token counts.
Translation anthropic_response_from_openai(std::string_view openai_body, std::string_view model,
                                           core::Usage& usage_out);

}  // namespace tollgate::providers
