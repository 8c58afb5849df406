#pragma once
// A Responses API request (POST /v1/responses) as an OpenAI chat request, for deployments
// whose provider speaks chat only (Anthropic, Bedrock, Gemini, mock): the provider then
// translates the chat request as it does for /v1/chat/completions. Pure.
//
// Translated: `instructions` (a system message), `input` (a string, or message items with
// input_text / output_text / input_image parts, function_call and function_call_output
// items; reasoning items are dropped), function `tools`, `tool_choice`, `parallel_tool_calls`,
// `max_output_tokens` (max_tokens), `temperature`, `top_p`, `stream`, `user`. Hints without a
// chat equivalent (`store`, `metadata`, `include`, `truncation`, `reasoning`, `service_tier`,
// …) are dropped. Refused with 400: state the provider does not keep (`previous_response_id`,
// `conversation`, a stored `prompt`), `custom` tools, `text.format` other than text, input
// files and audio.
#include <rapidjson/document.h>

#include "core/result.h"

namespace tollgate::providers {

core::Result<rapidjson::Document> chat_request_from_responses(const rapidjson::Value& request);

}  // namespace tollgate::providers
