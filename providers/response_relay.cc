#include "providers/response_relay.h"

#include <rapidjson/document.h>

#include "providers/anthropic_response.h"
#include "providers/anthropic_stream.h"
#include "providers/json_util.h"
#include "providers/openai_from_anthropic_request.h"
#include "providers/shown_server_tools.h"
#include "providers/usage_json.h"

namespace tollgate::providers {
namespace {

std::optional<core::Usage> usage_from(const rapidjson::Value& usage) {
  if (!usage.IsObject()) return std::nullopt;
  if (usage.HasMember("prompt_tokens") || usage.HasMember("completion_tokens")) return usage_from_openai(usage);
  // Both name their fields input/output_tokens; only the Responses API has the details objects.
  if (usage.HasMember("input_tokens_details") || usage.HasMember("output_tokens_details")) {
    return usage_from_responses(usage);
  }
  if (usage.HasMember("input_tokens") || usage.HasMember("output_tokens")) return usage_from_anthropic(usage);
  return std::nullopt;
}

// ---- passthrough relays: bytes out = events in, usage read on the way

// An event as it came: its name (when it has one) and its data.
std::string sse_event_text(const SseEvent& event) {
  std::string out;
  out.reserve(event.event.size() + event.data.size() + 16);
  if (!event.event.empty()) {
    out += "event: ";
    out += event.event;
    out += "\n";
  }
  out += "data: ";
  out += event.data;
  out += "\n\n";
  return out;
}

class OpenAIPassthrough : public StreamRelay {
 public:
  explicit OpenAIPassthrough(bool client_wants_usage) : client_wants_usage_(client_wants_usage) {}

  std::string on_event(const SseEvent& event) override {
    if (event.data == "[DONE]") {
      finished_ = true;
      return "data: [DONE]\n\n";
    }
    if (event.data.find("\"usage\":{") != std::string::npos) {
      rapidjson::Document d;
      if (json::parse(event.data, d) && d.IsObject()) {
        if (const auto it = d.FindMember("usage"); it != d.MemberEnd()) {
          if (auto u = usage_from(it->value)) {
            usage_ = *u;
            found_ = true;
          }
        }
        const auto choices = d.FindMember("choices");
        const bool usage_only = choices != d.MemberEnd() && choices->value.IsArray() && choices->value.Empty();
        if (usage_only && !client_wants_usage_) {
          return {};  // we asked for it on the client's behalf; it is not theirs to see
        }
      }
    }
    std::string out;
    out.reserve(event.data.size() + 8);
    out += "data: ";
    out += event.data;
    out += "\n\n";
    return out;
  }
  bool finished() const override { return finished_; }
  core::Usage usage() const override { return usage_; }
  bool usage_found() const override { return found_; }
  std::string error_tail(std::string_view message) const override { return openai_stream_error(message); }

  static std::string openai_stream_error(std::string_view message) {
    std::string escaped;
    for (char c : message) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      if (static_cast<unsigned char>(c) >= 0x20) escaped.push_back(c);
    }
    return "data: {\"error\":{\"message\":\"" + escaped +
           "\",\"type\":\"upstream_error\",\"param\":null,\"code\":\"502\"}}\n\ndata: [DONE]\n\n";
  }

 private:
  bool client_wants_usage_;
  bool finished_ = false;
  bool found_ = false;
  core::Usage usage_;
};

class AnthropicPassthrough : public StreamRelay {
 public:
  AnthropicPassthrough(std::int64_t web_searches_bound, std::int64_t prompt_tokens_bound)
      : shown_(web_searches_bound, prompt_tokens_bound) {}

