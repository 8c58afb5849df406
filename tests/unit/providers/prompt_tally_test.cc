#include <catch2/catch.hpp>

#include <string>

#include "core/budget_math.h"
#include "core/cost_map.h"
#include "providers/openai_request.h"
#include "providers/prompt_tally.h"

using tollgate::core::PromptTally;
using tollgate::providers::Api;
using tollgate::providers::tally_prompt;

namespace {

PromptTally tally_of(const std::string& json, Api api = Api::openai_chat) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  REQUIRE_FALSE(d.HasParseError());
  return tally_prompt(d, api, json.size());
}

}  // namespace

TEST_CASE("prompt tally: every string, key and number the model may read counts its bytes", "[providers][tokens]") {
  struct Row {
    const char* what;
    const char* json;
    Api api;
    std::int64_t text_bytes;
    std::int64_t typical;
    std::int64_t messages;
  };
  const Row rows[] = {
      // role(4) + "user"(4) + content(7) + "hi"(2); model, max_tokens and stream are parameters
      {"a short chat", R"({"model":"gpt-4o","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"hi"}]})",
       Api::openai_chat, 17, 2, 1},
      // 6 bytes of Chinese are 6 bytes for the bound, 2 characters for the typical count
      {"Chinese", R"({"model":"m","messages":[{"role":"user","content":"你好"}]})", Api::openai_chat, 21, 3, 1},
      // JSON escapes count as the text they stand for: \u4f60 is 3 bytes
      {"escaped", R"({"model":"m","messages":[{"role":"user","content":"\u4f60"}]})", Api::openai_chat, 18, 2, 1},
      // name(4) + "bob"(3) on top of role/user/content/"x"
      {"a name", R"({"messages":[{"role":"user","name":"bob","content":"x"}]})", Api::openai_chat, 23, 3, 1},
      // type(4) + "text"(4) + text(4) + "abc"(3) inside the content array
      {"content parts", R"({"messages":[{"role":"user","content":[{"type":"text","text":"abc"}]}]})", Api::openai_chat,
       4 + 4 + 7 + 4 + 4 + 4 + 3, 1 + 1 + 1, 1},
      // tool calls: everything in them, ids and names included
      {"tool calls",
       R"({"messages":[{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}]})",
       Api::openai_chat, 4 + 9 + 10 + 2 + 2 + 4 + 8 + 8 + 4 + 1 + 9 + 2, 3 + 1 + 2 + 1 + 1, 1},
      // Anthropic's system prompt is read too
      {"Anthropic system",
       R"({"model":"c","max_tokens":9,"system":"be brief","messages":[{"role":"user","content":"q"}]})",
       Api::anthropic_messages, 8 + 16, 2 + 2, 1},
      // legacy completions: the prompt and the suffix
      {"completion", R"({"model":"m","prompt":"abcdefgh","suffix":"xy"})", Api::openai_completion, 10, 3, 0},
      // pre-tokenized input: each id is at most its digits
      {"token ids", R"({"model":"e","input":[1,22,333]})", Api::openai_embedding, 6, 3, 0},
      // a double counts as its longest text
      {"numbers in a schema", R"({"response_format":{"min":0.5}})", Api::openai_chat, 3 + 24, 1, 0},
      // sampling and transport fields never reach the model
      {"parameters only",
       R"({"model":"m","temperature":0.2,"top_p":1,"n":1,"user":"u-123","metadata":{"k":"v"},"stop":["\n"],"seed":7,"logit_bias":{"50256":-100}})",
       Api::openai_chat, 0, 0, 0},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    const auto t = tally_of(row.json, row.api);
    CHECK(t.text_bytes == row.text_bytes);
    CHECK(t.typical_tokens == row.typical);
    CHECK(t.messages == row.messages);
  }
}

