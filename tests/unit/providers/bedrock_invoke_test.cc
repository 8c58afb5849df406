// Bedrock InvokeModel: Anthropic models (body, signature, answers, event stream of base64
// chunks, exceptions, exact cost of a recorded usage payload) and the embedding models.
#include <catch2/catch.hpp>

#include <openssl/evp.h>

#include "core/cost_map.h"
#include "providers/bedrock/bedrock_provider.h"
#include "providers/bedrock/embeddings.h"
#include "providers/bedrock/event_stream.h"
#include "providers/bedrock/invoke_stream.h"
#include "providers/registry.h"
#include "proxy/model_router.h"
#include "translation_test_support.h"

using namespace tollgate;
using providers::Api;
using testing::EqualsJson;

namespace {

config::Deployment invoke_deployment(const std::string& model = "invoke/anthropic.claude-3-5-sonnet-20240620-v1:0") {
  config::Deployment d;
  d.model_name = "claude";
  d.provider = core::ProviderKind::bedrock;
  d.provider_prefix = "bedrock";
  d.upstream_model = model;
  d.api_base = "https://bedrock-runtime.us-west-2.amazonaws.com";
  d.aws = {"AKIDEXAMPLE", "secret-key", "", "us-west-2"};
  return d;
}

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                  static_cast<int>(bytes.size()));
  return out;
}

std::string chunk(const std::string& anthropic_event_json) {
  eventstream::Message m;
  m.headers = {{":event-type", "chunk"}, {":content-type", "application/json"}, {":message-type", "event"}};
  m.payload = R"({"bytes":")" + base64(anthropic_event_json) + R"("})";
  return eventstream::encode(m);
}

std::string exception(const std::string& type, const std::string& message) {
  eventstream::Message m;
  m.headers = {{":exception-type", type}, {":content-type", "application/json"}, {":message-type", "exception"}};
  m.payload = R"({"message":")" + message + R"("})";
  return eventstream::encode(m);
}

std::string header(const providers::UpstreamRequest& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return v;
  return {};
}

const std::string kMessageStart =
    R"({"type":"message_start","message":{"id":"msg_bdrk_01","type":"message","role":"assistant","model":"claude-3-5-sonnet-20240620","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":1500,"cache_read_input_tokens":3000,"output_tokens":1}}})";
const std::string kBlockStart = R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})";
const std::string kDelta1 = R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}})";
const std::string kDelta2 =
    R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" from Bedrock, streamed"}})";
const std::string kBlockStop = R"({"type":"content_block_stop","index":0})";
const std::string kMessageDelta =
    R"({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}})";
const std::string kMessageStop =
    R"({"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":12,"outputTokenCount":9,"invocationLatency":511,"firstByteLatency":300}})";

// A non-streamed InvokeModel answer as Bedrock returns it for Claude with prompt caching.
constexpr const char* kRecordedInvokeAnswer =
    R"({"id":"msg_bdrk_01Ab2Cd3Ef4Gh5","type":"message","role":"assistant","model":"claude-3-5-sonnet-20240620",
        "content":[{"type":"text","text":"Paris."}],"stop_reason":"end_turn","stop_sequence":null,
        "usage":{"input_tokens":12,"cache_creation_input_tokens":1500,"cache_read_input_tokens":3000,"output_tokens":9}})";
// 12 × $3/M + 1500 × $3.75/M + 3000 × $0.30/M + 9 × $15/M (claude-3-5-sonnet).
constexpr double kRecordedCost = 12 * 3e-6 + 1500 * 3.75e-6 + 3000 * 0.30e-6 + 9 * 15e-6;

struct Relayed {
  std::string out;
  std::unique_ptr<providers::StreamRelay> relay;
  std::unique_ptr<providers::StreamDecoder> decoder;
};

