#pragma once
// Bedrock InvokeModelWithResponseStream for Anthropic models: each event stream message of type
// `chunk` carries {"bytes": base64 of one Anthropic Messages stream event's JSON}; the events
// are Anthropic's own, so the Anthropic relay serves them to the client's API (translated to
// OpenAI chat chunks, or passed through to /v1/messages clients).
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "providers/response_relay.h"
#include "providers/sse_parser.h"

namespace tollgate::providers::bedrock {

// A `chunk` message's payload → the Anthropic event inside (named by its "type"); nullopt when
// the payload is not {"bytes": base64 of a JSON object with a type}.
std::optional<SseEvent> anthropic_event_from_chunk(std::string_view payload);

// Standard base64 (RFC 4648 §4, padded); nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text);

// The Anthropic relay for `client_api`, which also takes Bedrock's exception messages (an
// `event` named by its :exception-type): the client's stream ends with an error event, and the
// call is charged as an interrupted stream — the prompt reported so far (else the estimate), and
// at least the text streamed before the exception as completion tokens (within
// options.completion_tokens_bound) when the final usage never came.
std::unique_ptr<StreamRelay> make_invoke_stream_relay(Api client_api, StreamOptions options);

}  // namespace tollgate::providers::bedrock
