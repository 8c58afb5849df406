// tollgate-mock's Azure OpenAI routes: which paths are deployment calls, and what it refuses.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "tools/mock/azure.h"
#include "tools/mock/endpoint.h"

using namespace tollgate::mock;

TEST_CASE("tollgate-mock recognises Azure OpenAI's deployment routes", "[mock][azure]") {
  struct Row {
    const char* path;
    Endpoint endpoint;  // not_found: not an Azure route
    const char* deployment;
  };
  for (const auto& row : {
           Row{"/openai/deployments/gpt-4o/chat/completions", Endpoint::chat_completions, "gpt-4o"},
           Row{"/openai/deployments/mock+status-401/completions", Endpoint::completions, "mock+status-401"},
           Row{"/openai/deployments/emb/embeddings", Endpoint::embeddings, "emb"},
           Row{"/openai/deployments//chat/completions", Endpoint::not_found, ""},
           Row{"/openai/deployments/gpt-4o", Endpoint::not_found, ""},
           Row{"/openai/deployments/gpt-4o/audio/speech", Endpoint::not_found, ""},
           Row{"/openai/deployments/a/b/chat/completions", Endpoint::not_found, ""},
           Row{"/v1/deployments/gpt-4o/chat/completions", Endpoint::not_found, ""},
       }) {
    CAPTURE(row.path);
    const auto route = azure_route_of(row.path);
    REQUIRE(route.has_value() == (row.endpoint != Endpoint::not_found));
    if (!route) continue;
    CHECK(route->endpoint == row.endpoint);
    CHECK(route->deployment == row.deployment);
    CHECK(classify("POST", row.path) == row.endpoint);
    CHECK(classify("GET", row.path) == Endpoint::not_found);
  }
  CHECK(classify("POST", path_of("/openai/deployments/d/chat/completions?api-version=2024-02-01")) ==
        Endpoint::chat_completions);
}

TEST_CASE(
    "tollgate-mock refuses Azure calls as Azure does: 401 for the key, 404 without api-version, 400 for "
    "stream_options on old versions",
    "[mock][azure]") {
  struct Row {
    const char* target;
    const char* key;
    const char* expected;
    int status;
    const char* says;
    const char* body = "{}";
  };
  const std::string route = "/openai/deployments/d/chat/completions";
  for (const auto& row : {
           Row{"?api-version=2024-02-01", "any-key", "", 0, ""},
           Row{"?api-version=2024-02-01", "the-key", "the-key", 0, ""},
           Row{"?x=1&api-version=2024-02-01", "the-key", "the-key", 0, ""},
           Row{"?api-version=2024-02-01", "", "", 401, "missing subscription key"},
           Row{"?api-version=2024-02-01", "other-key", "the-key", 401, "invalid subscription key"},
           Row{"", "the-key", "the-key", 404, "Resource not found"},
           Row{"?api-version=", "the-key", "", 404, "Resource not found"},
           Row{"?api-version", "the-key", "", 404, "Resource not found"},
           Row{"?xapi-version=1", "the-key", "", 404, "Resource not found"},
           Row{"", "", "", 401, "missing subscription key"},  // the key is checked first
           Row{"?api-version=2024-02-01", "k", "", 400, "Unrecognized request argument supplied: stream_options",
               R"({"stream":true,"stream_options":{"include_usage":true}})"},
           Row{"?api-version=2024-08-01-preview", "k", "", 400, "stream_options", R"({"stream_options":{}})"},
           Row{"?api-version=2024-09-01-preview", "k", "", 0, "", R"({"stream_options":{}})"},
           Row{"?api-version=2024-10-21", "k", "", 0, "", R"({"stream_options":{}})"},
           Row{"?api-version=latest", "k", "", 0, "", R"({"stream_options":{}})"},
           Row{"?api-version=2024-02-01", "k", "", 0, "", R"({"stream":true})"},
       }) {
    const auto target = route + row.target;
    CAPTURE(target, row.key, row.expected);
    const auto problem = azure_request_problem(target, row.key, row.expected, row.body);
    CHECK(problem.status == row.status);
    CHECK(problem.openai_shape == (row.status == 400));
    CHECK_THAT(problem.message, Catch::Contains(row.says));
  }
}

TEST_CASE("tollgate-mock's Azure errors have Azure's shape: code and message, no type", "[mock][azure]") {
  std::string body;
  append_azure_error(body, 401, "Access \"denied\"");
  rapidjson::Document d;
  d.Parse(body.c_str());
  REQUIRE(d.IsObject());
  CHECK(std::string(d["error"]["code"].GetString()) == "401");
  CHECK(std::string(d["error"]["message"].GetString()) == "Access \"denied\"");
  CHECK_FALSE(d["error"].HasMember("type"));
}
