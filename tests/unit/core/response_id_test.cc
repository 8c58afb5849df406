// core/response_id: the id of the client's answer, read from bodies and SSE bytes.
#include <catch2/catch.hpp>

#include "core/response_id.h"

using tollgate::core::kMaxResponseIdBytes;
using tollgate::core::response_id_of_json;
using tollgate::core::response_id_of_sse;

TEST_CASE("response id: the top-level id of a body, or an Anthropic message_start's message id", "[unit][core]") {
  struct Case {
    const char* json;
    const char* id;
  };
  const Case cases[] = {
      {R"({"id":"chatcmpl-1","object":"chat.completion","choices":[]})", "chatcmpl-1"},
      {R"({"object":"chat.completion","choices":[{"message":{"tool_calls":[{"id":"call_9"}]}}],"id":"chatcmpl-2"})",
       "chatcmpl-2"},  // nested ids are not the answer's
      {R"({"id":"msg_01","type":"message","content":[{"type":"tool_use","id":"toolu_1"}]})", "msg_01"},
      {R"({"type":"message_start","message":{"id":"msg_02","type":"message"}})", "msg_02"},
      {R"({"type":"response.created","sequence_number":0,"response":{"id":"resp_03","object":"response"}})", "resp_03"},
      {R"({"type":"response.output_item.added","item":{"id":"msg_x"}})", ""},  // an item is not the answer
      {R"({"data":[{"embedding":[0.1]}],"model":"m"})", ""},                   // embeddings carry no id
      {R"({"id":42})", ""},
      {R"({"meta":{"id":"not-this"}})", ""},
      {R"(["id","x"])", ""},
      {R"({"id":"chatcmpl-3")", "chatcmpl-3"},  // read before the end: a cut body still names it
      {"not json", ""},
      {"", ""},
  };
  for (const auto& c : cases) {
    INFO(c.json);
    CHECK(response_id_of_json(c.json) == c.id);
  }
  CHECK(response_id_of_json(R"({"id":")" + std::string(kMaxResponseIdBytes + 1, 'x') + R"("})").empty());
  CHECK(response_id_of_json(R"({"id":"bad \xff byte"})").empty());
}

TEST_CASE("response id: the first data line of SSE bytes", "[unit][core]") {
  CHECK(response_id_of_sse("data: {\"id\":\"chatcmpl-s\",\"choices\":[]}\n\n") == "chatcmpl-s");
  CHECK(response_id_of_sse(
            "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\"}}\n\n") == "msg_s");
  CHECK(response_id_of_sse("data:{\"id\":\"no-space\"}\n\ndata: {\"id\":\"second\"}\n\n") == "no-space");
  CHECK(response_id_of_sse("data: [DONE]\n\n").empty());
  CHECK(response_id_of_sse(": keep-alive\n\n").empty());
}
