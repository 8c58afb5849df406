#pragma once
// The metadata of a spend log: LiteLLM's `user_api_key_*` fields (who called, under which key,
// team, organization) and the gateway's own ids of the call.
#include <optional>
#include <string>

#include "identity/key_identity.h"

namespace tollgate::api {

struct SpendLogIds {
  std::string call_id;       // the gateway's id of the call (x-litellm-call-id, the log's key)
  std::string x_request_id;  // the exchange's x-request-id (the client's when well formed)
  bool interrupted_stream = false;
  std::optional<std::string> end_user;  // the request's end user (LiteLLM's user_api_key_end_user_id)
};

// A JSON object. `identity` is null for the master key.
std::string spend_log_metadata(const identity::KeyIdentity* identity, const SpendLogIds& ids, bool success);

}  // namespace tollgate::api
