#pragma once
// JSON bodies of the non-streaming answers and of errors, in the OpenAI and Anthropic formats.
// Each function appends to `out`.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::mock {

// One generated answer, shared by the JSON and the streaming builders.
struct Completion {
  std::string_view id;
  std::string_view model;
  std::int64_t created = 0;
  std::string_view content;
  std::size_t prompt_tokens = 0;
  std::size_t completion_tokens = 0;
  bool truncated = false;  // cut at max_tokens: finish_reason "length", stop_reason "max_tokens"
  // Anthropic usage's cache reads and writes (not counted in prompt_tokens, as Anthropic's
  // input_tokens); reported only when one is set.
  std::size_t cache_read_tokens = 0;
  std::size_t cache_creation_tokens = 0;
  bool without_usage = false;  // an OpenAI-compatible server that reports none (chat only)
  // Anthropic: web searches run (a server_tool_use block each; usage.server_tool_use).
  std::size_t web_search_requests = 0;
  // Anthropic: the input tokens the samplings after the first read on top of the prompt (the
  // searches' results). In the whole message's input_tokens; in a stream, message_start shows
  // the prompt's only and message_delta the total, as Anthropic's do.
  std::size_t search_result_tokens = 0;
};

// What the mock's search results add to the next sampling's input, per search.
inline constexpr std::size_t kMockSearchResultTokens = 5000;  // a page of results

std::string_view openai_finish_reason(const Completion& c);
std::string_view anthropic_stop_reason(const Completion& c);

// The body `malformed` answers: JSON cut off mid-way.
inline constexpr std::string_view kMalformedJson = R"({"id": "broken", "choices": [)";

inline constexpr std::size_t kEmbeddingDimensions = 8;

void append_chat_completion(std::string& out, const Completion& c);
void append_text_completion(std::string& out, const Completion& c);
void append_anthropic_message(std::string& out, const Completion& c);
// ,"cache_read_input_tokens":N,"cache_creation_input_tokens":M when the completion has any.
void append_cache_usage(std::string& out, const Completion& c);
// ,"server_tool_use":{"web_search_requests":N} when the completion ran searches.
// (A stream's message_delta also repeats the total input_tokens then: see search_result_tokens.)
void append_server_tool_usage(std::string& out, const Completion& c);
// The server_tool_use block of search `i` (Anthropic's shape; its results are not shown).
void append_web_search_block(std::string& out, std::size_t i);

// Standard base64 (padded) of `size` bytes.
void append_base64(std::string& out, const unsigned char* data, std::size_t size);

// One vector per input, derived from the input's hash so equal inputs embed equally.
// base64: each vector as the base64 of little-endian float32s, as OpenAI answers
// encoding_format "base64".
void append_embeddings(std::string& out, std::string_view model, const std::vector<std::uint64_t>& input_hashes,
                       std::size_t prompt_tokens, bool base64);

void append_model_list(std::string& out);

// {"error":{"message","type","param":null,"code":"<status>"}}
void append_openai_error(std::string& out, int status, std::string_view message);
// {"type":"error","error":{"type","message"}}
void append_anthropic_error(std::string& out, int status, std::string_view message);

std::string_view openai_error_type(int status);
std::string_view anthropic_error_type(int status);

}  // namespace tollgate::mock