Relayed relay_wire(Api client, const std::string& wire, std::int64_t completion_bound = 0) {
  const auto d = invoke_deployment();
  const auto& provider = providers::provider_of(d);
  providers::StreamOptions options;
  options.model_group = "claude";
  options.client_wants_usage = true;
  options.input_tokens_estimate = 40;
  options.completion_tokens_bound = completion_bound;
  Relayed r{{}, provider.stream_relay(client, Api::anthropic_messages, options), provider.stream_decoder()};
  std::vector<providers::SseEvent> events;
  for (std::size_t at = 0; at < wire.size(); at += 7) {  // split mid-frame
    events.clear();
    r.decoder->feed(std::string_view(wire).substr(at, 7), events);
    for (const auto& e : events) r.out += r.relay->on_event(e);
  }
  events.clear();
  r.decoder->finish(events);
  return r;
}

}  // namespace

TEST_CASE("InvokeModel: OpenAI chat → the Anthropic body with Bedrock's version, signed, on /invoke",
          "[providers][bedrock][invoke]") {
  const auto d = invoke_deployment();
  const auto& provider = providers::provider_of(d);
  const auto request = testing::parse_json(
      R"({"model":"claude","messages":[{"role":"system","content":"sys"},{"role":"user","content":"hi"}],"temperature":0.5})");
  const auto built = provider.build_request(d, Api::openai_chat, request, "", std::chrono::system_clock::now());
  REQUIRE(built);
  CHECK(built->api == Api::anthropic_messages);
  CHECK_FALSE(built->stream);
  CHECK(built->target == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke");
  CHECK_THAT(
      built->body,
      EqualsJson(
          R"({"max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"system":"sys",
      "temperature":0.5,"anthropic_version":"bedrock-2023-05-31"})"));
  CHECK(header(*built, "accept") == "application/json");
  CHECK(header(*built, "x-api-key").empty());
  CHECK(header(*built, "anthropic-version").empty());
  CHECK(header(*built, "authorization").rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0) == 0);
  CHECK_THAT(header(*built, "authorization"), Catch::Contains("/us-west-2/bedrock/aws4_request"));
  CHECK(provider.max_tokens_added(d) == 4096);
  CHECK(provider.catalog_model(d) == "claude-3-5-sonnet-20240620-v1:0");

  const auto streamed = testing::parse_json(
      R"({"model":"claude","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]})");
  const auto s = provider.build_request(d, Api::openai_chat, streamed, "", std::chrono::system_clock::now());
  REQUIRE(s);
  CHECK(s->stream);
  CHECK(s->target == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream");
  CHECK(header(*s, "accept") == "application/vnd.amazon.eventstream");
  const auto body = testing::parse_json(s->body);
  CHECK_FALSE(body.HasMember("stream"));
  CHECK_FALSE(body.HasMember("model"));
  CHECK_FALSE(body.HasMember("stream_options"));

  CHECK_FALSE(provider.build_request(d, Api::openai_embedding, request, "", std::chrono::system_clock::now()));
}

TEST_CASE("InvokeModel: an Anthropic Messages client's body passes through (cross-region id)",
          "[providers][bedrock][invoke]") {
  const auto d = invoke_deployment("invoke/us.anthropic.claude-3-5-sonnet-20241022-v2:0");
  const auto& provider = providers::provider_of(d);
  const std::string raw =
      R"({"model":"claude","max_tokens":77,"stream":true,"metadata":{"user_id":"u1"},"messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}]})";
  const auto request = testing::parse_json(raw);
  const auto built = provider.build_request(d, Api::anthropic_messages, request, raw, std::chrono::system_clock::now());
  REQUIRE(built);
  CHECK(built->target == "/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/invoke-with-response-stream");
  CHECK_THAT(built->body, EqualsJson(R"({"max_tokens":77,"metadata":{"user_id":"u1"},
      "messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"ephemeral"}}]}],
      "anthropic_version":"bedrock-2023-05-31"})"));
  CHECK(provider.catalog_model(d) == "claude-3-5-sonnet-20241022-v2:0");
}

