#include "http/upstream_response_parser.h"

#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <cstring>

namespace tollgate::http {

void UpstreamResponseParser::on_field_impl(field, string_view name, string_view value, error_code&) {
  if (headers_.empty()) headers_.reserve(8);
  headers_.push_back({std::string(name.data(), name.size()), std::string(value.data(), value.size())});
}

// As buffer_body's reader: what does not fit stays in the connection's buffer for the next read.
std::size_t UpstreamResponseParser::take(string_view body, error_code& ec) {
  if (!body_data_) {
    ec = boost::beast::http::error::need_buffer;
    return 0;
  }
  const std::size_t n = std::min(body_left_, body.size());
  if (n > 0) std::memcpy(body_data_, body.data(), n);
  body_data_ += n;
  body_left_ -= n;
  ec = n == body.size() ? error_code{} : boost::beast::http::error::need_buffer;
  return n;
}

}  // namespace tollgate::http
