// OpenAI chat request → Anthropic Messages request.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "providers/anthropic_request.h"
#include "tests/unit/providers/translation_test_support.h"

using tollgate::providers::anthropic_messages_request;
using tollgate::testing::EqualsJson;
using tollgate::testing::parse_json;

namespace {

struct Row {
  const char* name;
  const char* openai;
  const char* anthropic;
};

std::string translate(const char* openai) {
  const auto request = parse_json(openai);
  REQUIRE_FALSE(request.HasParseError());
  const auto t = anthropic_messages_request(request, "claude-up", 4096);
  INFO("error: " << (t ? std::string() : t.error().message));
  REQUIRE(t.ok());
  return *t;
}

void check_rows(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK_THAT(translate(row.openai), EqualsJson(row.anthropic));
  }
}

}  // namespace

TEST_CASE("OpenAI → Anthropic request: messages and system prompts", "[providers][anthropic][request]") {
  check_rows({
      {"a user string becomes a text block; model and default max_tokens are set",
       R"({"model":"claude","messages":[{"role":"user","content":"Hi"}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]})"},
      {"a system message becomes the top-level system",
       R"({"messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"}]})",
       R"({"model":"claude-up","max_tokens":4096,"system":"Be brief.","messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]})"},
      {"developer messages count as system; several are joined with newlines, wherever they are",
       R"({"messages":[{"role":"developer","content":"One."},{"role":"user","content":"Hi"},{"role":"system","content":[{"type":"text","text":"Two."},{"type":"text","text":"Three."}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"system":"One.\nTwo.\nThree.","messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]})"},
      {"an empty system message adds nothing",
       R"({"messages":[{"role":"system","content":""},{"role":"user","content":"Hi"}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}]})"},
      {"a conversation keeps its turns",
       R"({"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello!"},{"role":"user","content":"Bye"}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[
            {"role":"user","content":[{"type":"text","text":"Hi"}]},
            {"role":"assistant","content":[{"type":"text","text":"Hello!"}]},
            {"role":"user","content":[{"type":"text","text":"Bye"}]}]})"},
      {"consecutive user messages merge (Anthropic requires alternation)",
       R"({"messages":[{"role":"user","content":"a"},{"role":"user","content":[{"type":"text","text":"b"}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]})"},
      {"consecutive assistant messages merge",
       R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"x"},{"role":"assistant","content":"y"}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"q"}]},
            {"role":"assistant","content":[{"type":"text","text":"x"},{"type":"text","text":"y"}]}]})"},
      {"an empty assistant turn disappears and the users around it merge",
       R"({"messages":[{"role":"user","content":"a"},{"role":"assistant","content":""},{"role":"user","content":"b"}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]})"},
      {"a system message between users does not stop them merging",
       R"({"messages":[{"role":"user","content":"a"},{"role":"system","content":"s"},{"role":"user","content":"b"}]})",
       R"({"model":"claude-up","max_tokens":4096,"system":"s","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]})"},
      {"empty text parts are dropped (Anthropic refuses empty text blocks)",
       R"({"messages":[{"role":"user","content":[{"type":"text","text":""},{"type":"text","text":"x"}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]})"},
      {"a refusal part of an assistant turn is text",
       R"({"messages":[{"role":"user","content":"q"},{"role":"assistant","content":[{"type":"refusal","refusal":"No."}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"q"}]},
            {"role":"assistant","content":[{"type":"text","text":"No."}]}]})"},
      {"null content and an unknown message field are fine",
       R"({"messages":[{"role":"user","content":"q","name":"bob"},{"role":"assistant","content":null}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"q"}]}]})"},
  });
}

TEST_CASE("OpenAI → Anthropic request: images and files", "[providers][anthropic][request]") {
  check_rows({
      {"a base64 data URL becomes a base64 image source",
       R"({"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgo=","detail":"high"}}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
            {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]})"},
      {"data URL parameters before ;base64 are not part of the media type",
       R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/jpeg;name=x.jpg;base64,/9j/4AAQ"}}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[
            {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}}]}]})"},
      {"an https URL becomes a url image source",
       R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[
            {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}}]}]})"},
      {"image_url may be a bare string; http is accepted too",
       R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":"http://example.com/a.gif"}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[
            {"type":"image","source":{"type":"url","url":"http://example.com/a.gif"}}]}]})"},
      {"a PDF file part becomes a document block",
       R"({"messages":[{"role":"user","content":[{"type":"file","file":{"filename":"a.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}},{"type":"text","text":"Summarize"}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[
            {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"}},
            {"type":"text","text":"Summarize"}]}]})"},
  });
}