TEST_CASE("prompt tally: media count as media, never as their data", "[providers][tokens]") {
  const std::string data(40'000, 'A');  // base64
  SECTION("OpenAI image part: the URL is not text") {
    const auto t = tally_of(
        R"({"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,)" +
        data + R"(","detail":"high"}}]}]})");
    CHECK(t.images == 1);
    CHECK(t.text_bytes < 100);
  }
  SECTION("Anthropic image block, also inside a tool result") {
    const auto t = tally_of(
        R"({"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":")" +
            data + R"("}}]},{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]}]})",
        Api::anthropic_messages);
    CHECK(t.images == 2);
    CHECK(t.text_bytes < 200);
  }
  SECTION("OpenAI audio: by the size of its data") {
    const auto t = tally_of(R"({"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":")" +
                            data + R"(","format":"mp3"}}]}]})");
    CHECK(t.audio_bytes == 40'000);
    CHECK(t.text_bytes < 100);
  }
  SECTION("binary documents, but a text document is text") {
    const auto t = tally_of(
        R"({"messages":[{"role":"user","content":[{"type":"document","source":{"type":"base64","media_type":"application/pdf","data":")" +
            data +
            R"("}},{"type":"file","file":{"file_id":"file-1"}},{"type":"document","source":{"type":"text","media_type":"text/plain","data":")" +
            std::string(5'000, 'x') + R"("}}]}]})",
        Api::anthropic_messages);
    CHECK(t.documents == 2);
    CHECK(t.text_bytes > 5'000);
    CHECK(t.text_bytes < 5'200);
  }
}

TEST_CASE("prompt tally: tools, choices, predictions, embeddings", "[providers][tokens]") {
  SECTION("function tools count their schema; provider tools are built-in") {
    const auto t = tally_of(
        R"({"messages":[{"role":"user","content":"q"}],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}},{"name":"lookup","input_schema":{"type":"object"}},{"type":"computer_20250124","name":"computer","display_width_px":1024}]})");
    CHECK(t.tools == 2);
    CHECK(t.builtin_tools == 1);
    CHECK(t.text_bytes > 100);
  }
  SECTION("n and best_of multiply the answers; so do several legacy prompts") {
    CHECK(tally_of(R"({"messages":[],"n":3})").choices == 3);
    CHECK(tally_of(R"({"prompt":["a","b"],"best_of":2,"n":1})", Api::openai_completion).choices == 4);
    CHECK(tally_of(R"({"prompt":[1,2,3]})", Api::openai_completion).choices == 1);  // one tokenized prompt
    CHECK(tally_of(R"({"messages":[],"n":0})").choices == 1);
    // A number written with a fraction or an exponent is still a count to a provider that
    // reads it as one: never fewer choices than it could mean.
    CHECK(tally_of(R"({"messages":[],"n":3.0})").choices == 3);
    CHECK(tally_of(R"({"messages":[],"n":2.5})").choices == 3);
    CHECK(tally_of(R"({"messages":[],"n":1e2})").choices == 100);
    CHECK(tally_of(R"({"messages":[],"n":1e300})").choices == 1 << 20);
    CHECK(tally_of(R"({"messages":[],"n":-2.0})").choices == 1);
    CHECK(tally_of(R"({"messages":[],"n":"4"})").choices == 4);
    CHECK(tally_of(R"({"messages":[],"n":"many"})").choices == 1);
    CHECK(tally_of(R"({"contents":[],"generationConfig":{"candidateCount":"8"}})", Api::gemini_generate_content)
              .choices == 8);
  }
  SECTION("Gemini's candidateCount multiplies the answers, in either spelling protobuf's JSON accepts") {
    constexpr auto gemini = Api::gemini_generate_content;
    CHECK(tally_of(R"({"contents":[],"generationConfig":{"candidateCount":8}})", gemini).choices == 8);
    CHECK(tally_of(R"({"contents":[],"generation_config":{"candidate_count":4}})", gemini).choices == 4);
    CHECK(tally_of(R"({"contents":[],"generationConfig":{"candidate_count":2,"candidateCount":6}})", gemini).choices ==
          6);
    CHECK(tally_of(R"({"contents":[],"generationConfig":{"candidateCount":0}})", gemini).choices == 1);
    // Only Gemini reads it: elsewhere it grants nothing and lowers nothing.
    CHECK(tally_of(R"({"messages":[],"generationConfig":{"candidateCount":8}})").choices == 1);
  }
  SECTION("a prediction is output, not prompt") {
    const auto t = tally_of(R"({"messages":[],"prediction":{"type":"content","content":"0123456789"}})");
    CHECK(t.prediction_bytes >= 10);
    CHECK(t.text_bytes == 0);
  }
  SECTION("embeddings produce no output") {
    CHECK_FALSE(tally_of(R"({"input":"x"})", Api::openai_embedding).produces_output);
    CHECK(tally_of(R"({"input":"x"})", Api::openai_completion).produces_output);
  }
  SECTION("a body nested too deep to walk is bounded by its size") {
    const std::string deep = R"({"messages":)" + std::string(100, '[') + std::string(100, ']') + "}";
    CHECK(tally_of(deep).text_bytes >= static_cast<std::int64_t>(deep.size()));
  }
}

TEST_CASE("prompt tally: the example of docs/budgets.md", "[providers][tokens]") {
  const auto price = tollgate::core::builtin_price("gpt-4o-mini");
  const auto max_output = tollgate::core::builtin_max_output_tokens("gpt-4o-mini");
  REQUIRE(price);
  REQUIRE(max_output);
  const auto worst_case = [&](const std::string& body, std::optional<std::int64_t> max_tokens) {
    const auto t = tally_of(body);
    const auto prompt = tollgate::core::prompt_token_bound(t, std::nullopt);
    CHECK(prompt == 92);
    const auto completion = tollgate::core::completion_token_bound(t, max_tokens, *max_output);
    return tollgate::core::CostEstimate{prompt, completion, price->input_per_token, price->output_per_token}
        .worst_case();
  };
  CHECK(worst_case(R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]})", std::nullopt) ==
        Approx(0.0098442));
  CHECK(worst_case(R"({"model":"gpt-4o-mini","max_tokens":100,"messages":[{"role":"user","content":"Hello"}]})", 100) ==
        Approx(0.0000738));
}