TEST_CASE("golden cost: a recorded Bedrock InvokeModel Claude answer with cache writes and reads",
          "[providers][bedrock][invoke][cost]") {
  const auto d = invoke_deployment();
  const auto& provider = providers::provider_of(d);
  const auto price = proxy::ModelRouter::price_of(d);
  REQUIRE(price);
  const auto request = testing::parse_json(R"({"model":"claude","messages":[{"role":"user","content":"hi"}]})");
  for (const auto client : {Api::openai_chat, Api::anthropic_messages}) {
    const auto out =
        provider.finish_response_for(request, client, Api::anthropic_messages, kRecordedInvokeAnswer, "claude");
    REQUIRE(out);
    CHECK(out->usage_found);
    CHECK(out->usage.prompt_tokens == 4512);
    CHECK(out->usage.cached_prompt_tokens == 3000);
    CHECK(out->usage.cache_creation_prompt_tokens == 1500);
    CHECK(out->usage.completion_tokens == 9);
    CHECK(core::cost_of(out->usage, *price) == Approx(kRecordedCost).epsilon(1e-12));
    const auto body = testing::parse_json(out->body);
    if (client == Api::openai_chat) {
      CHECK(std::string(body["choices"][0]["message"]["content"].GetString()) == "Paris.");
      CHECK(body["usage"]["prompt_tokens_details"]["cached_tokens"].GetInt() == 3000);
    } else {
      CHECK(std::string(body["content"][0]["text"].GetString()) == "Paris.");
      CHECK(body["usage"]["cache_creation_input_tokens"].GetInt() == 1500);
    }
  }
}

TEST_CASE("InvokeModelWithResponseStream: base64 chunks → OpenAI chunks, and native events for /v1/messages",
          "[providers][bedrock][invoke][streaming]") {
  const std::string wire = chunk(kMessageStart) + chunk(kBlockStart) + chunk(kDelta1) + chunk(kDelta2) +
                           chunk(kBlockStop) + chunk(kMessageDelta) + chunk(kMessageStop);
  const auto price = proxy::ModelRouter::price_of(invoke_deployment());
  REQUIRE(price);

  auto openai = relay_wire(Api::openai_chat, wire);
  CHECK(openai.decoder->broken().empty());
  CHECK(openai.relay->finished());
  CHECK(openai.relay->usage_found());
  CHECK(openai.relay->usage().prompt_tokens == 4512);
  CHECK(openai.relay->usage().completion_tokens == 9);
  CHECK(core::cost_of(openai.relay->usage(), *price) == Approx(kRecordedCost).epsilon(1e-12));
  std::string text;
  bool usage_chunk = false;
  for (const auto& c : testing::split_output(openai.out)) {
    if (c.data == "[DONE]") continue;
    const auto doc = testing::parse_json(c.data);
    if (doc.HasMember("usage") && doc["usage"].IsObject())
      usage_chunk = doc["usage"]["completion_tokens"].GetInt() == 9;
    if (!doc["choices"].IsArray() || doc["choices"].Empty()) continue;
    const auto& delta = doc["choices"][0]["delta"];
    if (delta.HasMember("content") && delta["content"].IsString()) text += delta["content"].GetString();
  }
  CHECK(text == "Hello from Bedrock, streamed");
  CHECK(usage_chunk);

  auto native = relay_wire(Api::anthropic_messages, wire);
  const auto events = testing::split_output(native.out);
  REQUIRE(events.size() == 7);
  CHECK(events[0].event == "message_start");
  CHECK_THAT(events[0].data, EqualsJson(kMessageStart));  // Anthropic's own event, not re-translated
  CHECK(events[2].event == "content_block_delta");
  CHECK(events.back().event == "message_stop");
  CHECK(native.relay->usage().prompt_tokens == 4512);
  CHECK(native.relay->usage().completion_tokens == 9);
}

