#pragma once
// OpenAI chat.completion.chunk stream → Anthropic streaming events, one data payload at a time.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/usage.h"

namespace tollgate::providers {

// The first payload opens the message (message_start, with the input estimate until the
// real usage arrives); content deltas open a text block, each new tool call index a tool_use
// block (content_block_start/delta/stop, blocks numbered in order); finish_reason is kept for
// message_delta; the include_usage chunk supplies usage; [DONE] closes the open block and
// sends message_delta (stop_reason, usage) and message_stop. An error payload ends the
// stream with an `error` event. After the end every payload is ignored.
class OpenAIToAnthropicStream {
 public:
  OpenAIToAnthropicStream(std::string model, std::int64_t input_tokens_estimate);

  // `data` is the payload of one `data:` event, or "[DONE]". Returns zero or more complete
  // "event: <type>\ndata: {...}\n\n" events, concatenated.
  std::string on_data(std::string_view data);
  bool finished() const { return finished_; }
  core::Usage usage() const { return usage_; }

 private:
  std::string on_chunk(const rapidjson::Value& chunk);
  std::string on_text(std::string_view text);
  std::string on_tool_call(const rapidjson::Value& call);
  std::string start_message();
  std::string open_text_block();
  std::string close_block();
  std::string finish();
  std::string fail(std::string_view message);

  std::string model_;
  std::string id_ = "msg_gateway";
  core::Usage usage_;
  bool started_ = false;
  bool finished_ = false;
  int next_block_ = 0;
  int open_block_ = -1;  // the index of the open content block, -1 when none
  bool open_block_is_text_ = false;
  std::map<std::int64_t, int> tool_blocks_;  // OpenAI tool_calls index → Anthropic block index
  std::string stop_reason_ = "end_turn";
};

}  // namespace tollgate::providers
