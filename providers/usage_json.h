#pragma once
// Token usage objects of both APIs ↔ core::Usage.
//
// core::Usage counts every prompt token in prompt_tokens, cached ones included (as OpenAI
// does). Anthropic reports input_tokens *excluding* cache reads and cache writes, so:
//   prompt_tokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens
//   cached_prompt_tokens = cache_read_input_tokens
#include "core/usage.h"
#include "providers/json_util.h"

namespace tollgate::providers {

core::Usage usage_from_anthropic(const rapidjson::Value& usage);
// usage.server_tool_use.web_search_requests (Anthropic), or `otherwise` when absent: a stream's
// message_delta repeats the running count only where it has one.
std::int64_t web_search_requests(const rapidjson::Value& usage, std::int64_t otherwise = 0);
// A stream's message_delta usage read into `running` (message_start's counts): its output count,
// its web searches, and its input counts where it repeats them — then the total of every
// sampling of a server tool loop (core/server_tools.h), the searches' results included, which
// message_start (the first sampling's) does not show. A count it omits keeps its earlier value.
void take_anthropic_delta_usage(const rapidjson::Value& delta_usage, core::Usage& running);
core::Usage usage_from_openai(const rapidjson::Value& usage);
// The Responses API's: input_tokens counts cached ones too (input_tokens_details.cached_tokens),
// output_tokens counts reasoning ones too.
core::Usage usage_from_responses(const rapidjson::Value& usage);

// {"prompt_tokens","completion_tokens","total_tokens"[,"prompt_tokens_details":{"cached_tokens"}]}
void write_openai_usage(json::Writer& w, const core::Usage& usage);
// {"input_tokens","output_tokens"[,"cache_read_input_tokens"]}, input_tokens without cache reads.
void write_anthropic_usage(json::Writer& w, const core::Usage& usage);

}  // namespace tollgate::providers
