#include "http/head_writer.h"

#include <algorithm>
#include <array>
#include <boost/beast/http/status.hpp>
#include <charconv>

namespace tollgate::http {
namespace {

constexpr std::array<bool, 256> token_characters() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}

constexpr std::array<bool, 256> kToken = token_characters();

template <class Number>
void append_number(std::string& out, Number value, int base = 10) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value, base).ptr;
  out.append(digits, static_cast<std::size_t>(end - digits));
}

// The smallest byte of `text` as unsigned (0xff when empty).
unsigned char lowest_byte(std::string_view text) {
  unsigned char lowest = 0xff;
  for (char c : text) lowest = std::min(lowest, static_cast<unsigned char>(c));
  return lowest;
}

std::string_view reason_phrase(int status) {
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  return reason.empty() ? std::string_view("Unknown") : std::string_view(reason.data(), reason.size());
}

}  // namespace

bool is_field_name(std::string_view name) {
  bool token = !name.empty();
  for (char c : name) token &= kToken[static_cast<unsigned char>(c)];  // no branch per character
  return token;
}

bool is_field_value(std::string_view value) {
  // CR, LF and NUL are all below 0x0e: a value with no byte that low (nearly all) needs no
  // second look, and finding its lowest byte is one pass the compiler vectorizes.
  if (lowest_byte(value) > '\r') return true;
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool is_request_target(std::string_view target) {
  return !target.empty() && lowest_byte(target) > ' ' && target.find('\x7f') == std::string_view::npos;
}

void HeadWriter::status_line(int status) {
  out_ += "HTTP/1.1 ";
  append_number(out_, status);
  out_ += ' ';
  out_ += reason_phrase(status);
  out_ += "\r\n";
}

bool HeadWriter::request_line(std::string_view method, std::string_view target) {
  if (!is_field_name(method) || !is_request_target(target)) return false;
  out_ += method;
  out_ += ' ';
  out_ += target;
  out_ += " HTTP/1.1\r\n";
  return true;
}

bool HeadWriter::field(std::string_view name, std::string_view value) {
  if (!is_field_name(name) || !is_field_value(value)) return false;
  // Separators one character at a time: inline, where a two-byte append is a memcpy call.
  out_ += name;
  out_.push_back(':');
  out_.push_back(' ');
  out_ += value;
  out_.push_back('\r');
  out_.push_back('\n');
  return true;
}

void HeadWriter::content_length(std::size_t length) {
  out_ += "content-length: ";
  append_number(out_, length);
  out_ += "\r\n";
}

void HeadWriter::chunked() { out_ += "transfer-encoding: chunked\r\n"; }

void HeadWriter::end() { out_ += "\r\n"; }

void append_chunk(std::string& out, std::string_view data) {
  if (data.empty()) return;
  append_number(out, data.size(), 16);
  out += "\r\n";
  out += data;
  out += "\r\n";
}

void append_last_chunk(std::string& out) { out += "0\r\n\r\n"; }

}  // namespace tollgate::http