  std::string on_event(const SseEvent& event) override {
    if (event.event == "message_stop") finished_ = true;
    if (event.event == "content_block_start" && is_server_tool_call(event.data)) {
      shown_.tool_called(is_web_search_call(event.data));
    }
    if (event.event == "message_start" || event.event == "message_delta") {
      rapidjson::Document d;
      if (json::parse(event.data, d) && d.IsObject()) {
        const rapidjson::Value* usage = nullptr;
        if (event.event == "message_start") {
          const auto msg = d.FindMember("message");
          if (msg != d.MemberEnd() && msg->value.IsObject()) {
            const auto u = msg->value.FindMember("usage");
            if (u != msg->value.MemberEnd()) usage = &u->value;
          }
        } else if (const auto u = d.FindMember("usage"); u != d.MemberEnd()) {
          usage = &u->value;
        }
        if (usage && usage->IsObject()) {
          found_ = true;
          if (event.event == "message_start") {
            if (auto parsed = usage_from(*usage)) {
              usage_.prompt_tokens = parsed->prompt_tokens;
              usage_.cached_prompt_tokens = parsed->cached_prompt_tokens;
              usage_.cache_creation_prompt_tokens = parsed->cache_creation_prompt_tokens;
            }
            usage_.web_search_requests = web_search_requests(*usage, usage_.web_search_requests);
          } else {
            take_anthropic_delta_usage(*usage, usage_);
          }
          if (event.event == "message_delta") {
            if (usage->HasMember("server_tool_use")) shown_.searches_reported();
            if (usage->HasMember("input_tokens")) shown_.input_reported();
          }
        }
      }
    }
    return sse_event_text(event);
  }
  bool finished() const override { return finished_; }
  core::Usage usage() const override { return shown_.applied_to(usage_); }
  bool usage_found() const override { return found_; }
  std::string error_tail(std::string_view message) const override {
    return "event: error\ndata: " + anthropic_error_body(502, message) + "\n\n";
  }

 private:
  // A server tool call block (server_tool_use, or the MCP connector's mcp_tool_use), and one
  // calling web_search, found without parsing the event: a quote inside a JSON string is
  // escaped, so the unescaped patterns are members themselves.
  static bool is_server_tool_call(std::string_view data) {
    return data.find("\"type\":\"server_tool_use\"") != std::string_view::npos ||
           data.find("\"type\":\"mcp_tool_use\"") != std::string_view::npos;
  }
  static bool is_web_search_call(std::string_view data) {
    return data.find("\"type\":\"server_tool_use\"") != std::string_view::npos &&
           data.find("\"name\":\"web_search\"") != std::string_view::npos;
  }

  bool finished_ = false;
  bool found_ = false;
  ShownServerTools shown_;
  core::Usage usage_;
};

// The Responses API's stream: named events, no [DONE]; the terminal event (response.completed,
// .incomplete or .failed) carries the whole response with its usage.
class ResponsesPassthrough : public StreamRelay {
 public:
  std::string on_event(const SseEvent& event) override {
    if (is_terminal(event)) {
      finished_ = true;
      rapidjson::Document d;
      if (json::parse(event.data, d) && d.IsObject()) {
        if (const auto* response = json::member(d, "response")) {
          if (const auto* usage = json::member(*response, "usage")) {
            if (auto u = usage_from(*usage)) {
              usage_ = *u;
              found_ = true;
            }
          }
        }
      }
    }
    return sse_event_text(event);
  }
  bool finished() const override { return finished_; }
  core::Usage usage() const override { return usage_; }
  bool usage_found() const override { return found_; }
  std::string error_tail(std::string_view message) const override { return responses_error_event(message); }

 private:
  // By the event's name, or by its data's type when a server sends no `event:` lines (a quote
  // inside a JSON string is escaped, so the unescaped pattern is the type member itself).
  static bool is_terminal(const SseEvent& event) {
    for (std::string_view type : {"response.completed", "response.incomplete", "response.failed"}) {
      if (event.event.empty() ? event.data.find("\"type\":\"" + std::string(type) + "\"") != std::string::npos
                              : event.event == type) {
        return true;
      }
    }
    return false;
  }

  bool finished_ = false;
  bool found_ = false;
  core::Usage usage_;
};

// ---- translating relays, wrapping the stateful translators

class AnthropicToOpenAI : public StreamRelay {
 public:
  explicit AnthropicToOpenAI(const StreamOptions& o) : t_(o.model_group, o.client_wants_usage, o.created) {}
  std::string on_event(const SseEvent& event) override { return t_.on_event(event); }
  bool finished() const override { return t_.finished(); }
  core::Usage usage() const override { return t_.usage(); }
  bool usage_found() const override { return t_.usage().total() > 0; }
  std::string error_tail(std::string_view message) const override {
    return OpenAIPassthrough::openai_stream_error(message);
  }

 private:
  AnthropicToOpenAIStream t_;
};

class OpenAIToAnthropic : public StreamRelay {
 public:
  explicit OpenAIToAnthropic(const StreamOptions& o) : t_(o.model_group, o.input_tokens_estimate) {}
  std::string on_event(const SseEvent& event) override { return t_.on_data(event.data); }
  bool finished() const override { return t_.finished(); }
  core::Usage usage() const override { return t_.usage(); }
  bool usage_found() const override { return t_.usage().total() > 0; }
  std::string error_tail(std::string_view message) const override {
    return "event: error\ndata: " + anthropic_error_body(502, message) + "\n\n";
  }

