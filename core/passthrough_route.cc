#include "core/passthrough_route.h"

#include "core/starts_with.h"

namespace tollgate::core {
namespace {

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "%3A" → ":"; a malformed escape is kept as written.
std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// "/v1/chat/completions" → "/chat/completions": OpenAI's paths with or without the version.
std::string_view without_version(std::string_view path) { return starts_with(path, "/v1/") ? path.substr(3) : path; }

void classify_openai(PassthroughRoute& r, std::string_view path) {
  const auto p = without_version(path);
  if (p == "/chat/completions") r.shape = PassthroughShape::openai_chat;
  if (p == "/completions") r.shape = PassthroughShape::openai_completion;
  if (p == "/embeddings") r.shape = PassthroughShape::openai_embedding;
  if (p == "/responses") r.shape = PassthroughShape::openai_responses;
}

// /v1beta/models/{m}:generateContent (any version segment), /models/{m}:streamGenerateContent.
void classify_gemini(PassthroughRoute& r, std::string_view path) {
  const auto models = path.find("/models/");
  if (models == std::string_view::npos) return;
  const auto rest = path.substr(models + 8);
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return;
  const auto method = rest.substr(colon + 1);
  if (method != "generateContent" && method != "streamGenerateContent") return;
  r.shape = PassthroughShape::gemini_generate;
  r.streams_by_path = method == "streamGenerateContent";
  r.model_in_path = percent_decode(rest.substr(0, colon));
}

// /model/{id}/converse, /converse-stream, /invoke, /invoke-with-response-stream.
void classify_bedrock(PassthroughRoute& r, std::string_view path) {
  if (!starts_with(path, "/model/")) return;
  const auto rest = path.substr(7);
  const auto slash = rest.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return;
  const auto action = rest.substr(slash + 1);
  r.model_in_path = percent_decode(rest.substr(0, slash));
  if (action == "converse") r.shape = PassthroughShape::bedrock_converse;
  if (action == "converse-stream") {
    r.shape = PassthroughShape::bedrock_converse;
    r.streams_by_path = true;
  }
  if (action == "invoke") r.shape = PassthroughShape::bedrock_invoke;
  if (action == "invoke-with-response-stream") r.streams_by_path = true;
}

// The caller's Vertex path, split: its API version and what follows the project and location.
struct VertexPathParts {
  std::string_view version = "v1";
  std::string_view rest;  // "/publishers/google/models/m:generateContent", or "" for the location itself
};

// Cuts the segment after `name` ("/projects/" + segment) off the front of `path`; false when
// `path` does not start with `name` followed by a non-empty segment.
bool take_named_segment(std::string_view& path, std::string_view name) {
  if (!starts_with(path, name)) return false;
  const auto after = path.substr(name.size());
  const auto slash = after.find('/');
  if (slash == 0 || after.empty()) return false;
  path = slash == std::string_view::npos ? std::string_view() : after.substr(slash);
  return true;
}

std::optional<VertexPathParts> split_vertex_path(std::string_view path) {
  VertexPathParts parts;
  if (path.size() > 2 && starts_with(path, "/v") && path[2] >= '0' && path[2] <= '9') {
    const auto slash = path.find('/', 1);
    parts.version = path.substr(1, slash == std::string_view::npos ? std::string_view::npos : slash - 1);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash);
  }
  if (starts_with(path, "/projects/") &&
      (!take_named_segment(path, "/projects/") || !take_named_segment(path, "/locations/"))) {
    return std::nullopt;
  }
  if (passthrough_path_escapes(path)) return std::nullopt;
  parts.rest = path;
  return parts;
}

// .../publishers/google/models/{m}:generateContent | :streamGenerateContent (Gemini's wire),
// .../publishers/anthropic/models/{m}:rawPredict | :streamRawPredict (Anthropic's).
void classify_vertex(PassthroughRoute& r, std::string_view path) {
  r.answer_format = ProviderKind::gemini;
  const auto parts = split_vertex_path(path);
  if (!parts) return;
  auto rest = parts->rest;
  const bool anthropic = starts_with(rest, "/publishers/anthropic/models/");
  if (!anthropic && !starts_with(rest, "/publishers/google/models/")) return;
  if (anthropic) r.answer_format = ProviderKind::anthropic;
  rest = rest.substr(rest.find("/models/") + 8);
  const auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || rest.substr(0, colon).find('/') != std::string_view::npos) {
    return;
  }
  const auto method = rest.substr(colon + 1);
  r.model_in_path = percent_decode(rest.substr(0, colon));
  if (anthropic && (method == "rawPredict" || method == "streamRawPredict")) {
    r.shape = PassthroughShape::anthropic_messages;
    r.streams_by_path = method == "streamRawPredict";
  }
  if (!anthropic && (method == "generateContent" || method == "streamGenerateContent")) {
    r.shape = PassthroughShape::gemini_generate;
    r.streams_by_path = method == "streamGenerateContent";
  }
}

}  // namespace

