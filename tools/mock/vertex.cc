#include "tools/mock/vertex.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>
#include <functional>

namespace tollgate::mock {
namespace {

constexpr std::string_view kGrantedTokenPrefix = "Bearer ya29.mock-";  // what answer_token_request grants
constexpr std::string_view kVertexAnthropicVersion = "vertex-2023-10-16";

// Cuts "<segment>/" off the front of `rest`; false when `rest` does not start with `segment/`.
bool take(std::string_view& rest, std::string_view segment) {
  if (rest.substr(0, segment.size()) != segment || rest.size() <= segment.size() || rest[segment.size()] != '/') {
    return false;
  }
  rest.remove_prefix(segment.size() + 1);
  return true;
}

// Cuts one path segment (any value) and its slash off the front of `rest`.
bool skip_segment(std::string_view& rest) {
  const auto slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return false;
  rest.remove_prefix(slash + 1);
  return true;
}

}  // namespace

std::optional<VertexRoute> vertex_route_of(std::string_view path) {
  // "/v1/projects/…", "/v1beta1/projects/…": any API version.
  if (path.size() < 3 || path.substr(0, 2) != "/v" || path[2] < '0' || path[2] > '9') return std::nullopt;
  std::string_view rest = path.substr(1);
  if (!skip_segment(rest) || !take(rest, "projects") || !skip_segment(rest) || !take(rest, "locations") ||
      !skip_segment(rest) || !take(rest, "publishers")) {
    return std::nullopt;
  }
  VertexRoute route;
  if (take(rest, "anthropic")) {
    route.anthropic = true;
  } else if (!take(rest, "google")) {
    return std::nullopt;
  }
  if (!take(rest, "models")) return std::nullopt;
  const auto colon = rest.find(':');
  if (colon == 0 || colon == std::string_view::npos) return std::nullopt;
  const auto method = rest.substr(colon + 1);
  route.model = rest.substr(0, colon);
  if (route.model.find('/') != std::string_view::npos) return std::nullopt;
  if (route.anthropic && (method == "rawPredict" || method == "streamRawPredict")) {
    route.stream = method == "streamRawPredict";
    return route;
  }
  if (!route.anthropic && (method == "generateContent" || method == "streamGenerateContent")) {
    route.stream = method == "streamGenerateContent";
    return route;
  }
  if (!route.anthropic && method == "predict") {
    route.predict = true;
    return route;
  }
  return std::nullopt;
}

VertexProblem vertex_request_problem(const VertexRoute& route, std::string_view authorization, std::string_view body) {
  if (authorization.substr(0, kGrantedTokenPrefix.size()) != kGrantedTokenPrefix) {
    return {401, "tollgate-mock: Vertex AI needs an OAuth2 bearer token granted by the token endpoint"};
  }
  if (!route.anthropic) return {};
  rapidjson::Document d;
  if (d.Parse(body.data(), body.size()).HasParseError() || !d.IsObject()) return {};  // the handler's 400
  if (d.HasMember("model")) return {400, "tollgate-mock: Vertex AI takes the model from the path, not the body"};
  const auto version = d.FindMember("anthropic_version");
  if (version == d.MemberEnd() || !version->value.IsString() ||
      std::string_view(version->value.GetString(), version->value.GetStringLength()) != kVertexAnthropicVersion) {
    return {400, "tollgate-mock: anthropic_version must be vertex-2023-10-16"};
  }
  return {};
}

std::string vertex_predict_answer(std::string_view body) {
  rapidjson::Document d;
  if (d.Parse(body.data(), body.size()).HasParseError() || !d.IsObject()) return {};
  const auto instances = d.FindMember("instances");
  if (instances == d.MemberEnd() || !instances->value.IsArray() || instances->value.Empty()) return {};
  int dimensions = 8;
  if (const auto parameters = d.FindMember("parameters"); parameters != d.MemberEnd() && parameters->value.IsObject() &&
                                                          parameters->value.HasMember("outputDimensionality") &&
                                                          parameters->value["outputDimensionality"].IsInt()) {
    dimensions = std::max(1, std::min(4096, parameters->value["outputDimensionality"].GetInt()));
  }
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("predictions");
  w.StartArray();
  for (const auto& instance : instances->value.GetArray()) {
    if (!instance.IsObject() || !instance.HasMember("content") || !instance["content"].IsString()) return {};
    const std::string_view content(instance["content"].GetString(), instance["content"].GetStringLength());
    std::uint64_t seed = std::hash<std::string_view>{}(content);
    w.StartObject();
    w.Key("embeddings");
    w.StartObject();
    w.Key("values");
    w.StartArray();
    for (int i = 0; i < dimensions; ++i) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;  // deterministic per content
      w.Double(static_cast<double>(seed >> 40) / static_cast<double>(1ULL << 24) - 0.5);
    }
    w.EndArray();
    w.Key("statistics");
    w.StartObject();
    w.Key("truncated");
    w.Bool(false);
    w.Key("token_count");
    w.Int64(std::max<std::int64_t>(1, static_cast<std::int64_t>(content.size() / 4)));
    w.EndObject();
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.Key("metadata");
  w.StartObject();
  w.Key("billableCharacterCount");
  w.Int64(0);
  w.EndObject();
  w.EndObject();
  return buffer.GetString();
}

}  // namespace tollgate::mock