TEST_CASE("OpenAI → Anthropic request: tool calls and tool results", "[providers][anthropic][request]") {
  check_rows({
      {"assistant tool_calls become tool_use blocks with parsed input; tool messages become tool_result blocks",
       R"({"messages":[{"role":"user","content":"Weather in Paris?"},
            {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"days\":[1,2]}"}}]},
            {"role":"tool","tool_call_id":"call_1","content":"18C"}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[
            {"role":"user","content":[{"type":"text","text":"Weather in Paris?"}]},
            {"role":"assistant","content":[{"type":"tool_use","id":"call_1","name":"get_weather","input":{"city":"Paris","days":[1,2]}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_1","content":"18C"}]}]})"},
      {"text and several tool calls in one turn; consecutive tool results merge into one user message",
       R"({"messages":[{"role":"user","content":"Compare"},
            {"role":"assistant","content":"Let me check.","tool_calls":[
              {"id":"a","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}},
              {"id":"b","type":"function","function":{"name":"g","arguments":"{}"}}]},
            {"role":"tool","tool_call_id":"a","content":"one"},
            {"role":"tool","tool_call_id":"b","content":[{"type":"text","text":"two"}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[
            {"role":"user","content":[{"type":"text","text":"Compare"}]},
            {"role":"assistant","content":[{"type":"text","text":"Let me check."},
              {"type":"tool_use","id":"a","name":"f","input":{"x":1}},
              {"type":"tool_use","id":"b","name":"g","input":{}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":"one"},
              {"type":"tool_result","tool_use_id":"b","content":[{"type":"text","text":"two"}]}]}]})"},
      {"empty arguments mean no arguments",
       R"({"messages":[{"role":"user","content":"go"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"now","arguments":""}}]},
            {"role":"tool","tool_call_id":"c","content":"noon"}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"go"}]},
            {"role":"assistant","content":[{"type":"tool_use","id":"c","name":"now","input":{}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"c","content":"noon"}]}]})"},
      {"a user message after tool results joins them, the tool results first",
       R"({"messages":[{"role":"user","content":"go"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
            {"role":"user","content":"also this"},{"role":"tool","tool_call_id":"c","content":"done"}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"go"}]},
            {"role":"assistant","content":[{"type":"tool_use","id":"c","name":"f","input":{}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"c","content":"done"},{"type":"text","text":"also this"}]}]})"},
      {"a tool result with an image keeps it",
       R"({"messages":[{"role":"user","content":"snap"},{"role":"assistant","tool_calls":[{"id":"s","type":"function","function":{"name":"shot","arguments":"{}"}}]},
            {"role":"tool","tool_call_id":"s","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]})",
       R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"snap"}]},
            {"role":"assistant","content":[{"type":"tool_use","id":"s","name":"shot","input":{}}]},
            {"role":"user","content":[{"type":"tool_result","tool_use_id":"s","content":[
              {"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}}]}]}]})"},
  });
}

TEST_CASE("OpenAI → Anthropic request: tools and tool_choice", "[providers][anthropic][request]") {
  const std::string user = R"("messages":[{"role":"user","content":"Hi"}])";
  const std::string user_out =
      R"("model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}])";
  const std::string tools =
      R"("tools":[{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}},
                  {"type":"function","function":{"name":"noop"}}])";
  const std::string tools_out =
      R"("tools":[{"name":"get_weather","description":"Weather now","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
                  {"name":"noop","input_schema":{"type":"object","properties":{}}}])";
  struct ToolRow {
    const char* name;
    std::string extra;  // members added to the request
    std::string expected_extra;
  };
  const std::vector<ToolRow> rows = {
      {"tools map to name/description/input_schema", tools, tools_out},
      {"tool_choice auto", tools + R"(,"tool_choice":"auto")", tools_out + R"(,"tool_choice":{"type":"auto"})"},
      {"tool_choice required → any", tools + R"(,"tool_choice":"required")",
       tools_out + R"(,"tool_choice":{"type":"any"})"},
      {"tool_choice naming a function → tool",
       tools + R"(,"tool_choice":{"type":"function","function":{"name":"get_weather"}})",
       tools_out + R"(,"tool_choice":{"type":"tool","name":"get_weather"})"},
      {"tool_choice none drops the tools", tools + R"(,"tool_choice":"none")", ""},
      {"parallel_tool_calls false disables parallel tool use", tools + R"(,"parallel_tool_calls":false)",
       tools_out + R"(,"tool_choice":{"type":"auto","disable_parallel_tool_use":true})"},
      {"parallel_tool_calls false with required", tools + R"(,"tool_choice":"required","parallel_tool_calls":false)",
       tools_out + R"(,"tool_choice":{"type":"any","disable_parallel_tool_use":true})"},
      {"parallel_tool_calls true changes nothing", tools + R"(,"parallel_tool_calls":true)", tools_out},
      {"tool_choice without tools is dropped", R"("tool_choice":"required")", ""},
      {"an empty tools list is dropped", R"("tools":[],"tool_choice":"auto")", ""},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const std::string request = "{" + user + (row.extra.empty() ? "" : "," + row.extra) + "}";
    const std::string expected = "{" + user_out + (row.expected_extra.empty() ? "" : "," + row.expected_extra) + "}";
    CHECK_THAT(translate(request.c_str()), EqualsJson(expected));
  }
}

