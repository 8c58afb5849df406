#include "providers/responses_from_chat.h"

#include <map>
#include <vector>

#include "providers/json_util.h"

namespace tollgate::providers {

namespace {

using json::Writer;

struct Call {
  std::string call_id;
  std::string name;
  std::string arguments;
  int output_index = 0;
};

// What the answer holds so far.
struct Draft {
  std::string id;
  std::string model;
  std::int64_t created = 0;
  std::string text;
  bool has_text = false;
  int text_index = 0;                  // the message item's output_index
  std::map<std::int64_t, Call> calls;  // by the chunk's tool-call index
  int items = 0;
  std::string finish_reason;
};

std::string message_id(const Draft& d) { return "msg_" + d.id.substr(d.id.rfind('_') + 1); }

void write_message_item(Writer& w, const Draft& d, bool done) {
  w.StartObject();
  w.Key("type");
  w.String("message");
  w.Key("id");
  json::write_string(w, message_id(d));
  w.Key("status");
  w.String(done ? "completed" : "in_progress");
  w.Key("role");
  w.String("assistant");
  w.Key("content");
  w.StartArray();
  if (done) {
    w.StartObject();
    w.Key("type");
    w.String("output_text");
    w.Key("text");
    json::write_string(w, d.text);
    w.Key("annotations");
    w.StartArray();
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void write_call_item(Writer& w, const Call& c, bool done) {
  w.StartObject();
  w.Key("type");
  w.String("function_call");
  w.Key("id");
  json::write_string(w, "fc_" + c.call_id);
  w.Key("call_id");
  json::write_string(w, c.call_id);
  w.Key("name");
  json::write_string(w, c.name);
  w.Key("arguments");
  json::write_string(w, done ? c.arguments : std::string());
  w.Key("status");
  w.String(done ? "completed" : "in_progress");
  w.EndObject();
}

void write_usage(Writer& w, const core::Usage& u) {
  w.Key("usage");
  w.StartObject();
  w.Key("input_tokens");
  w.Int64(u.prompt_tokens);
  w.Key("input_tokens_details");
  w.StartObject();
  w.Key("cached_tokens");
  w.Int64(u.cached_prompt_tokens);
  w.EndObject();
  w.Key("output_tokens");
  w.Int64(u.completion_tokens);
  w.Key("output_tokens_details");
  w.StartObject();
  w.Key("reasoning_tokens");
  w.Int64(0);
  w.EndObject();
  w.Key("total_tokens");
  w.Int64(u.total());
  w.EndObject();
}

// The response object; `final` with its items and usage, else as response.created shows it.
void write_response(Writer& w, const Draft& d, const core::Usage& usage, bool final) {
  const bool incomplete = d.finish_reason == "length";
  w.StartObject();
  w.Key("id");
  json::write_string(w, d.id);
  w.Key("object");
  w.String("response");
  w.Key("created_at");
  w.Int64(d.created);
  w.Key("status");
  w.String(!final ? "in_progress" : incomplete ? "incomplete" : "completed");
  w.Key("error");
  w.Null();
  w.Key("incomplete_details");
  if (final && incomplete) {
    w.StartObject();
    w.Key("reason");
    w.String("max_output_tokens");
    w.EndObject();
  } else {
    w.Null();
  }
  w.Key("model");
  json::write_string(w, d.model);
  w.Key("output");
  w.StartArray();
  if (final) {
    // In output_index order: the message (when there is text) and the calls.
    std::vector<const Call*> calls;
    for (const auto& [index, call] : d.calls) calls.push_back(&call);
    bool message_written = !d.has_text;
    for (const auto* call : calls) {
      if (!message_written && d.text_index < call->output_index) {
        write_message_item(w, d, true);
        message_written = true;
      }
      write_call_item(w, *call, true);
    }
    if (!message_written) write_message_item(w, d, true);
  }
  w.EndArray();
  w.Key("parallel_tool_calls");
  w.Bool(true);
  w.Key("tool_choice");
  w.String("auto");
  w.Key("tools");
  w.StartArray();
  w.EndArray();
  if (final) {
    write_usage(w, usage);
  } else {
    w.Key("usage");
    w.Null();
  }
  w.EndObject();
}

std::string text_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

void read_identity(const rapidjson::Value& chat, Draft& d) {
  const auto id = json::string_or(chat, "id", "chat");
  d.id = "resp_" + std::string(id);
  d.model = std::string(json::string_or(chat, "model"));
  d.created = json::int_or(chat, "created");
}

}  // namespace

core::Result<std::string> responses_body_from_chat(std::string_view chat_body, const core::Usage& usage) {
  rapidjson::Document chat;
  if (!json::parse(chat_body, chat) || !chat.IsObject()) return core::bad_gateway("The upstream answer is not JSON");
  const auto* choices = json::member(chat, "choices");
  if (choices == nullptr || !choices->IsArray() || choices->Empty()) {
    return core::bad_gateway("The upstream answer has no choices");
  }
  Draft d;
  read_identity(chat, d);
  const auto& choice = (*choices)[0];
  d.finish_reason = std::string(json::string_or(choice, "finish_reason"));
  if (const auto* message = json::member(choice, "message")) {
    if (const auto* content = json::present(*message, "content"); content != nullptr && content->IsString()) {
      d.text = text_of(*content);
      d.has_text = !d.text.empty();
      d.text_index = d.items++;
    }
    if (const auto* calls = json::present(*message, "tool_calls"); calls != nullptr && calls->IsArray()) {
      std::int64_t index = 0;
      for (const auto& call : calls->GetArray()) {
        const auto* function = json::member(call, "function");
        if (function == nullptr) continue;
        d.calls[index++] = {std::string(json::string_or(call, "id")), std::string(json::string_or(*function, "name")),
                            std::string(json::string_or(*function, "arguments")), d.items++};
      }
    }
  }
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  write_response(w, d, usage, true);
  return std::string(json::written(buffer));
}

struct ResponsesStreamFromChat::State {
  Draft d;
  bool started = false;
  bool text_open = false;
  bool completed = false;
  std::int64_t sequence = 0;
  std::string out;

  // One `event: <type>` with its data: {"type", "sequence_number", then what `body` writes}.
  template <class Body>
  void event(const char* type, Body body) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("type");
    w.String(type);
    w.Key("sequence_number");
    w.Int64(sequence++);
    body(w);
    w.EndObject();
    out += "event: ";
    out += type;
    out += "\ndata: ";
    out += json::written(buffer);
    out += "\n\n";
  }

  void start(const rapidjson::Value& chunk) {
    started = true;
    read_identity(chunk, d);
    for (const char* type : {"response.created", "response.in_progress"}) {
      event(type, [this](Writer& w) {
        w.Key("response");
        write_response(w, d, {}, false);
      });
    }
  }

  void text_delta(const std::string& delta) {
    if (!text_open) {
      text_open = true;
      d.has_text = true;
      d.text_index = d.items++;
      event("response.output_item.added", [this](Writer& w) {
        w.Key("output_index");
        w.Int(d.text_index);
        w.Key("item");
        write_message_item(w, d, false);
      });
      event("response.content_part.added", [this](Writer& w) {
        part_position(w);
        w.Key("part");
        write_text_part(w, "");
      });
    }
    d.text += delta;
    event("response.output_text.delta", [this, &delta](Writer& w) {
      part_position(w);
      w.Key("delta");
      json::write_string(w, delta);
    });
  }

  void tool_delta(const rapidjson::Value& call) {
    const auto index = json::int_or(call, "index");
    auto found = d.calls.find(index);
    if (found == d.calls.end()) {
      Call c;
      c.call_id = std::string(json::string_or(call, "id"));
      if (const auto* function = json::member(call, "function"))
        c.name = std::string(json::string_or(*function, "name"));
      c.output_index = d.items++;
      found = d.calls.emplace(index, std::move(c)).first;
      event("response.output_item.added", [&found](Writer& w) {
        w.Key("output_index");
        w.Int(found->second.output_index);
        w.Key("item");
        write_call_item(w, found->second, false);
      });
    }
    const auto* function = json::member(call, "function");
    const auto arguments = function ? json::string_or(*function, "arguments") : std::string_view();
    if (arguments.empty()) return;
    found->second.arguments += arguments;
    event("response.function_call_arguments.delta", [&found, arguments](Writer& w) {
      w.Key("item_id");
      json::write_string(w, "fc_" + found->second.call_id);
      w.Key("output_index");
      w.Int(found->second.output_index);
      w.Key("delta");
      json::write_string(w, arguments);
    });
  }

  void complete(const core::Usage& usage) {
    completed = true;
    if (text_open) {
      event("response.output_text.done", [this](Writer& w) {
        part_position(w);
        w.Key("text");
        json::write_string(w, d.text);
      });
      event("response.content_part.done", [this](Writer& w) {
        part_position(w);
        w.Key("part");
        write_text_part(w, d.text);
      });
      event("response.output_item.done", [this](Writer& w) {
        w.Key("output_index");
        w.Int(d.text_index);
        w.Key("item");
        write_message_item(w, d, true);
      });
    }
    for (const auto& [index, call] : d.calls) {
      event("response.function_call_arguments.done", [&call = call](Writer& w) {
        w.Key("item_id");
        json::write_string(w, "fc_" + call.call_id);
        w.Key("output_index");
        w.Int(call.output_index);
        w.Key("arguments");
        json::write_string(w, call.arguments);
      });
      event("response.output_item.done", [&call = call](Writer& w) {
        w.Key("output_index");
        w.Int(call.output_index);
        w.Key("item");
        write_call_item(w, call, true);
      });
    }
    const char* type = d.finish_reason == "length" ? "response.incomplete" : "response.completed";
    event(type, [this, &usage](Writer& w) {
      w.Key("response");
      write_response(w, d, usage, true);
    });
  }

  void part_position(Writer& w) const {
    w.Key("item_id");
    json::write_string(w, message_id(d));
    w.Key("output_index");
    w.Int(d.text_index);
    w.Key("content_index");
    w.Int(0);
  }

  static void write_text_part(Writer& w, const std::string& text) {
    w.StartObject();
    w.Key("type");
    w.String("output_text");
    w.Key("text");
    json::write_string(w, text);
    w.Key("annotations");
    w.StartArray();
    w.EndArray();
    w.EndObject();
  }

  void chunk(const rapidjson::Value& chunk) {
    if (!started) start(chunk);
    const auto* choices = json::member(chunk, "choices");
    if (choices == nullptr || !choices->IsArray() || choices->Empty()) return;  // e.g. the usage chunk
    const auto& choice = (*choices)[0];
    if (const auto* reason = json::present(choice, "finish_reason"); reason != nullptr && reason->IsString()) {
      d.finish_reason = text_of(*reason);
    }
    const auto* delta = json::member(choice, "delta");
    if (delta == nullptr) return;
    if (const auto* content = json::present(*delta, "content"); content != nullptr && content->IsString()) {
      if (content->GetStringLength() > 0) text_delta(text_of(*content));
    }
    if (const auto* calls = json::present(*delta, "tool_calls"); calls != nullptr && calls->IsArray()) {
      for (const auto& call : calls->GetArray()) tool_delta(call);
    }
  }
};

ResponsesStreamFromChat::ResponsesStreamFromChat() : s_(std::make_unique<State>()) {}
ResponsesStreamFromChat::~ResponsesStreamFromChat() = default;

bool ResponsesStreamFromChat::completed() const { return s_->completed; }

std::string ResponsesStreamFromChat::translate(std::string_view chat_bytes, const core::Usage& usage) {
  s_->out.clear();
  for (std::size_t at = 0; at < chat_bytes.size();) {
    const auto end = std::min(chat_bytes.find('\n', at), chat_bytes.size());
    auto line = chat_bytes.substr(at, end - at);
    at = end + 1;
    if (line.substr(0, 5) != "data:") continue;
    line.remove_prefix(5);
    while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    if (line == "[DONE]") {
      if (!s_->completed) {
        if (!s_->started) s_->start(rapidjson::Value(rapidjson::kObjectType));
        s_->complete(usage);
      }
      continue;
    }
    rapidjson::Document chunk;
    if (s_->completed || !json::parse(line, chunk) || !chunk.IsObject()) continue;
    if (json::member(chunk, "error") != nullptr) continue;  // the chat relay's own error tail
    s_->chunk(chunk);
  }
  return std::move(s_->out);
}

std::string ResponsesStreamFromChat::error_event(std::string_view message) {
  return responses_error_event(message, s_->sequence++);
}

namespace {

class ResponsesOverChat : public StreamRelay {
 public:
  explicit ResponsesOverChat(std::unique_ptr<StreamRelay> chat) : chat_(std::move(chat)) {}

  std::string on_event(const SseEvent& event) override {
    const auto chat_bytes = chat_->on_event(event);
    if (chat_bytes.empty()) return {};
    return stream_.translate(chat_bytes, chat_->usage());
  }
  bool finished() const override { return chat_->finished(); }
  core::Usage usage() const override { return chat_->usage(); }
  bool usage_found() const override { return chat_->usage_found(); }
  std::string error_tail(std::string_view message) const override { return stream_.error_event(message); }

 private:
  std::unique_ptr<StreamRelay> chat_;
  mutable ResponsesStreamFromChat stream_;  // error_tail is const in the interface; it numbers the event
};

}  // namespace

std::unique_ptr<StreamRelay> responses_relay_over_chat(std::unique_ptr<StreamRelay> chat) {
  return std::make_unique<ResponsesOverChat>(std::move(chat));
}

}  // namespace tollgate::providers
