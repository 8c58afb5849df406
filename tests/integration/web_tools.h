#pragma once
// What the web-tool integration tests share (web_search_fee_test, server_tool_tokens_test,
// search_model_fee_test): the built-in prices their charges are checked against, a deployment on
// tollgate-mock, and an Anthropic Messages request with a web search tool.
#include <string>

#include <rapidjson/document.h>

#include "tests/support/mock_upstream.h"

namespace tollgate::testing {

// claude-3-5-sonnet's built-in prices: $3 / $15 per million tokens; $10 per 1,000 web searches.
inline constexpr double kClaudeInput = 3e-6;
inline constexpr double kClaudeOutput = 15e-6;
inline constexpr double kClaudeSearch = 0.01;

// gpt-4o-search-preview: $2.50 / $10 per million tokens (its per-call fees by context size are
// search_model_fee_test's table).
inline constexpr double kSearchModelInput = 2.5e-6;
inline constexpr double kSearchModelOutput = 10e-6;

// The litellm_params line of a model_list entry whose deployment is tollgate-mock: an
// anthropic/ model at the mock's root (the provider adds /v1/messages), any other under its /v1.
inline std::string mock_litellm_params(const MockUpstream& mock, const std::string& model, const std::string& api_key) {
  const bool anthropic = model.rfind("anthropic/", 0) == 0;
  const std::string api_base = anthropic ? "http://127.0.0.1:" + std::to_string(mock.port()) : mock.base_url();
  return "    litellm_params: {model: " + model + ", api_base: \"" + api_base + "\", api_key: " + api_key + "}\n";
}

// Anthropic's web search tool; `max_uses` is its JSON value as written ("3", "\"5\""), or empty
// for a tool without one.
inline std::string web_search_tool(const std::string& max_uses) {
  return R"({"type":"web_search_20250305","name":"web_search")" +
         (max_uses.empty() ? "" : ",\"max_uses\":" + max_uses) + "}";
}

// `,"tools":[<web search tool>]`, to append to messages_body.
inline std::string web_search_tools(const std::string& max_uses) {
  return R"(,"tools":[)" + web_search_tool(max_uses) + "]";
}

// An Anthropic Messages request for at most 16 tokens, with `extra` members appended
// (",\"tools\":[...]").
inline std::string messages_body(const std::string& model, const std::string& extra, bool stream = false) {
  return R"({"model":")" + model + R"(","max_tokens":16,"messages":[{"role":"user","content":"what is new today"}])" +
         extra + (stream ? R"(,"stream":true)" : "") + "}";
}

// The tokens' cost of an Anthropic usage object at claude-3-5-sonnet's prices.
inline double claude_tokens_cost(const rapidjson::Value& usage) {
  return static_cast<double>(usage["input_tokens"].GetInt64()) * kClaudeInput +
         static_cast<double>(usage["output_tokens"].GetInt64()) * kClaudeOutput;
}

}  // namespace tollgate::testing
