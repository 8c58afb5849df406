#include "identity/authenticator.h"

#include <algorithm>

#include "core/ascii_case.h"
#include "core/constant_time.h"
#include "core/key_hash.h"
#include "http/url.h"
#include "identity/jwt/jose.h"
#include "identity/jwt/jwt_authenticator.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "telemetry/log.h"

namespace tollgate::identity {
namespace {

std::string_view strip_bearer(std::string_view value) {
  constexpr std::string_view kBearer = "bearer ";
  if (value.size() > kBearer.size() && core::ascii_istarts_with(value, kBearer)) value.remove_prefix(kBearer.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

// Google's `?key=`, decoded ("" when absent or malformed: then there is no credential).
std::string google_query_key(const http::Exchange& exchange) {
  auto key = http::query_value(exchange.query(), "key");
  return key && *key ? std::move(**key) : std::string();
}

void add_unique(std::vector<std::string>& list, const std::string& value) {
  if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

}  // namespace

core::Actor actor_for_user(persistence::Store& store, const std::optional<persistence::UserRecord>& user) {
  core::Actor actor;
  if (!user) {
    // Without a user: may call models and nothing else (resolve_key relaxes this for a key of
    // no team either).
    actor.role = core::Role::internal_user;
    actor.service_account = true;
    return actor;
  }
  actor.user_id = user->user_id;
  if (!core::parse_role(user->user_role, actor.role)) actor.role = core::Role::internal_user;
  for (const auto& [team_id, role] : store.teams_of_user(user->user_id)) {
    add_unique(actor.member_team_ids, team_id);
    if (role == "admin") add_unique(actor.admin_team_ids, team_id);
  }
  for (const auto& membership : store.organizations_of_user(user->user_id)) {
    add_unique(actor.member_org_ids, membership.organization_id);
    if (membership.user_role == "org_admin" && actor.role == core::Role::org_admin) {
      add_unique(actor.admin_org_ids, membership.organization_id);
    }
  }
  if (user->organization_id) {
    add_unique(actor.member_org_ids, *user->organization_id);
    if (actor.role == core::Role::org_admin) add_unique(actor.admin_org_ids, *user->organization_id);
  }
  return actor;
}

namespace {

// The budget a key or organization links. One that no longer exists (deletion refuses budgets
// in use, so only a race leaves such a link) applies no limits: logged, not fatal to the key.
std::optional<persistence::BudgetRecord> linked_budget(persistence::Store& store,
                                                       const std::optional<std::string>& budget_id) {
  if (!budget_id) return std::nullopt;
  auto budget = store.find_budget(*budget_id);
  if (!budget) telemetry::log_warn("linked_budget_missing", {{"budget_id", *budget_id}});
  return budget;
}

}  // namespace

std::string_view extract_credential(const http::Exchange& exchange, CredentialPlaces places) {
  for (const char* name : {"x-litellm-api-key", "authorization", "x-api-key", "api-key"}) {
    const auto value = exchange.header(name);
    if (!value.empty()) return strip_bearer(value);
  }
  if (places == CredentialPlaces::also_google_api_key) return strip_bearer(exchange.header("x-goog-api-key"));
  return {};
}

std::optional<KeyIdentity> resolve_key(persistence::Store& store, const std::string& token_hash) {
  auto key = store.find_key(token_hash);
  if (!key) return std::nullopt;
  KeyIdentity identity;
  if (key->user_id) identity.user = store.find_user(*key->user_id);
  if (key->team_id) identity.team = store.find_team(*key->team_id);
  std::optional<std::string> org_id = key->organization_id;
  if (!org_id && identity.team) org_id = identity.team->organization_id;
  if (org_id) identity.organization = store.find_organization(*org_id);
  identity.key_budget = linked_budget(store, key->budget_id);
  if (identity.organization) identity.organization_budget = linked_budget(store, identity.organization->budget_id);
  identity.actor = actor_for_user(store, identity.user);
  identity.actor.key_hash = key->token_hash;
  // A team key without a user is a service account. A key of no user and no team (an admin
  // made it for a program) is an ordinary key of nobody: it sees itself and nothing else (it
  // owns, administers and belongs to nothing).
  if (!key->user_id && !key->team_id) identity.actor.service_account = false;
  if (key->service_account) identity.actor.service_account = true;
  identity.label = key->key_alias.value_or(key->key_name);
  identity.key = std::move(*key);
  return identity;
}

Caller caller_from(const KeyIdentityPtr& identity) {
  Caller caller;
  caller.kind = CallerKind::virtual_key;
  caller.label = identity->label;
  caller.actor = identity->actor;
  caller.identity = identity;
  return caller;
}

Authenticator::Authenticator(std::string master_key, KeyCache& cache, persistence::StorePool* pool,
                             AuthFailureLimiter& limiter)
    : master_key_(std::move(master_key)), cache_(cache), pool_(pool), limiter_(limiter) {}

void Authenticator::fail(const std::string& address, const Done& done) const {
  limiter_.record_failure(address, AuthFailureLimiter::Clock::now());
  done(core::unauthorized());
}

void Authenticator::authenticate(const http::Exchange& exchange, Done done, CredentialPlaces places) const {
  const auto& address = exchange.remote_address();
  auto credential = extract_credential(exchange, places);
  std::string from_query;  // owns the ?key= credential while it is checked
  if (credential.empty() && places == CredentialPlaces::also_google_api_key) {
    from_query = google_query_key(exchange);
    credential = from_query;
  }
  if (credential.empty()) {
    fail(address, done);
    return;
  }
  if (!master_key_.empty() && core::constant_time_equals(credential, master_key_)) {
    Caller caller;
    caller.kind = CallerKind::master_key;
    caller.label = "master_key";
    caller.actor.role = core::Role::proxy_admin;
    done(std::move(caller));
    return;
  }
  std::string hash = core::hash_key(credential);
  KeyIdentityPtr identity;
  switch (cache_.find(hash, identity)) {
    case KeyCache::Lookup::hit: admit(identity, exchange.path(), address, done); return;
    case KeyCache::Lookup::known_missing: fail(address, done); return;
    case KeyCache::Lookup::miss:
      // Only unknown keys cost a store lookup, so only they are throttled: an address that
      // keeps guessing gets 429 without touching the database, while keys already known keep
      // working from behind the same address (a shared NAT).
      if (limiter_.blocked(address, AuthFailureLimiter::Clock::now())) {
        done(
            core::too_many_requests("Too many failed authentication attempts from this address; "
                                    "try again later.",
                                    static_cast<int>(limiter_.window().count())));
        return;
      }
      if (jwt_ != nullptr && jwt::looks_like_jwt(credential)) {
        authenticate_jwt(credential, std::move(hash), exchange, std::move(done));
        return;
      }
      lookup(std::move(hash), exchange, std::move(done));
      return;
  }
}

void Authenticator::admit(const KeyIdentityPtr& identity, std::string_view path, const std::string& address,
                          const Done& done) const {
  if (!identity->usable(std::chrono::system_clock::now())) {
    fail(address, done);
    return;
  }
  if (identity->jwt_role && (jwt_ == nullptr || !jwt_->route_allowed(*identity, path))) {
    done(core::forbidden("This token's role (" + std::string(core::jwt_role_name(*identity->jwt_role)) +
                         ") may not call " + std::string(path)));
    return;
  }
  done(caller_from(identity));
}

// The token's verification and identity may finish on another thread; the exchange does not
// travel there (only what the answer needs), and `done` is bound to the request's executor.
void Authenticator::authenticate_jwt(std::string_view token, std::string hash, const http::Exchange& exchange,
                                     Done done) const {
  jwt_->authenticate(token, std::move(hash), exchange.request_id(),
                     [this, done = std::move(done), path = std::string(exchange.path()),
                      address = exchange.remote_address()](core::Result<KeyIdentityPtr> identity) {
                       if (identity) return admit(*identity, path, address, done);
                       if (identity.error().status == 401) return fail(address, done);
                       done(std::move(identity).error());
                     });
}

void Authenticator::lookup(std::string hash, const http::Exchange& exchange, Done done) const {
  std::string address = exchange.remote_address();
  if (pool_ == nullptr) {
    fail(address, done);
    return;
  }
  const auto generation = cache_.generation();
  // Shared by the two continuations below, exactly one of which answers: the job answers as
  // its last step, so when it throws (a StoreError: the store failed) the failure
  // continuation has the answer to give.
  auto answer = std::make_shared<Done>(std::move(done));
  pool_->submit(
      [this, hash = std::move(hash), address = std::move(address), answer, generation](persistence::Store& store) {
        auto resolved = resolve_key(store, hash);
        if (!resolved) {
          cache_.put_missing(hash, generation);
          fail(address, *answer);
          return;
        }
        auto identity = std::make_shared<const KeyIdentity>(std::move(*resolved));
        cache_.put(hash, identity, generation);
        if (!identity->usable(std::chrono::system_clock::now())) {
          fail(address, *answer);
          return;
        }
        (*answer)(caller_from(identity));
      },
      [answer, request_id = exchange.request_id()](persistence::JobFailure why, const std::string& error) {
        (*answer)(store_lookup_failure(why, error, request_id, "key_lookup"));
      });
}

core::ApiError store_lookup_failure(persistence::JobFailure why, const std::string& error,
                                    const std::string& request_id, std::string_view event) {
  switch (why) {
    case persistence::JobFailure::overloaded: return core::store_overloaded();
    case persistence::JobFailure::threw:
      telemetry::log_error(std::string(event) + "_unexpected_error", {{"request_id", request_id}, {"error", error}});
      return core::unexpected_error(request_id);
    case persistence::JobFailure::unreachable:
    case persistence::JobFailure::stopped: break;
  }
  // Unknown caller and no store to ask: fail closed.
  telemetry::log_warn(std::string(event) + "_failed", {{"request_id", request_id}, {"error", error}});
  return core::service_unavailable("The key store is unavailable; try again shortly.");
}

}  // namespace tollgate::identity
