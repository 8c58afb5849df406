#include "api/spend_log_metadata.h"

#include "core/json_out.h"

namespace tollgate::api {

std::string spend_log_metadata(const identity::KeyIdentity* identity, const SpendLogIds& ids, bool success) {
  core::JsonOut o;
  o.begin_object();
  if (identity != nullptr) {
    const auto& key = identity->key;
    const auto* team = identity->team ? &*identity->team : nullptr;
    const auto* user = identity->user ? &*identity->user : nullptr;
    o.field("user_api_key", key.token_hash);
    o.field("user_api_key_alias", key.key_alias);
    o.field("user_api_key_team_id", key.team_id);
    o.key("user_api_key_team_alias");
    team ? o.value(team->team_alias) : o.null();
    o.key("user_api_key_org_id");
    identity->organization ? o.value(identity->organization->organization_id) : o.value(key.organization_id);
    o.field("user_api_key_user_id", key.user_id);
    o.key("user_api_key_user_email");
    user ? o.value(user->user_email) : o.null();
  } else {
    // The master key: LiteLLM's fields, empty (no stored key, team or user stands behind it).
    for (const char* name : {"user_api_key", "user_api_key_alias", "user_api_key_team_id", "user_api_key_team_alias",
                             "user_api_key_org_id", "user_api_key_user_id", "user_api_key_user_email"}) {
      o.key(name).null();
    }
  }
  o.field("user_api_key_end_user_id", ids.end_user);
  o.field("status", success ? "success" : "failure");
  o.field("litellm_call_id", ids.call_id);
  o.field("x_request_id", ids.x_request_id);
  if (ids.interrupted_stream) o.field("interrupted_stream", true);
  o.end_object();
  return o.str();
}

}  // namespace tollgate::api
