#include "core/passthrough_route.h"

namespace tollgate::core {
namespace {

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

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
  } else {
    return std::nullopt;
  }
  r.provider_prefix = provider_kind_name(r.provider);
  return r;
}

void classify_passthrough_path(PassthroughRoute& route, std::string_view subpath) {
  route.shape = PassthroughShape::other;
  route.model_in_path.clear();
  route.streams_by_path = false;
  switch (route.provider) {
    case ProviderKind::openai: classify_openai(route, subpath); break;
    case ProviderKind::anthropic:
      if (subpath == "/v1/messages") route.shape = PassthroughShape::anthropic_messages;
      break;
    case ProviderKind::gemini: classify_gemini(route, subpath); break;
    case ProviderKind::bedrock: classify_bedrock(route, subpath); break;
    case ProviderKind::azure:
    case ProviderKind::mock:
    case ProviderKind::vertex_ai: break;  // no pass-through prefix names them
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
