#pragma once
// The Anthropic Messages API in front of OpenAI-compatible deployments: a client speaking
// /v1/messages is translated to chat completions, and the answers back. This header gathers
// the whole direction: the request here, the response, the stream and the error body in
// their own headers.
#include <string_view>

#include <rapidjson/document.h>

#include "providers/anthropic_error.h"
#include "providers/anthropic_from_openai_response.h"
#include "providers/anthropic_from_openai_stream.h"
#include "providers/translation.h"
#include "providers/upstream_request.h"

namespace tollgate::providers {

// system (a string or text blocks) → a leading system message; text and image blocks →
// content parts (images as data: or http(s) URLs), PDF document blocks → file parts;
// assistant tool_use blocks → tool_calls (input serialized as arguments); tool_result blocks →
// role "tool" messages placed before the rest of their user turn; tools/input_schema →
// function tools; tool_choice auto/any/tool/none → "auto"/"required"/{function}/"none"
// (disable_parallel_tool_use → parallel_tool_calls: false); max_tokens, temperature, top_p,
// stop_sequences → stop, metadata.user_id → user; stream also asks for
// stream_options.include_usage so that usage can be reported, unless `stream_usage` is false
// (an upstream that refuses the field). top_k and thinking are dropped.
// `limit_field`: where the deployment reads the output limit (max_tokens, or
// max_completion_tokens for OpenAI's platform and its reasoning models, which refuse max_tokens:
// providers/written_output_limit.h); `written_limit`: the gateway's output limit for a request
// without max_tokens.
Translation openai_chat_request_from_anthropic(const rapidjson::Value& anthropic_request,
                                               std::string_view upstream_model,
                                               std::string_view limit_field = "max_tokens",
                                               const std::optional<OutputLimitWrite>& written_limit = std::nullopt,
                                               bool stream_usage = true);

}  // namespace tollgate::providers