TEST_CASE("OpenAI → Anthropic request: tool_choice none keeps the tools a conversation already used",
          "[providers][anthropic][request]") {
  // Anthropic refuses tool_use/tool_result blocks when no tools are defined.
  check_rows(
      {{"none after tool use → {type: none}",
        R"({"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"none",
                  "messages":[{"role":"user","content":"go"},{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
                  {"role":"tool","tool_call_id":"c","content":"ok"}]})",
        R"({"model":"claude-up","max_tokens":4096,"tools":[{"name":"f","input_schema":{"type":"object"}}],"tool_choice":{"type":"none"},
                  "messages":[{"role":"user","content":[{"type":"text","text":"go"}]},
                  {"role":"assistant","content":[{"type":"tool_use","id":"c","name":"f","input":{}}]},
                  {"role":"user","content":[{"type":"tool_result","tool_use_id":"c","content":"ok"}]}]})"}});
}

TEST_CASE("OpenAI → Anthropic request: parameters", "[providers][anthropic][request]") {
  const std::string in = R"("messages":[{"role":"user","content":"Hi"}])";
  const std::string out = R"("model":"claude-up","messages":[{"role":"user","content":[{"type":"text","text":"Hi"}]}])";
  struct ParamRow {
    const char* name;
    std::string extra;
    std::string expected_extra;  // must include max_tokens
  };
  const std::vector<ParamRow> rows = {
      {"max_tokens", R"("max_tokens":100)", R"("max_tokens":100)"},
      {"max_completion_tokens", R"("max_completion_tokens":200)", R"("max_tokens":200)"},
      {"max_completion_tokens wins over max_tokens", R"("max_tokens":100,"max_completion_tokens":200)",
       R"("max_tokens":200)"},
      {"null max_tokens means the default", R"("max_tokens":null)", R"("max_tokens":4096)"},
      {"temperature and top_p pass", R"("temperature":0.2,"top_p":0.9)",
       R"("max_tokens":4096,"temperature":0.2,"top_p":0.9)"},
      {"integer temperature passes", R"("temperature":1)", R"("max_tokens":4096,"temperature":1)"},
      {"stream passes", R"("stream":true,"stream_options":{"include_usage":true})",
       R"("max_tokens":4096,"stream":true)"},
      {"stream false passes", R"("stream":false)", R"("max_tokens":4096,"stream":false)"},
      {"a stop string becomes stop_sequences", R"("stop":"END")", R"("max_tokens":4096,"stop_sequences":["END"])"},
      {"a stop list becomes stop_sequences", R"("stop":["a","b"])", R"("max_tokens":4096,"stop_sequences":["a","b"])"},
      {"whitespace-only and empty stop sequences are dropped (Anthropic refuses them)", R"("stop":["\n"," ","","x\n"])",
       R"("max_tokens":4096,"stop_sequences":["x\n"])"},
      {"a stop list of only whitespace disappears", R"("stop":"\n")", R"("max_tokens":4096)"},
      {"user becomes metadata.user_id", R"("user":"u-42")", R"("max_tokens":4096,"metadata":{"user_id":"u-42"})"},
      {"n = 1 is fine", R"("n":1)", R"("max_tokens":4096)"},
      {"OpenAI-only fields are dropped",
       R"("presence_penalty":0.5,"frequency_penalty":0.1,"logit_bias":{"50256":-100},"seed":7,"response_format":{"type":"json_object"},
          "logprobs":true,"top_logprobs":2,"store":true,"metadata":{"k":"v"},"reasoning_effort":"low","service_tier":"auto","model":"claude")",
       R"("max_tokens":4096)"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const std::string request = "{" + in + "," + row.extra + "}";
    const std::string expected = "{" + out + "," + row.expected_extra + "}";
    CHECK_THAT(translate(request.c_str()), EqualsJson(expected));
  }
}

