#pragma once
// Why generation stopped, in each API's words.
#include <string_view>

namespace tollgate::providers {

// Anthropic stop_reason → OpenAI finish_reason: end_turn, stop_sequence, pause_turn (and an
// absent reason) → "stop"; max_tokens → "length"; tool_use → "tool_calls"; refusal →
// "content_filter".
std::string_view finish_reason_from_anthropic(std::string_view stop_reason);

// OpenAI finish_reason → Anthropic stop_reason: length → "max_tokens"; tool_calls (and the
// legacy function_call) → "tool_use"; content_filter → "refusal"; anything else → "end_turn"
// (OpenAI does not say whether a stop sequence matched).
std::string_view stop_reason_from_openai(std::string_view finish_reason);

}  // namespace tollgate::providers
