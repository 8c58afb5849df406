// providers/responses_chat_request + responses_from_chat: /v1/responses served through chat
// for providers that speak chat only.
#include <catch2/catch.hpp>

#include <string>

#include "providers/json_util.h"
#include "providers/responses_chat_request.h"
#include "providers/responses_from_chat.h"

using namespace tollgate;
using providers::chat_request_from_responses;
using providers::responses_body_from_chat;
using providers::ResponsesStreamFromChat;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

std::string chat_of(const std::string& responses_request) {
  auto chat = chat_request_from_responses(parse(responses_request));
  REQUIRE(chat);
  return providers::json::serialize(*chat);
}

core::ApiError refusal_of(const std::string& responses_request) {
  auto chat = chat_request_from_responses(parse(responses_request));
  REQUIRE_FALSE(chat);
  return chat.error();
}

}  // namespace

TEST_CASE("responses to chat: instructions, input, tools and limits", "[unit][providers][responses]") {
  struct Case {
    const char* request;
    const char* chat;
  };
  const Case cases[] = {
      {R"({"model":"m","input":"hi"})", R"({"model":"m","messages":[{"role":"user","content":"hi"}]})"},
      {R"({"model":"m","instructions":"be brief","input":"hi","max_output_tokens":50,"temperature":0.5,"top_p":0.9,"stream":true,"store":true,"metadata":{"a":"b"}})",
       R"({"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}],"max_tokens":50,"temperature":0.5,"top_p":0.9,"stream":true})"},
      {R"({"model":"m","input":[{"role":"developer","content":"rules"},{"type":"message","role":"user","content":[{"type":"input_text","text":"look"},{"type":"input_image","image_url":"https://x/i.png","detail":"low"}]},{"role":"assistant","content":[{"type":"output_text","text":"ok"}]}]})",
       R"({"model":"m","messages":[{"role":"system","content":"rules"},{"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"https://x/i.png","detail":"low"}}]},{"role":"assistant","content":[{"type":"text","text":"ok"}]}]})"},
      // Consecutive calls join one assistant message; outputs become tool messages.
      {R"({"model":"m","input":[{"role":"user","content":"weather?"},{"type":"reasoning","id":"rs_1","summary":[]},{"type":"function_call","call_id":"c1","name":"w","arguments":"{\"city\":\"Oslo\"}"},{"type":"function_call","call_id":"c2","name":"w","arguments":"{}"},{"type":"function_call_output","call_id":"c1","output":"cold"},{"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"warm"}]}]})",
       R"({"model":"m","messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"w","arguments":"{\"city\":\"Oslo\"}"}},{"id":"c2","type":"function","function":{"name":"w","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"cold"},{"role":"tool","tool_call_id":"c2","content":"warm"}]})"},
      {R"({"model":"m","input":"hi","tools":[{"type":"function","name":"w","description":"d","parameters":{"type":"object"},"strict":true}],"tool_choice":{"type":"function","name":"w"},"parallel_tool_calls":false})",
       R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"w","description":"d","parameters":{"type":"object"},"strict":true}}],"tool_choice":{"type":"function","function":{"name":"w"}},"parallel_tool_calls":false})"},
      {R"({"model":"m","input":"hi","tool_choice":"required","text":{"format":{"type":"text"}}})",
       R"({"model":"m","messages":[{"role":"user","content":"hi"}],"tool_choice":"required"})"},
  };
  for (const auto& c : cases) {
    INFO(c.request);
    CHECK(chat_of(c.request) == c.chat);
  }
}

TEST_CASE("responses to chat: state and features chat cannot carry are refused with 400",
          "[unit][providers][responses]") {
  struct Case {
    const char* request;
    const char* param;
  };
  const Case cases[] = {
      {R"({"model":"m","input":"hi","previous_response_id":"resp_1"})", "previous_response_id"},
      {R"({"model":"m","input":"hi","conversation":"conv_1"})", "conversation"},
      {R"({"model":"m","prompt":{"id":"pmpt_1"}})", "prompt"},
      {R"({"model":"m","input":"hi","tools":[{"type":"custom","name":"x"}]})", "tools[0]"},
      {R"({"model":"m","input":"hi","text":{"format":{"type":"json_schema","schema":{}}}})", "text.format"},
      {R"({"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]})",
       "input[0].content[0].type"},
      {R"({"model":"m","input":[{"type":"web_search_call","id":"x"}]})", "input[0].type"},
      {R"({"model":"m","input":[{"role":"robot","content":"x"}]})", "input[0].role"},
      {R"({"model":"m","input":[{"type":"function_call","name":"w"}]})", "input[0]"},
      {R"({"model":"m","input":"hi","tool_choice":{"type":"file_search"}})", "tool_choice"},
  };
  for (const auto& c : cases) {
    INFO(c.request);
    const auto error = refusal_of(c.request);
    CHECK(error.status == 400);
    CHECK(error.param == c.param);
  }
}

