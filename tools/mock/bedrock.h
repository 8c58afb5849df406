#pragma once
// The AWS Bedrock Converse wire: POST /model/{modelId}/converse (JSON) and
// /model/{modelId}/converse-stream (application/vnd.amazon.eventstream frames), AWS-style
// errors ({"message"} with x-amzn-ErrorType). Pure builders; the handler routes and frames.
#include <string>
#include <string_view>
#include <vector>

#include "tools/mock/responses.h"
#include "tools/mock/streams.h"

namespace tollgate::mock {

inline constexpr std::string_view kAmazonEventStream = "application/vnd.amazon.eventstream";

// The model id of a Converse path, percent-decoded ("/model/a%3A0/converse" → "a:0"); "" when
// `path` is not a Converse path. `stream` tells converse-stream from converse.
std::string bedrock_model_of(std::string_view path, bool& stream);

// "%3A" → ":" and the like.
std::string percent_decode(std::string_view text);

void append_converse_response(std::string& out, const Completion& c);

// {"message":...}; the x-amzn-ErrorType header line for the status goes in `error_type_header`.
void append_bedrock_error(std::string& out, int status, std::string_view message, std::string& error_type_header);

// Event stream frames: messageStart, `chunks` contentBlockDelta (the paced ones),
// contentBlockStop, messageStop, metadata with usage.
std::vector<SseEvent> converse_stream(const Completion& c, int chunks);
// `malformed` when streaming: messageStart, then a frame whose message CRC is wrong.
std::vector<SseEvent> corrupt_converse_stream(const Completion& c);

// A request signed with AWS SigV4 carries "AWS4-HMAC-SHA256 Credential=…" (checked for shape
// only: the mock has no secret; tests check the signature itself against the AWS SDK).
bool looks_sigv4_signed(std::string_view authorization);

}  // namespace tollgate::mock
