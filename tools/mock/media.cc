#include "tools/mock/media.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include "tools/mock/json_out.h"

namespace tollgate::mock {
namespace {

// A 1×1 transparent PNG.
constexpr std::string_view kPngBase64 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";

MediaReply error_reply(int status, std::string_view message) {
  MediaReply r;
  r.status = status;
  r.body = "{\"error\":{\"message\":";
  append_json_string(r.body, message);
  r.body += ",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";
  return r;
}

std::string_view string_member(const rapidjson::Value& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) return {};
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::uint32_t le32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3])) << 24;
}

// One named field of a multipart/form-data body, found by scanning (no general parser: the
// mock reads what the OpenAI client sends).
std::string_view form_field(std::string_view content_type, std::string_view body, std::string_view name) {
  const auto b = content_type.find("boundary=");
  if (b == std::string_view::npos) return {};
  auto boundary = content_type.substr(b + 9);
  if (!boundary.empty() && boundary.front() == '"') boundary = boundary.substr(1, boundary.find('"', 1) - 1);
  const std::string delimiter = "\r\n--" + std::string(boundary);
  const std::string wanted = "name=\"" + std::string(name) + "\"";
  for (std::size_t at = body.find(wanted); at != std::string_view::npos; at = body.find(wanted, at + 1)) {
    const auto start = body.find("\r\n\r\n", at);
    if (start == std::string_view::npos) return {};
    const auto end = body.find(delimiter, start + 4);
    if (end == std::string_view::npos) return {};
    return body.substr(start + 4, end - start - 4);
  }
  return {};
}

// gpt-image-1's output tokens per image (OpenAI's image generation guide); "auto" or no
// quality answers at medium, no size at 1024x1024.
std::int64_t image_tokens(std::string_view size, std::string_view quality) {
  const int column = size == "1024x1536" ? 1 : size == "1536x1024" ? 2 : 0;
  const int row = quality == "low" ? 0 : quality == "high" ? 2 : 1;
  static constexpr std::int64_t kTokens[3][3] = {{272, 408, 400}, {1056, 1584, 1568}, {4160, 6240, 6208}};
  return kTokens[row][column];
}

std::int64_t approx_text_tokens(std::string_view text) {
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(text.size() + 3) / 4);
}

// The usage gpt-image models report: text (and image) tokens in, image tokens out.
void append_image_usage(std::string& out, const rapidjson::Document& request, int n) {
  const auto text = approx_text_tokens(string_member(request, "prompt"));
  const auto output = n * image_tokens(string_member(request, "size"), string_member(request, "quality"));
  out += ",\"usage\":{\"input_tokens\":";
  append_int(out, text);
  out += ",\"input_tokens_details\":{\"text_tokens\":";
  append_int(out, text);
  out += ",\"image_tokens\":0},\"output_tokens\":";
  append_int(out, output);
  out += ",\"total_tokens\":";
  append_int(out, text + output);
  out += '}';
}

MediaReply images(const rapidjson::Document& request, std::uint64_t sequence) {
  MediaReply r;
  const auto n = request.HasMember("n") && request["n"].IsInt() ? request["n"].GetInt() : 1;
  const bool b64 = string_member(request, "response_format") == "b64_json";
  r.body = "{\"created\":";
  append_int(r.body, static_cast<std::int64_t>(std::time(nullptr)));
  r.body += ",\"data\":[";
  for (int i = 0; i < n; ++i) {
    if (i > 0) r.body += ',';
    if (b64) {
      r.body += "{\"b64_json\":\"";
      r.body += kPngBase64;
      r.body += "\"}";
    } else {
      r.body += "{\"url\":\"https://mock.invalid/images/";
      append_uint(r.body, sequence);
      r.body += '-';
      append_int(r.body, i);
      r.body += ".png\",\"revised_prompt\":";
      append_json_string(r.body, string_member(request, "prompt"));
      r.body += '}';
    }
  }
  r.body += ']';
  if (string_member(request, "model").find("gpt-image") != std::string_view::npos)
    append_image_usage(r.body, request, n);
  r.body += '}';
  return r;
}

MediaReply speech(const rapidjson::Document& request) {
  MediaReply r;
  const auto format = string_member(request, "response_format");
  r.content_type = format == "wav" ? "audio/wav" : format == "opus" ? "audio/ogg" : "audio/mpeg";
  // Audio-like bytes whose length follows the input, so a client can tell answers apart.
  r.body = "ID3\x04";
  r.body.append(64 + 16 * string_member(request, "input").size(), '\x55');
  return r;
}

