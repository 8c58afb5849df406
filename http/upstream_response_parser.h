#pragma once
// The outbound client's parser of an upstream's response: Beast's HTTP/1.1 parsing (framing,
// chunked bodies, limits, keep-alive) without a Beast message. Beast's response_parser keeps the
// head in a basic_fields (one allocation per field, a set and a list to maintain) that the call
// then copied into a Headers vector; this one writes the fields straight into that vector,
// and the body into the caller's buffer, as buffer_body did. Included by the client only: it
// pulls in Beast.
#include <boost/beast/http/basic_parser.hpp>
#include <cstddef>

#include "http/response.h"

namespace tollgate::http {

class UpstreamResponseParser : public boost::beast::http::basic_parser<false> {
 public:
  int status() const { return status_; }
  const Headers& headers() const { return headers_; }

  // Where the next body bytes go (a reader's async_read_some fills at most `size` of them);
  // body_left() says how much of it is still free. Without a buffer, a body read stops with
  // http::error::need_buffer, as with buffer_body.
  void body_buffer(char* data, std::size_t size) {
    body_data_ = data;
    body_left_ = size;
  }
  std::size_t body_left() const { return body_left_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;
  using field = boost::beast::http::field;
  using verb = boost::beast::http::verb;

  void on_request_impl(verb, string_view, string_view, int, error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(field, string_view name, string_view value, error_code&) override;
  void on_header_impl(error_code& ec) override { ec = {}; }
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code& ec) override { ec = {}; }
  std::size_t on_body_impl(string_view body, error_code& ec) override { return take(body, ec); }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec) override { return take(body, ec); }
  void on_finish_impl(error_code& ec) override { ec = {}; }

  std::size_t take(string_view body, error_code& ec);

  int status_ = 0;
  Headers headers_;
  char* body_data_ = nullptr;
  std::size_t body_left_ = 0;
};

}  // namespace tollgate::http
