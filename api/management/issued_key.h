#pragma once
// Issuing a new virtual key, shared by /key/generate, /key/regenerate and /user/new
// (auto_create_key): storing the record under the cleartext's hash, and the one response
// that ever shows the cleartext.
#include <string>

#include "core/json_out.h"
#include "persistence/records.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::api {

struct ManagementCall;

// Stores `key` under the hash of `cleartext` with the caller as its creator (audited as
// "created") and returns the stored row.
persistence::KeyRecord insert_new_key(persistence::Store& store, const ManagementCall& call, persistence::KeyRecord key,
                                      const std::string& cleartext);

// Sets the hash and display name of a key that is about to take `cleartext`.
void assign_cleartext(persistence::KeyRecord& key, const std::string& cleartext);

// LiteLLM's GenerateKeyResponse fields, without the enclosing braces, so /user/new can embed
// them; `key` is the cleartext, shown this once and never stored.
void write_generated_key_fields(core::JsonOut& out, const std::string& cleartext, const persistence::KeyRecord& key);
// The /key/generate and /key/regenerate response: those fields, and the budget the key links
// (litellm_budget_table, api/management/budget_table.h).
std::string generated_key_response(persistence::Store& store, const std::string& cleartext,
                                   const persistence::KeyRecord& key);

}  // namespace tollgate::api
