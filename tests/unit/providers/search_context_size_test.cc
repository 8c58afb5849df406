// The search context size a chat completion asks its search model for
// (providers::requested_search_context_size): OpenAI's default when absent, 400 for a value
// OpenAI refuses.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include <rapidjson/document.h>

#include "core/search_context_size.h"
#include "providers/openai_request.h"

using tollgate::core::SearchContextSize;

TEST_CASE("a chat completion's search context size: low, medium, high, medium by default",
          "[providers][web_search][search_model]") {
  struct Row {
    const char* body;
    std::optional<SearchContextSize> size;  // nullopt: refused
    const char* param;
  };
  const Row rows[] = {
      {R"({})", SearchContextSize::medium, ""},
      {R"({"web_search_options":null})", SearchContextSize::medium, ""},
      {R"({"web_search_options":{}})", SearchContextSize::medium, ""},
      {R"({"web_search_options":{"search_context_size":null}})", SearchContextSize::medium, ""},
      {R"({"web_search_options":{"user_location":{"type":"approximate"}}})", SearchContextSize::medium, ""},
      {R"({"web_search_options":{"search_context_size":"low"}})", SearchContextSize::low, ""},
      {R"({"web_search_options":{"search_context_size":"medium"}})", SearchContextSize::medium, ""},
      {R"({"web_search_options":{"search_context_size":"high"}})", SearchContextSize::high, ""},
      {R"({"web_search_options":{"search_context_size":"huge"}})", std::nullopt,
       "web_search_options.search_context_size"},
      {R"({"web_search_options":{"search_context_size":"HIGH"}})", std::nullopt,
       "web_search_options.search_context_size"},
      {R"({"web_search_options":{"search_context_size":""}})", std::nullopt, "web_search_options.search_context_size"},
      {R"({"web_search_options":{"search_context_size":2}})", std::nullopt, "web_search_options.search_context_size"},
      {R"({"web_search_options":{"search_context_size":["low"]}})", std::nullopt,
       "web_search_options.search_context_size"},
      {R"({"web_search_options":"high"})", std::nullopt, "web_search_options"},
      {R"({"web_search_options":[]})", std::nullopt, "web_search_options"},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    rapidjson::Document d;
    d.Parse(row.body);
    REQUIRE(d.IsObject());
    const auto size = tollgate::providers::requested_search_context_size(d);
    REQUIRE(size.ok() == row.size.has_value());
    if (row.size) {
      CHECK(size.value() == *row.size);
    } else {
      CHECK(size.error().status == 400);
      CHECK(size.error().type == "invalid_request_error");
      CHECK(size.error().param == row.param);
    }
  }
}
