#pragma once
// Anthropic streaming events → OpenAI chat.completion.chunk events, one event at a time.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "core/usage.h"
#include "providers/sse_parser.h"

namespace tollgate::providers {

// message_start → the first chunk (role "assistant"); a tool_use content_block_start → a
// tool_calls delta with index, id, type, name and empty arguments; text_delta → a content
// delta; input_json_delta → an arguments delta; thinking_delta → a reasoning_content delta;
// message_delta → the finish_reason chunk; message_stop → the usage chunk (when the client
// asked for it) and [DONE]; an error event → an OpenAI error chunk and [DONE]. ping and
// content_block_stop produce nothing. After [DONE] every event is ignored.
class AnthropicToOpenAIStream {
 public:
  AnthropicToOpenAIStream(std::string model_group, bool include_usage, std::int64_t created);

  // Zero or more complete "data: ...\n\n" events for the client, concatenated.
  std::string on_event(const SseEvent& event);
  bool finished() const { return finished_; }
  core::Usage usage() const { return usage_; }

 private:
  std::string on_message_start(const rapidjson::Value& event);
  std::string on_block_start(const rapidjson::Value& event);
  std::string on_block_delta(const rapidjson::Value& event);
  std::string on_message_delta(const rapidjson::Value& event);
  std::string on_message_stop();
  std::string on_error(std::string_view type, std::string_view message);

  std::string start_if_needed();
  std::string text_chunk(const char* field, std::string_view text);
  std::string finish_chunk(std::string_view finish_reason);

  // Anthropic's counters, each cumulative and each possibly repeated by message_delta.
  struct Counts {
    std::int64_t input = 0;
    std::int64_t cache_read = 0;
    std::int64_t cache_write = 0;
    std::int64_t output = 0;
  };
  void update_counts(const rapidjson::Value& usage);

  std::string model_;
  bool include_usage_;
  std::int64_t created_;
  std::string id_ = "chatcmpl-anthropic";
  std::map<std::int64_t, int> tool_index_;  // Anthropic content block index → OpenAI tool_calls index
  Counts counts_;
  core::Usage usage_;
  bool started_ = false;
  bool finish_sent_ = false;
  bool finished_ = false;
};

}  // namespace tollgate::providers
