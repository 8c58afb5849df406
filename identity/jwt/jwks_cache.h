#pragma once
// The signing keys of the configured identity providers, fetched from their JWKS URLs (or
// OpenID discovery documents) with the gateway's asynchronous HTTP client — never blocking an
// I/O thread — and kept for `ttl`.
//
// - A key id the cache does not know triggers a refetch, but fetches are at least
//   `refetch_interval` apart and single-flight: a flood of tokens with random kids costs the
//   IdP one request per interval, and the rest are answered from the cache at once.
// - A held key answers at once, even past its TTL: that only starts a refresh in the
//   background, so no token whose key is known ever waits for the IdP.
// - Keys rotate without a restart: the next fetch (TTL or unknown kid) replaces the set.
// - When a fetch fails, the keys already held keep working (however old) and the failure is
//   logged; with no keys at all the answer is `unavailable` (the caller's 503).
// - Redirects are not followed (the client never does) and only 200 answers count.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "identity/jwt/jwk.h"

namespace tollgate::http {
class HttpClient;
}

namespace tollgate::identity::jwt {

class JwksCache {
 public:
  using Clock = std::chrono::steady_clock;

  struct Options {
    std::vector<std::string> urls;  // JWKS or discovery document URLs, as configured
    std::vector<std::string> allowed_jwks_hosts;
    std::chrono::milliseconds ttl{600'000};
    std::chrono::milliseconds refetch_interval{10'000};
    std::chrono::milliseconds fetch_timeout{5'000};
    std::size_t max_document_bytes = 256 * 1024;
  };

  enum class Status { found, not_found, unavailable };
  struct Answer {
    Status status = Status::unavailable;
    std::optional<VerificationKey> key;
  };
  using Done = std::function<void(Answer)>;

  JwksCache(http::HttpClient& client, Options options);
  ~JwksCache();
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // The key for a token's kid (or, without a kid, the only key that allows `alg`). `done` runs
  // once: at once when the cache can answer, else on an I/O thread when the fetch ends.
  void find(const std::optional<std::string>& kid, Algorithm alg, Done done);

  std::uint64_t fetch_rounds() const;  // fetch rounds started so far (tests, metrics)

  struct State;  // shared with the fetches in flight, which may outlive a call

 private:
  std::shared_ptr<State> state_;
};

}  // namespace tollgate::identity::jwt
