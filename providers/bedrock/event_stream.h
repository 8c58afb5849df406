#pragma once
// AWS's binary event stream (`application/vnd.amazon.eventstream`), the framing of Bedrock's
// ConverseStream: each message is
//   total length (4) | headers length (4) | prelude CRC32 (4) | headers | payload | message CRC32 (4)
// big-endian, CRC32 as in zlib/IEEE 802.3. Headers are name (1-byte length) + type byte +
// value. Pure: no I/O; shared by the gateway (decoding) and tollgate-mock (encoding).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::eventstream {

// Frames larger than this are refused as corrupt (AWS caps messages at 16 MiB).
inline constexpr std::size_t kMaxMessageBytes = 16 * 1024 * 1024;

struct Message {
  // String-valued headers (type 7), e.g. ":event-type", ":message-type"; other header types
  // are checked and skipped.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload;

  std::string_view header(std::string_view name) const;
};

std::uint32_t crc32(std::string_view bytes, std::uint32_t crc = 0);

// One encoded message with string headers.
std::string encode(const Message& message);

// Incremental decoder: bytes may arrive split anywhere.
class Decoder {
 public:
  // Appends every message completed by `bytes`; false once the stream is corrupt (a CRC
  // mismatch, a bad length or header), after which it decodes nothing more.
  bool feed(std::string_view bytes, std::vector<Message>& out);
  const std::string& error() const { return error_; }
  // Bytes of an unfinished message (a stream that ends with some is truncated).
  std::size_t buffered() const { return buffer_.size(); }

 private:
  bool fail(std::string why);

  std::string buffer_;
  std::string error_;
};

}  // namespace tollgate::eventstream
