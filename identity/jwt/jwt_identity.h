#pragma once
// A verified token's caller as the request path sees every caller: a KeyIdentity whose team,
// user and organization are the store's records for the ids its claims name (created when
// team_id_upsert / user_id_upsert say so). Their budgets, rate limits and model lists then
// apply exactly as for a virtual key of that team or user. Runs on a store thread.
#include <string>

#include "config/jwt_settings.h"
#include "core/jwt_roles.h"
#include "core/result.h"
#include "identity/jwt/jwt_subject.h"
#include "identity/key_identity.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::identity::jwt {

struct JwtCallerFacts {
  JwtSubject subject;
  core::JwtRole role = core::JwtRole::team;
  std::string token_hash;
  std::int64_t usable_until_ms = 0;
};

// 403 (the token is genuine, the gateway does not know whom it names) when: a team the token
// names by team_id_jwt_field / team_id_default does not exist and may not be created, its
// organization does not exist, or — for any role but the admins — it names no team, user or
// organization at all (there would be no budget to charge).
core::Result<KeyIdentity> resolve_jwt_identity(persistence::Store& store, const JwtCallerFacts& facts,
                                               const config::JwtAuthSettings& settings);

}  // namespace tollgate::identity::jwt
