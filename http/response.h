#pragma once
// A complete (non-streamed) HTTP response as handlers build it.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api_error.h"

namespace tollgate::http {

struct Header {
  std::string name;
  std::string value;
};
using Headers = std::vector<Header>;

// The first header named `name` (ASCII case-insensitive); nullopt when there is none, so an
// absent header can be told from an empty one. The view lives as long as `headers`.
std::optional<std::string_view> header_value(const Headers& headers, std::string_view name);

inline constexpr std::string_view kJson = "application/json";

struct Response {
  int status = 200;
  std::string content_type = std::string(kJson);
  std::string body;
  Headers headers;
};

Response json_response(int status, std::string body);
Response text_response(int status, std::string body, std::string_view content_type = "text/plain");
// The OpenAI error envelope with the error's status and extra headers (retry-after, ...).
Response error_response(const core::ApiError& error);

}  // namespace tollgate::http
