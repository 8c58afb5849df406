// finish_response: the client's body, or the 502 the provider's unreadable answer earns.
#include <catch2/catch.hpp>

#include <string>

#include "providers/response_relay.h"

using tollgate::providers::Api;
using tollgate::providers::finish_response;

TEST_CASE("finish_response passes a same-API body through with its usage", "[providers][relay]") {
  const std::string body =
      R"({"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})";
  const auto out = finish_response(Api::openai_chat, Api::openai_chat, body, "g");
  REQUIRE(out.ok());
  CHECK(out->body == body);
  CHECK(out->usage_found);
  CHECK(out->usage.total() == 7);
}

TEST_CASE("finish_response fails with a 502 when the upstream body cannot be understood", "[providers][relay]") {
  struct Row {
    const char* name;
    Api client;
    Api upstream;
    std::string body;
    std::string message;
  };
  const Row rows[] = {
      {"not JSON", Api::openai_chat, Api::openai_chat, "<html>",
       "The upstream returned a body that is not a JSON object"},
      {"an Anthropic body without content", Api::openai_chat, Api::anthropic_messages, R"({"id":"m"})",
       "The upstream response could not be translated: the Anthropic response has no content array"},
      {"an OpenAI body without choices", Api::anthropic_messages, Api::openai_chat, R"({"id":"x","choices":[]})",
       "The upstream response could not be translated: the upstream response has no choices"},
      {"no translator", Api::openai_embedding, Api::anthropic_messages, "{}", "No translation between these APIs"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto out = finish_response(row.client, row.upstream, row.body, "g");
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().status == 502);
    CHECK(out.error().message == row.message);
  }
}