TEST_CASE("chat to responses: a completion becomes a response with items and usage", "[unit][providers][responses]") {
  core::Usage usage;
  usage.prompt_tokens = 12;
  usage.completion_tokens = 7;
  usage.cached_prompt_tokens = 2;
  const auto body = responses_body_from_chat(
      R"({"id":"chatcmpl-9","object":"chat.completion","created":1700000000,"model":"claude","choices":[{"index":0,"message":{"role":"assistant","content":"Hello","tool_calls":[{"id":"call_1","type":"function","function":{"name":"w","arguments":"{\"a\":1}"}}]},"finish_reason":"tool_calls"}]})",
      usage);
  REQUIRE(body);
  const auto r = parse(*body);
  CHECK(std::string(r["id"].GetString()) == "resp_chatcmpl-9");
  CHECK(std::string(r["object"].GetString()) == "response");
  CHECK(std::string(r["status"].GetString()) == "completed");
  CHECK(r["created_at"].GetInt64() == 1700000000);
  REQUIRE(r["output"].Size() == 2);
  CHECK(std::string(r["output"][0]["type"].GetString()) == "message");
  CHECK(std::string(r["output"][0]["content"][0]["type"].GetString()) == "output_text");
  CHECK(std::string(r["output"][0]["content"][0]["text"].GetString()) == "Hello");
  CHECK(std::string(r["output"][1]["type"].GetString()) == "function_call");
  CHECK(std::string(r["output"][1]["call_id"].GetString()) == "call_1");
  CHECK(std::string(r["output"][1]["arguments"].GetString()) == R"({"a":1})");
  CHECK(r["usage"]["input_tokens"].GetInt64() == 12);
  CHECK(r["usage"]["input_tokens_details"]["cached_tokens"].GetInt64() == 2);
  CHECK(r["usage"]["output_tokens"].GetInt64() == 7);
  CHECK(r["usage"]["total_tokens"].GetInt64() == 19);

  const auto cut = responses_body_from_chat(
      R"({"id":"x","choices":[{"message":{"role":"assistant","content":"Hel"},"finish_reason":"length"}]})", usage);
  REQUIRE(cut);
  CHECK(std::string(parse(*cut)["status"].GetString()) == "incomplete");
  CHECK(std::string(parse(*cut)["incomplete_details"]["reason"].GetString()) == "max_output_tokens");
  CHECK_FALSE(responses_body_from_chat("not json", usage));
  CHECK_FALSE(responses_body_from_chat(R"({"id":"x","choices":[]})", usage));
}

TEST_CASE("chat to responses: chunks become the Responses stream's named events", "[unit][providers][responses]") {
  ResponsesStreamFromChat stream;
  core::Usage usage;
  std::string out;
  out += stream.translate(
      "data: {\"id\":\"c1\",\"model\":\"claude\",\"created\":5,\"choices\":[{\"index\":0,\"delta\":{\"role\":"
      "\"assistant\",\"content\":\"\"}}]}\n\n",
      usage);
  out += stream.translate(
      "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
      "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n",
      usage);
  out += stream.translate(
      "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
      "\"type\":\"function\",\"function\":{\"name\":\"w\",\"arguments\":\"{\\\"a\\\"\"}}]}}]}\n\n"
      "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{"
      "\"arguments\":\":1}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
      usage);
  CHECK_FALSE(stream.completed());
  usage.prompt_tokens = 10;
  usage.completion_tokens = 4;
  out += stream.translate("data: [DONE]\n\n", usage);
  CHECK(stream.completed());

  std::vector<std::string> names;
  std::vector<rapidjson::Document> data;
  for (std::size_t at = out.find("event: "); at != std::string::npos; at = out.find("event: ", at + 1)) {
    const auto line_end = out.find('\n', at);
    names.push_back(out.substr(at + 7, line_end - at - 7));
    const auto data_end = out.find("\n\n", line_end);
    data.push_back(parse(out.substr(line_end + 7, data_end - line_end - 7)));
  }
  const std::vector<std::string> expected{"response.created",
                                          "response.in_progress",
                                          "response.output_item.added",
                                          "response.content_part.added",
                                          "response.output_text.delta",
                                          "response.output_text.delta",
                                          "response.output_item.added",
                                          "response.function_call_arguments.delta",
                                          "response.function_call_arguments.delta",
                                          "response.output_text.done",
                                          "response.content_part.done",
                                          "response.output_item.done",
                                          "response.function_call_arguments.done",
                                          "response.output_item.done",
                                          "response.completed"};
  CHECK(names == expected);
  for (std::size_t i = 0; i < data.size(); ++i) {
    CHECK(data[i]["sequence_number"].GetInt64() == static_cast<std::int64_t>(i));
    CHECK(std::string(data[i]["type"].GetString()) == names[i]);
  }
  CHECK(std::string(data[0]["response"]["id"].GetString()) == "resp_c1");
  CHECK(std::string(data[0]["response"]["status"].GetString()) == "in_progress");
  CHECK(std::string(data[9]["text"].GetString()) == "Hello");
  CHECK(std::string(data[12]["arguments"].GetString()) == R"({"a":1})");
  const auto& completed = data.back()["response"];
  CHECK(std::string(completed["status"].GetString()) == "completed");
  CHECK(completed["output"].Size() == 2);
  CHECK(completed["usage"]["input_tokens"].GetInt64() == 10);
  CHECK(completed["usage"]["output_tokens"].GetInt64() == 4);
  CHECK(stream.translate("data: [DONE]\n\n", usage).empty());  // once

  const auto error = stream.error_event("upstream broke");
  CHECK(error.rfind("event: error\ndata: {\"type\":\"error\",\"sequence_number\":15,", 0) == 0);
}
