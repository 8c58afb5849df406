// Models managed at run time, in LiteLLM's shapes (docs/control-plane.md, "Models in the
// store"): POST /model/new, POST /model/update, PATCH /model/{model_id}/update,
// POST /model/delete (proxy_admin; general_settings.store_model_in_db), and GET /model/info,
// GET /v2/model/info (every caller, for the model groups it may use). A stored entry is
// validated exactly as a config file's entry (config::parse_model_entry); its provider key is
// sealed under the salt key before it reaches the store (core/secret_box.h) and is never
// answered, logged or audited. A write answers once this node routes with it.
#include "api/inference_accounting.h"
#include "api/management/lookups.h"
#include "api/management/management.h"
#include "api/management_routes.h"
#include "config/config_error.h"
#include "config/load_config.h"
#include "core/json_out.h"
#include "core/secret_box.h"
#include "persistence/errors.h"
#include "persistence/model_entry.h"
#include "persistence/store.h"
#include "telemetry/log.h"

namespace tollgate::api {
namespace {

using core::JsonOut;
using persistence::ModelRecord;
using persistence::Store;

void require_model_writes(const ManagementCall& call, std::string_view route) {
  require_control_plane(call, core::Action::update, route);
  if (!call.context.await_stored_models) {
    throw_bad_request(std::string(route) +
                      " needs general_settings.store_model_in_db: true (with a salt key: general_settings.salt_key "
                      "or LITELLM_SALT_KEY); the config file's models change through /config/reload");
  }
}

// The entry as a config file would hold it, parsed and validated as one: 400 with the parser's
// words otherwise. Returns the parser's warnings (keys it ignores), which the answer lists.
std::vector<std::string> validate_entry(const ManagementCall& call, const std::string& entry_json) {
  std::vector<std::string> warnings;
  try {
    config::parse_model_entry(entry_json, "model", "", call.context.model_environment, warnings);
    return warnings;
  } catch (const config::ConfigError& e) {
    throw_bad_request(std::string("invalid model: ") + e.key_path() + ": " + e.problem(), e.key_path());
  }
}

// A deployment the snapshot routes with that the config file defined: not the API's to change.
bool defined_in_file(const GatewayContext& context, const std::string& model_id) {
  for (const auto& d : context.model_snapshot()->config->model_list) {
    if (d.info.id == model_id && !d.from_store) return true;
  }
  return false;
}

ModelRecord load_stored(Store& store, const ManagementCall& call, const std::string& model_id) {
  if (defined_in_file(call.context, model_id)) {
    throw_bad_request("model '" + model_id + "' is defined in the config file: change it there and POST /config/reload",
                      "id");
  }
  auto model = store.find_model(model_id);
  if (!model) throw_not_found("model '" + model_id + "' not found");
  return std::move(*model);
}

std::optional<std::string> sealed(const ManagementCall& call, const std::optional<std::string>& api_key) {
  if (!api_key) return std::nullopt;
  return call.context.store_secrets->seal(*api_key);
}

std::optional<std::string> opened(const ManagementCall& call, const ModelRecord& model) {
  if (!model.api_key_sealed) return std::nullopt;
  auto key = call.context.store_secrets->open(*model.api_key_sealed);
  if (!key) {
    throw HttpError(
        core::conflict("model '" + model.model_id +
                       "' holds an api_key sealed under another salt key: give a new api_key or delete it"));
  }
  return key;
}

// The stored row, without its key, and what the parser ignored in it.
std::string model_json(const ModelRecord& m, const std::vector<std::string>& warnings) {
  JsonOut o;
  o.begin_object().field("model_id", m.model_id).field("model_name", m.model_name);
  o.key("litellm_params").raw_json(m.litellm_params);
  o.key("model_info").raw_json(m.model_info);
  o.field("warnings", warnings);
  o.end_object();
  return o.str();
}

// Answers once this node's snapshot holds the write (the other nodes hear the change event).
http::Response written(const ManagementCall& call, const ModelRecord& model,
                       const std::vector<std::string>& warnings = {}) {
  if (!call.context.await_stored_models()) {
    telemetry::log_warn("stored_models_slow",
                        {{"request_id", call.exchange.request_id()}, {"model_id", model.model_id}});
  }
  return json_ok(model_json(model, warnings));
}

// model_info.id when the body gives one (object_json has checked model_info is an object).
std::optional<std::string> given_model_id(const ManagementCall& call) {
  const auto* info = call.body.raw("model_info");
  if (!info || !info->IsObject()) return std::nullopt;
  return BodyReader(*info).string("id");
}

// Only api_key is sealed (core/secret_box.h): any other provider secret would be stored,
// answered and audited in clear in litellm_params, and a proxy_admin_viewer reads the audit log.
// They are taken as references only: os.environ/NAME, or for Vertex a key file's path.
void refuse_clear_secrets(const ManagementCall& call) {
  const auto* params = call.body.raw("litellm_params");
  if (params == nullptr || !params->IsObject()) return;
  for (const std::string_view field : {"aws_secret_access_key", "aws_session_token", "vertex_credentials"}) {
    const auto it = params->FindMember(rapidjson::StringRef(field.data(), field.size()));
    if (it == params->MemberEnd() || it->value.IsNull()) continue;
    const auto text = it->value.IsString() ? std::string_view(it->value.GetString(), it->value.GetStringLength())
                                           : std::string_view("{");
    const bool key_file = field == "vertex_credentials" && !text.empty() && text.find('{') == std::string_view::npos;
    if (text.rfind("os.environ/", 0) == 0 || key_file) continue;
    throw_bad_request("'litellm_params." + std::string(field) + "' is not stored in clear: give it as os.environ/NAME" +
                          (field == "vertex_credentials" ? " or the key file's path" : ""),
                      "litellm_params." + std::string(field));
  }
}

http::Response create(Store& store, const ManagementCall& call) {
  require_model_writes(call, "/model/new");
  refuse_clear_secrets(call);
  call.body.reject_unknown({"model_name", "litellm_params", "model_info"});
  ModelRecord model;
  model.model_name = call.body.required_string("model_name");
  const auto params = call.body.object_json("litellm_params");
  if (!params) throw_bad_request("'litellm_params' is required", "litellm_params");
  const auto info = call.body.object_json("model_info").value_or("{}");
  model.model_id = given_model_id(call).value_or(new_id());
  if (model.model_id.empty()) throw_bad_request("'model_info.id' must not be empty", "model_info.id");
  model.model_info = persistence::with_model_id(info, model.model_id);
  const auto warnings =
      validate_entry(call, persistence::model_entry_json(model.model_name, *params, model.model_info, std::nullopt));
  if (defined_in_file(call.context, model.model_id) || store.find_model(model.model_id)) {
    throw HttpError(core::conflict("a model with id '" + model.model_id + "' already exists"));
  }
  auto split = persistence::take_api_key(*params);
  model.litellm_params = std::move(split.params_json);
  model.api_key_sealed = sealed(call, split.api_key);
  model.created_by = call.changed_by();
  model.updated_by = model.created_by;
  try {
    return written(call, store.insert_model(model, call.audit("created")), warnings);
  } catch (const persistence::DuplicateError&) {
    throw HttpError(core::conflict("a model with id '" + model.model_id + "' already exists"));
  }
}

// /model/update names the model in model_info.id, the PATCH route in its path; the given
// litellm_params and model_info members replace the stored ones (null removes one), api_key
// included, which otherwise stays as sealed.
http::Response update_model(Store& store, const ManagementCall& call, const std::string& model_id) {
  if (model_id.empty()) throw_bad_request("the model's id is required (model_info.id)", "model_info.id");
  refuse_clear_secrets(call);
  auto model = load_stored(store, call, model_id);
  if (auto name = call.body.string("model_name")) model.model_name = *name;
  std::optional<std::string> api_key = std::nullopt;
  bool key_given = false;
  if (const auto patch = call.body.object_json("litellm_params")) {
    const auto* raw = call.body.raw("litellm_params");
    key_given = raw->HasMember("api_key");
    auto split = persistence::take_api_key(*patch);
    if (key_given && !(*raw)["api_key"].IsNull() && !split.api_key) {
      throw_bad_request("'litellm_params.api_key' must be a string", "litellm_params.api_key");
    }
    api_key = std::move(split.api_key);
    model.litellm_params = persistence::merge_json_objects(model.litellm_params, split.params_json);
  }
  if (!key_given) api_key = opened(call, model);
  if (const auto patch = call.body.object_json("model_info")) {
    model.model_info = persistence::merge_json_objects(model.model_info, *patch);
  }
  model.model_info = persistence::with_model_id(model.model_info, model.model_id);
  const auto warnings = validate_entry(
      call, persistence::model_entry_json(model.model_name, model.litellm_params, model.model_info, api_key));
  model.api_key_sealed = sealed(call, api_key);
  model.updated_by = call.changed_by();
  if (!store.update_model(model, call.audit("updated"))) throw_not_found("model '" + model_id + "' not found");
  return written(call, *store.find_model(model.model_id), warnings);
}

http::Response update(Store& store, const ManagementCall& call) {
  require_model_writes(call, "/model/update");
  call.body.reject_unknown({"model_name", "litellm_params", "model_info"});
  call.body.object_json("model_info");  // 400 unless an object
  return update_model(store, call, given_model_id(call).value_or(""));
}

http::Response patch(Store& store, const ManagementCall& call) {
  require_model_writes(call, "/model/{model_id}/update");
  call.body.reject_unknown({"model_name", "litellm_params", "model_info"});
  return update_model(store, call, std::string(call.exchange.param("model_id")));
}

http::Response remove(Store& store, const ManagementCall& call) {
  require_model_writes(call, "/model/delete");
  call.body.reject_unknown({"id"});
  const auto model = load_stored(store, call, call.body.required_string("id"));
  if (!store.delete_model(model.model_id, call.audit("deleted"))) {
    throw_not_found("model '" + model.model_id + "' not found");
  }
  return written(call, model);
}

// A deployment as LiteLLM's /model/info shows it: never its api_key.
void write_deployment(JsonOut& o, const config::Deployment& d) {
  o.begin_object().field("model_name", d.model_name);
  o.key("litellm_params").begin_object().field("model", d.litellm_model);
  if (!d.api_base.empty()) o.field("api_base", d.api_base);
  if (!d.api_version.empty()) o.field("api_version", d.api_version);
  if (d.rpm) o.field("rpm", *d.rpm);
  if (d.tpm) o.field("tpm", *d.tpm);
  o.field("weight", d.weight);
  if (d.timeout) o.field("timeout", static_cast<double>(d.timeout->count()) / 1000);
  if (d.stream_timeout) o.field("stream_timeout", static_cast<double>(d.stream_timeout->count()) / 1000);
  o.end_object();
  const auto& i = d.info;
  o.key("model_info").begin_object().field("id", i.id).field("db_model", d.from_store).field("mode", i.mode);
  o.field("input_cost_per_token", i.input_cost_per_token).field("output_cost_per_token", i.output_cost_per_token);
  o.field("cache_read_input_token_cost", i.cache_read_input_token_cost);
  o.field("cache_creation_input_token_cost", i.cache_creation_input_token_cost);
  o.field("output_cost_per_reasoning_token", i.output_cost_per_reasoning_token);
  o.field("input_cost_per_audio_token", i.input_cost_per_audio_token);
  o.field("output_cost_per_audio_token", i.output_cost_per_audio_token);
  o.field("output_cost_per_image", i.output_cost_per_image).field("input_cost_per_image", i.input_cost_per_image);
  o.field("input_cost_per_character", i.input_cost_per_character);
  o.field("input_cost_per_second", i.input_cost_per_second).field("output_cost_per_second", i.output_cost_per_second);
  o.field("input_cost_per_query", i.input_cost_per_query);
  o.field("input_cost_per_image_token", i.input_cost_per_image_token);
  o.field("output_cost_per_image_token", i.output_cost_per_image_token);
  o.field("max_tokens", i.max_tokens).field("max_input_tokens", i.max_input_tokens);
  o.field("max_output_tokens", i.max_output_tokens).field("access_groups", i.access_groups);
  o.end_object().end_object();
}

// The deployments of the groups the caller may use (administrators: all), optionally one id
// or one model_name.
std::vector<const config::Deployment*> visible(const ManagementCall& call, const proxy::ModelSnapshot& snapshot,
                                               const std::optional<std::string>& model_id,
                                               const std::optional<std::string>& model_name) {
  const bool admin = is_admin_or_viewer(call.caller.actor);
  std::vector<const config::Deployment*> out;
  for (const auto& group : snapshot.models().groups()) {
    if (model_name && group.name != *model_name) continue;
    if (!admin && call.caller.identity && !model_allowed(*call.caller.identity, group)) continue;
    for (const auto* d : group.deployments) {
      if (!model_id || d->info.id == *model_id) out.push_back(d);
    }
  }
  return out;
}

http::Response info(Store&, const ManagementCall& call) {
  const auto snapshot = call.context.model_snapshot();  // the deployments below live in it
  JsonOut o;
  o.begin_object().key("data").begin_array();
  for (const auto* d : visible(call, *snapshot, call.query("litellm_model_id"), std::nullopt)) write_deployment(o, *d);
  o.end_array().end_object();
  return json_ok(o.str());
}

http::Response info_v2(Store&, const ManagementCall& call) {
  const auto snapshot = call.context.model_snapshot();
  const auto found = visible(call, *snapshot, call.query("modelId"), call.query("model"));
  JsonOut o;
  o.begin_object().key("data").begin_array();
  for (const auto* d : found) write_deployment(o, *d);
  o.end_array();
  o.field("total_count", static_cast<std::int64_t>(found.size()));
  o.end_object();
  return json_ok(o.str());
}

}  // namespace

void register_stored_model_routes(http::Router& router, const GatewayContext& context) {
  using http::Method;
  auto add = [&](Method method, const char* path, ManagementWork work) {
    router.add(method, path, [&context, work](const http::ExchangePtr& ex) { run_management(context, ex, work); });
  };
  add(Method::post, "/model/new", create);
  add(Method::post, "/model/update", update);
  add(Method::patch, "/model/{model_id}/update", patch);
  add(Method::post, "/model/delete", remove);
  add(Method::get, "/model/info", info);
  add(Method::get, "/v2/model/info", info_v2);
}

}  // namespace tollgate::api
