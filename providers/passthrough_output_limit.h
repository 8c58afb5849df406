#pragma once
// A pass-through request's own limit on its answer's length, read where each wire format keeps
// it, and written there when the gateway must bound an answer the request leaves unbounded
// (core/output_limit.h decides which):
//   OpenAI chat, completions, Responses; Anthropic Messages (also on Vertex): max_completion_tokens,
//     max_tokens, max_output_tokens (the largest; a provider may read any of them);
//   Gemini generateContent (also on Vertex): generationConfig.maxOutputTokens, and the
//     snake_case spellings protobuf's JSON accepts as well (generation_config, max_output_tokens);
//   Bedrock Converse: inferenceConfig.maxTokens;
//   Bedrock InvokeModel: max_tokens of an Anthropic body (it carries anthropic_version); every
//     other model family's body keeps its limit under its own name, which the gateway does not
//     read (only the model's known maximum bounds it).
#include <cstdint>
#include <optional>
#include <string_view>

#include <rapidjson/document.h>

#include "core/output_limit.h"
#include "core/passthrough_route.h"

namespace tollgate::providers {

core::AskedOutputLimit asked_output_limit(const rapidjson::Value& body, core::PassthroughShape shape);

// The first limit field asked_output_limit found unreadable, for a refusal to name
// ("max_tokens" in {"max_tokens":"100"}; a container such as "generationConfig" when it is no
// object); nullopt when it found none, or read no field (a non-Anthropic InvokeModel body).
std::optional<std::string_view> unreadable_limit_field(const rapidjson::Value& body, core::PassthroughShape shape);

// Whether the gateway can write a limit into this request (false for embeddings, other paths
// and non-Anthropic InvokeModel bodies).
bool can_write_output_limit(const rapidjson::Value& body, core::PassthroughShape shape);

// The field a refusal names: where this request's limit goes ("generationConfig.maxOutputTokens").
std::string_view output_limit_field(const rapidjson::Value& body, core::PassthroughShape shape);

// Writes `limit` where the shape keeps it; only for a request whose asked_output_limit found no
// limit (a null one is replaced). `body` must be an object.
void write_output_limit(rapidjson::Document& body, core::PassthroughShape shape, std::int64_t limit);

}  // namespace tollgate::providers
