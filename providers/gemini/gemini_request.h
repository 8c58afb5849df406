#pragma once
// Anthropic Messages request → Gemini generateContent request (the body of
// models/{model}:generateContent and :streamGenerateContent). OpenAI chat clients reach it
// through providers/anthropic_request.h, as for Bedrock.
#include <rapidjson/document.h>

#include "providers/translation.h"

namespace tollgate::providers::gemini {

// messages → contents (role assistant → "model"); text, base64 images (inlineData),
// tool_use (functionCall) and tool_result (functionResponse, named after the tool_use it
// answers) → parts; system → systemInstruction; max_tokens, temperature, top_p, top_k,
// stop_sequences → generationConfig; tools → functionDeclarations (without the JSON Schema
// keys Gemini rejects: $schema, additionalProperties); tool_choice auto/any/tool/none →
// toolConfig.functionCallingConfig AUTO/ANY (+ allowedFunctionNames)/NONE. Image URLs,
// documents and other blocks are refused (400); thinking blocks from earlier turns are dropped.
Translation generate_content_request_from_anthropic(const rapidjson::Value& anthropic_request);

}  // namespace tollgate::providers::gemini
