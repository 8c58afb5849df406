#pragma once
// The id of the answer a client receives (`chatcmpl-…`, `msg_…`), which LiteLLM records as a
// spend log's request_id. Read from the client's body or stream without a full parse: the
// reader stops at the id, which providers write first.
#include <string>
#include <string_view>

namespace tollgate::core {

// Ids longer than this are not ids a client looks up: they are not recorded.
constexpr std::size_t kMaxResponseIdBytes = 256;

// The top-level "id" of a JSON object (OpenAI and Anthropic bodies, OpenAI stream chunks), or
// the "message"'s "id" (Anthropic's message_start event), or the "response"'s "id" (the
// Responses API's stream events: response.created, …); "" when there is none.
std::string response_id_of_json(std::string_view json);

// The same for the first `data:` line of SSE bytes ("" for `data: [DONE]` or no data).
std::string response_id_of_sse(std::string_view sse);

}  // namespace tollgate::core
