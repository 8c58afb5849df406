// tollgate-mock's Bedrock InvokeModel emulation: its routes, what it refuses, its frames.
#include <catch2/catch.hpp>

#include "providers/bedrock/event_stream.h"
#include "tools/mock/bedrock_invoke.h"
#include "tools/mock/endpoint.h"

using namespace tollgate::mock;

TEST_CASE("tollgate-mock recognises InvokeModel routes", "[mock][bedrock]") {
  const auto whole = bedrock_invoke_route("/model/anthropic.claude-3-haiku%3A0/invoke");
  REQUIRE(whole);
  CHECK(whole->model == "anthropic.claude-3-haiku:0");
  CHECK_FALSE(whole->stream);
  const auto streamed = bedrock_invoke_route("/model/us.anthropic.c%2Bchunks-2/invoke-with-response-stream");
  REQUIRE(streamed);
  CHECK(streamed->model == "us.anthropic.c+chunks-2");
  CHECK(streamed->stream);
  CHECK_FALSE(bedrock_invoke_route("/model/a/converse"));
  CHECK_FALSE(bedrock_invoke_route("/model/a/b/invoke"));
  CHECK_FALSE(bedrock_invoke_route("/model//invoke"));
  CHECK(classify("POST", "/model/a/invoke") == Endpoint::bedrock_invoke);
  CHECK(classify("POST", "/model/a/converse") == Endpoint::bedrock_converse);
}

TEST_CASE("tollgate-mock refuses InvokeModel bodies Bedrock refuses, and answers embeddings", "[mock][bedrock]") {
  const InvokeRoute claude{"anthropic.claude+cache-read-7+cache-write-9+exception-mid-stream", false};
  const auto ok =
      read_invoke_call(claude, R"({"anthropic_version":"bedrock-2023-05-31","max_tokens":5,"messages":[]})");
  CHECK(ok.problem_status == 0);
  CHECK(ok.cache_read == 7);
  CHECK(ok.cache_creation == 9);
  CHECK(ok.exception_mid_stream);
  CHECK(read_invoke_call(claude, R"({"anthropic_version":"bedrock-2023-05-31","model":"m"})").problem_status == 400);
  CHECK(read_invoke_call(claude, R"({"anthropic_version":"bedrock-2023-05-31","stream":true})").problem_status == 400);
  CHECK(read_invoke_call(claude, R"({"anthropic_version":"vertex-2023-10-16"})").problem_status == 400);

  const auto titan = read_invoke_call({"amazon.titan-embed-text-v2:0", false}, R"({"inputText":"abcdefgh"})");
  CHECK(titan.problem_status == 0);
  CHECK_THAT(titan.embedding, Catch::Contains("\"inputTextTokenCount\":2"));
  CHECK(read_invoke_call({"amazon.titan-embed-text-v1", false}, R"({"texts":["a"]})").problem_status == 400);
  const auto cohere =
      read_invoke_call({"cohere.embed-english-v3", false}, R"({"texts":["a","b"],"input_type":"search_query"})");
  CHECK(cohere.problem_status == 0);
  CHECK_THAT(cohere.embedding, Catch::Contains("\"texts\":[\"a\",\"b\"]"));
  CHECK(read_invoke_call({"cohere.embed-english-v3", false}, R"({"texts":["a"]})").problem_status == 400);
}

TEST_CASE("tollgate-mock's invoke stream: chunk frames, an exception after the second text chunk", "[mock][bedrock]") {
  const std::vector<SseEvent> anthropic{
      {"event: message_start\ndata: {\"type\":\"message_start\"}\n\n", false},
      {"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"n\":1}\n\n", true},
      {"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"n\":2}\n\n", true},
      {"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"n\":3}\n\n", true},
      {"event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", false}};
  std::string wire;
  for (const auto& frame : invoke_stream(anthropic, true)) wire += frame.text;
  tollgate::eventstream::Decoder decoder;
  std::vector<tollgate::eventstream::Message> messages;
  REQUIRE(decoder.feed(wire, messages));
  REQUIRE(messages.size() == 4);
  CHECK(messages[0].header(":event-type") == "chunk");
  CHECK(messages[0].payload.rfind(R"({"bytes":")", 0) == 0);
  CHECK(messages[3].header(":message-type") == "exception");
  CHECK(messages[3].header(":exception-type") == "modelStreamErrorException");

  std::string corrupt;
  for (const auto& frame : corrupt_invoke_stream(anthropic)) corrupt += frame.text;
  messages.clear();
  tollgate::eventstream::Decoder strict;
  CHECK_FALSE(strict.feed(corrupt, messages));
  CHECK(messages.size() == 1);
}
