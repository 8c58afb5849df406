#include "core/api_error.h"

#include "core/json_escape.h"

namespace tollgate::core {

std::string to_envelope_json(const ApiError& error) {
  std::string out;
  out.reserve(96 + error.message.size());
  out += R"({"error":{"message":)";
  append_json_string(out, error.message);
  out += R"(,"type":)";
  append_json_string(out, error.type);
  out += R"(,"param":)";
  if (error.param.empty()) {
    out += "null";
  } else {
    append_json_string(out, error.param);
  }
  out += R"(,"code":)";
  append_json_string(out, error.code.empty() ? std::to_string(error.status) : error.code);
  out += "}}";
  return out;
}

ApiError bad_request(std::string message, std::string param) {
  return {400, std::move(message), "invalid_request_error", std::move(param), {}, {}};
}

ApiError unauthorized() {
  return {401,
          "Authentication Error: invalid or missing API key. Send it in the Authorization header "
          "(scheme Bearer) or in x-api-key.",
          "auth_error",
          {},
          {},
          {}};
}

ApiError forbidden(std::string message) { return {403, std::move(message), "permission_error", {}, {}, {}}; }

ApiError not_found(std::string message) { return {404, std::move(message), "not_found_error", {}, {}, {}}; }

ApiError conflict(std::string message) { return {409, std::move(message), "conflict_error", {}, {}, {}}; }

ApiError payload_too_large(std::size_t limit_bytes) {
  return {413,
          "Request body too large: the limit is " + std::to_string(limit_bytes) + " bytes.",
          "invalid_request_error",
          {},
          {},
          {}};
}

ApiError too_many_requests(std::string message, int retry_after_seconds) {
  ApiError error{429, std::move(message), "rate_limit_error", {}, {}, {}};
  error.headers.emplace_back("retry-after", std::to_string(retry_after_seconds));
  return error;
}

ApiError internal_error(std::string message) { return {500, std::move(message), "internal_server_error", {}, {}, {}}; }

ApiError bad_gateway(std::string message) { return {502, std::move(message), "upstream_error", {}, {}, {}}; }

ApiError service_unavailable(std::string message) {
  return {503, std::move(message), "service_unavailable", {}, {}, {}};
}

ApiError store_overloaded() {
  ApiError error = service_unavailable("The store is overloaded; nothing was done. Retry shortly.");
  error.code = "store_overloaded";
  error.headers.emplace_back("retry-after", "1");
  return error;
}

ApiError gateway_overloaded(std::string message) {
  ApiError error = service_unavailable(std::move(message));
  error.code = "gateway_overloaded";
  error.headers.emplace_back("retry-after", "1");
  return error;
}

ApiError unexpected_error(std::string_view request_id) {
  return internal_error("Internal server error; the cause is logged under request id " + std::string(request_id) + ".");
}

ApiError gateway_timeout(std::string message) { return {504, std::move(message), "timeout_error", {}, {}, {}}; }

ApiError headers_too_large() { return {431, "Request headers are too large", "invalid_request_error", {}, {}, {}}; }

ApiError client_closed_request() { return {499, "The client closed the request", "client_closed_request", {}, {}, {}}; }

}  // namespace tollgate::core