TEST_CASE("prompt tally: Responses API input items and instructions are messages, stored turns unbounded",
          "[providers][tokens][responses]") {
  SECTION("a string input is one message, instructions another") {
    const auto t = tally_of(R"({"model":"m","instructions":"be brief","input":"hi","max_output_tokens":9})",
                            Api::openai_responses);
    CHECK(t.messages == 2);
    CHECK(t.text_bytes == 8 + 2);  // the texts; max_output_tokens is a parameter
    CHECK(t.documents == 0);
  }
  SECTION("each input item is a message; an input_image counts as an image") {
    const auto t = tally_of(
        R"({"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"what is it"},)"
        R"({"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},{"role":"assistant","content":"a cat"}]})",
        Api::openai_responses);
    CHECK(t.messages == 2);
    CHECK(t.images == 1);
  }
  SECTION("previous_response_id, conversation and a stored prompt bring in text the body does not show") {
    for (const char* field : {"previous_response_id", "conversation", "prompt"}) {
      INFO(field);
      const auto t =
          tally_of(std::string(R"({"model":"m","input":"hi",")") + field + R"(":"resp_1"})", Api::openai_responses);
      CHECK(t.documents == 1);
      // Only the context window bounds it.
      CHECK(tollgate::core::prompt_token_bound(t, 128000) == 128000);
      CHECK(tollgate::core::prompt_token_bound(t, std::nullopt) > tollgate::core::kBoundDocumentTokens);
    }
  }
  SECTION("the same fields in a chat request are only text") {
    const auto t = tally_of(R"({"model":"m","messages":[],"input":"hi","previous_response_id":"r"})");
    CHECK(t.messages == 0);
    CHECK(t.documents == 0);
  }
}

// The reservation's completion bound uses the client's limit when it gives one; a provider
// may read any of the names, so the bound is the largest, and none at all (the model's
// maximum) when one of them is not a positive integer a provider could still read as more.
TEST_CASE("max_output_tokens: the largest limit the request gives, none when one is unclear", "[providers][tokens]") {
  const auto asked = [](const char* body) {
    rapidjson::Document d;
    d.Parse(body);
    return tollgate::providers::max_output_tokens(d);
  };
  CHECK(asked(R"({"max_tokens":50})") == 50);
  CHECK(asked(R"({"max_output_tokens":70})") == 70);
  CHECK(asked(R"({"max_completion_tokens":10,"max_tokens":100000})") == 100000);
  CHECK(asked(R"({"max_completion_tokens":100000,"max_tokens":10})") == 100000);
  CHECK(asked(R"({"max_completion_tokens":10,"max_tokens":1e5})") == std::nullopt);
  CHECK(asked(R"({"max_completion_tokens":10,"max_tokens":"100000"})") == std::nullopt);
  CHECK(asked(R"({"max_tokens":0})") == std::nullopt);
  CHECK(asked(R"({"max_tokens":null,"max_completion_tokens":20})") == 20);
  CHECK(asked(R"({"messages":[]})") == std::nullopt);
}

