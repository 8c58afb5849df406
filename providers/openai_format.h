#pragma once
// Builders for OpenAI-format responses and stream events.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/usage.h"

namespace tollgate::providers {

struct ChatCompletion {
  std::string id;
  std::string model;
  std::int64_t created = 0;
  std::string content;
  std::string finish_reason = "stop";
  core::Usage usage;
};

std::string chat_completion_body(const ChatCompletion& completion);
std::string text_completion_body(const ChatCompletion& completion);

// One `data: {...}\n\n` event of a chat.completion.chunk stream. An empty `delta_content` with
// `finish_reason` set ends the choice; `usage` set produces the include_usage chunk (no choices).
struct ChatChunk {
  std::string_view id;
  std::string_view model;
  std::int64_t created = 0;
  bool first = false;  // carries role: assistant
  std::string_view delta_content;
  std::optional<std::string_view> finish_reason;
  std::optional<core::Usage> usage;
};
std::string chat_chunk_event(const ChatChunk& chunk);

inline constexpr std::string_view kDoneEvent = "data: [DONE]\n\n";

// base64: vectors as base64 of little-endian float32s (encoding_format "base64", which the
// openai SDKs request by default).
std::string embeddings_body(std::string_view model, const std::vector<std::vector<float>>& vectors,
                            const core::Usage& usage, bool base64 = false);

}  // namespace tollgate::providers