TEST_CASE(
    "InvokeModelWithResponseStream: an exception ends the client's stream with an error, charged for the "
    "text streamed, a chunk that is not base64 JSON breaks the stream",
    "[providers][bedrock][invoke][streaming]") {
  const std::string wire = chunk(kMessageStart) + chunk(kBlockStart) + chunk(kDelta1) + chunk(kDelta2) +
                           exception("modelStreamErrorException", "the model stream failed");
  auto openai = relay_wire(Api::openai_chat, wire);
  CHECK(openai.decoder->broken().empty());
  CHECK_THAT(openai.out, Catch::Contains("the model stream failed"));
  CHECK(openai.relay->usage().prompt_tokens == 4512);
  // "Hello" and " from Bedrock, streamed" at the typical rate (core/token_estimate.h).
  CHECK(openai.relay->usage().completion_tokens == 2 + 6);

  // Within the reservation's completion bound; the prompt estimate when Bedrock reported none.
  auto bounded = relay_wire(Api::openai_chat, wire, 3);
  CHECK(bounded.relay->usage().completion_tokens == 3);
  auto unreported =
      relay_wire(Api::openai_chat, chunk(kBlockStart) + chunk(kDelta1) + exception("internalServerException", "x"));
  CHECK(unreported.relay->usage().prompt_tokens == 40);
  CHECK(unreported.relay->usage().completion_tokens == 2);
  // An exception before any event: nothing was generated, nothing charged.
  auto refused = relay_wire(Api::openai_chat, exception("throttlingException", "slow"));
  CHECK(refused.relay->usage().total() == 0);
  CHECK_THAT(refused.out, Catch::Contains("slow"));

  auto native = relay_wire(Api::anthropic_messages, chunk(kMessageStart) + exception("throttlingException", "slow"));
  const auto events = testing::split_output(native.out);
  REQUIRE(events.size() == 2);
  CHECK(events[1].event == "error");
  CHECK_THAT(events[1].data, Catch::Contains("rate_limit_error"));

  eventstream::Message bad;
  bad.headers = {{":event-type", "chunk"}, {":message-type", "event"}};
  bad.payload = R"({"bytes":"not base64!"})";
  auto broken = relay_wire(Api::openai_chat, chunk(kMessageStart) + eventstream::encode(bad) + chunk(kDelta1));
  CHECK_THAT(std::string(broken.decoder->broken()), Catch::Contains("InvokeModel stream chunk"));

  CHECK(providers::bedrock::base64_decode("aGk=") == std::optional<std::string>("hi"));
  CHECK(providers::bedrock::base64_decode("aGlq") == std::optional<std::string>("hij"));
  CHECK(providers::bedrock::base64_decode("aA==") == std::optional<std::string>("h"));
  CHECK_FALSE(providers::bedrock::base64_decode("aGk"));
}

TEST_CASE("Bedrock embeddings: Titan and Cohere bodies, one Titan input per request",
          "[providers][bedrock][embeddings]") {
  using providers::bedrock::cohere_embedding_body;
  using providers::bedrock::titan_embedding_body;
  CHECK_THAT(*titan_embedding_body(testing::parse_json(R"({"model":"e","input":"hello"})")),
             EqualsJson(R"({"inputText":"hello"})"));
  CHECK_THAT(*titan_embedding_body(testing::parse_json(R"({"model":"e","input":["hello"],"dimensions":256})")),
             EqualsJson(R"({"inputText":"hello","dimensions":256})"));
  const auto two = titan_embedding_body(testing::parse_json(R"({"model":"e","input":["a","b"]})"));
  REQUIRE_FALSE(two);
  CHECK(two.error().status == 400);
  CHECK_THAT(two.error().message, Catch::Contains("one input per request"));
  const auto tokens = titan_embedding_body(testing::parse_json(R"({"model":"e","input":[1,2,3]})"));
  REQUIRE_FALSE(tokens);
  CHECK(tokens.error().status == 400);
  CHECK_FALSE(cohere_embedding_body(testing::parse_json(R"({"model":"e","input":[[1,2]]})")));

  CHECK_THAT(*cohere_embedding_body(testing::parse_json(R"({"model":"e","input":["a","b"]})")),
             EqualsJson(R"({"texts":["a","b"],"input_type":"search_document"})"));
  CHECK_THAT(*cohere_embedding_body(testing::parse_json(R"({"model":"e","input":"q","input_type":"search_query"})")),
             EqualsJson(R"({"texts":["q"],"input_type":"search_query"})"));

  const auto d = invoke_deployment("amazon.titan-embed-text-v2:0");
  const auto& provider = providers::provider_of(d);
  const auto request = testing::parse_json(R"({"model":"titan","input":"hello"})");
  const auto built = provider.build_request(d, Api::openai_embedding, request, "", std::chrono::system_clock::now());
  REQUIRE(built);
  CHECK(built->target == "/model/amazon.titan-embed-text-v2%3A0/invoke");
  CHECK_FALSE(built->stream);
  CHECK(header(*built, "authorization").rfind("AWS4-HMAC-SHA256 ", 0) == 0);
  CHECK_FALSE(provider.build_request(d, Api::openai_chat, testing::parse_json(R"({"model":"t","messages":[]})"), "",
                                     std::chrono::system_clock::now()));
}