TEST_CASE("OpenAI → Anthropic request: errors", "[providers][anthropic][request]") {
  struct ErrorRow {
    const char* name;
    const char* openai;
    const char* message_part;
  };
  const std::vector<ErrorRow> rows = {
      {"not an object", R"([1,2])", "JSON object"},
      {"no messages", R"({"model":"m"})", "'messages'"},
      {"messages not an array", R"({"messages":"hi"})", "'messages'"},
      {"n > 1", R"({"n":2,"messages":[{"role":"user","content":"x"}]})", "'n'"},
      {"n not a number", R"({"n":"2","messages":[{"role":"user","content":"x"}]})", "'n'"},
      {"tool arguments that are not JSON",
       R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{not json"}}]}]})",
       "c1"},
      {"tool arguments that are a JSON array",
       R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c2","type":"function","function":{"name":"f","arguments":"[1]"}}]}]})",
       "not a JSON object"},
      {"a tool call without an id",
       R"({"messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]})",
       "id"},
      {"tool_calls not an array", R"({"messages":[{"role":"assistant","tool_calls":{"id":"x"}}]})", "tool_calls"},
      {"a tool message without tool_call_id", R"({"messages":[{"role":"tool","content":"x"}]})", "tool_call_id"},
      {"an unknown role", R"({"messages":[{"role":"function","name":"f","content":"x"}]})", "'function'"},
      {"a message that is not an object", R"({"messages":["hi"]})", "object"},
      {"content of the wrong type", R"({"messages":[{"role":"user","content":42}]})", "content"},
      {"an audio part",
       R"({"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]})",
       "'input_audio'"},
      {"a text part without text", R"({"messages":[{"role":"user","content":[{"type":"text"}]}]})", "text"},
      {"an image URL that is neither http(s) nor data",
       R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]})",
       "http(s)"},
      {"an image without a URL", R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{}}]}]})",
       "http(s)"},
      {"a data URL that is not base64",
       R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/svg+xml,<svg/>"}}]}]})",
       "base64"},
      {"a file given by id",
       R"({"messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]})", "file"},
      {"temperature not a number", R"({"temperature":"hot","messages":[{"role":"user","content":"x"}]})",
       "'temperature'"},
      {"max_tokens not positive", R"({"max_tokens":0,"messages":[{"role":"user","content":"x"}]})", "'max_tokens'"},
      {"max_completion_tokens not an integer",
       R"({"max_completion_tokens":"many","messages":[{"role":"user","content":"x"}]})", "'max_completion_tokens'"},
      {"stop of the wrong type", R"({"stop":5,"messages":[{"role":"user","content":"x"}]})", "'stop'"},
      {"stop list with a number", R"({"stop":["a",1],"messages":[{"role":"user","content":"x"}]})", "'stop'"},
      {"stream not a boolean", R"({"stream":"yes","messages":[{"role":"user","content":"x"}]})", "'stream'"},
      {"tools not an array", R"({"tools":{},"messages":[{"role":"user","content":"x"}]})", "'tools'"},
      {"a tool that is not a function",
       R"({"tools":[{"type":"custom","custom":{"name":"x"}}],"messages":[{"role":"user","content":"x"}]})", "'custom'"},
      {"a function without a name",
       R"({"tools":[{"type":"function","function":{}}],"messages":[{"role":"user","content":"x"}]})", "name"},
      {"an unknown tool_choice",
       R"({"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":"sometimes","messages":[{"role":"user","content":"x"}]})",
       "'sometimes'"},
      {"a tool_choice object without a name",
       R"({"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function"},"messages":[{"role":"user","content":"x"}]})",
       "tool_choice"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto request = parse_json(row.openai);
    REQUIRE_FALSE(request.HasParseError());
    const auto t = anthropic_messages_request(request, "claude-up", 4096);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().status == 400);  // the client's request: theirs to fix
    CHECK_THAT(t.error().message, Catch::Contains(row.message_part));
  }
}

TEST_CASE("OpenAI → Anthropic request: tool arguments nested 100k levels deep are refused, not recursed into",
          "[providers][anthropic][request]") {
  // The arguments are a string inside the body, so the body's own depth limit does not see
  // their structure: their parse must be limited too, or it and the copy into the Anthropic
  // body would recurse 100,000 levels deep.
  const std::string deep = "{\\\"a\\\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  const auto request = parse_json(
      R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":")" +
      deep + R"("}}]}]})");
  REQUIRE_FALSE(request.HasParseError());
  const auto t = anthropic_messages_request(request, "claude-up", 4096);
  REQUIRE_FALSE(t.ok());
  CHECK_THAT(t.error().message, Catch::Contains("c1"));
}
