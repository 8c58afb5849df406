#pragma once
// Hand-serialized HTTP/1.1 response heads and chunked framing: a response is appended to one
// buffer and sent with one write.
#include <cstddef>
#include <string>
#include <string_view>

namespace tollgate::mock {

inline constexpr std::string_view kJson = "application/json";
inline constexpr std::string_view kEventStream = "text/event-stream";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";
inline constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string_view reason_phrase(int status);

// A head with content-length. `extra_headers` are complete "name: value\r\n" lines.
void append_head(std::string& out, int status, std::string_view content_type, std::size_t content_length,
                 bool keep_alive, std::string_view extra_headers = {});

// A head for a chunked (streamed) body.
void append_stream_head(std::string& out, std::string_view content_type, bool keep_alive);

// One chunk of a chunked body; empty data is skipped (it would end the body).
void append_chunk(std::string& out, std::string_view data);

}  // namespace tollgate::mock
