#include "api/management/issued_key.h"

#include "api/management/budget_table.h"
#include "api/management/management.h"
#include "core/key_hash.h"
#include "persistence/record_json.h"
#include "persistence/store.h"

namespace tollgate::api {

void assign_cleartext(persistence::KeyRecord& key, const std::string& cleartext) {
  key.token_hash = core::hash_key(cleartext);
  key.key_name = core::key_display_name(cleartext);
}

persistence::KeyRecord insert_new_key(persistence::Store& store, const ManagementCall& call, persistence::KeyRecord key,
                                      const std::string& cleartext) {
  assign_cleartext(key, cleartext);
  key.created_by = call.changed_by();
  key.updated_by = key.created_by;
  return store.insert_key(key, call.audit("created"));
}

void write_generated_key_fields(core::JsonOut& o, const std::string& cleartext, const persistence::KeyRecord& key) {
  o.field("key", cleartext);
  o.field("token", key.token_hash);
  o.field("token_id", key.token_hash);
  o.field("key_name", key.key_name);
  o.field("key_alias", key.key_alias);
  o.time_field("expires", key.expires_at);
  o.field("user_id", key.user_id);
  o.field("team_id", key.team_id);
  o.field("organization_id", key.organization_id);
  o.field("models", key.models);
  o.field("spend", key.spend);
  persistence::write_limit_fields(o, key);
  o.field("soft_budget", key.soft_budget);
  o.field("budget_id", key.budget_id);
  o.field("model_rpm_limit", key.model_rpm_limit);
  o.field("model_tpm_limit", key.model_tpm_limit);
  o.field("aliases", key.model_aliases);
  o.field("blocked", key.blocked);
  o.key("metadata").raw_json(key.metadata);
  o.field("service_account", key.service_account);
  o.field("created_by", key.created_by);
  o.field("updated_by", key.updated_by);
  o.key("created_at").time(key.created_at);
  o.key("updated_at").time(key.updated_at);
}

std::string generated_key_response(persistence::Store& store, const std::string& cleartext,
                                   const persistence::KeyRecord& key) {
  core::JsonOut o;
  o.begin_object();
  write_generated_key_fields(o, cleartext, key);
  write_key_budget_table(o, store, key);
  o.end_object();
  return o.str();
}

}  // namespace tollgate::api
