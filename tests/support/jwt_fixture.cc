#include "tests/support/jwt_fixture.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <stdexcept>

#include "http/io_threads.h"
#include "http/response.h"
#include "http/router.h"
#include "http/server.h"
#include "identity/jwt/base64url.h"

namespace tollgate::testing {
namespace {

std::string bn_bytes(const BIGNUM* bn, int width = 0) {
  const int size = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(size), '\0');
  if (BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size) != size) throw std::runtime_error("bn");
  return out;
}

std::string bn_param(const EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error("key param");
  auto out = bn_bytes(bn);
  BN_free(bn);
  return out;
}

const EVP_MD* md_of(const std::string& alg) {
  if (alg == "RS384" || alg == "ES384") return EVP_sha384();
  if (alg == "RS512") return EVP_sha512();
  if (alg == "EdDSA") return nullptr;
  return EVP_sha256();
}

}  // namespace

struct TestKey::Impl {
  Kind kind;
  EVP_PKEY* key = nullptr;
  ~Impl() { EVP_PKEY_free(key); }
};

TestKey::TestKey(Kind kind) : impl_(std::make_unique<Impl>()) {
  impl_->kind = kind;
  switch (kind) {
    case Kind::rsa2048: impl_->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)); break;
    case Kind::rsa1024: impl_->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(1024)); break;
    case Kind::ec_p256: impl_->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"); break;
    case Kind::ec_p384: impl_->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"); break;
    case Kind::ed25519: impl_->key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"); break;
  }
  if (impl_->key == nullptr) throw std::runtime_error("key generation failed");
}
TestKey::~TestKey() = default;
TestKey::TestKey(TestKey&&) noexcept = default;
TestKey& TestKey::operator=(TestKey&&) noexcept = default;

std::string TestKey::jwk(const std::string& kid, const std::string& alg) const {
  std::string body;
  const auto* key = impl_->key;
  switch (impl_->kind) {
    case Kind::rsa2048:
    case Kind::rsa1024:
      body = "\"kty\":\"RSA\",\"n\":\"" + b64url(bn_param(key, OSSL_PKEY_PARAM_RSA_N)) + "\",\"e\":\"" +
             b64url(bn_param(key, OSSL_PKEY_PARAM_RSA_E)) + "\"";
      break;
    case Kind::ec_p256:
    case Kind::ec_p384: {
      const int width = impl_->kind == Kind::ec_p256 ? 32 : 48;
      BIGNUM* x = nullptr;
      BIGNUM* y = nullptr;
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x);
      EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y);
      body = std::string("\"kty\":\"EC\",\"crv\":\"") + (width == 32 ? "P-256" : "P-384") + "\",\"x\":\"" +
             b64url(bn_bytes(x, width)) + "\",\"y\":\"" + b64url(bn_bytes(y, width)) + "\"";
      BN_free(x);
      BN_free(y);
      break;
    }
    case Kind::ed25519: {
      std::string raw(32, '\0');
      size_t length = raw.size();
      EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length);
      body = "\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + b64url(raw) + "\"";
      break;
    }
  }
  std::string out = "{\"kid\":\"" + kid + "\",\"use\":\"sig\"," + body;
  if (!alg.empty()) out += ",\"alg\":\"" + alg + "\"";
  return out + "}";
}

std::string TestKey::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, impl_->key);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return out;
}

std::string TestKey::sign(const std::string& alg, const std::string& input) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx, &pctx, md_of(alg), nullptr, impl_->key) != 1) throw std::runtime_error("sign init");
  if (alg == "PS256") {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t length = 0;
  EVP_DigestSign(ctx, nullptr, &length, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string sig(length, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &length,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    throw std::runtime_error("sign");
  }
  EVP_MD_CTX_free(ctx);
  sig.resize(length);
  if (alg != "ES256" && alg != "ES384") return sig;
  // DER → JOSE raw r||s.
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  const int width = alg == "ES256" ? 32 : 48;
  auto raw = bn_bytes(ECDSA_SIG_get0_r(ecdsa), width) + bn_bytes(ECDSA_SIG_get0_s(ecdsa), width);
  ECDSA_SIG_free(ecdsa);
  return raw;
}

std::string b64url(const std::string& bytes) { return identity::jwt::base64url_encode(bytes); }

std::string hmac_sha256(const std::string& secret, const std::string& input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &length);
  return std::string(reinterpret_cast<char*>(mac), length);
}

std::string sign_jwt(const std::string& header_json, const std::string& payload_json, const TestKey& key,
                     const std::string& alg) {
  const auto input = b64url(header_json) + "." + b64url(payload_json);
  return input + "." + b64url(key.sign(alg, input));
}

std::string sign_jwt_hmac(const std::string& header_json, const std::string& payload_json, const std::string& secret) {
  const auto input = b64url(header_json) + "." + b64url(payload_json);
  return input + "." + b64url(hmac_sha256(secret, input));
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string jwks_of(std::initializer_list<std::string> jwks) {
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const auto& jwk : jwks) {
    if (!first) out += ",";
    out += jwk;
    first = false;
  }
  return out + "]}";
}

struct JwksServer::Impl {
  struct Document {
    std::string body;
    int status = 200;
    int requests = 0;
  };
  Impl() : io(1) {
    router.add(http::Method::get, "/{path*}", [this](const http::ExchangePtr& exchange) {
      std::lock_guard lock(mutex);
      auto it = documents.find(std::string(exchange->path()));
      if (it == documents.end()) {
        exchange->respond(http::text_response(404, "not found"));
        return;
      }
      ++it->second.requests;
      exchange->respond(http::json_response(it->second.status, it->second.body));
    });
    http::ServerOptions options;
    options.port = 0;
    server = std::make_unique<http::Server>(options, router, nullptr, io);
    server->start();
    io.start();
  }
  ~Impl() {
    server->drain(std::chrono::steady_clock::now() + std::chrono::seconds(2));
    io.stop();
  }
  http::IoThreads io;
  http::Router router;
  std::unique_ptr<http::Server> server;
  mutable std::mutex mutex;
  std::map<std::string, Document> documents;
};

JwksServer::JwksServer() : impl_(std::make_unique<Impl>()) {}
JwksServer::~JwksServer() = default;
std::uint16_t JwksServer::port() const { return impl_->server->port(); }
std::string JwksServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}
void JwksServer::serve(const std::string& path, std::string body, int status) {
  std::lock_guard lock(impl_->mutex);
  auto& doc = impl_->documents[path];
  doc.body = std::move(body);
  doc.status = status;
}
int JwksServer::requests(const std::string& path) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->documents.find(path);
  return it == impl_->documents.end() ? 0 : it->second.requests;
}

}  // namespace tollgate::testing
