#pragma once
// OpenAI's Responses API (/v1/responses): the response object and its stream of named events,
// in the shapes the openai SDK reads (one assistant message with one output_text part).
#include <string>
#include <vector>

#include "tools/mock/responses.h"
#include "tools/mock/streams.h"

namespace tollgate::mock {

// {"id","object":"response","created_at","status","model","output":[message],"usage":{...}}:
// status "incomplete" (incomplete_details.reason "max_output_tokens") when cut at the limit.
void append_response_object(std::string& out, const Completion& c);

// response.created, response.in_progress, response.output_item.added,
// response.content_part.added, `chunks` response.output_text.delta, response.output_text.done,
// response.content_part.done, response.output_item.done, then response.completed (or
// response.incomplete) with the whole response and its usage. No [DONE].
std::vector<SseEvent> responses_stream(const Completion& c, int chunks);

}  // namespace tollgate::mock