TEST_CASE("Bedrock embeddings: answers → OpenAI's list with usage, floats or base64, priced from the cost map",
          "[providers][bedrock][embeddings][cost]") {
  const auto titan = invoke_deployment("amazon.titan-embed-text-v2:0");
  const auto& provider = providers::provider_of(titan);
  const auto floats = testing::parse_json(R"({"model":"titan","input":"hello"})");
  const auto out = provider.finish_response_for(floats, Api::openai_embedding, Api::openai_embedding,
                                                R"({"embedding":[0.5,-0.25,1.0],"inputTextTokenCount":3})", "titan");
  REQUIRE(out);
  CHECK(out->usage_found);
  CHECK(out->usage.prompt_tokens == 3);
  CHECK_THAT(out->body, EqualsJson(R"({"object":"list","data":[{"object":"embedding","index":0,
      "embedding":[0.5,-0.25,1.0]}],"model":"titan","usage":{"prompt_tokens":3,"total_tokens":3}})"));
  const auto price = proxy::ModelRouter::price_of(titan);
  REQUIRE(price);
  CHECK(core::cost_of(out->usage, *price) == Approx(3 * 0.02e-6).epsilon(1e-12));

  const auto b64 = testing::parse_json(R"({"model":"titan","input":"hello","encoding_format":"base64"})");
  const auto encoded = provider.finish_response_for(b64, Api::openai_embedding, Api::openai_embedding,
                                                    R"({"embedding":[0.5,-0.25],"inputTextTokenCount":3})", "titan");
  REQUIRE(encoded);
  // float32 little-endian: 0.5 = 00 00 00 3f, -0.25 = 00 00 80 be
  CHECK(std::string(testing::parse_json(encoded->body)["data"][0]["embedding"].GetString()) == "AAAAPwAAgL4=");

  const auto cohere = invoke_deployment("cohere.embed-english-v3");
  const auto texts = testing::parse_json(R"({"model":"co","input":["hello world!","bonjour"]})");
  const auto c = providers::provider_of(cohere).finish_response_for(
      texts, Api::openai_embedding, Api::openai_embedding,
      R"({"embeddings":[[0.1,0.2],[0.3,0.4]],"id":"x","response_type":"embeddings_floats","texts":["hello world!","bonjour"]})",
      "co");
  REQUIRE(c);
  CHECK_FALSE(c->usage_found);             // Cohere on Bedrock reports no tokens: estimated
  CHECK(c->usage.prompt_tokens == 3 + 2);  // 12 and 7 ASCII bytes at 4 per token, rounded up
  const auto cbody = testing::parse_json(c->body);
  CHECK(cbody["data"].Size() == 2);
  CHECK(cbody["data"][1]["index"].GetInt() == 1);
  const auto cprice = proxy::ModelRouter::price_of(cohere);
  REQUIRE(cprice);
  CHECK(core::cost_of(c->usage, *cprice) == Approx(5 * 0.10e-6).epsilon(1e-12));

  const auto v4 = providers::provider_of(cohere).finish_response_for(
      texts, Api::openai_embedding, Api::openai_embedding, R"({"embeddings":{"float":[[1],[2]]}})", "co");
  REQUIRE(v4);
  CHECK(testing::parse_json(v4->body)["data"].Size() == 2);
  const auto bad =
      provider.finish_response_for(floats, Api::openai_embedding, Api::openai_embedding, R"({"nothing":1})", "titan");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().status == 502);
}
