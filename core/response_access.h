#pragma once
// Who may use an answer stored through the Responses API (GET / DELETE /v1/responses/{id},
// GET …/input_items, and a POST naming it as previous_response_id). The upstream keeps every
// stored response under the gateway's one provider credential, so the gateway itself must
// keep one key from reaching another's: a key uses only the responses it created; proxy
// admins (the master key included) use any, proxy_admin_viewer may only read. A refusal is
// answered as if the id did not exist (404), so ids of others cannot be probed.
#include <string_view>

#include "core/authz.h"

namespace tollgate::core {

enum class StoredResponseUse { read, remove, chain };

// `owner_key_hash` is the creating key's hash ("" when the master key created it).
bool may_use_stored_response(const Actor& actor, std::string_view owner_key_hash, StoredResponseUse use);

// A response id the gateway forwards into an upstream path: 1–256 bytes of [A-Za-z0-9_-].
bool is_forwardable_response_id(std::string_view id);

}  // namespace tollgate::core
