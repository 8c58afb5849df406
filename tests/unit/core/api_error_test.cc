#include <catch2/catch.hpp>

#include "core/api_error.h"
#include "core/redaction.h"

using namespace tollgate::core;

TEST_CASE("error envelope has exactly the four OpenAI fields", "[core][errors]") {
  const auto json = to_envelope_json(bad_request("bad 'x'", "x"));
  CHECK(json == R"({"error":{"message":"bad 'x'","type":"invalid_request_error","param":"x","code":"400"}})");
}

TEST_CASE("error envelope writes null param and escapes text", "[core][errors]") {
  ApiError e{404, "no \"model\"\n", "not_found_error", {}, {}, {}};
  CHECK(to_envelope_json(e) ==
        R"({"error":{"message":"no \"model\"\n","type":"not_found_error","param":null,"code":"404"}})");
}

TEST_CASE("explicit error code overrides the status", "[core][errors]") {
  ApiError e = not_found("gone");
  e.code = "model_not_found";
  CHECK(to_envelope_json(e).find(R"("code":"model_not_found")") != std::string::npos);
}

TEST_CASE("status and type of each constructor", "[core][errors]") {
  struct Row {
    ApiError error;
    int status;
    const char* type;
  };
  const Row rows[] = {
      {bad_request("m"), 400, "invalid_request_error"},
      {unauthorized(), 401, "auth_error"},
      {forbidden("m"), 403, "permission_error"},
      {not_found("m"), 404, "not_found_error"},
      {conflict("m"), 409, "conflict_error"},
      {payload_too_large(10), 413, "invalid_request_error"},
      {too_many_requests("m", 3), 429, "rate_limit_error"},
      {internal_error("m"), 500, "internal_server_error"},
      {bad_gateway("m"), 502, "upstream_error"},
      {service_unavailable("m"), 503, "service_unavailable"},
      {gateway_timeout("m"), 504, "timeout_error"},
  };
  for (const auto& row : rows) {
    CHECK(row.error.status == row.status);
    CHECK(row.error.type == row.type);
  }
}

TEST_CASE("429 carries retry-after", "[core][errors]") {
  const auto e = too_many_requests("slow down", 7);
  REQUIRE(e.headers.size() == 1);
  CHECK(e.headers[0].first == "retry-after");
  CHECK(e.headers[0].second == "7");
}

TEST_CASE("the 401 body is the same whatever the reason", "[core][errors]") {
  CHECK(to_envelope_json(unauthorized()) == to_envelope_json(unauthorized()));
  CHECK(unauthorized().message.find("sk-") == std::string::npos);
}

TEST_CASE("the 401 message reads the same after redaction (no credential shapes in it)", "[core][errors]") {
  // Every error body passes the redaction layer; a message with "Bearer <word>" in it would
  // reach the client as "Bearer [REDACTED]".
  const auto message = unauthorized().message;
  CHECK(Redactor{}.redact(message) == message);
}

TEST_CASE("store_overloaded is a 503 with its own code and retry-after", "[core][errors]") {
  const auto e = store_overloaded();
  CHECK(e.status == 503);
  CHECK(e.type == "service_unavailable");
  CHECK(to_envelope_json(e).find(R"("code":"store_overloaded")") != std::string::npos);
  REQUIRE(e.headers.size() == 1);
  CHECK(e.headers[0].first == "retry-after");
}

TEST_CASE("unexpected_error names the request id and nothing else", "[core][errors]") {
  const auto e = unexpected_error("abc-123");
  CHECK(e.status == 500);
  CHECK(e.type == "internal_server_error");
  CHECK(e.message.find("abc-123") != std::string::npos);
}
