#pragma once
// Anthropic streaming events → OpenAI chat.completion.chunk events, one event at a time.
#include <cstdint>
#include <map>
#include <string>

#include "core/usage.h"
#include "providers/sse_parser.h"

namespace tollgate::providers {

class AnthropicToOpenAIStream {
 public:
  AnthropicToOpenAIStream(std::string model_group, bool include_usage, std::int64_t created);

  // Zero or more complete "data: ...\n\n" events for the client.
  std::string on_event(const SseEvent& event);
  bool finished() const { return finished_; }
  core::Usage usage() const { return usage_; }

 private:
  std::string chunk(const std::string& delta_json, const char* finish_reason) const;
  std::string usage_chunk() const;

  std::string model_;
  bool include_usage_;
  std::int64_t created_;
  std::string id_ = "chatcmpl-anthropic";
  std::map<std::int64_t, int> tool_index_;  // Anthropic block index → OpenAI tool_calls index
  core::Usage usage_;
  bool finished_ = false;
};

}  // namespace tollgate::providers
