#pragma once
// An error answered to a client, in the OpenAI envelope:
// {"error":{"message":..,"type":..,"param":..,"code":..}}
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tollgate::core {

struct ApiError {
  int status = 500;
  std::string message;
  std::string type;   // e.g. "invalid_request_error", "auth_error", "budget_exceeded"
  std::string param;  // the offending field, empty → null
  std::string code;   // empty → the status as a string (LiteLLM's convention)
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. retry-after
};

// Serializes the envelope. Never includes anything beyond the four fields.
std::string to_envelope_json(const ApiError& error);

// Constructors for the common cases, so every path uses the same type strings.
ApiError bad_request(std::string message, std::string param = {});
ApiError unauthorized();  // one body whatever the reason: no oracle for attackers
ApiError forbidden(std::string message);
ApiError not_found(std::string message);
// 409: the change conflicts with related rows (a missing reference, a row still in use).
ApiError conflict(std::string message);
ApiError payload_too_large(std::size_t limit_bytes);
ApiError too_many_requests(std::string message, int retry_after_seconds);
ApiError internal_error(std::string message);
ApiError bad_gateway(std::string message);
ApiError service_unavailable(std::string message);
// 503 with code "store_overloaded" and retry-after: the store's queue is full, so the request
// was refused at once rather than left waiting behind it.
ApiError store_overloaded();
// 503 with code "gateway_overloaded" and retry-after: 1: a bound on concurrent work (requests
// in flight, upstream connects, connections) was reached, so the request was refused at once
// instead of queued. `message` names the bound, never a secret.
ApiError gateway_overloaded(std::string message);
// 500 for a failure nobody anticipated (a bug): the message names the request id so the
// operator can find the logged cause; it carries nothing else.
ApiError unexpected_error(std::string_view request_id);
ApiError gateway_timeout(std::string message);
// 431: the request's head is over the limit.
ApiError headers_too_large();
// 499 (nginx's convention): the client closed the request before it was answered. Nobody
// receives it; it is what an abandoned request ends with in logs.
ApiError client_closed_request();

}  // namespace tollgate::core