TEST_CASE("prompt tally: web search tools add their max_uses, one without it is noted", "[providers][web_search]") {
  struct Row {
    const char* tools;
    std::int64_t searches;
    std::int64_t unbounded;
  };
  const Row rows[] = {
      {R"([])", 0, -1},
      {R"([{"name":"f","input_schema":{}}])", 0, -1},
      {R"([{"type":"web_search_20250305","name":"web_search","max_uses":5}])", 5, -1},
      {R"([{"type":"web_search_20250305","name":"a","max_uses":2},{"type":"web_search_20260209","name":"b","max_uses":3}])",
       5, -1},
      {R"([{"name":"f","input_schema":{}},{"type":"web_search_20250305","name":"web_search"}])", 0, 1},
      {R"([{"type":"web_search_20250305","name":"web_search","max_uses":0}])", 0, 0},
      {R"([{"type":"web_search_20250305","name":"web_search","max_uses":"5"}])", 0, 0},
      {R"([{"type":"web_search_20250305","name":"web_search","max_uses":2.5}])", 3, -1},
      {R"([{"type":"web_fetch_20250910","name":"web_fetch"}])", 0, -1},
  };
  for (const auto& row : rows) {
    INFO(row.tools);
    const auto t =
        tally_of(std::string(R"({"model":"m","messages":[],"tools":)") + row.tools + "}", Api::anthropic_messages);
    CHECK(t.web_searches == row.searches);
    CHECK(t.unbounded_web_search_tool == row.unbounded);
  }
}

TEST_CASE("prompt tally: the first Gemini built-in tool is found, whatever its name", "[providers][gemini]") {
  struct Row {
    const char* tools;
    Api api;
    std::int64_t first_builtin;
  };
  constexpr auto gemini = Api::gemini_generate_content;
  const Row rows[] = {
      {R"([])", gemini, -1},
      {R"([{"functionDeclarations":[{"name":"f"}]}])", gemini, -1},
      {R"([{"function_declarations":[{"name":"f"}]}])", gemini, -1},
      {R"([{"googleSearch":{}}])", gemini, 0},
      {R"([{"functionDeclarations":[]},{"codeExecution":{}},{"urlContext":{}}])", gemini, 1},
      {R"([{"functionDeclarations":[],"google_search":{}}])", gemini, 0},
      {R"([{"aToolAddedNextYear":{}}])", gemini, 0},
      {R"([{"googleSearch":{}}])", Api::openai_chat, -1},  // not Gemini's shape: tallied as before
  };
  for (const auto& row : rows) {
    INFO(row.tools);
    const auto t = tally_of(std::string(R"({"contents":[],"tools":)") + row.tools + "}", row.api);
    CHECK(t.gemini_builtin_tool == row.first_builtin);
  }
}

TEST_CASE("prompt tally: Anthropic server tools and MCP servers are counted with their max_uses",
          "[providers][server_tools]") {
  struct Row {
    const char* what;
    const char* extra;  // members after "messages":[]
    Api api;
    std::int64_t server_tools;
    std::int64_t first;
    std::int64_t uses;
  };
  const Row rows[] = {
      {"no tools", "", Api::anthropic_messages, 0, -1, 0},
      {"a function tool", R"(,"tools":[{"name":"f","input_schema":{}}])", Api::anthropic_messages, 0, -1, 0},
      {"client tools run by the client",
       R"(,"tools":[{"type":"computer_20250124","name":"computer"},{"type":"bash_20250124","name":"bash"},)"
       R"({"type":"text_editor_20250728","name":"str_replace_based_edit_tool"},{"type":"memory_20250818","name":"memory"}])",
       Api::anthropic_messages, 0, -1, 0},
      {"web search after a function",
       R"(,"tools":[{"name":"f"},{"type":"web_search_20250305","name":"w","max_uses":3}])", Api::anthropic_messages, 1,
       1, 3},
      {"web fetch and code execution",
       R"(,"tools":[{"type":"web_fetch_20250910","name":"web_fetch","max_uses":2},)"
       R"({"type":"code_execution_20250825","name":"code_execution"}])",
       Api::anthropic_messages, 2, 0, 2},
      {"an unknown built-in type counts (the safe side)", R"(,"tools":[{"type":"tool_search_tool_regex_20251119"}])",
       Api::anthropic_messages, 1, 0, 0},
      {"the MCP connector", R"(,"mcp_servers":[{"type":"url","url":"https://a.example/mcp","name":"a"}])",
       Api::anthropic_messages, 1, -1, 0},
      {"OpenAI chat tools are not Anthropic server tools", R"(,"tools":[{"type":"function","function":{"name":"f"}}])",
       Api::openai_chat, 0, -1, 0},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    const auto t = tally_of(std::string(R"({"model":"m","messages":[])") + row.extra + "}", row.api);
    CHECK(t.server_tools == row.server_tools);
    CHECK(t.first_server_tool == row.first);
    CHECK(t.server_tool_uses == row.uses);
  }
}
