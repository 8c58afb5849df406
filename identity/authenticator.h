#pragma once
// Who is calling: the master key (a proxy admin) or a virtual key, resolved through the
// node-local cache and, on a miss, the store (asynchronously: the answer may come from a
// store thread). Every failure is the same 401; bursts of failures from one address get 429.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/authz.h"
#include "core/result.h"
#include "http/exchange.h"
#include "identity/auth_failure_limiter.h"
#include "identity/key_cache.h"

namespace tollgate::persistence {
class StorePool;
class Store;
enum class JobFailure;
}  // namespace tollgate::persistence

namespace tollgate::identity {

namespace jwt {
class JwtAuthenticator;
}

enum class CallerKind { master_key, virtual_key };

struct Caller {
  CallerKind kind = CallerKind::master_key;
  std::string label;        // for logs: "master_key", or the key's alias / "sk-...abcd"
  core::Actor actor;        // for the authorization policy
  KeyIdentityPtr identity;  // null for the master key
};

// Where a route accepts the caller's key. Google's SDKs send theirs in `x-goog-api-key` or
// `?key=`: only the Gemini and Vertex AI pass-through routes accept a key there (as LiteLLM's
// do), and never forward it; every other route ignores both, so that a key put in a URL (where
// proxies and browsers keep it) is not a habit the gateway encourages.
enum class CredentialPlaces { standard, also_google_api_key };

// The credential a request's headers carry ("" when none): x-litellm-api-key, Authorization
// (Bearer), x-api-key or api-key; then, for `also_google_api_key`, x-goog-api-key.
// Authenticator::authenticate also reads `?key=` for `also_google_api_key`.
std::string_view extract_credential(const http::Exchange& exchange,
                                    CredentialPlaces places = CredentialPlaces::standard);

// Builds the identity of a key from the store (owner, team with members, organization, the
// budgets the key and organization link, memberships → actor). nullopt when the key does not exist.
std::optional<KeyIdentity> resolve_key(persistence::Store& store, const std::string& token_hash);

// The authorization actor of a user (role, team and organization memberships from the store);
// a user-less caller is a service account that may call models only.
core::Actor actor_for_user(persistence::Store& store, const std::optional<persistence::UserRecord>& user);

class Authenticator {
 public:
  using Done = std::function<void(core::Result<Caller>)>;

  Authenticator(std::string master_key, KeyCache& cache, persistence::StorePool* pool, AuthFailureLimiter& limiter);

  // Calls `done` exactly once, with the caller or the error: 401,
  // 429 after too many failures, 503 when the key is unknown and the store unreachable or
  // overloaded (code store_overloaded), 500 naming the request id when the lookup failed
  // unexpectedly. After a cache miss that is on a store thread: callers bind `done` to the
  // request's executor (http::bind_executor).
  void authenticate(const http::Exchange& exchange, Done done,
                    CredentialPlaces places = CredentialPlaces::standard) const;

  KeyCache& cache() const { return cache_; }

  // With general_settings.enable_jwt_auth: bearer tokens shaped like a JWT go this way. Set
  // once while the gateway is built, before any request.
  void enable_jwt(const jwt::JwtAuthenticator* jwt) { jwt_ = jwt; }

 private:
  void lookup(std::string hash, const http::Exchange& exchange, Done done) const;
  void fail(const std::string& address, const Done& done) const;
  void authenticate_jwt(std::string_view token, std::string hash, const http::Exchange& exchange, Done done) const;
  // A cached or fresh identity: usable (not expired, not blocked) and, for a JWT, allowed the route.
  void admit(const KeyIdentityPtr& identity, std::string_view path, const std::string& address, const Done& done) const;

  std::string master_key_;
  KeyCache& cache_;
  persistence::StorePool* pool_;
  AuthFailureLimiter& limiter_;
  const jwt::JwtAuthenticator* jwt_ = nullptr;
};

Caller caller_from(const KeyIdentityPtr& identity);

// The answer to a request whose identity lookup (a key, a JWT's team and user) could not run
// on the store: 503 store_overloaded, 503 for an unreachable store, 500 naming the request id
// for anything unexpected (logged as `event` with the error).
core::ApiError store_lookup_failure(persistence::JobFailure why, const std::string& error,
                                    const std::string& request_id, std::string_view event);

}  // namespace tollgate::identity
