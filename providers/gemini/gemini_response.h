#pragma once
// Gemini generateContent answers → Anthropic Messages shapes (from which OpenAI clients get
// theirs through providers/anthropic_response.h and anthropic_stream.h, as for Bedrock).
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/usage.h"
#include "providers/translation.h"

namespace tollgate::providers::gemini {

// finishReason → Anthropic stop_reason: MAX_TOKENS → max_tokens; SAFETY, RECITATION,
// BLOCKLIST, PROHIBITED_CONTENT, SPII, IMAGE_SAFETY → refusal; otherwise tool_use when the
// answer called a function, else end_turn.
std::string_view anthropic_stop_reason(std::string_view finish_reason, bool called_function);

// usageMetadata → tokens: promptTokenCount (which includes cachedContentTokenCount) +
// toolUsePromptTokenCount (the results of Google's own tools, billed as input; 0 while the
// gateway refuses those tools, see core::PromptTally::gemini_builtin_tool) = prompt tokens, cachedContentTokenCount =
// cache reads; candidatesTokenCount + thoughtsTokenCount (thinking is billed as output) = completion tokens.
core::Usage usage_from_gemini(const rapidjson::Value& usage_metadata);
// The same as Anthropic usage members (input_tokens excludes the cache reads, as Anthropic's).
void write_anthropic_usage(rapidjson::Value& out, const core::Usage& usage, rapidjson::Document::AllocatorType& alloc);

// A generateContent response body → an Anthropic message with `id` (function calls get ids
// "<id>_<n>" unless Gemini gave one); `usage` gets the tokens. A prompt Gemini blocked
// (no candidates, promptFeedback.blockReason) is an empty message with stop_reason refusal.
Translation anthropic_message_from_gemini(std::string_view gemini_body, std::string_view id,
                                          std::string_view model_group, core::Usage& usage);

}  // namespace tollgate::providers::gemini
