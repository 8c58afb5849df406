#pragma once
// The assistant's reply text and the token counts reported for it.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::mock {

// The built-in reply when neither echo nor a size is asked for.
inline constexpr std::string_view kDefaultReply =
    "Hello from tollgate-mock! This is a canned reply from the fake upstream.";

// The reply: `echo_text` when `echo`, else `size` bytes of "lorem ipsum ..." when size > 0,
// else kDefaultReply. The result views either a static string, `echo_text` or `storage`.
std::string_view reply_text(bool echo, std::string_view echo_text, std::size_t size, std::string& storage);

// Whitespace-separated words: the reported completion (output) tokens.
std::size_t count_words(std::string_view text);

// max(1, bytes / 4): the reported prompt (input) tokens.
std::size_t prompt_tokens(std::size_t prompt_bytes);

// Tokens as the tokenizer mode counts them, like a real byte-level BPE tokenizer: each run of
// ASCII characters 4 bytes per token (rounded up), each other character one token (a Chinese
// character is 3 UTF-8 bytes and about one token). Never more than the bytes, as a BPE.
std::size_t count_tokens(std::string_view text);

// The longest start of `text` of at most `max_tokens` tokens (count_tokens), cut between
// characters: what a provider returns when an answer reaches max_tokens.
std::string_view first_tokens(std::string_view text, std::size_t max_tokens);

// Exactly `parts` (>= 1) consecutive pieces of near-equal size that concatenate to `text`.
// Cuts never fall inside a UTF-8 sequence, so a piece may be empty when the text is short.
std::vector<std::string_view> split_chunks(std::string_view text, int parts);

}  // namespace tollgate::mock
