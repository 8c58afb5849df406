#include "providers/anthropic_response.h"

#include <chrono>
#include <string>
#include <vector>

#include "providers/json_util.h"

namespace tollgate::providers {
namespace {

struct Message {
  std::string text;
  bool has_text = false;
  std::string reasoning;
  std::vector<const rapidjson::Value*> tool_uses;
};

Message read_content(const rapidjson::Value& content) {
  Message m;
  for (const auto& block : content.GetArray()) {
    const auto type = json::string_or(block, "type");
    if (type == "text") {
      m.text += json::string_or(block, "text");
      m.has_text = true;
    } else if (type == "thinking") {
      m.reasoning += json::string_or(block, "thinking");
    } else if (type == "tool_use") {
      m.tool_uses.push_back(&block);
    }
    // redacted_thinking and server tool blocks have no OpenAI equivalent.
  }
  return m;
}

void write_tool_call(json::Writer& w, const rapidjson::Value& block) {
  w.StartObject();
  w.Key("id");
  json::write_string(w, json::string_or(block, "id"));
  w.Key("type");
  w.String("function");
  w.Key("function");
  w.StartObject();
  w.Key("name");
  json::write_string(w, json::string_or(block, "name"));
  w.Key("arguments");
  const auto* input = json::member(block, "input");
  json::write_string(w, input ? json::serialize(*input) : std::string("{}"));
  w.EndObject();
  w.EndObject();
}

void write_message(json::Writer& w, const Message& m) {
  w.StartObject();
  w.Key("role");
  w.String("assistant");
  w.Key("content");
  if (m.has_text || m.tool_uses.empty()) {
    json::write_string(w, m.text);
  } else {
    w.Null();  // OpenAI's shape for a turn made only of tool calls
  }
  if (!m.reasoning.empty()) {
    w.Key("reasoning_content");
    json::write_string(w, m.reasoning);
  }
  if (!m.tool_uses.empty()) {
    w.Key("tool_calls");
    w.StartArray();
    for (const auto* block : m.tool_uses) write_tool_call(w, *block);
    w.EndArray();
  }
  w.EndObject();
}

std::string error_message(const rapidjson::Value& body) {
  const auto* error = json::member(body, "error");
  const auto message = error ? json::string_or(*error, "message") : std::string_view{};
  return "the Anthropic upstream answered with an error: " + std::string(message.empty() ? "(no message)" : message);
}

}  // namespace

Translation openai_chat_response_from_anthropic(std::string_view body, std::string_view model_group,
                                                core::Usage& usage_out) {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return openai_chat_response_from_anthropic(body, model_group, usage_out,
                                             std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

Translation openai_chat_response_from_anthropic(std::string_view body, std::string_view model_group,
                                                core::Usage& usage_out, std::int64_t created) {
  usage_out = {};
  rapidjson::Document in;
  if (!json::parse(body, in) || !in.IsObject())
    return untranslatable_response("the Anthropic response is not a JSON object");
  if (json::string_or(in, "type") == "error") return untranslatable_response(error_message(in));
  const auto* content = json::member(in, "content");
  if (!content || !content->IsArray()) return untranslatable_response("the Anthropic response has no content array");
  if (const auto* usage = json::member(in, "usage")) usage_out = usage_from_anthropic(*usage);

  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("id");
  json::write_string(w, json::string_or(in, "id", "msg"));
  w.Key("object");
  w.String("chat.completion");
  w.Key("created");
  w.Int64(created);
  w.Key("model");
  json::write_string(w, model_group);
  w.Key("choices");
  w.StartArray();
  w.StartObject();
  w.Key("index");
  w.Int(0);
  w.Key("message");
  write_message(w, read_content(*content));
  w.Key("logprobs");
  w.Null();
  w.Key("finish_reason");
  json::write_string(w, finish_reason_from_anthropic(json::string_or(in, "stop_reason")));
  w.EndObject();
  w.EndArray();
  w.Key("usage");
  write_openai_usage(w, usage_out);
  w.EndObject();
  return std::string(json::written(buffer));
}

}  // namespace tollgate::providers
