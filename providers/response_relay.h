#pragma once
// How an upstream answer becomes the client's answer: whole bodies (translated when the APIs
// differ) and streams relayed event by event, reading token usage on the way.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/usage.h"
#include "providers/sse_parser.h"
#include "providers/upstream_request.h"

namespace tollgate::providers {

struct ClientBody {
  std::string body;
  core::Usage usage;
  bool usage_found = false;
};

// The client's body, or a 502 when the upstream body could not be understood.
core::Result<ClientBody> finish_response(Api client_api, Api upstream_api, std::string upstream_body,
                                         std::string_view model_group);

// Reads `usage` from an OpenAI- or Anthropic-format JSON body without a full parse when it can.
std::optional<core::Usage> extract_usage(std::string_view body);

struct StreamOptions {
  std::string model_group;
  bool client_wants_usage = false;  // stream_options.include_usage in the client's request
  std::int64_t created = 0;
  std::int64_t input_tokens_estimate = 0;
  // The most completion tokens the call may be charged (its reservation's); 0 when unknown.
  std::int64_t completion_tokens_bound = 0;
  // The most web searches the call may be charged (core/web_search.h).
  std::int64_t web_searches_bound = 0;
  // The most input tokens the call may be charged (its reservation's: core/token_bound.h,
  // core/server_tools.h); caps the samplings a cut stream is charged for. 0 when unknown.
  std::int64_t prompt_tokens_bound = 0;
};

// Feeds upstream SSE events, returns the bytes to write to the client (possibly empty).
class StreamRelay {
 public:
  virtual ~StreamRelay() = default;
  virtual std::string on_event(const SseEvent& event) = 0;
  // The upstream stream ended cleanly (even without a terminal event).
  virtual bool finished() const = 0;
  virtual core::Usage usage() const = 0;
  virtual bool usage_found() const = 0;
  // Bytes that end the client's stream with an error event (upstream broke mid-stream).
  virtual std::string error_tail(std::string_view message) const = 0;
};

// The Responses API stream's `error` event (code upstream_error), with its sequence_number
// when the gateway numbers the stream itself.
std::string responses_error_event(std::string_view message, std::optional<std::int64_t> sequence_number = std::nullopt);

std::unique_ptr<StreamRelay> make_stream_relay(Api client_api, Api upstream_api, StreamOptions options);

// The upstream's error message from its error body (OpenAI or Anthropic shape), else a
// trimmed prefix of the body.
std::string upstream_error_message(std::string_view body);

}  // namespace tollgate::providers
