#pragma once
// Anthropic Messages response → OpenAI chat.completion.
#include <string_view>

#include <rapidjson/document.h>

#include "core/usage.h"
#include "providers/translation.h"

namespace tollgate::providers {

// Text blocks join into message.content (null when there are only tool calls); tool_use
// blocks become tool_calls; stop reasons map to finish reasons; usage counts cached input
// (cache reads and writes) as prompt tokens. `model` is set to what the client asked for.
Translation openai_chat_response_from_anthropic(std::string_view anthropic_body, std::string_view model_group,
                                                core::Usage& usage_out);

// Anthropic stop_reason → OpenAI finish_reason.
std::string_view finish_reason_from_anthropic(std::string_view stop_reason);

// Anthropic usage object → token counts.
core::Usage usage_from_anthropic(const rapidjson::Value& usage);

}  // namespace tollgate::providers
