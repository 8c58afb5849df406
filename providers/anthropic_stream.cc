#include "providers/anthropic_stream.h"

#include "providers/json_util.h"
#include "providers/stop_reason.h"
#include "providers/usage_json.h"

namespace tollgate::providers {
namespace {

constexpr std::string_view kDone = "data: [DONE]\n\n";

struct Head {
  std::string_view id;
  std::string_view model;
  std::int64_t created;
};

std::string sse_data(const rapidjson::StringBuffer& buffer) {
  const auto json_text = json::written(buffer);
  std::string out;
  out.reserve(json_text.size() + 8);
  out += "data: ";
  out += json_text;
  out += "\n\n";
  return out;
}

void open_chunk(json::Writer& w, const Head& head) {
  w.StartObject();
  w.Key("id");
  json::write_string(w, head.id);
  w.Key("object");
  w.String("chat.completion.chunk");
  w.Key("created");
  w.Int64(head.created);
  w.Key("model");
  json::write_string(w, head.model);
}

// One chunk with one choice; `write_delta` writes the members of the delta object.
template <typename WriteDelta>
std::string choice_chunk(const Head& head, WriteDelta write_delta, std::string_view finish_reason = {}) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  open_chunk(w, head);
  w.Key("choices");
  w.StartArray();
  w.StartObject();
  w.Key("index");
  w.Int(0);
  w.Key("delta");
  w.StartObject();
  write_delta(w);
  w.EndObject();
  w.Key("logprobs");
  w.Null();
  w.Key("finish_reason");
  if (finish_reason.empty()) {
    w.Null();
  } else {
    json::write_string(w, finish_reason);
  }
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return sse_data(buffer);
}

// The include_usage chunk: no choices, only usage.
std::string usage_chunk(const Head& head, const core::Usage& usage) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  open_chunk(w, head);
  w.Key("choices");
  w.StartArray();
  w.EndArray();
  w.Key("usage");
  write_openai_usage(w, usage);
  w.EndObject();
  return sse_data(buffer);
}

std::string error_chunk(std::string_view type, std::string_view message) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("message");
  json::write_string(w, message);
  w.Key("type");
  json::write_string(w, type);
  w.Key("param");
  w.Null();
  w.Key("code");
  w.Null();
  w.EndObject();
  w.EndObject();
  return sse_data(buffer);
}

void write_tool_start(json::Writer& w, int index, std::string_view id, std::string_view name) {
  w.Key("tool_calls");
  w.StartArray();
  w.StartObject();
  w.Key("index");
  w.Int(index);
  w.Key("id");
  json::write_string(w, id);
  w.Key("type");
  w.String("function");
  w.Key("function");
  w.StartObject();
  w.Key("name");
  json::write_string(w, name);
  w.Key("arguments");
  w.String("");
  w.EndObject();
  w.EndObject();
  w.EndArray();
}

void write_arguments(json::Writer& w, int index, std::string_view partial_json) {
  w.Key("tool_calls");
  w.StartArray();
  w.StartObject();
  w.Key("index");
  w.Int(index);
  w.Key("function");
  w.StartObject();
  w.Key("arguments");
  json::write_string(w, partial_json);
  w.EndObject();
  w.EndObject();
  w.EndArray();
}

}  // namespace

AnthropicToOpenAIStream::AnthropicToOpenAIStream(std::string model_group, bool include_usage, std::int64_t created)
    : model_(std::move(model_group)), include_usage_(include_usage), created_(created) {}

std::string AnthropicToOpenAIStream::on_event(const SseEvent& event) {
  if (finished_) return {};
  rapidjson::Document d;
  if (!json::parse(event.data, d) || !d.IsObject()) {
    // Anthropic only sends JSON: going on would hand the client a silently damaged answer.
    return on_error("api_error", "the Anthropic upstream sent a stream event that is not JSON");
  }
  // The `event:` field names the type; the data repeats it, and is the fallback.
  const std::string_view type = event.event.empty() ? json::string_or(d, "type") : std::string_view(event.event);
  if (type == "message_start") return on_message_start(d);
  if (type == "content_block_start") return on_block_start(d);
  if (type == "content_block_delta") return on_block_delta(d);
  if (type == "message_delta") return on_message_delta(d);
  if (type == "message_stop") return on_message_stop();
  if (type == "error") {
    const auto* error = json::member(d, "error");
    return on_error(error ? json::string_or(*error, "type", "api_error") : "api_error",
                    error ? json::string_or(*error, "message", "upstream error") : "upstream error");
  }
  return {};  // ping, content_block_stop, and event types added after this was written
}

