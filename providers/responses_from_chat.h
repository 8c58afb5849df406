#pragma once
// A chat answer (an OpenAI chat completion, or its stream of chunks) as the Responses API's
// answer, for /v1/responses served by a provider that speaks chat only (the request side is
// providers/responses_chat_request.h). The text becomes one assistant message item with one
// output_text part, each tool call a function_call item; finish_reason "length" makes the
// response "incomplete" (incomplete_details.reason "max_output_tokens"); usage maps to
// input_tokens (cached_tokens), output_tokens and total_tokens.
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "providers/response_relay.h"

namespace tollgate::providers {

// The Responses object for a chat completion body; a 502 when it is not one.
core::Result<std::string> responses_body_from_chat(std::string_view chat_body, const core::Usage& usage);

// Chat chunk bytes ("data: {...}\n\n", "data: [DONE]\n\n") in, Responses events out:
// response.created and response.in_progress first, then response.output_item.added,
// response.content_part.added, response.output_text.delta…, response.function_call_arguments.delta…,
// and at [DONE] the .done events and response.completed (or response.incomplete) with usage.
class ResponsesStreamFromChat {
 public:
  std::string translate(std::string_view chat_bytes, const core::Usage& usage);
  std::string error_event(std::string_view message);
  bool completed() const;

  struct State;
  ResponsesStreamFromChat();
  ~ResponsesStreamFromChat();

 private:
  std::unique_ptr<State> s_;
};

// `chat` relays the provider's stream as chat chunks; the result relays them as Responses events.
std::unique_ptr<StreamRelay> responses_relay_over_chat(std::unique_ptr<StreamRelay> chat);

}  // namespace tollgate::providers
