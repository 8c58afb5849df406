#pragma once
// The Gemini API wire: POST /v1beta/models/{model}:generateContent (JSON) and
// :streamGenerateContent?alt=sse (server-sent events, each a GenerateContentResponse), Google
// errors ({"error":{"code","message","status"}}). Pure builders; the handler routes and frames.
#include <string>
#include <string_view>
#include <vector>

#include "tools/mock/responses.h"
#include "tools/mock/streams.h"

namespace tollgate::mock {

// The model of a generateContent path (/v1beta/models/{model}:generateContent, also /v1/);
// "" when `path` is not one. `stream` tells streamGenerateContent from generateContent.
std::string_view gemini_model_of(std::string_view path, bool& stream);

void append_gemini_response(std::string& out, const Completion& c);

// {"error":{"code":<status>,"message":…,"status":"RESOURCE_EXHAUSTED"|…}}
void append_gemini_error(std::string& out, int status, std::string_view message);

// `chunks` data events with a text part each (the paced ones), the last one carrying
// finishReason and usageMetadata, as Gemini ends its streams.
std::vector<SseEvent> gemini_stream(const Completion& c, int chunks);

}  // namespace tollgate::mock
