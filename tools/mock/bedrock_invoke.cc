#include "tools/mock/bedrock_invoke.h"

#include <charconv>
#include <functional>

#include <rapidjson/document.h>

#include "providers/bedrock/event_stream.h"
#include "tools/mock/bedrock.h"
#include "tools/mock/json_out.h"
#include "tools/mock/reply_text.h"

namespace tollgate::mock {
namespace {

constexpr std::string_view kAnthropicVersion = "bedrock-2023-05-31";

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// N of "<prefix>N" among the model's '+'-separated tokens, 0 when absent.
std::size_t token_number(std::string_view model, std::string_view prefix) {
  const auto at = model.find(prefix);
  if (at == std::string_view::npos) return 0;
  std::size_t value = 0;
  const auto digits = model.substr(at + prefix.size());
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

std::string message_frame(std::vector<std::pair<std::string, std::string>> headers, std::string payload) {
  eventstream::Message m;
  m.headers = std::move(headers);
  m.payload = std::move(payload);
  return eventstream::encode(m);
}

std::string chunk_payload(std::string_view data) {
  std::string payload = R"({"bytes":")";
  append_base64(payload, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  payload += R"(","p":"abcd"})";
  return payload;
}

// One Anthropic SSE event ("event: …\ndata: {…}\n\n") as a `chunk` frame of its data.
std::string chunk_frame(std::string_view sse_text) {
  auto data = sse_text.substr(sse_text.find("data: ") + 6);
  data = data.substr(0, data.find('\n'));
  return message_frame({{":event-type", "chunk"}, {":content-type", "application/json"}, {":message-type", "event"}},
                       chunk_payload(data));
}

std::string exception_frame() {
  return message_frame({{":exception-type", "modelStreamErrorException"},
                        {":content-type", "application/json"},
                        {":message-type", "exception"}},
                       R"({"message":"tollgate-mock: simulated model stream error"})");
}

// A small deterministic vector per text, so equal texts embed equally.
void append_vector(std::string& out, std::string_view text) {
  auto seed = std::hash<std::string_view>{}(text);
  out += '[';
  for (std::size_t i = 0; i < kEmbeddingDimensions; ++i) {
    if (i > 0) out += ',';
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    append_int(out, static_cast<std::int64_t>(seed >> 54) - 512);  // a whole number in [-512, 511]
    out += ".5";
  }
  out += ']';
}

std::string_view string_member(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

void read_titan(const rapidjson::Document& d, InvokeCall& call) {
  const auto text = string_member(d, "inputText");
  if (!d.HasMember("inputText") || !d["inputText"].IsString() || d.HasMember("texts")) {
    call.problem_status = 400;
    call.problem = "tollgate-mock: Titan embeddings take one 'inputText' string";
    return;
  }
  call.embedding = R"({"embedding":)";
  append_vector(call.embedding, text);
  call.embedding += R"(,"inputTextTokenCount":)";
  append_uint(call.embedding, prompt_tokens(text.size()));
  call.embedding += '}';
}

void read_cohere(const rapidjson::Document& d, InvokeCall& call) {
  const auto texts = d.FindMember("texts");
  if (texts == d.MemberEnd() || !texts->value.IsArray() || string_member(d, "input_type").empty()) {
    call.problem_status = 400;
    call.problem = "tollgate-mock: Cohere embeddings take 'texts' and 'input_type'";
    return;
  }
  call.embedding = R"({"embeddings":[)";
  std::string echoed;
  for (const auto& text : texts->value.GetArray()) {
    if (!text.IsString()) {
      call.problem_status = 400;
      call.problem = "tollgate-mock: 'texts' must hold strings";
      return;
    }
    if (!echoed.empty()) {
      call.embedding += ',';
      echoed += ',';
    }
    append_vector(call.embedding, {text.GetString(), text.GetStringLength()});
    append_json_string(echoed, {text.GetString(), text.GetStringLength()});
  }
  call.embedding += R"(],"id":"mock-embed","response_type":"embeddings_floats","texts":[)" + echoed + "]}";
}

void read_anthropic(const rapidjson::Document& d, InvokeCall& call) {
  if (d.HasMember("model") || d.HasMember("stream")) {
    call.problem_status = 400;
    call.problem = "tollgate-mock: extraneous key [model or stream] is not permitted";
  } else if (string_member(d, "anthropic_version") != kAnthropicVersion) {
    call.problem_status = 400;
    call.problem = "tollgate-mock: anthropic_version must be bedrock-2023-05-31";
  }
}

}  // namespace

std::optional<InvokeRoute> bedrock_invoke_route(std::string_view path) {
  constexpr std::string_view kPrefix = "/model/";
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  auto rest = path.substr(kPrefix.size());
  InvokeRoute route;
  for (std::string_view method : {"/invoke-with-response-stream", "/invoke"}) {
    if (rest.size() > method.size() && rest.substr(rest.size() - method.size()) == method) {
      route.stream = method.size() > 7;
      rest.remove_suffix(method.size());
      if (rest.find('/') != std::string_view::npos) return std::nullopt;
      route.model = percent_decode(rest);
      return route;
    }
  }
  return std::nullopt;
}

InvokeCall read_invoke_call(const InvokeRoute& route, std::string_view body) {
  InvokeCall call;
  call.active = true;
  call.cache_read = token_number(route.model, "cache-read-");
  call.cache_creation = token_number(route.model, "cache-write-");
  call.exception_mid_stream = contains(route.model, "exception-mid-stream");
  rapidjson::Document d;
  if (d.Parse(body.data(), body.size()).HasParseError() || !d.IsObject()) return call;  // the handler's 400
  if (contains(route.model, "titan-embed")) {
    read_titan(d, call);
  } else if (contains(route.model, "cohere.embed")) {
    read_cohere(d, call);
  } else {
    read_anthropic(d, call);
  }
  return call;
}

std::vector<SseEvent> invoke_stream(const std::vector<SseEvent>& anthropic, bool exception_mid_stream) {
  std::vector<SseEvent> frames;
  int content = 0;
  for (const auto& event : anthropic) {
    frames.push_back({chunk_frame(event.text), event.content});
    if (exception_mid_stream && event.content && ++content == 2) {
      frames.push_back({exception_frame(), false});
      break;
    }
  }
  return frames;
}

std::vector<SseEvent> corrupt_invoke_stream(const std::vector<SseEvent>& anthropic) {
  auto frames = invoke_stream(anthropic, false);
  frames.resize(2);
  frames[1].text.back() = static_cast<char>(frames[1].text.back() ^ 0x5a);  // the message CRC
  return frames;
}

}  // namespace tollgate::mock
