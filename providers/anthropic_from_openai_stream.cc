#include "providers/anthropic_from_openai_stream.h"

#include "providers/json_util.h"
#include "providers/stop_reason.h"
#include "providers/usage_json.h"

namespace tollgate::providers {
namespace {

// "event: <type>\ndata: {"type":"<type>", ...}\n\n"; `write_members` adds the other members.
template <typename WriteMembers>
std::string anthropic_event(std::string_view type, WriteMembers write_members) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("type");
  json::write_string(w, type);
  write_members(w);
  w.EndObject();
  const auto data = json::written(buffer);
  std::string out;
  out.reserve(type.size() + data.size() + 17);
  out += "event: ";
  out += type;
  out += "\ndata: ";
  out += data;
  out += "\n\n";
  return out;
}

void write_index(json::Writer& w, int index) {
  w.Key("index");
  w.Int(index);
}

}  // namespace

OpenAIToAnthropicStream::OpenAIToAnthropicStream(std::string model, std::int64_t input_tokens_estimate)
    : model_(std::move(model)) {
  usage_.prompt_tokens = input_tokens_estimate;
}

std::string OpenAIToAnthropicStream::on_data(std::string_view data) {
  if (finished_) return {};
  if (data == "[DONE]") return finish();
  rapidjson::Document d;
  if (!json::parse(data, d) || !d.IsObject()) return fail("the upstream sent a stream chunk that is not JSON");
  if (const auto* error = json::member(d, "error"); error && error->IsObject()) {
    return fail(json::string_or(*error, "message", "the upstream failed mid-stream"));
  }
  return on_chunk(d);
}

std::string OpenAIToAnthropicStream::on_chunk(const rapidjson::Value& chunk) {
  std::string out;
  if (!started_) {
    if (const auto id = json::string_or(chunk, "id"); !id.empty()) id_ = "msg_" + std::string(id);
    out += start_message();
  }
  // The include_usage chunk (or a server that reports usage on every chunk): the real counts.
  if (const auto* usage = json::member(chunk, "usage"); usage && usage->IsObject()) usage_ = usage_from_openai(*usage);
  const auto* choices = json::member(chunk, "choices");
  if (!choices || !choices->IsArray() || choices->Empty()) return out;
  const auto& choice = (*choices)[0];
  if (const auto reason = json::string_or(choice, "finish_reason"); !reason.empty()) {
    stop_reason_ = std::string(stop_reason_from_openai(reason));
  }
  const auto* delta = json::member(choice, "delta");
  if (!delta) return out;
  out += on_text(json::string_or(*delta, "content"));
  out += on_text(json::string_or(*delta, "refusal"));
  if (const auto* calls = json::member(*delta, "tool_calls"); calls && calls->IsArray()) {
    for (const auto& call : calls->GetArray()) out += on_tool_call(call);
  }
  return out;
}

std::string OpenAIToAnthropicStream::on_text(std::string_view text) {
  if (text.empty()) return {};
  std::string out;
  if (open_block_ < 0 || !open_block_is_text_) out += open_text_block();
  const int index = open_block_;
  out += anthropic_event("content_block_delta", [&](json::Writer& w) {
    write_index(w, index);
    w.Key("delta");
    w.StartObject();
    w.Key("type");
    w.String("text_delta");
    w.Key("text");
    json::write_string(w, text);
    w.EndObject();
  });
  return out;
}

std::string OpenAIToAnthropicStream::on_tool_call(const rapidjson::Value& call) {
  const auto tool_index = json::int_or(call, "index");
  const auto* fn = json::member(call, "function");
  std::string out;
  auto it = tool_blocks_.find(tool_index);
  if (it == tool_blocks_.end()) {
    out += close_block();
    const int block = next_block_++;
    it = tool_blocks_.emplace(tool_index, block).first;
    open_block_ = block;
    open_block_is_text_ = false;
    const auto id = json::string_or(call, "id");
    const auto name = fn ? json::string_or(*fn, "name") : std::string_view{};
    out += anthropic_event("content_block_start", [&](json::Writer& w) {
      write_index(w, block);
      w.Key("content_block");
      w.StartObject();
      w.Key("type");
      w.String("tool_use");
      w.Key("id");
      json::write_string(w, id.empty() ? "call_" + std::to_string(tool_index) : std::string(id));
      w.Key("name");
      json::write_string(w, name);
      w.Key("input");
      w.StartObject();
      w.EndObject();
      w.EndObject();
    });
  }
  const auto arguments = fn ? json::string_or(*fn, "arguments") : std::string_view{};
  if (arguments.empty()) return out;
  // Calls stream one after another; a late piece of an earlier call still names its block,
  // which is how Anthropic clients accumulate input (by index).
  const int block = it->second;
  out += anthropic_event("content_block_delta", [&](json::Writer& w) {
    write_index(w, block);
    w.Key("delta");
    w.StartObject();
    w.Key("type");
    w.String("input_json_delta");
    w.Key("partial_json");
    json::write_string(w, arguments);
    w.EndObject();
  });
  return out;
}

std::string OpenAIToAnthropicStream::start_message() {
  started_ = true;
  return anthropic_event("message_start", [&](json::Writer& w) {
    w.Key("message");
    w.StartObject();
    w.Key("id");
    json::write_string(w, id_);
    w.Key("type");
    w.String("message");
    w.Key("role");
    w.String("assistant");
    w.Key("model");
    json::write_string(w, model_);
    w.Key("content");
    w.StartArray();
    w.EndArray();
    w.Key("stop_reason");
    w.Null();
    w.Key("stop_sequence");
    w.Null();
    w.Key("usage");
    write_anthropic_usage(w, usage_);
    w.EndObject();
  });
}

std::string OpenAIToAnthropicStream::open_text_block() {
  std::string out = close_block();
  open_block_ = next_block_++;
  open_block_is_text_ = true;
  const int index = open_block_;
  out += anthropic_event("content_block_start", [&](json::Writer& w) {
    write_index(w, index);
    w.Key("content_block");
    w.StartObject();
    w.Key("type");
    w.String("text");
    w.Key("text");
    w.String("");
    w.EndObject();
  });
  return out;
}

std::string OpenAIToAnthropicStream::close_block() {
  if (open_block_ < 0) return {};
  const int index = open_block_;
  open_block_ = -1;
  return anthropic_event("content_block_stop", [&](json::Writer& w) { write_index(w, index); });
}

std::string OpenAIToAnthropicStream::finish() {
  finished_ = true;
  std::string out = started_ ? std::string() : start_message();
  out += close_block();
  out += anthropic_event("message_delta", [&](json::Writer& w) {
    w.Key("delta");
    w.StartObject();
    w.Key("stop_reason");
    json::write_string(w, stop_reason_);
    w.Key("stop_sequence");
    w.Null();
    w.EndObject();
    w.Key("usage");
    write_anthropic_usage(w, usage_);
  });
  out += anthropic_event("message_stop", [](json::Writer&) {});
  return out;
}

std::string OpenAIToAnthropicStream::fail(std::string_view message) {
  finished_ = true;
  return anthropic_event("error", [&](json::Writer& w) {
    w.Key("error");
    w.StartObject();
    w.Key("type");
    w.String("api_error");
    w.Key("message");
    json::write_string(w, message);
    w.EndObject();
  });
}

}  // namespace tollgate::providers
