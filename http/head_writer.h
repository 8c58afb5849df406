#pragma once
// HTTP/1.1 message heads and body framing, for both directions: the server's responses
// (http/session.cc) and the client's requests (http/client.cc). The one place that decides what
// reaches the wire: a field whose name is not a token, or whose value holds CR, LF or NUL, is
// refused (nothing is written), so no value from a handler, the config or a client can end the
// line early and add a header or a message of its own. Written by hand rather than through
// Beast's serializer: bench/optimizations.md row 8 has the measurement.
#include <cstddef>
#include <string>
#include <string_view>

namespace tollgate::http {

// A field name: a non-empty RFC 9110 token (letters, digits and !#$%&'*+-.^_`|~).
bool is_field_name(std::string_view name);
// A field value that cannot end the line: no CR, LF or NUL.
bool is_field_value(std::string_view value);
// A request target that cannot end the request line: non-empty, no space, control character
// or DEL.
bool is_request_target(std::string_view target);

// Appends one head to `out`, line by line; end() writes the empty line that closes it.
class HeadWriter {
 public:
  explicit HeadWriter(std::string& out) : out_(out) {}

  void status_line(int status);  // "HTTP/1.1 200 OK"
  // "POST /v1/chat/completions HTTP/1.1"; false (nothing written) when the target is unsafe.
  bool request_line(std::string_view method, std::string_view target);
  // "name: value"; false (nothing written) when the name or the value is refused.
  bool field(std::string_view name, std::string_view value);
  // Body framing: exactly one of the two per message that has a body.
  void content_length(std::size_t length);
  void chunked();
  void end();

 private:
  std::string& out_;
};

// One chunk of a chunked body (nothing for empty data: an empty chunk would end the body).
void append_chunk(std::string& out, std::string_view data);
// The chunk that ends a chunked body.
void append_last_chunk(std::string& out);

}  // namespace tollgate::http
