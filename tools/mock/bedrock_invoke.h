#pragma once
// The AWS Bedrock InvokeModel wire: POST /model/{modelId}/invoke (JSON) and
// /model/{modelId}/invoke-with-response-stream (event stream frames whose `chunk` events carry
// {"bytes": base64 of one Anthropic stream event}). Anthropic models (ids with "anthropic.")
// take the Anthropic Messages body without `model` and `stream`, with anthropic_version
// "bedrock-2023-05-31"; Titan (amazon.titan-embed-text-*) and Cohere (cohere.embed-*) embedding
// models take {"inputText"} and {"texts","input_type"}. Pure builders; the handler routes.
//
// Model tokens of their own (besides behavior.h's): `cache-read-N` and `cache-write-N` report
// N cache read / cache creation input tokens; `exception-mid-stream` ends a stream after its
// second text chunk with a modelStreamErrorException message.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/mock/responses.h"
#include "tools/mock/streams.h"

namespace tollgate::mock {

struct InvokeRoute {
  std::string model;  // percent-decoded
  bool stream = false;
};

// nullopt when `path` is not an InvokeModel path.
std::optional<InvokeRoute> bedrock_invoke_route(std::string_view path);

// What one InvokeModel request asks, read from its body (kept: the handler's request buffer is
// reused before it answers).
struct InvokeCall {
  bool active = false;     // the request is an InvokeModel call
  int problem_status = 0;  // what Bedrock would refuse (400 ValidationException), else 0
  std::string problem;
  std::string embedding;           // an embedding model's whole answer ("" for Anthropic models)
  std::size_t cache_read = 0;      // cache-read-N
  std::size_t cache_creation = 0;  // cache-write-N
  bool exception_mid_stream = false;
};
InvokeCall read_invoke_call(const InvokeRoute& route, std::string_view body);

// Frames of invoke-with-response-stream: `anthropic` (anthropic_stream's events) each as a
// `chunk`; with `exception_mid_stream`, cut after the second content event and ended by an
// exception message.
std::vector<SseEvent> invoke_stream(const std::vector<SseEvent>& anthropic, bool exception_mid_stream);
// `malformed` when streaming: the first chunk, then one whose message CRC is wrong.
std::vector<SseEvent> corrupt_invoke_stream(const std::vector<SseEvent>& anthropic);

}  // namespace tollgate::mock
