#include "providers/vertex/service_account.h"

#include <memory>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "identity/jwt/base64url.h"
#include "providers/json_util.h"

namespace tollgate::providers::vertex {
namespace {

core::ApiError bad_credentials(std::string message) {
  return core::bad_request("vertex_credentials: " + std::move(message));
}

// RSASSA-PKCS1-v1_5 with SHA-256 (JWS "RS256") over `input`, with the PEM private key.
core::Result<std::string> rs256_sign(std::string_view pem, std::string_view input) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return core::internal_error("out of memory reading the service account key");
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr),
                                                          EVP_PKEY_free);
  if (!key || EVP_PKEY_base_id(key.get()) != EVP_PKEY_RSA) {
    return bad_credentials("private_key is not a PEM RSA private key");
  }
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()), input.size()) !=
          1) {
    return core::internal_error("RS256 signing failed");
  }
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return core::internal_error("RS256 signing failed");
  }
  signature.resize(size);
  return signature;
}

// application/x-www-form-urlencoded, as URLSearchParams writes it.
std::string form_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '*') {
      out.push_back(c);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace

core::Result<ServiceAccount> parse_service_account(std::string_view text) {
  rapidjson::Document d;
  if (!json::parse(text, d) || !d.IsObject()) return bad_credentials("not a JSON object");
  if (json::string_or(d, "type") != "service_account") return bad_credentials("\"type\" must be \"service_account\"");
  ServiceAccount out;
  out.client_email = std::string(json::string_or(d, "client_email"));
  out.private_key = std::string(json::string_or(d, "private_key"));
  out.token_uri = std::string(json::string_or(d, "token_uri", kGoogleTokenUri));
  out.project_id = std::string(json::string_or(d, "project_id"));
  if (out.client_email.empty()) return bad_credentials("client_email is missing");
  if (out.private_key.empty()) return bad_credentials("private_key is missing");
  return out;
}

core::Result<std::string> jwt_bearer_assertion(const ServiceAccount& account, std::string_view scope,
                                               std::int64_t now) {
  // Members in gtoken's order, so the assertion is byte for byte the one google-auth-library signs.
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("iss");
  json::write_string(w, account.client_email);
  w.Key("scope");
  json::write_string(w, scope);
  w.Key("aud");
  json::write_string(w, account.token_uri);
  w.Key("exp");
  w.Int64(now + 3600);
  w.Key("iat");
  w.Int64(now);
  w.EndObject();
  const std::string input = identity::jwt::base64url_encode(R"({"alg":"RS256"})") + "." +
                            identity::jwt::base64url_encode(json::written(buffer));
  auto signature = rs256_sign(account.private_key, input);
  if (!signature) return std::move(signature).error();
  return input + "." + identity::jwt::base64url_encode(*signature);
}

std::string token_request_body(std::string_view assertion) {
  return "grant_type=" + form_encode("urn:ietf:params:oauth:grant-type:jwt-bearer") +
         "&assertion=" + form_encode(assertion);
}

core::Result<AccessToken> parse_token_response(std::string_view body, std::int64_t now) {
  rapidjson::Document d;
  if (!json::parse(body, d) || !d.IsObject()) return core::bad_gateway("the token endpoint's answer is not JSON");
  AccessToken out;
  out.token = std::string(json::string_or(d, "access_token"));
  if (out.token.empty()) {
    return core::bad_gateway("the token endpoint gave no access_token (" +
                             std::string(json::string_or(d, "error", "no error code")) + ")");
  }
  out.expires_at = now + json::int_or(d, "expires_in", 3600);
  return out;
}

}  // namespace tollgate::providers::vertex
