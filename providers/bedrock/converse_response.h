#pragma once
// Bedrock Converse answers → Anthropic Messages shapes (from which OpenAI clients get theirs
// through providers/anthropic_response.h and anthropic_stream.h).
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/usage.h"
#include "providers/translation.h"

namespace tollgate::providers::bedrock {

// Converse stopReason → Anthropic stop_reason: end_turn, tool_use, max_tokens and
// stop_sequence keep their names; guardrail_intervened and content_filtered → "refusal";
// anything else → "end_turn".
std::string_view anthropic_stop_reason(std::string_view converse_stop_reason);

// Converse usage → Anthropic usage members: inputTokens (which, as Anthropic's input_tokens,
// excludes cache reads and writes) → input_tokens, outputTokens → output_tokens,
// cacheReadInputTokens → cache_read_input_tokens, cacheWriteInputTokens →
// cache_creation_input_tokens.
void write_anthropic_usage_from_converse(rapidjson::Value& out, const rapidjson::Value& converse_usage,
                                         rapidjson::Document::AllocatorType& alloc);
core::Usage usage_from_converse(const rapidjson::Value& converse_usage);

// A Converse response body → an Anthropic message with `id`; `usage` gets the tokens.
Translation anthropic_message_from_converse(std::string_view converse_body, std::string_view id,
                                            std::string_view model_group, core::Usage& usage);

}  // namespace tollgate::providers::bedrock
