#pragma once
// The Anthropic Messages API in front of OpenAI-compatible deployments: a client speaking
// /v1/messages is translated to chat completions and the answers back.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/usage.h"
#include "providers/anthropic_error.h"
#include "providers/translation.h"

namespace tollgate::providers {

// system → a system message; text/image/tool_use/tool_result blocks → content parts,
// assistant tool_calls and role "tool" messages; tools and tool_choice; max_tokens,
// temperature, top_p, stop_sequences → stop; stream (asking for usage in the stream).
Translation openai_chat_request_from_anthropic(const rapidjson::Value& anthropic_request,
                                               std::string_view upstream_model);

// chat.completion → Anthropic message (text and tool_use blocks, stop_reason, usage).
Translation anthropic_response_from_openai(std::string_view openai_body, std::string_view model,
                                           core::Usage& usage_out);

// chat.completion.chunk stream → Anthropic events ("event: <type>\ndata: {...}\n\n").
class OpenAIToAnthropicStream {
 public:
  OpenAIToAnthropicStream(std::string model, std::int64_t input_tokens_estimate);
  // `data` is the payload of one `data:` event, or "[DONE]".
  std::string on_data(std::string_view data);
  bool finished() const { return finished_; }
  core::Usage usage() const { return usage_; }

 private:
  std::string start_message();
  std::string close_open_block();
  std::string finish();

  std::string model_;
  std::string id_ = "msg_gateway";
  core::Usage usage_;
  bool started_ = false;
  bool finished_ = false;
  int next_block_ = 0;
  int open_block_ = -1;          // index of the open content block, -1 when none
  bool open_block_is_text_ = false;
  std::map<std::int64_t, int> tool_blocks_;  // OpenAI tool_calls index → block index
  std::string stop_reason_ = "end_turn";
};

}  // namespace tollgate::providers