MediaReply transcription(std::string_view content_type, std::string_view body) {
  MediaReply r;
  r.model = std::string(form_field(content_type, body, "model"));
  const auto file = form_field(content_type, body, "file");
  if (r.model.empty() || file.empty()) return error_reply(400, "tollgate-mock: 'model' and 'file' are required");
  const double seconds = std::ceil(canonical_wav_seconds(file));  // OpenAI bills whole seconds
  const auto format = form_field(content_type, body, "response_format");
  constexpr std::string_view kText = "tollgate mock transcription";
  if (format == "text") {
    r.content_type = "text/plain; charset=utf-8";
    r.body = std::string(kText) + "\n";
    return r;
  }
  if (format == "verbose_json") {
    r.body = "{\"task\":\"transcribe\",\"language\":\"english\",\"duration\":";
    append_fixed(r.body, canonical_wav_seconds(file));
    r.body += ",\"text\":\"" + std::string(kText) + "\",\"segments\":[]}";
    return r;
  }
  if (r.model.find("transcribe") != std::string::npos) {  // gpt-4o(-mini)-transcribe: priced by tokens
    // 10 audio tokens a second, as OpenAI counts gpt-4o's input audio.
    const auto audio = static_cast<std::int64_t>(std::ceil(canonical_wav_seconds(file) * 10));
    const auto prompt = form_field(content_type, body, "prompt");
    const auto text = prompt.empty() ? 0 : approx_text_tokens(prompt);
    const std::int64_t output = 4;  // the words of kText
    r.body = "{\"text\":\"" + std::string(kText) + "\",\"usage\":{\"type\":\"tokens\",\"input_tokens\":";
    append_int(r.body, audio + text);
    r.body += ",\"input_token_details\":{\"text_tokens\":";
    append_int(r.body, text);
    r.body += ",\"audio_tokens\":";
    append_int(r.body, audio);
    r.body += "},\"output_tokens\":";
    append_int(r.body, output);
    r.body += ",\"total_tokens\":";
    append_int(r.body, audio + text + output);
    r.body += "}}";
    return r;
  }
  r.body = "{\"text\":\"" + std::string(kText) + "\",\"usage\":{\"type\":\"duration\",\"seconds\":";
  append_int(r.body, static_cast<std::int64_t>(seconds));
  r.body += "}}";
  return r;
}

MediaReply moderation(const rapidjson::Document& request, std::uint64_t sequence) {
  MediaReply r;
  std::string text;
  if (request.HasMember("input") && request["input"].IsString()) text = request["input"].GetString();
  const bool flagged = text.find("flag-me") != std::string::npos;
  r.body = "{\"id\":\"modr-mock-";
  append_uint(r.body, sequence);
  r.body += "\",\"model\":";
  append_json_string(r.body, string_member(request, "model"));
  r.body += ",\"results\":[{\"flagged\":";
  r.body += flagged ? "true" : "false";
  r.body += ",\"categories\":{\"harassment\":";
  r.body += flagged ? "true" : "false";
  r.body += ",\"violence\":false},\"category_scores\":{\"harassment\":";
  r.body += flagged ? "0.98" : "0.01";
  r.body += ",\"violence\":0.001}}]}";
  return r;
}

MediaReply rerank(const rapidjson::Document& request, std::uint64_t sequence) {
  if (!request.HasMember("documents") || !request["documents"].IsArray()) {
    return error_reply(400, "tollgate-mock: 'documents' is required");
  }
  const auto count = static_cast<int>(request["documents"].Size());
  int top_n = count;
  if (request.HasMember("top_n") && request["top_n"].IsInt()) top_n = std::min(count, request["top_n"].GetInt());
  MediaReply r;
  r.body = "{\"id\":\"rerank-mock-";
  append_uint(r.body, sequence);
  r.body += "\",\"results\":[";
  for (int i = 0; i < top_n; ++i) {  // earlier documents rank higher
    if (i > 0) r.body += ',';
    r.body += "{\"index\":";
    append_int(r.body, i);
    r.body += ",\"relevance_score\":";
    append_fixed(r.body, 1.0 / (i + 1));
    r.body += '}';
  }
  r.body += "],\"meta\":{\"api_version\":{\"version\":\"1\"},\"billed_units\":{\"search_units\":";
  append_int(r.body, (count + 99) / 100);
  r.body += "}}}";
  return r;
}

}  // namespace

bool is_media_path(std::string_view path) {
  if (path.substr(0, 3) == "/v1") path.remove_prefix(3);
  return path == "/images/generations" || path == "/audio/speech" || path == "/audio/transcriptions" ||
         path == "/moderations" || path == "/rerank";
}

double canonical_wav_seconds(std::string_view file) {
  if (file.size() < 44 || file.substr(0, 4) != "RIFF" || file.substr(36, 4) != "data") return 0;
  const auto byte_rate = le32(file, 28);
  return byte_rate == 0 ? 0 : static_cast<double>(le32(file, 40)) / byte_rate;
}

MediaReply answer_media(std::string_view path, std::string_view content_type, std::string_view body,
                        std::uint64_t sequence) {
  if (path.substr(0, 3) == "/v1") path.remove_prefix(3);
  if (path == "/audio/transcriptions") return transcription(content_type, body);
  rapidjson::Document request;
  request.Parse(body.data(), body.size());
  if (request.HasParseError() || !request.IsObject()) {
    return error_reply(400, "tollgate-mock: the request body must be a JSON object");
  }
  MediaReply r = path == "/images/generations" ? images(request, sequence)
                 : path == "/audio/speech"     ? speech(request)
                 : path == "/moderations"      ? moderation(request, sequence)
                                               : rerank(request, sequence);
  r.model = std::string(string_member(request, "model"));
  return r;
}

}  // namespace tollgate::mock
