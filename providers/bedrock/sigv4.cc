#include "providers/bedrock/sigv4.h"

#include <openssl/hmac.h>

#include <algorithm>
#include <ctime>

#include "core/ascii_case.h"
#include "core/key_hash.h"

namespace tollgate::providers::bedrock {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::string hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
  return out;
}

// Header values with leading/trailing spaces removed and inner runs of spaces collapsed.
std::string trimmed(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

// Query parameters sorted by name then value, each part encoded once.
std::string canonical_query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto part = query.substr(0, amp);
    const auto eq = part.find('=');
    params.emplace_back(std::string(part.substr(0, eq)),
                        eq == std::string_view::npos ? std::string() : std::string(part.substr(eq + 1)));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace

std::string amz_date(std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[17];
  std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    const bool unreserved = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(static_cast<char>(std::toupper(kHex[c >> 4])));
      out.push_back(static_cast<char>(std::toupper(kHex[c & 0xf])));
    }
  }
  return out;
}

std::string canonical_request(const SigV4Request& r, std::string_view date, std::string_view session_token,
                              std::string_view payload_hash, std::string& signed_headers) {
  std::vector<std::pair<std::string, std::string>> headers;
  headers.emplace_back("host", trimmed(r.host));
  headers.emplace_back("x-amz-content-sha256", std::string(payload_hash));
  headers.emplace_back("x-amz-date", std::string(date));
  if (!session_token.empty()) headers.emplace_back("x-amz-security-token", std::string(session_token));
  for (const auto& [name, value] : r.headers) headers.emplace_back(core::ascii_lower(name), trimmed(value));
  std::sort(headers.begin(), headers.end());

  std::string out;
  out += r.method;
  out += '\n';
  // Services other than S3 sign the path encoded a second time.
  out += uri_encode(r.path.empty() ? std::string_view("/") : r.path, true);
  out += '\n';
  out += canonical_query(r.query);
  out += '\n';
  signed_headers.clear();
  for (const auto& [name, value] : headers) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }
  out += '\n';
  out += signed_headers;
  out += '\n';
  out += payload_hash;
  return out;
}

std::vector<std::pair<std::string, std::string>> sigv4_headers(const SigV4Request& r, const AwsCredentials& c,
                                                               std::chrono::system_clock::time_point now) {
  const std::string date = amz_date(now);
  const std::string day = date.substr(0, 8);
  const std::string payload_hash = core::hash_key(r.body);
  std::string signed_headers;
  const std::string canonical = canonical_request(r, date, c.session_token, payload_hash, signed_headers);
  const std::string scope = day + "/" + std::string(r.region) + "/" + std::string(r.service) + "/aws4_request";
  const std::string to_sign = std::string(kAlgorithm) + "\n" + date + "\n" + scope + "\n" + core::hash_key(canonical);

  const std::string k_date = hmac("AWS4" + c.secret_access_key, day);
  const std::string k_region = hmac(k_date, r.region);
  const std::string k_service = hmac(k_region, r.service);
  const std::string k_signing = hmac(k_service, "aws4_request");
  const std::string signature = hex(hmac(k_signing, to_sign));

  std::vector<std::pair<std::string, std::string>> out;
  out.emplace_back("x-amz-date", date);
  out.emplace_back("x-amz-content-sha256", payload_hash);
  if (!c.session_token.empty()) out.emplace_back("x-amz-security-token", c.session_token);
  out.emplace_back("authorization", std::string(kAlgorithm) + " Credential=" + c.access_key_id + "/" + scope +
                                        ", SignedHeaders=" + signed_headers + ", Signature=" + signature);
  return out;
}

}  // namespace tollgate::providers::bedrock
