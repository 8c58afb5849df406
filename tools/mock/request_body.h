#pragma once
// The few facts the mock needs from a JSON request body. Pure: parses into a stack arena, so
// the hot path allocates only the strings it keeps.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::mock {

enum class BodyKind {
  chat,        // OpenAI chat: messages[].content
  completion,  // OpenAI legacy completions: prompt
  embedding,   // OpenAI embeddings: input
  anthropic,   // Anthropic Messages: system + messages[].content
};

struct RequestBody {
  bool is_object = false;  // false: not a JSON object (answered with a 400)
  std::string model;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  std::size_t prompt_bytes = 0;  // text bytes of all message contents / prompt / input
  std::string echo_text;         // last user message text (or the prompt) for `echo`
  std::vector<std::uint64_t> input_hashes;  // embeddings: one per input, seeds its vector
  bool base64 = false;  // embeddings: encoding_format "base64" (the openai SDK's default)
};

RequestBody parse_request_body(std::string_view body, BodyKind kind);

}  // namespace tollgate::mock
