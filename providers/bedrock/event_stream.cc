#include "providers/bedrock/event_stream.h"

#include <array>

namespace tollgate::eventstream {
namespace {

constexpr std::size_t kPreludeBytes = 12;
constexpr std::size_t kMinMessageBytes = kPreludeBytes + 4;
constexpr std::uint8_t kStringType = 7;

std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

std::uint32_t read_u32(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) | std::uint32_t{u[3]};
}

std::uint16_t read_u16(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<std::uint16_t>((u[0] << 8) | u[1]);
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

// Bytes of a header value of `type` after the type byte; 0 with `variable` set for the
// length-prefixed types; -1 for an unknown type.
long fixed_value_bytes(std::uint8_t type, bool& variable) {
  variable = false;
  switch (type) {
    case 0:
    case 1: return 0;                   // bool true / false
    case 2: return 1;                   // byte
    case 3: return 2;                   // short
    case 4: return 4;                   // int
    case 5: return 8;                   // long
    case 6:                             // bytes
    case 7: variable = true; return 0;  // string
    case 8: return 8;                   // timestamp
    case 9: return 16;                  // uuid
    default: return -1;
  }
}

bool parse_headers(std::string_view bytes, Message& m) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t name_length = static_cast<unsigned char>(bytes[at++]);
    if (name_length == 0 || at + name_length + 1 > bytes.size()) return false;
    std::string name(bytes.substr(at, name_length));
    at += name_length;
    const auto type = static_cast<std::uint8_t>(bytes[at++]);
    bool variable = false;
    const long fixed = fixed_value_bytes(type, variable);
    if (fixed < 0) return false;
    if (!variable) {
      if (at + static_cast<std::size_t>(fixed) > bytes.size()) return false;
      at += static_cast<std::size_t>(fixed);
      continue;
    }
    if (at + 2 > bytes.size()) return false;
    const std::size_t length = read_u16(bytes.data() + at);
    at += 2;
    if (at + length > bytes.size()) return false;
    if (type == kStringType) m.headers.emplace_back(std::move(name), std::string(bytes.substr(at, length)));
    at += length;
  }
  return true;
}

}  // namespace

std::string_view Message::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc) {
  static const auto table = make_crc_table();
  crc = ~crc;
  for (unsigned char c : bytes) crc = table[(crc ^ c) & 0xff] ^ (crc >> 8);
  return ~crc;
}

std::string encode(const Message& m) {
  std::string headers;
  for (const auto& [name, value] : m.headers) {
    headers.push_back(static_cast<char>(name.size()));
    headers += name;
    headers.push_back(static_cast<char>(kStringType));
    put_u16(headers, static_cast<std::uint16_t>(value.size()));
    headers += value;
  }
  std::string out;
  const auto total = static_cast<std::uint32_t>(kMinMessageBytes + headers.size() + m.payload.size());
  put_u32(out, total);
  put_u32(out, static_cast<std::uint32_t>(headers.size()));
  put_u32(out, crc32(out));
  out += headers;
  out += m.payload;
  put_u32(out, crc32(out));
  return out;
}

bool Decoder::fail(std::string why) {
  error_ = std::move(why);
  buffer_.clear();
  return false;
}

bool Decoder::feed(std::string_view bytes, std::vector<Message>& out) {
  if (!error_.empty()) return false;
  buffer_.append(bytes);
  std::size_t consumed = 0;
  while (true) {
    const std::string_view rest(buffer_.data() + consumed, buffer_.size() - consumed);
    if (rest.size() < kPreludeBytes) break;
    const std::uint32_t total = read_u32(rest.data());
    const std::uint32_t headers_length = read_u32(rest.data() + 4);
    if (crc32(rest.substr(0, 8)) != read_u32(rest.data() + 8)) return fail("event stream prelude CRC mismatch");
    if (total < kMinMessageBytes || total > kMaxMessageBytes || headers_length > total - kMinMessageBytes) {
      return fail("event stream message length out of range");
    }
    if (rest.size() < total) break;
    const std::string_view message = rest.substr(0, total);
    if (crc32(message.substr(0, total - 4)) != read_u32(message.data() + total - 4)) {
      return fail("event stream message CRC mismatch");
    }
    Message m;
    if (!parse_headers(message.substr(kPreludeBytes, headers_length), m)) return fail("event stream header malformed");
    m.payload = std::string(message.substr(kPreludeBytes + headers_length, total - kMinMessageBytes - headers_length));
    out.push_back(std::move(m));
    consumed += total;
  }
  buffer_.erase(0, consumed);
  return true;
}

}  // namespace tollgate::eventstream
