#include "tools/mock/azure.h"

#include <rapidjson/document.h>

#include "tools/mock/json_out.h"

namespace tollgate::mock {
namespace {

constexpr std::string_view kPrefix = "/openai/deployments/";

// The value of `name` in the query of `target` (nullopt when absent). No percent-decoding:
// only presence and emptiness matter here.
std::optional<std::string_view> query_value(std::string_view target, std::string_view name) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

// Dated api-versions before 2024-09-01 ("2024-08-01-preview", "2024-02-01") know no
// stream_options; an undated one ("latest") is taken as current.
bool refuses_stream_options(std::string_view version) {
  if (version.size() < 10 || version[4] != '-' || version[7] != '-') return false;
  return version.substr(0, 10) < "2024-09-01";
}

bool has_stream_options(std::string_view body) {
  rapidjson::Document d;
  d.Parse(body.data(), body.size());
  return !d.HasParseError() && d.IsObject() && d.HasMember("stream_options");
}

}  // namespace

std::optional<AzureRoute> azure_route_of(std::string_view path) {
  if (path.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view rest = path.substr(kPrefix.size());
  const auto slash = rest.find('/');
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  const std::string_view method = rest.substr(slash);
  AzureRoute route{rest.substr(0, slash)};
  if (method == "/chat/completions") {
    route.endpoint = Endpoint::chat_completions;
  } else if (method == "/completions") {
    route.endpoint = Endpoint::completions;
  } else if (method == "/embeddings") {
    route.endpoint = Endpoint::embeddings;
  } else {
    return std::nullopt;
  }
  return route;
}

AzureProblem azure_request_problem(std::string_view target, std::string_view api_key, std::string_view expected_key,
                                   std::string_view body) {
  // Azure's own messages, so a gateway's relay of them reads as it would in production.
  if (api_key.empty()) {
    return {401,
            "Access denied due to missing subscription key. Make sure to include subscription key when making "
            "requests to an API."};
  }
  if (!expected_key.empty() && api_key != expected_key) {
    return {401,
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key "
            "for an active subscription and use a correct regional API endpoint for your resource."};
  }
  const auto version = query_value(target, "api-version");
  if (!version || version->empty()) return {404, "Resource not found"};
  if (refuses_stream_options(*version) && has_stream_options(body)) {
    return {400, "Unrecognized request argument supplied: stream_options", true};
  }
  return {};
}

void append_azure_error(std::string& out, int status, std::string_view message) {
  out += R"({"error":{"code":")";
  append_int(out, status);
  out += R"(","message":)";
  append_json_string(out, message);
  out += "}}";
}

}  // namespace tollgate::mock
