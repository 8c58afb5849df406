#include "providers/stream_text.h"

#include <rapidjson/document.h>

#include "core/token_estimate.h"
#include "providers/json_util.h"

namespace tollgate::providers {
namespace {

std::int64_t string_tokens(const rapidjson::Value& object, const char* name) {
  if (!object.IsObject()) return 0;
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return 0;
  return core::estimate_tokens({it->value.GetString(), it->value.GetStringLength()});
}

// choices[].delta.{content, reasoning_content, tool_calls[].function.arguments}, choices[].text
std::int64_t openai_text_tokens(const rapidjson::Document& d) {
  const auto choices = d.FindMember("choices");
  if (choices == d.MemberEnd() || !choices->value.IsArray()) return 0;
  std::int64_t tokens = 0;
  for (const auto& choice : choices->value.GetArray()) {
    if (!choice.IsObject()) continue;
    tokens += string_tokens(choice, "text");
    const auto delta = choice.FindMember("delta");
    if (delta == choice.MemberEnd() || !delta->value.IsObject()) continue;
    tokens += string_tokens(delta->value, "content") + string_tokens(delta->value, "reasoning_content");
    const auto calls = delta->value.FindMember("tool_calls");
    if (calls == delta->value.MemberEnd() || !calls->value.IsArray()) continue;
    for (const auto& call : calls->value.GetArray()) {
      if (!call.IsObject()) continue;
      const auto function = call.FindMember("function");
      if (function != call.MemberEnd()) tokens += string_tokens(function->value, "arguments");
    }
  }
  return tokens;
}

}  // namespace

// content_block_delta: delta.{text, partial_json, thinking}
std::int64_t anthropic_event_text_tokens(const rapidjson::Value& event) {
  if (!event.IsObject()) return 0;
  const auto delta = event.FindMember("delta");
  if (delta == event.MemberEnd() || !delta->value.IsObject()) return 0;
  return string_tokens(delta->value, "text") + string_tokens(delta->value, "partial_json") +
         string_tokens(delta->value, "thinking");
}

std::int64_t stream_event_text_tokens(Api api, std::string_view data) {
  if (data.empty() || data.front() != '{') return 0;  // [DONE] and friends
  rapidjson::Document d;
  if (!json::parse(data, d) || !d.IsObject()) return 0;
  if (api == Api::anthropic_messages) return anthropic_event_text_tokens(d);
  // Responses API: response.output_text.delta, .function_call_arguments.delta, .reasoning_*.delta
  if (api == Api::openai_responses) return string_tokens(d, "delta");
  return openai_text_tokens(d);
}

}  // namespace tollgate::providers
