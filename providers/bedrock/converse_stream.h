#pragma once
// Bedrock ConverseStream events (decoded from the event stream: `event` = the :event-type
// header, `data` = the JSON payload) → Anthropic Messages stream events.
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "core/usage.h"
#include "providers/sse_parser.h"

namespace tollgate::providers::bedrock {

// messageStart → message_start (input_tokens: the estimate until the real count arrives);
// contentBlockStart with toolUse → content_block_start tool_use; contentBlockDelta → a
// content_block_start text (first delta of a block Bedrock did not start) then
// content_block_delta text_delta / input_json_delta / thinking_delta; contentBlockStop →
// content_block_stop; messageStop → nothing yet (its stopReason is kept); metadata →
// message_delta (stop_reason and the usage, input included) and message_stop. An exception
// (`event` = its :exception-type, e.g. throttlingException) → an `error` event.
class ConverseToAnthropicStream {
 public:
  ConverseToAnthropicStream(std::string id, std::string model_group, std::int64_t input_tokens_estimate);

  std::vector<SseEvent> on_event(const SseEvent& event);
  // The usage Bedrock reported in its metadata event (usage_found() false before).
  core::Usage usage() const { return usage_; }
  bool usage_found() const { return usage_found_; }

 private:
  void start_block_if_needed(std::int64_t index, std::vector<SseEvent>& out);

  std::string id_;
  std::string model_;
  std::int64_t input_estimate_;
  std::set<std::int64_t> started_blocks_;
  std::string stop_reason_ = "end_turn";
  core::Usage usage_;
  bool usage_found_ = false;
};

// An exception's :exception-type names it; these end a stream with an error.
bool is_exception_event(std::string_view event_type);

// An exception message (`event` its :exception-type, `data` {"message": …}) → Anthropic's
// stream `error` event, typed by the HTTP status the exception stands for (throttling → 429
// rate_limit_error, unavailable → 503 overloaded_error, validation → 400, else api_error).
SseEvent anthropic_error_from_exception(const SseEvent& exception);

}  // namespace tollgate::providers::bedrock
