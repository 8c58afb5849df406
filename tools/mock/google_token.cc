#include "tools/mock/google_token.h"

#include "tools/mock/json_out.h"

namespace tollgate::mock {
namespace {

constexpr std::string_view kJwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
constexpr std::string_view kRs256Header = "eyJhbGciOiJSUzI1NiJ9";  // base64url({"alg":"RS256"})

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// One value of an application/x-www-form-urlencoded body, decoded ("" when absent).
std::string form_value(std::string_view body, std::string_view name) {
  while (!body.empty()) {
    const auto end = body.find('&');
    const auto pair = body.substr(0, end);
    body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != name || eq == std::string_view::npos) continue;
    std::string out;
    const auto value = pair.substr(eq + 1);
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '+') {
        out.push_back(' ');
      } else if (value[i] == '%' && i + 2 < value.size() && hex_value(value[i + 1]) >= 0 &&
                 hex_value(value[i + 2]) >= 0) {
        out.push_back(static_cast<char>(hex_value(value[i + 1]) * 16 + hex_value(value[i + 2])));
        i += 2;
      } else {
        out.push_back(value[i]);
      }
    }
    return out;
  }
  return {};
}

bool looks_rs256_jws(std::string_view assertion) {
  const auto first = assertion.find('.');
  const auto second = first == std::string_view::npos ? first : assertion.find('.', first + 1);
  return first != std::string_view::npos && second != std::string_view::npos && second > first + 1 &&
         second + 1 < assertion.size() && assertion.find('.', second + 1) == std::string_view::npos &&
         assertion.substr(0, first) == kRs256Header;
}

TokenReply refuse(std::string_view description) {
  TokenReply reply;
  reply.status = 400;
  reply.body = R"({"error":"invalid_grant","error_description":)";
  append_json_string(reply.body, description);
  reply.body += '}';
  return reply;
}

}  // namespace

bool is_google_token_path(std::string_view path) { return path == "/token" || path == "/oauth2/v4/token"; }

int requested_token_lifetime(std::string_view target) {
  constexpr std::string_view kParameter = "expires_in=";
  const auto query = target.find('?');
  if (query == std::string_view::npos) return kDefaultTokenLifetime;
  const auto at = target.find(kParameter, query);
  if (at == std::string_view::npos || (target[at - 1] != '?' && target[at - 1] != '&')) return kDefaultTokenLifetime;
  int seconds = 0;
  for (auto i = at + kParameter.size(); i < target.size() && target[i] >= '0' && target[i] <= '9'; ++i) {
    seconds = seconds * 10 + (target[i] - '0');
    if (seconds > 86'400) return kDefaultTokenLifetime;
  }
  return seconds > 0 ? seconds : kDefaultTokenLifetime;
}

TokenReply answer_token_request(std::string_view form_body, std::uint64_t sequence, int expires_in) {
  if (form_value(form_body, "grant_type") != kJwtBearer) return refuse("grant_type must be " + std::string(kJwtBearer));
  if (!looks_rs256_jws(form_value(form_body, "assertion"))) return refuse("Invalid JWT Signature.");
  TokenReply reply;
  reply.body = R"({"access_token":"ya29.mock-)";
  append_uint(reply.body, sequence);
  reply.body += R"(","expires_in":)";
  append_int(reply.body, expires_in);
  reply.body += R"(,"token_type":"Bearer"})";
  return reply;
}

}  // namespace tollgate::mock
