#pragma once
// Anthropic Messages stream events built from parsed JSON, for the translators that turn another
// provider's stream into Anthropic's (Bedrock's ConverseStream, Gemini's streamGenerateContent)
// before the Anthropic relay serves it to the client's API.
#include <rapidjson/document.h>

#include <cstdint>
#include <string_view>

#include "providers/sse_parser.h"

namespace tollgate::providers {

// `d` (an object) gains "type": `type` and becomes the event's data.
SseEvent anthropic_event(const char* type, rapidjson::Document& d);

// message_start of an empty assistant message; input_tokens is the estimate until the
// provider's own count arrives.
SseEvent anthropic_message_start(std::string_view id, std::string_view model, std::int64_t input_tokens_estimate);

}  // namespace tollgate::providers
