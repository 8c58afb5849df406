#include "providers/responses_chat_request.h"

#include <string>
#include <string_view>

#include "providers/json_util.h"

namespace tollgate::providers {
namespace {

using json::present;
using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

std::string_view text_of(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

bool is_string(const Value* v) { return v != nullptr && v->IsString(); }

core::ApiError refused(const std::string& what, const std::string& param) {
  return core::bad_request(what +
                               " is not supported on /v1/responses for deployments whose provider speaks chat "
                               "only (the gateway translates the request to chat and keeps no state)",
                           param);
}

// A message's content parts as chat content parts.
core::Result<Value> chat_parts(const Value& parts, const std::string& param, Alloc& a) {
  Value out(rapidjson::kArrayType);
  for (rapidjson::SizeType i = 0; i < parts.Size(); ++i) {
    const auto& part = parts[i];
    const std::string at = param + "[" + std::to_string(i) + "]";
    const auto type = part.IsObject() ? json::string_or(part, "type") : std::string_view();
    Value chat(rapidjson::kObjectType);
    if (type == "input_text" || type == "output_text" || type == "text") {
      const auto* text = present(part, "text");
      if (!is_string(text)) return core::bad_request("A text part needs a string 'text'", at + ".text");
      chat.AddMember("type", "text", a);
      chat.AddMember("text", Value(*text, a), a);
    } else if (type == "input_image") {
      const auto* url = present(part, "image_url");
      if (!is_string(url)) return refused("An input_image without an image_url (file ids)", at);
      Value image(rapidjson::kObjectType);
      image.AddMember("url", Value(*url, a), a);
      if (const auto* detail = present(part, "detail"); is_string(detail))
        image.AddMember("detail", Value(*detail, a), a);
      chat.AddMember("type", "image_url", a);
      chat.AddMember("image_url", image, a);
    } else {
      return refused("A content part of type \"" + std::string(type) + "\"", at + ".type");
    }
    out.PushBack(chat, a);
  }
  return out;
}

// The text of a tool's output (a string, or output_text / input_text parts).
core::Result<std::string> output_text(const Value& output, const std::string& param) {
  if (output.IsString()) return std::string(text_of(output));
  if (!output.IsArray()) return core::bad_request("'output' must be a string or an array of parts", param);
  std::string text;
  for (const auto& part : output.GetArray()) {
    const auto* t = part.IsObject() ? present(part, "text") : nullptr;
    if (!is_string(t)) return refused("A function_call_output part other than text", param);
    text += text_of(*t);
  }
  return text;
}

class Translator {
 public:
  explicit Translator(rapidjson::Document& out) : a_(out.GetAllocator()), messages_(rapidjson::kArrayType) {}

  core::Status instructions(const Value& request) {
    const auto* instructions = present(request, "instructions");
    if (instructions == nullptr) return {};
    if (!instructions->IsString()) return core::bad_request("'instructions' must be a string", "instructions");
    push_message("system", Value(*instructions, a_));
    return {};
  }

  core::Status input(const Value& input) {
    if (input.IsString()) {
      push_message("user", Value(input, a_));
      return {};
    }
    for (rapidjson::SizeType i = 0; i < input.Size(); ++i) {
      if (auto done = item(input[i], "input[" + std::to_string(i) + "]"); !done) return done;
    }
    return {};
  }

  Value take_messages() { return std::move(messages_); }

 private:
  core::Status item(const Value& item, const std::string& param) {
    if (!item.IsObject()) return core::bad_request("Each input item must be an object", param);
    const auto type = json::string_or(item, "type", "message");
    if (type == "message") return message(item, param);
    if (type == "function_call") return function_call(item, param);
    if (type == "function_call_output") return function_call_output(item, param);
    if (type == "reasoning") return {};  // the provider's own reasoning: nothing to send back
    return refused("An input item of type \"" + std::string(type) + "\"", param + ".type");
  }

  core::Status message(const Value& item, const std::string& param) {
    auto role = json::string_or(item, "role");
    if (role == "developer") role = "system";
    if (role != "user" && role != "assistant" && role != "system") {
      return core::bad_request("A message's role must be user, assistant, system or developer", param + ".role");
    }
    const auto* content = present(item, "content");
    if (content == nullptr || (!content->IsString() && !content->IsArray())) {
      return core::bad_request("A message's 'content' must be a string or an array of parts", param + ".content");
    }
    Value chat_content;
    if (content->IsString()) {
      chat_content.CopyFrom(*content, a_);
    } else {
      auto parts = chat_parts(*content, param + ".content", a_);
      if (!parts) return parts.error();
      chat_content = std::move(parts).value();
    }
    push_message(std::string(role), std::move(chat_content));
    return {};
  }

  // Consecutive calls become one assistant message with several tool_calls.
  core::Status function_call(const Value& item, const std::string& param) {
    const auto* call_id = present(item, "call_id");
    const auto* name = present(item, "name");
    const auto* arguments = present(item, "arguments");
    if (!is_string(call_id) || !is_string(name) || !is_string(arguments)) {
      return core::bad_request("A function_call needs string 'call_id', 'name' and 'arguments'", param);
    }
    Value function(rapidjson::kObjectType);
    function.AddMember("name", Value(*name, a_), a_);
    function.AddMember("arguments", Value(*arguments, a_), a_);
    Value call(rapidjson::kObjectType);
    call.AddMember("id", Value(*call_id, a_), a_);
    call.AddMember("type", "function", a_);
    call.AddMember("function", function, a_);
    Value* last = messages_.Empty() ? nullptr : &messages_[messages_.Size() - 1];
    const bool joins = last != nullptr && json::string_or(*last, "role") == "assistant";
    if (!joins) {
      Value message(rapidjson::kObjectType);
      message.AddMember("role", "assistant", a_);
      message.AddMember("content", Value(rapidjson::kNullType), a_);
      messages_.PushBack(message, a_);
      last = &messages_[messages_.Size() - 1];
    }
    if (!last->HasMember("tool_calls")) last->AddMember("tool_calls", Value(rapidjson::kArrayType), a_);
    (*last)["tool_calls"].PushBack(call, a_);
    return {};
  }

  core::Status function_call_output(const Value& item, const std::string& param) {
    const auto* call_id = present(item, "call_id");
    const auto* output = present(item, "output");
    if (!is_string(call_id) || output == nullptr) {
      return core::bad_request("A function_call_output needs a string 'call_id' and an 'output'", param);
    }
    auto text = output_text(*output, param + ".output");
    if (!text) return text.error();
    Value message(rapidjson::kObjectType);
    message.AddMember("role", "tool", a_);
    message.AddMember("tool_call_id", Value(*call_id, a_), a_);
    message.AddMember("content", json::string_value(*text, a_), a_);
    messages_.PushBack(message, a_);
    return {};
  }

  void push_message(const std::string& role, Value content) {
    Value message(rapidjson::kObjectType);
    message.AddMember("role", json::string_value(role, a_), a_);
    message.AddMember("content", content, a_);
    messages_.PushBack(message, a_);
  }

  Alloc& a_;
  Value messages_;
};

core::Result<Value> chat_tools(const Value& tools, Alloc& a) {
  Value out(rapidjson::kArrayType);
  for (rapidjson::SizeType i = 0; i < tools.Size(); ++i) {
    const auto& tool = tools[i];
    const std::string param = "tools[" + std::to_string(i) + "]";
    if (json::string_or(tool, "type") != "function") return refused("A tool of type other than \"function\"", param);
    const auto* name = present(tool, "name");
    if (!is_string(name)) return core::bad_request("A function tool needs a string 'name'", param + ".name");
    Value function(rapidjson::kObjectType);
    function.AddMember("name", Value(*name, a), a);
    for (const char* field : {"description", "parameters", "strict"}) {
      if (const auto* v = present(tool, field)) function.AddMember(rapidjson::StringRef(field), Value(*v, a), a);
    }
    Value chat(rapidjson::kObjectType);
    chat.AddMember("type", "function", a);
    chat.AddMember("function", function, a);
    out.PushBack(chat, a);
  }
  return out;
}

core::Result<Value> chat_tool_choice(const Value& choice, Alloc& a) {
  if (choice.IsString()) {
    const auto mode = text_of(choice);
    if (mode != "auto" && mode != "none" && mode != "required") {
      return core::bad_request("'tool_choice' must be auto, none, required or a function", "tool_choice");
    }
    return Value(choice, a);
  }
  const auto* name = choice.IsObject() ? present(choice, "name") : nullptr;
  if (json::string_or(choice, "type") != "function" || !is_string(name)) {
    return refused("A tool_choice other than auto, none, required or {\"type\":\"function\",\"name\"}", "tool_choice");
  }
  Value function(rapidjson::kObjectType);
  function.AddMember("name", Value(*name, a), a);
  Value out(rapidjson::kObjectType);
  out.AddMember("type", "function", a);
  out.AddMember("function", function, a);
  return out;
}

core::Status refuse_state(const Value& request) {
  for (const char* field : {"previous_response_id", "conversation", "prompt"}) {
    if (present(request, field) != nullptr) return refused("'" + std::string(field) + "'", field);
  }
  if (const auto* text = present(request, "text")) {
    const auto* format = text->IsObject() ? present(*text, "format") : nullptr;
    if (format != nullptr && json::string_or(*format, "type", "text") != "text") {
      return refused("A text.format other than text", "text.format");
    }
  }
  return {};
}

}  // namespace

core::Result<rapidjson::Document> chat_request_from_responses(const rapidjson::Value& request) {
  if (auto state = refuse_state(request); !state) return state.error();
  rapidjson::Document out(rapidjson::kObjectType);
  auto& a = out.GetAllocator();
  if (const auto* model = present(request, "model")) out.AddMember("model", Value(*model, a), a);
  Translator translator(out);
  if (auto done = translator.instructions(request); !done) return done.error();
  const auto* input = present(request, "input");
  if (input == nullptr || (!input->IsString() && !input->IsArray())) {
    return core::bad_request("'input' must be a string or an array of input items", "input");
  }
  if (auto done = translator.input(*input); !done) return done.error();
  out.AddMember("messages", translator.take_messages(), a);
  if (const auto* tools = present(request, "tools"); tools != nullptr && tools->IsArray() && !tools->Empty()) {
    auto chat = chat_tools(*tools, a);
    if (!chat) return chat.error();
    out.AddMember("tools", std::move(chat).value(), a);
  }
  if (const auto* choice = present(request, "tool_choice")) {
    auto chat = chat_tool_choice(*choice, a);
    if (!chat) return chat.error();
    out.AddMember("tool_choice", std::move(chat).value(), a);
  }
  if (const auto* max = present(request, "max_output_tokens")) out.AddMember("max_tokens", Value(*max, a), a);
  for (const char* field : {"temperature", "top_p", "parallel_tool_calls", "stream", "user"}) {
    if (const auto* v = present(request, field)) out.AddMember(rapidjson::StringRef(field), Value(*v, a), a);
  }
  return out;
}

}  // namespace tollgate::providers
