#pragma once
// JWT test fixtures: signing keys generated with OpenSSL at test time (RSA, EC P-256/P-384,
// Ed25519), tokens signed with them (or forged on purpose), and a real loopback HTTP server
// that serves JWKS and OpenID discovery documents and counts the requests it gets.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace tollgate::testing {

class TestKey {
 public:
  enum class Kind { rsa2048, rsa1024, ec_p256, ec_p384, ed25519 };
  explicit TestKey(Kind kind);
  ~TestKey();
  TestKey(TestKey&&) noexcept;
  TestKey& operator=(TestKey&&) noexcept;

  // The public key as a JWK object (with "kid"; with "alg" when `alg` is not empty).
  std::string jwk(const std::string& kid, const std::string& alg = "") const;
  // The public key as PEM text (for the HS/RS confusion attack: used as an HMAC secret).
  std::string public_pem() const;
  // A JWS signature over `input` with `alg` (RS256/384/512, PS256, ES256/384 as raw r||s, EdDSA).
  std::string sign(const std::string& alg, const std::string& input) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string b64url(const std::string& bytes);
std::string hmac_sha256(const std::string& secret, const std::string& input);

// header.payload.signature with `key` signing `alg`.
std::string sign_jwt(const std::string& header_json, const std::string& payload_json, const TestKey& key,
                     const std::string& alg);
// header.payload.signature with an HMAC-SHA-256 `secret`.
std::string sign_jwt_hmac(const std::string& header_json, const std::string& payload_json, const std::string& secret);

std::int64_t unix_now();

// "{"keys":[jwk, ...]}"
std::string jwks_of(std::initializer_list<std::string> jwks);

class JwksServer {
 public:
  JwksServer();
  ~JwksServer();
  std::uint16_t port() const;
  std::string url(const std::string& path) const;  // http://127.0.0.1:port + path
  // Serves `body` with `status` at GET `path` (any other path: 404).
  void serve(const std::string& path, std::string body, int status = 200);
  int requests(const std::string& path) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::testing
