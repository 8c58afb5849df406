#include "providers/anthropic_from_openai_response.h"

#include <string>

#include "providers/json_util.h"
#include "providers/stop_reason.h"
#include "providers/usage_json.h"

namespace tollgate::providers {
namespace {

// The message text: a string, or (from some OpenAI-compatible servers) text parts.
std::string message_text(const rapidjson::Value& message) {
  const auto* content = json::member(message, "content");
  std::string text;
  if (content && content->IsString()) {
    text.assign(content->GetString(), content->GetStringLength());
  } else if (content && content->IsArray()) {
    for (const auto& part : content->GetArray()) text += json::string_or(part, "text");
  }
  // A refusal is what the model said instead of an answer.
  if (text.empty()) text = json::string_or(message, "refusal");
  return text;
}

void write_text_block(json::Writer& w, std::string_view text) {
  w.StartObject();
  w.Key("type");
  w.String("text");
  w.Key("text");
  json::write_string(w, text);
  w.EndObject();
}

void write_tool_use(json::Writer& w, const rapidjson::Value& call, const rapidjson::Value& fn, std::size_t position) {
  w.StartObject();
  w.Key("type");
  w.String("tool_use");
  w.Key("id");
  const auto id = json::string_or(call, "id");
  json::write_string(w, id.empty() ? "call_" + std::to_string(position) : std::string(id));
  w.Key("name");
  json::write_string(w, json::string_or(fn, "name"));
  w.Key("input");
  rapidjson::Document input;
  const auto* arguments = json::member(fn, "arguments");
  if (arguments && arguments->IsObject()) {
    arguments->Accept(w);  // some servers send the object itself
  } else if (json::parse(json::string_or(fn, "arguments"), input) && input.IsObject()) {
    input.Accept(w);
  } else {
    // Anthropic's input is always an object; a truncated call (stop_reason max_tokens) is not.
    w.StartObject();
    w.EndObject();
  }
  w.EndObject();
}

// Writes the content blocks; false when there were none.
bool write_content(json::Writer& w, const rapidjson::Value& message) {
  bool any = false;
  if (const auto text = message_text(message); !text.empty()) {
    write_text_block(w, text);
    any = true;
  }
  const auto* calls = json::member(message, "tool_calls");
  if (!calls || !calls->IsArray()) return any;
  std::size_t position = 0;
  for (const auto& call : calls->GetArray()) {
    const auto* fn = json::member(call, "function");
    if (!fn || !fn->IsObject()) continue;
    write_tool_use(w, call, *fn, position++);
    any = true;
  }
  return any;
}

std::string message_id(std::string_view openai_id) {
  if (openai_id.substr(0, 4) == "msg_") return std::string(openai_id);
  return "msg_" + std::string(openai_id.empty() ? "gateway" : openai_id);
}

}  // namespace

Translation anthropic_response_from_openai(std::string_view body, std::string_view model, core::Usage& usage_out) {
  usage_out = {};
  rapidjson::Document in;
  if (!json::parse(body, in) || !in.IsObject())
    return untranslatable_response("the upstream response is not a JSON object");
  if (const auto* error = json::member(in, "error"); error && error->IsObject()) {
    return untranslatable_response("the upstream answered with an error: " +
                                   std::string(json::string_or(*error, "message", "(no message)")));
  }
  const auto* choices = json::member(in, "choices");
  if (!choices || !choices->IsArray() || choices->Empty())
    return untranslatable_response("the upstream response has no choices");
  const auto& choice = (*choices)[0];
  const auto* message = json::member(choice, "message");
  if (!message || !message->IsObject()) return untranslatable_response("the upstream response has no message");
  if (const auto* usage = json::member(in, "usage")) usage_out = usage_from_openai(*usage);

  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("id");
  json::write_string(w, message_id(json::string_or(in, "id")));
  w.Key("type");
  w.String("message");
  w.Key("role");
  w.String("assistant");
  w.Key("model");
  json::write_string(w, model);
  w.Key("content");
  w.StartArray();
  // Clients commonly read content[0].text: an empty answer is one empty text block.
  if (!write_content(w, *message)) write_text_block(w, "");
  w.EndArray();
  w.Key("stop_reason");
  json::write_string(w, stop_reason_from_openai(json::string_or(choice, "finish_reason")));
  w.Key("stop_sequence");
  w.Null();
  w.Key("usage");
  write_anthropic_usage(w, usage_out);
  w.EndObject();
  return std::string(json::written(buffer));
}

}  // namespace tollgate::providers
