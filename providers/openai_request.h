#pragma once
// Reading what we need from an OpenAI-format request body (already parsed once).
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/result.h"
#include "core/search_context_size.h"

namespace tollgate::providers {

// All text the model will read: message contents (strings or text parts), tool call
// arguments, and a legacy `prompt` or embeddings `input`. Used for token estimates.
std::string collect_prompt_text(const rapidjson::Value& request);

// The text of the last message with role "user" ("" when none).
std::string last_user_text(const rapidjson::Value& request);

// The request's `model` string, or nullopt when missing or not a string.
std::optional<std::string_view> requested_model(const rapidjson::Value& request);

// `stream: true`?
bool wants_stream(const rapidjson::Value& request);

// stream_options.include_usage
bool wants_stream_usage(const rapidjson::Value& request);

// The largest of max_tokens / max_completion_tokens / max_output_tokens (Responses API) given:
// a provider may read any of them. nullopt when none is given, or when one is not a positive
// integer (a lenient provider could read 1e5 or "100000" as a limit): the model's maximum then
// bounds the answer.
std::optional<std::int64_t> max_output_tokens(const rapidjson::Value& request);

// The search context size a chat completion asks its search model for
// (web_search_options.search_context_size), core::kDefaultSearchContextSize when absent or
// null, as OpenAI reads it; 400 for any other value than "low", "medium" or "high" (OpenAI's
// answer too), or a web_search_options that is not an object.
core::Result<core::SearchContextSize> requested_search_context_size(const rapidjson::Value& request);

}  // namespace tollgate::providers
