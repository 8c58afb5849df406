#include "tools/mock/bedrock.h"

#include "providers/bedrock/event_stream.h"
#include "tools/mock/json_out.h"
#include "tools/mock/reply_text.h"

namespace tollgate::mock {
namespace {

constexpr std::string_view kModelPrefix = "/model/";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string frame(std::string_view event_type, std::string payload) {
  eventstream::Message m;
  m.headers = {
      {":event-type", std::string(event_type)}, {":content-type", "application/json"}, {":message-type", "event"}};
  m.payload = std::move(payload);
  return eventstream::encode(m);
}

std::string_view converse_stop_reason(const Completion& c) { return c.truncated ? "max_tokens" : "end_turn"; }

void append_usage(std::string& out, const Completion& c) {
  out += R"("usage":{"inputTokens":)";
  append_uint(out, c.prompt_tokens);
  out += R"(,"outputTokens":)";
  append_uint(out, c.completion_tokens);
  out += R"(,"totalTokens":)";
  append_uint(out, c.prompt_tokens + c.completion_tokens);
  out += '}';
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::string bedrock_model_of(std::string_view path, bool& stream) {
  if (path.substr(0, kModelPrefix.size()) != kModelPrefix) return {};
  std::string_view rest = path.substr(kModelPrefix.size());
  if (ends_with(rest, "/converse-stream")) {
    stream = true;
    rest.remove_suffix(16);
  } else if (ends_with(rest, "/converse")) {
    stream = false;
    rest.remove_suffix(9);
  } else {
    return {};
  }
  if (rest.empty() || rest.find('/') != std::string_view::npos) return {};
  return percent_decode(rest);
}

void append_converse_response(std::string& out, const Completion& c) {
  out += R"({"output":{"message":{"role":"assistant","content":[{"text":)";
  append_json_string(out, c.content);
  out += R"(}]}},"stopReason":")";
  out += converse_stop_reason(c);
  out += R"(",)";
  append_usage(out, c);
  out += R"(,"metrics":{"latencyMs":1}})";
}

void append_bedrock_error(std::string& out, int status, std::string_view message, std::string& error_type_header) {
  std::string_view type = status == 429   ? "ThrottlingException"
                          : status == 403 ? "AccessDeniedException"
                          : status == 404 ? "ResourceNotFoundException"
                          : status == 503 ? "ServiceUnavailableException"
                          : status >= 500 ? "InternalServerException"
                                          : "ValidationException";
  error_type_header = "x-amzn-errortype: " + std::string(type) + "\r\n";
  out += R"({"message":)";
  append_json_string(out, message);
  out += '}';
}

std::vector<SseEvent> converse_stream(const Completion& c, int chunks) {
  std::vector<SseEvent> events;
  events.push_back({frame("messageStart", R"({"p":"abc","role":"assistant"})"), false});
  for (const auto piece : split_chunks(c.content, chunks)) {
    std::string payload = R"({"contentBlockIndex":0,"delta":{"text":)";
    append_json_string(payload, piece);
    payload += R"(},"p":"abcdefgh"})";
    events.push_back({frame("contentBlockDelta", std::move(payload)), true});
  }
  events.push_back({frame("contentBlockStop", R"({"contentBlockIndex":0,"p":"ab"})"), false});
  events.push_back(
      {frame("messageStop", R"({"p":"a","stopReason":")" + std::string(converse_stop_reason(c)) + "\"}"), false});
  std::string metadata = "{";
  append_usage(metadata, c);
  metadata += R"(,"metrics":{"latencyMs":1},"p":"abcd"})";
  events.push_back({frame("metadata", std::move(metadata)), false});
  return events;
}

std::vector<SseEvent> corrupt_converse_stream(const Completion& c) {
  auto events = converse_stream(c, 1);
  events.resize(2);
  events[1].text.back() = static_cast<char>(events[1].text.back() ^ 0x5a);  // the message CRC
  return events;
}

bool looks_sigv4_signed(std::string_view authorization) {
  return authorization.substr(0, 28) == "AWS4-HMAC-SHA256 Credential=" &&
         authorization.find("SignedHeaders=") != std::string_view::npos &&
         authorization.find("Signature=") != std::string_view::npos;
}

}  // namespace tollgate::mock