void AnthropicToOpenAIStream::update_counts(const rapidjson::Value& usage) {
  counts_.input = json::int_or(usage, "input_tokens", counts_.input);
  counts_.cache_read = json::int_or(usage, "cache_read_input_tokens", counts_.cache_read);
  counts_.cache_write = json::int_or(usage, "cache_creation_input_tokens", counts_.cache_write);
  counts_.output = json::int_or(usage, "output_tokens", counts_.output);
  usage_.prompt_tokens = counts_.input + counts_.cache_read + counts_.cache_write;
  usage_.cached_prompt_tokens = counts_.cache_read;
  usage_.cache_creation_prompt_tokens = counts_.cache_write;
  usage_.completion_tokens = counts_.output;
  usage_.web_search_requests = web_search_requests(usage, usage_.web_search_requests);
}

std::string AnthropicToOpenAIStream::start_if_needed() {
  if (started_) return {};
  started_ = true;
  return choice_chunk({id_, model_, created_}, [](json::Writer& w) {
    w.Key("role");
    w.String("assistant");
    w.Key("content");
    w.String("");
  });
}

std::string AnthropicToOpenAIStream::text_chunk(const char* field, std::string_view text) {
  if (text.empty()) return {};
  return start_if_needed() + choice_chunk({id_, model_, created_}, [&](json::Writer& w) {
           w.Key(field);
           json::write_string(w, text);
         });
}

std::string AnthropicToOpenAIStream::finish_chunk(std::string_view finish_reason) {
  if (finish_sent_) return {};
  finish_sent_ = true;
  return start_if_needed() + choice_chunk(
                                 {id_, model_, created_}, [](json::Writer&) {}, finish_reason);
}

std::string AnthropicToOpenAIStream::on_message_start(const rapidjson::Value& event) {
  if (const auto* message = json::member(event, "message")) {
    if (const auto id = json::string_or(*message, "id"); !id.empty() && !started_) id_ = std::string(id);
    if (const auto* usage = json::member(*message, "usage")) update_counts(*usage);
  }
  return start_if_needed();
}

std::string AnthropicToOpenAIStream::on_block_start(const rapidjson::Value& event) {
  const auto* block = json::member(event, "content_block");
  if (!block) return {};
  const auto type = json::string_or(*block, "type");
  if (type == "text") return text_chunk("content", json::string_or(*block, "text"));
  if (type == "thinking") return text_chunk("reasoning_content", json::string_or(*block, "thinking"));
  if (type != "tool_use") return {};  // server tool blocks and redacted thinking have no OpenAI form
  const int index = static_cast<int>(tool_index_.size());
  tool_index_[json::int_or(event, "index")] = index;
  const auto id = json::string_or(*block, "id");
  const auto name = json::string_or(*block, "name");
  return start_if_needed() +
         choice_chunk({id_, model_, created_}, [&](json::Writer& w) { write_tool_start(w, index, id, name); });
}

std::string AnthropicToOpenAIStream::on_block_delta(const rapidjson::Value& event) {
  const auto* delta = json::member(event, "delta");
  if (!delta) return {};
  const auto type = json::string_or(*delta, "type");
  if (type == "text_delta") return text_chunk("content", json::string_or(*delta, "text"));
  if (type == "thinking_delta") return text_chunk("reasoning_content", json::string_or(*delta, "thinking"));
  if (type != "input_json_delta") return {};  // signature_delta, citations_delta
  const auto it = tool_index_.find(json::int_or(event, "index"));
  const auto partial = json::string_or(*delta, "partial_json");
  if (it == tool_index_.end() || partial.empty()) return {};
  const int index = it->second;
  return choice_chunk({id_, model_, created_}, [&](json::Writer& w) { write_arguments(w, index, partial); });
}

std::string AnthropicToOpenAIStream::on_message_delta(const rapidjson::Value& event) {
  if (const auto* usage = json::member(event, "usage")) update_counts(*usage);
  const auto* delta = json::member(event, "delta");
  const auto stop_reason = delta ? json::string_or(*delta, "stop_reason") : std::string_view{};
  if (stop_reason.empty()) return {};
  return finish_chunk(finish_reason_from_anthropic(stop_reason));
}

std::string AnthropicToOpenAIStream::on_message_stop() {
  finished_ = true;
  // OpenAI clients wait for a finish_reason; a stream that never said why it stopped ended normally.
  std::string out = finish_chunk("stop");
  if (include_usage_) out += usage_chunk({id_, model_, created_}, usage_);
  out += kDone;
  return out;
}

std::string AnthropicToOpenAIStream::on_error(std::string_view type, std::string_view message) {
  finished_ = true;
  std::string out = error_chunk(type, message);
  out += kDone;
  return out;
}

}  // namespace tollgate::providers
