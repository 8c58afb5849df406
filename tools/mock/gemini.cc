#include "tools/mock/gemini.h"

#include "tools/mock/json_out.h"
#include "tools/mock/reply_text.h"

namespace tollgate::mock {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string_view finish_reason(const Completion& c) { return c.truncated ? "MAX_TOKENS" : "STOP"; }

void append_candidate(std::string& out, std::string_view text, std::string_view finish) {
  out += R"("candidates":[{"content":{"role":"model","parts":[{"text":)";
  append_json_string(out, text);
  out += "}]}";
  if (!finish.empty()) {
    out += R"(,"finishReason":")";
    out += finish;
    out += '"';
  }
  out += R"(,"index":0}])";
}

void append_usage(std::string& out, const Completion& c) {
  out += R"("usageMetadata":{"promptTokenCount":)";
  append_uint(out, c.prompt_tokens);
  out += R"(,"candidatesTokenCount":)";
  append_uint(out, c.completion_tokens);
  out += R"(,"totalTokenCount":)";
  append_uint(out, c.prompt_tokens + c.completion_tokens);
  out += '}';
}

std::string_view google_status(int status) {
  switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 429: return "RESOURCE_EXHAUSTED";
    case 503: return "UNAVAILABLE";
    default: return "INTERNAL";
  }
}

}  // namespace

std::string_view gemini_model_of(std::string_view path, bool& stream) {
  std::string_view rest;
  for (std::string_view prefix : {"/v1beta/models/", "/v1/models/"}) {
    if (path.substr(0, prefix.size()) == prefix) rest = path.substr(prefix.size());
  }
  if (ends_with(rest, ":streamGenerateContent")) {
    stream = true;
    rest.remove_suffix(22);
  } else if (ends_with(rest, ":generateContent")) {
    stream = false;
    rest.remove_suffix(16);
  } else {
    return {};
  }
  return rest.find('/') == std::string_view::npos ? rest : std::string_view();
}

void append_gemini_response(std::string& out, const Completion& c) {
  out += '{';
  append_candidate(out, c.content, finish_reason(c));
  out += ',';
  append_usage(out, c);
  out += R"(,"modelVersion":)";
  append_json_string(out, c.model);
  out += '}';
}

void append_gemini_error(std::string& out, int status, std::string_view message) {
  out += R"({"error":{"code":)";
  append_int(out, status);
  out += R"(,"message":)";
  append_json_string(out, message);
  out += R"(,"status":")";
  out += google_status(status);
  out += R"("}})";
}

std::vector<SseEvent> gemini_stream(const Completion& c, int chunks) {
  std::vector<SseEvent> events;
  auto pieces = split_chunks(c.content, chunks);
  if (pieces.empty()) pieces.emplace_back();  // the last event carries the finish reason
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const bool last = i + 1 == pieces.size();
    std::string text = "data: {";
    append_candidate(text, pieces[i], last ? finish_reason(c) : std::string_view());
    if (last) {
      text += ',';
      append_usage(text, c);
    }
    text += "}\r\n\r\n";  // Gemini ends its events with CRLF pairs
    events.push_back({std::move(text), true});
  }
  return events;
}

}  // namespace tollgate::mock
