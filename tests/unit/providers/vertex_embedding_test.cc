// Vertex AI text embeddings: the OpenAI request → `:predict`'s instances, the predictions →
// OpenAI's data[] with the token counts as usage; what Vertex cannot take is a 400.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "providers/vertex/vertex_embedding.h"
#include "tools/mock/vertex.h"

using namespace tollgate::providers::vertex;

namespace {

rapidjson::Document parsed(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

}  // namespace

TEST_CASE("Vertex embeddings: the :predict body", "[providers][vertex]") {
  CHECK(*embedding_predict_body(parsed(R"({"model":"m","input":"hello"})")) ==
        R"({"instances":[{"content":"hello"}]})");
  CHECK(*embedding_predict_body(
            parsed(R"({"model":"m","input":["a","b"],"dimensions":256,"encoding_format":"float"})")) ==
        R"({"instances":[{"content":"a"},{"content":"b"}],"parameters":{"outputDimensionality":256}})");
  for (const char* refused :
       {R"({"input":[1,2,3]})", R"({"input":[[1,2]]})", R"({"input":[]})", R"({"input":5})", R"({"model":"m"})"}) {
    CAPTURE(refused);
    const auto body = embedding_predict_body(parsed(refused));
    REQUIRE_FALSE(body);
    CHECK(body.error().status == 400);
    CHECK(body.error().param == "input");
  }
  CHECK(*embedding_predict_body(parsed(R"({"input":"a","encoding_format":"base64"})")) ==
        R"({"instances":[{"content":"a"}]})");
  const auto other = embedding_predict_body(parsed(R"({"input":"a","encoding_format":"int8"})"));
  REQUIRE_FALSE(other);
  CHECK(other.error().param == "encoding_format");
  CHECK_FALSE(embedding_predict_body(parsed(R"({"input":"a","dimensions":0})")));
}

TEST_CASE("Vertex embeddings: predictions become OpenAI's answer with the token counts", "[providers][vertex]") {
  const std::string answer = R"({"predictions":[
      {"embeddings":{"values":[0.5,-0.25],"statistics":{"truncated":false,"token_count":7}}},
      {"embeddings":{"values":[1,0],"statistics":{"token_count":5}}}],
    "metadata":{"billableCharacterCount":40}})";
  const auto floats = parsed(R"({"input":["a","b"]})");
  const auto out = embedding_response(answer, floats, "embed-group");
  REQUIRE(out);
  CHECK(out->usage_found);
  CHECK(out->usage.prompt_tokens == 12);
  CHECK(out->usage.completion_tokens == 0);
  const auto body = parsed(out->body);
  CHECK(std::string(body["object"].GetString()) == "list");
  CHECK(std::string(body["model"].GetString()) == "embed-group");
  REQUIRE(body["data"].Size() == 2);
  CHECK(body["data"][1]["index"].GetInt() == 1);
  CHECK(body["data"][0]["embedding"][0].GetDouble() == 0.5);
  CHECK(body["data"][0]["embedding"][1].GetDouble() == -0.25);
  CHECK(body["usage"]["prompt_tokens"].GetInt() == 12);

  // base64: little-endian float32s, as OpenAI answers (0.5f = 00 00 00 3f, -0.25f = 00 00 80 be).
  const auto base64 = embedding_response(answer, parsed(R"({"input":"a","encoding_format":"base64"})"), "g");
  REQUIRE(base64);
  CHECK(std::string(parsed(base64->body)["data"][0]["embedding"].GetString()) == "AAAAPwAAgL4=");

  const auto without_statistics = embedding_response(R"({"predictions":[{"embeddings":{"values":[1]}}]})", floats, "g");
  REQUIRE(without_statistics);
  CHECK_FALSE(without_statistics->usage_found);
  for (const char* bad : {"not json", R"({"error":{}})", R"({"predictions":[{"embeddings":{}}]})",
                          R"({"predictions":[{"embeddings":{"values":["x"]}}]})"}) {
    CAPTURE(bad);
    const auto refused = embedding_response(bad, floats, "g");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().status == 502);
  }
}

TEST_CASE("tollgate-mock answers Vertex :predict in Vertex's shape", "[mock][vertex]") {
  const auto route =
      tollgate::mock::vertex_route_of("/v1/projects/p/locations/l/publishers/google/models/text-embedding-004:predict");
  REQUIRE(route);
  CHECK(route->predict);
  CHECK(route->model == "text-embedding-004");
  const auto answer = parsed(tollgate::mock::vertex_predict_answer(
      R"({"instances":[{"content":"sixteen bytes..."},{"content":"x"}],"parameters":{"outputDimensionality":3}})"));
  REQUIRE(answer["predictions"].Size() == 2);
  CHECK(answer["predictions"][0]["embeddings"]["values"].Size() == 3);
  CHECK(answer["predictions"][0]["embeddings"]["statistics"]["token_count"].GetInt() == 4);
  CHECK(answer["predictions"][1]["embeddings"]["statistics"]["token_count"].GetInt() == 1);
  // The same content, the same vector.
  const auto again = parsed(tollgate::mock::vertex_predict_answer(R"({"instances":[{"content":"x"}]})"));
  CHECK(again["predictions"][0]["embeddings"]["values"][0].GetDouble() ==
        answer["predictions"][1]["embeddings"]["values"][0].GetDouble());
  CHECK(tollgate::mock::vertex_predict_answer(R"({"instances":[{"text":"x"}]})").empty());
  CHECK(tollgate::mock::vertex_predict_answer("{}").empty());
}
