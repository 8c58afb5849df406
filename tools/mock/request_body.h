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
  converse,    // Bedrock Converse: system[].text + messages[].content[].text, inferenceConfig.maxTokens
  responses,   // OpenAI Responses: instructions + input (a string, or items with role and content)
  gemini,      // Gemini: systemInstruction.parts[].text + contents[].parts[].text, generationConfig.maxOutputTokens
};

struct RequestBody {
  bool is_object = false;  // false: not a JSON object (answered with a 400)
  std::string model;
  bool stream = false;
  bool include_usage = false;    // stream_options.include_usage
  std::size_t prompt_bytes = 0;  // text bytes of all message contents / prompt / input
  // The prompt as TokenCount::tokenizer counts it: the same texts (count_tokens), a token per
  // id of a pre-tokenized input, and for chat (and Anthropic) the format OpenAI documents:
  // 3 tokens per message plus its role (and 1 plus its name), 3 to prime the reply.
  std::size_t prompt_token_count = 0;
  std::size_t max_tokens = 0;               // max_completion_tokens, max_tokens or max_output_tokens; 0: none
  std::string echo_text;                    // last user message text (or the prompt) for `echo`
  std::vector<std::uint64_t> input_hashes;  // embeddings: one per input, seeds its vector
  bool base64 = false;                      // embeddings: encoding_format "base64" (the openai SDK's default)
  // Anthropic: the searches its web search tools ("type":"web_search_…") run: each tool's
  // max_uses (every use it allows), 1 for a tool without it.
  std::size_t web_searches = 0;
};

RequestBody parse_request_body(std::string_view body, BodyKind kind);

}  // namespace tollgate::mock
