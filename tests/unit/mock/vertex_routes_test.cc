// tollgate-mock's Vertex AI routes: which paths are Vertex model calls, and what it refuses.
#include <catch2/catch.hpp>

#include "tools/mock/endpoint.h"
#include "tools/mock/google_token.h"
#include "tools/mock/vertex.h"

using namespace tollgate::mock;

TEST_CASE("tollgate-mock recognises Vertex AI's model routes", "[mock][vertex]") {
  struct Row {
    const char* path;
    bool route;
    bool anthropic;
    const char* model;
    bool stream;
  };
  const std::string base = "/v1/projects/p/locations/us-central1/publishers/";
  for (const auto& row : {
           Row{"google/models/gemini-2.0-flash:generateContent", true, false, "gemini-2.0-flash", false},
           Row{"google/models/gemini-2.0-flash:streamGenerateContent", true, false, "gemini-2.0-flash", true},
           Row{"anthropic/models/claude-3-5-sonnet-v2@20241022:rawPredict", true, true, "claude-3-5-sonnet-v2@20241022",
               false},
           Row{"anthropic/models/claude-3-haiku:streamRawPredict", true, true, "claude-3-haiku", true},
           Row{"anthropic/models/claude-3-haiku:generateContent", false, false, "", false},
           Row{"google/models/gemini:rawPredict", false, false, "", false},
           Row{"meta/models/llama:rawPredict", false, false, "", false},
           Row{"google/models/:generateContent", false, false, "", false},
           Row{"google/models/a/b:generateContent", false, false, "", false},
       }) {
    const auto path = base + row.path;
    CAPTURE(path);
    const auto route = vertex_route_of(path);
    REQUIRE(route.has_value() == row.route);
    if (!route) continue;
    CHECK(route->anthropic == row.anthropic);
    CHECK(route->model == row.model);
    CHECK(route->stream == row.stream);
    CHECK(classify("POST", path) == (row.anthropic ? Endpoint::messages : Endpoint::gemini_generate));
  }
  CHECK_FALSE(vertex_route_of("/v1/projects/p/publishers/google/models/m:generateContent"));
  // Any API version (Google's SDKs default to v1beta1).
  CHECK(vertex_route_of("/v1beta1/projects/p/locations/l/publishers/google/models/m:generateContent"));
  CHECK_FALSE(vertex_route_of("/beta/projects/p/locations/l/publishers/google/models/m:generateContent"));
  CHECK_FALSE(vertex_route_of("/v1beta1/publishers/google/models/m:generateContent"));
}

TEST_CASE("tollgate-mock refuses Vertex calls without its token or with a non-Vertex Anthropic body",
          "[mock][vertex]") {
  const VertexRoute claude{true, "claude-3-haiku", false};
  const std::string good = R"({"anthropic_version":"vertex-2023-10-16","max_tokens":5,"messages":[]})";
  CHECK(vertex_request_problem(claude, "Bearer ya29.mock-7", good).status == 0);
  CHECK(vertex_request_problem(claude, "", good).status == 401);
  CHECK(vertex_request_problem(claude, "Bearer someone-elses-token", good).status == 401);
  CHECK(vertex_request_problem(claude, "Bearer ya29.mock-7",
                               R"({"model":"claude","anthropic_version":"vertex-2023-10-16"})")
            .status == 400);
  CHECK(vertex_request_problem(claude, "Bearer ya29.mock-7", R"({"max_tokens":5})").status == 400);
  const VertexRoute gemini{false, "gemini-2.0-flash", false};
  CHECK(vertex_request_problem(gemini, "Bearer ya29.mock-1", R"({"contents":[]})").status == 0);
}

TEST_CASE("tollgate-mock grants the token lifetime a token_uri asks for", "[mock][vertex]") {
  CHECK(requested_token_lifetime("/token") == 3599);
  CHECK(requested_token_lifetime("/token?expires_in=330") == 330);
  CHECK(requested_token_lifetime("/token?a=1&expires_in=20") == 20);
  CHECK(requested_token_lifetime("/token?not_expires_in=20") == 3599);
  CHECK(requested_token_lifetime("/token?expires_in=0") == 3599);
  CHECK(requested_token_lifetime("/token?expires_in=99999999999") == 3599);
  const auto reply = answer_token_request(
      "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=eyJhbGciOiJSUzI1NiJ9.e30.c2ln", 1,
      330);
  CHECK_THAT(reply.body, Catch::Contains("\"expires_in\":330"));
}
