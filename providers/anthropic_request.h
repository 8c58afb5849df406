#pragma once
// OpenAI chat request → Anthropic Messages request.
#include <cstdint>
#include <string_view>

#include <rapidjson/document.h>

#include "providers/translation.h"

namespace tollgate::providers {

// system/developer messages become the top-level `system` (joined with "\n"); content
// strings and parts map to text, image (base64 or url source) and document blocks; assistant
// tool_calls to tool_use blocks; role "tool" messages to tool_result blocks in a user message;
// consecutive same-role messages are merged (Anthropic requires alternation), tool results
// first. tools, tool_choice, parallel_tool_calls, stop, temperature, top_p, stream and user
// are mapped; max_completion_tokens or max_tokens (required by Anthropic) defaults to
// `default_max_tokens`. n > 1 and untranslatable content are refused; OpenAI-only fields
// (presence_penalty, logit_bias, seed, response_format, …) are dropped.
Translation anthropic_messages_request(const rapidjson::Value& openai_request, std::string_view upstream_model,
                                       std::int64_t default_max_tokens);

}  // namespace tollgate::providers
