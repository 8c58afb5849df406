#include "tools/mock/reply_text.h"

namespace tollgate::mock {

namespace {

constexpr std::string_view kLorem =
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt "
    "ut labore et dolore magna aliqua ";

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// Bytes of the run of ASCII characters at `text[begin]`, or of the one other character there.
std::size_t piece_length(std::string_view text, std::size_t begin) {
  std::size_t end = begin + 1;
  if (is_ascii(text[begin])) {
    while (end < text.size() && is_ascii(text[end])) {
      ++end;
    }
  } else {
    while (end < text.size() && is_utf8_continuation(text[end])) {
      ++end;
    }
  }
  return end - begin;
}

}  // namespace

std::string_view reply_text(bool echo, std::string_view echo_text, std::size_t size, std::string& storage) {
  if (echo) {
    return echo_text;
  }
  if (size == 0) {
    return kDefaultReply;
  }
  storage.clear();
  storage.reserve(size);
  while (storage.size() < size) {
    storage.append(kLorem.substr(0, size - storage.size()));
  }
  return storage;
}

std::size_t count_words(std::string_view text) {
  std::size_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = is_space(c);
    if (!space && !in_word) {
      ++words;
    }
    in_word = !space;
  }
  return words;
}

std::size_t prompt_tokens(std::size_t prompt_bytes) { return prompt_bytes / 4 > 0 ? prompt_bytes / 4 : 1; }

std::size_t count_tokens(std::string_view text) {
  std::size_t tokens = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t length = piece_length(text, at);
    tokens += is_ascii(text[at]) ? (length + 3) / 4 : 1;
    at += length;
  }
  return tokens;
}

std::string_view first_tokens(std::string_view text, std::size_t max_tokens) {
  std::size_t tokens = 0;
  std::size_t at = 0;
  while (at < text.size() && tokens < max_tokens) {
    const std::size_t length = piece_length(text, at);
    if (!is_ascii(text[at])) {
      ++tokens;
      at += length;
      continue;
    }
    const std::size_t left = max_tokens - tokens;
    const std::size_t room = left > text.size() ? text.size() : left * 4;  // ASCII bytes that still fit
    if (length > room) {
      return text.substr(0, at + room);
    }
    tokens += (length + 3) / 4;
    at += length;
  }
  return text.substr(0, at);
}

std::vector<std::string_view> split_chunks(std::string_view text, int parts) {
  const std::size_t n = parts > 0 ? static_cast<std::size_t>(parts) : 1;
  std::vector<std::string_view> chunks;
  chunks.reserve(n);
  std::size_t begin = 0;
  for (std::size_t i = 1; i <= n; ++i) {
    std::size_t end = i == n ? text.size() : text.size() * i / n;
    while (end < text.size() && is_utf8_continuation(text[end])) {
      ++end;
    }
    if (end < begin) {
      end = begin;
    }
    chunks.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return chunks;
}

}  // namespace tollgate::mock
