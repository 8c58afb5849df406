#pragma once
// Tool definitions and tool choice between the OpenAI and Anthropic APIs, both directions.
#include <rapidjson/document.h>

#include "providers/translation.h"

namespace tollgate::providers {

// OpenAI `tools`, `tool_choice` and `parallel_tool_calls` of `openai_request` → Anthropic
// `tools` and `tool_choice` added to `out`. `history_has_tool_blocks`: the translated messages
// already hold tool_use/tool_result blocks. Fails with the client's 400.
core::Status add_anthropic_tools(const rapidjson::Value& openai_request, bool history_has_tool_blocks,
                                 rapidjson::Value& out, rapidjson::Document::AllocatorType& alloc);

// Anthropic `tools` and `tool_choice` of `anthropic_request` → OpenAI `tools`, `tool_choice`
// and `parallel_tool_calls` added to `out`. Fails with the client's 400.
core::Status add_openai_tools(const rapidjson::Value& anthropic_request, rapidjson::Value& out,
                              rapidjson::Document::AllocatorType& alloc);

}  // namespace tollgate::providers