std::optional<PassthroughRoute> passthrough_provider(std::string_view prefix) {
  PassthroughRoute r;
  if (prefix == "openai") {
    r.provider = ProviderKind::openai;
  } else if (prefix == "anthropic") {
    r.provider = ProviderKind::anthropic;
  } else if (prefix == "gemini") {
    r.provider = ProviderKind::gemini;
  } else if (prefix == "bedrock") {
    r.provider = ProviderKind::bedrock;
  } else if (prefix == "vertex_ai") {
    r.provider = ProviderKind::vertex_ai;
  } else {
    return std::nullopt;
  }
  r.provider_prefix = provider_kind_name(r.provider);
  r.answer_format = r.provider;
  return r;
}

void classify_passthrough_path(PassthroughRoute& route, std::string_view subpath) {
  route.shape = PassthroughShape::other;
  route.model_in_path.clear();
  route.streams_by_path = false;
  route.answer_format = route.provider;
  switch (route.provider) {
    case ProviderKind::openai: classify_openai(route, subpath); break;
    case ProviderKind::anthropic:
      if (subpath == "/v1/messages") route.shape = PassthroughShape::anthropic_messages;
      break;
    case ProviderKind::gemini: classify_gemini(route, subpath); break;
    case ProviderKind::bedrock: classify_bedrock(route, subpath); break;
    case ProviderKind::vertex_ai: classify_vertex(route, subpath); break;
    case ProviderKind::azure:
    case ProviderKind::mock: break;  // no pass-through prefix names them
  }
}

bool passthrough_open_to_every_key(const PassthroughRoute& route) { return route.shape != PassthroughShape::other; }

std::optional<std::string_view> passthrough_shared_state_field(const PassthroughRoute& route,
                                                               bool has_previous_response_id, bool has_conversation) {
  if (route.shape != PassthroughShape::openai_responses) return std::nullopt;
  if (has_previous_response_id) return "previous_response_id";
  if (has_conversation) return "conversation";
  return std::nullopt;
}

std::string passthrough_upstream_path(std::string_view base_path, std::string_view subpath) {
  while (ends_with(base_path, "/")) base_path.remove_suffix(1);
  if (base_path.empty() || subpath == base_path || starts_with(subpath, std::string(base_path) + "/")) {
    return std::string(subpath);
  }
  return std::string(base_path) + std::string(subpath);
}

std::optional<std::string> vertex_passthrough_path(std::string_view subpath, std::string_view project,
                                                   std::string_view location) {
  const auto parts = split_vertex_path(subpath);
  if (!parts) return std::nullopt;
  std::string out;
  out.reserve(parts->version.size() + project.size() + location.size() + parts->rest.size() + 24);
  out.append("/").append(parts->version).append("/projects/").append(project);
  out.append("/locations/").append(location).append(parts->rest);
  return out;
}

bool passthrough_path_escapes(std::string_view path) {
  for (std::string_view rest = path; !rest.empty();) {
    const auto slash = rest.find('/', 1);
    const auto segment = rest.substr(1, slash == std::string_view::npos ? std::string_view::npos : slash - 1);
    if (segment == "." || segment == "..") return true;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  for (std::size_t i = 0; i + 2 < path.size(); ++i) {
    if (path[i] != '%') continue;
    const char hi = path[i + 1];
    const char lo = static_cast<char>(path[i + 2] | 0x20);
    if (hi == '2' && (lo == 'e' || lo == 'f')) return true;
  }
  return false;
}

std::string passthrough_query(std::string_view query) {
  std::string out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const auto name = param.substr(0, param.find('='));
    if (param.empty() || name == "key") continue;
    if (!out.empty()) out += '&';
    out += param;
  }
  return out;
}

}  // namespace tollgate::core
