#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include "providers/mock_provider.h"
#include "providers/openai_format.h"

using namespace tollgate;

namespace {
rapidjson::Document json(const char* text) {
  rapidjson::Document d;
  d.Parse(text);
  return d;
}
config::Deployment mock(const std::string& response = "") {
  config::Deployment d;
  d.model_name = "m";
  d.upstream_model = "m-up";
  d.provider = core::ProviderKind::mock;
  d.mock_response = response;
  return d;
}
}  // namespace

TEST_CASE("mock replies quote the last user message deterministically", "[providers][mock]") {
  const auto req = json(
      R"({"model":"m","messages":[{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user","content":"second one"}]})");
  const auto a = providers::mock_chat_reply(mock(), req);
  const auto b = providers::mock_chat_reply(mock(), req);
  CHECK(a.content == b.content);
  CHECK_THAT(a.content, Catch::EndsWith("You said: second one"));
  CHECK(a.finish_reason == "stop");
  CHECK(a.usage.completion_tokens == 10);
  CHECK(a.usage.prompt_tokens > 0);
}

TEST_CASE("mock_response is used verbatim, max_tokens truncates", "[providers][mock]") {
  const auto req = json(R"({"model":"m","max_tokens":2,"messages":[{"role":"user","content":"x"}]})");
  const auto r = providers::mock_chat_reply(mock("one two three four"), req);
  CHECK(r.content == "one two ");
  CHECK(r.finish_reason == "length");
  CHECK(r.usage.completion_tokens == 2);
}

TEST_CASE("stream pieces reassemble to the reply", "[providers][mock]") {
  const std::string content = "a bb ccc";
  std::string joined;
  for (auto piece : providers::mock_stream_pieces(content)) joined += piece;
  CHECK(joined == content);
  CHECK(providers::mock_stream_pieces(content).size() == 3);
}

TEST_CASE("mock embeddings: one normalised vector per input", "[providers][mock]") {
  core::Usage usage;
  const auto vectors = providers::mock_embeddings(json(R"({"input":["a","b"]})"), usage);
  REQUIRE(vectors.size() == 2);
  double norm = 0;
  for (float x : vectors[0]) norm += static_cast<double>(x) * x;
  CHECK(norm == Approx(1.0).epsilon(1e-4));
  CHECK(vectors[0] != vectors[1]);
  CHECK(usage.prompt_tokens == 2);
}

TEST_CASE("chat chunk events are SSE data lines", "[providers][format]") {
  providers::ChatChunk chunk;
  chunk.id = "c1";
  chunk.model = "m";
  chunk.first = true;
  chunk.delta_content = "hi";
  const auto event = providers::chat_chunk_event(chunk);
  CHECK_THAT(event, Catch::StartsWith("data: {") && Catch::EndsWith("}\n\n"));
  rapidjson::Document d;
  d.Parse(event.c_str() + 6, event.size() - 8);
  REQUIRE_FALSE(d.HasParseError());
  CHECK(std::string(d["choices"][0]["delta"]["role"].GetString()) == "assistant");
  CHECK(std::string(d["choices"][0]["delta"]["content"].GetString()) == "hi");
  CHECK(d["choices"][0]["finish_reason"].IsNull());
}
