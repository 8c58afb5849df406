#pragma once
// Gemini streamGenerateContent (?alt=sse: each `data:` a GenerateContentResponse) → Anthropic
// Messages stream events.
#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/usage.h"
#include "providers/sse_parser.h"

namespace tollgate::providers::gemini {

// The first chunk → message_start (input_tokens: the estimate until the real count arrives);
// text parts → text blocks (thought parts → thinking blocks), a new block whenever the kind
// changes; a functionCall part (Gemini sends it whole) → content_block_start tool_use, one
// input_json_delta with its args, content_block_stop; the chunk with finishReason → the open
// block's content_block_stop, message_delta (stop_reason, usage) and message_stop. The last
// usageMetadata seen is the usage. A chunk {"error": …} → an `error` event.
class GeminiToAnthropicStream {
 public:
  GeminiToAnthropicStream(std::string id, std::string model_group, std::int64_t input_tokens_estimate);

  std::vector<SseEvent> on_event(const SseEvent& event);
  core::Usage usage() const { return usage_; }
  bool usage_found() const { return usage_found_; }

 private:
  enum class Block { none, text, thinking };
  void start(std::vector<SseEvent>& out);
  void close_block(std::vector<SseEvent>& out);
  void text_delta(Block kind, std::string_view text, std::vector<SseEvent>& out);
  void function_call(const rapidjson::Value& call, std::vector<SseEvent>& out);
  void finish(std::string_view finish_reason, std::vector<SseEvent>& out);

  std::string id_;
  std::string model_;
  std::int64_t input_estimate_;
  bool started_ = false;
  bool finished_ = false;
  bool called_function_ = false;
  Block open_ = Block::none;
  std::int64_t index_ = -1;  // of the last block started
  core::Usage usage_;
  bool usage_found_ = false;
};

}  // namespace tollgate::providers::gemini