 private:
  OpenAIToAnthropicStream t_;
};

}  // namespace

std::optional<core::Usage> extract_usage(std::string_view body) {
  // Providers put usage last; parse only that object when possible.
  const auto key = body.rfind("\"usage\"");
  if (key != std::string_view::npos) {
    const auto brace = body.find('{', key);
    if (brace != std::string_view::npos) {
      rapidjson::Document d;
      if (json::parse_leading(body.substr(brace), d)) {
        if (auto u = usage_from(d)) return u;
      }
    }
  }
  rapidjson::Document d;
  if (!json::parse(body, d) || !d.IsObject()) return std::nullopt;
  const auto it = d.FindMember("usage");
  if (it == d.MemberEnd()) return std::nullopt;
  return usage_from(it->value);
}

core::Result<ClientBody> finish_response(Api client_api, Api upstream_api, std::string upstream_body,
                                         std::string_view model_group) {
  ClientBody out;
  if (client_api == upstream_api) {
    rapidjson::Document check;
    if (!json::parse_leading(upstream_body, check) || !check.IsObject()) {
      return core::bad_gateway("The upstream returned a body that is not a JSON object");
    }
    if (auto u = extract_usage(upstream_body)) {
      out.usage = *u;
      out.usage_found = true;
    }
    out.body = std::move(upstream_body);
    return out;
  }
  const bool from_anthropic = client_api == Api::openai_chat && upstream_api == Api::anthropic_messages;
  const bool from_openai = client_api == Api::anthropic_messages && upstream_api == Api::openai_chat;
  if (!from_anthropic && !from_openai) return core::bad_gateway("No translation between these APIs");
  Translation t = from_anthropic ? openai_chat_response_from_anthropic(upstream_body, model_group, out.usage)
                                 : anthropic_response_from_openai(upstream_body, model_group, out.usage);
  if (!t) return core::bad_gateway("The upstream response could not be translated: " + t.error().message);
  out.usage_found = out.usage.total() > 0;
  out.body = std::move(t).value();
  return out;
}

std::string responses_error_event(std::string_view message, std::optional<std::int64_t> sequence_number) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("type");
  w.String("error");
  if (sequence_number) {
    w.Key("sequence_number");
    w.Int64(*sequence_number);
  }
  w.Key("code");
  w.String("upstream_error");
  w.Key("message");
  json::write_string(w, message);
  w.Key("param");
  w.Null();
  w.EndObject();
  return "event: error\ndata: " + std::string(json::written(buffer)) + "\n\n";
}

std::unique_ptr<StreamRelay> make_stream_relay(Api client_api, Api upstream_api, StreamOptions options) {
  if (client_api == Api::openai_responses && upstream_api == Api::openai_responses) {
    return std::make_unique<ResponsesPassthrough>();
  }
  if (client_api == Api::anthropic_messages && upstream_api == Api::anthropic_messages) {
    return std::make_unique<AnthropicPassthrough>(options.web_searches_bound, options.prompt_tokens_bound);
  }
  if (client_api == Api::openai_chat && upstream_api == Api::anthropic_messages) {
    return std::make_unique<AnthropicToOpenAI>(options);
  }
  if (client_api == Api::anthropic_messages && upstream_api == Api::openai_chat) {
    return std::make_unique<OpenAIToAnthropic>(options);
  }
  return std::make_unique<OpenAIPassthrough>(options.client_wants_usage);
}

std::string upstream_error_message(std::string_view body) {
  rapidjson::Document d;
  if (json::parse(body, d) && d.IsObject()) {
    const auto error = d.FindMember("error");
    if (error != d.MemberEnd()) {
      if (error->value.IsString()) return error->value.GetString();
      if (error->value.IsObject()) {
        const auto message = error->value.FindMember("message");
        if (message != error->value.MemberEnd() && message->value.IsString()) {
          return message->value.GetString();
        }
      }
    }
    const auto message = d.FindMember("message");
    if (message != d.MemberEnd() && message->value.IsString()) return message->value.GetString();
  }
  std::string text(body.substr(0, 300));
  for (auto& c : text) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return text;
}

}  // namespace tollgate::providers
