#pragma once
// Anthropic Messages request → Bedrock Converse request. Converse's content blocks are
// Anthropic's under other names, so OpenAI chat requests reach Bedrock through the existing
// OpenAI → Anthropic translation (providers/anthropic_request.h) and then this one.
#include <rapidjson/document.h>

#include "providers/translation.h"

namespace tollgate::providers::bedrock {

// system (string or text blocks) → system[].text; messages' blocks: text → {text}, base64
// image → {image:{format,source:{bytes}}}, tool_use → {toolUse}, tool_result →
// {toolResult:{toolUseId,content:[{text}|{json}],status}}; max_tokens, temperature, top_p,
// stop_sequences → inferenceConfig; tools → toolConfig.tools[].toolSpec (input_schema as
// inputSchema.json); tool_choice auto/any/tool → toolChoice (none drops the choice: Converse
// has no way to forbid tools). Refused (400): image URLs (Converse takes bytes only), documents
// and thinking blocks, other block types.
Translation converse_request_from_anthropic(const rapidjson::Value& anthropic_request);

}  // namespace tollgate::providers::bedrock
