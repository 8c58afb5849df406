#include "providers/anthropic_response.h"

#include <chrono>

#include "providers/json_util.h"

namespace tollgate::providers {

std::string_view finish_reason_from_anthropic(std::string_view stop_reason) {
  if (stop_reason == "max_tokens") return "length";
  if (stop_reason == "tool_use") return "tool_calls";
  return "stop";  // end_turn, stop_sequence, pause_turn, refusal
}

core::Usage usage_from_anthropic(const rapidjson::Value& usage) {
  core::Usage u;
  u.cached_prompt_tokens = json::int_or(usage, "cache_read_input_tokens");
  u.prompt_tokens = json::int_or(usage, "input_tokens") + u.cached_prompt_tokens +
                    json::int_or(usage, "cache_creation_input_tokens");
  u.completion_tokens = json::int_or(usage, "output_tokens");
  return u;
}

Translation openai_chat_response_from_anthropic(std::string_view body, std::string_view model_group,
                                                core::Usage& usage_out) {
  rapidjson::Document in;
  in.Parse(body.data(), body.size());
  if (in.HasParseError() || !in.IsObject()) return translation_error("the Anthropic response is not a JSON object");
  const auto* content = json::member(in, "content");
  if (!content || !content->IsArray()) return translation_error("the Anthropic response has no content array");

  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  std::string text;
  bool has_text = false;
  rapidjson::Value tool_calls(rapidjson::kArrayType);
  for (const auto& block : content->GetArray()) {
    const auto type = json::string_or(block, "type");
    if (type == "text") {
      text += json::string_or(block, "text");
      has_text = true;
    } else if (type == "tool_use") {
      rapidjson::Value call(rapidjson::kObjectType);
      call.AddMember("id", json::string_value(json::string_or(block, "id"), a), a);
      call.AddMember("type", "function", a);
      rapidjson::Value fn(rapidjson::kObjectType);
      fn.AddMember("name", json::string_value(json::string_or(block, "name"), a), a);
      const auto* input = json::member(block, "input");
      fn.AddMember("arguments", json::string_value(input ? json::serialize(*input) : "{}", a), a);
      call.AddMember("function", fn, a);
      tool_calls.PushBack(call, a);
    }
  }
  if (const auto* usage = json::member(in, "usage")) usage_out = usage_from_anthropic(*usage);

  out.AddMember("id", json::string_value(json::string_or(in, "id", "msg"), a), a);
  out.AddMember("object", "chat.completion", a);
  out.AddMember("created", static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                                         std::chrono::system_clock::now().time_since_epoch())
                                                         .count()),
                a);
  out.AddMember("model", json::string_value(model_group, a), a);
  rapidjson::Value message(rapidjson::kObjectType);
  message.AddMember("role", "assistant", a);
  if (has_text || tool_calls.Empty()) {
    message.AddMember("content", json::string_value(text, a), a);
  } else {
    message.AddMember("content", rapidjson::Value(), a);
  }
  if (!tool_calls.Empty()) message.AddMember("tool_calls", tool_calls, a);
  rapidjson::Value choice(rapidjson::kObjectType);
  choice.AddMember("index", 0, a);
  choice.AddMember("message", message, a);
  choice.AddMember("finish_reason",
                   json::string_value(finish_reason_from_anthropic(json::string_or(in, "stop_reason")), a), a);
  rapidjson::Value choices(rapidjson::kArrayType);
  choices.PushBack(choice, a);
  out.AddMember("choices", choices, a);
  rapidjson::Value usage(rapidjson::kObjectType);
  usage.AddMember("prompt_tokens", usage_out.prompt_tokens, a);
  usage.AddMember("completion_tokens", usage_out.completion_tokens, a);
  usage.AddMember("total_tokens", usage_out.total(), a);
  if (usage_out.cached_prompt_tokens > 0) {
    rapidjson::Value details(rapidjson::kObjectType);
    details.AddMember("cached_tokens", usage_out.cached_prompt_tokens, a);
    usage.AddMember("prompt_tokens_details", details, a);
  }
  out.AddMember("usage", usage, a);
  return Translation{json::serialize(out), {}};
}

}  // namespace tollgate::providers
