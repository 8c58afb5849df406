#pragma once
// The JSON of a stored model (persistence::ModelRecord) as a config file's model_list entry,
// and the edits /model/update makes to it. litellm_params is stored without its api_key,
// which travels sealed beside it (core/secret_box.h): take_api_key splits it off before a
// write, model_entry_json puts the opened key back for parsing.
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::persistence {

struct SplitParams {
  std::string params_json;  // litellm_params without api_key
  std::optional<std::string> api_key;
};
// `params_json` must be a JSON object; api_key is taken when it is a string.
SplitParams take_api_key(std::string_view params_json);

// {"model_name":…, "litellm_params":{… + "api_key" when given}, "model_info":{…}}; both JSON
// texts must be objects.
std::string model_entry_json(const std::string& model_name, std::string_view params_json, std::string_view info_json,
                             const std::optional<std::string>& api_key);

// `base` with each member of `patch` set, a null member removing it (objects, one level).
std::string merge_json_objects(std::string_view base_json, std::string_view patch_json);

// `info_json` with "id" set to `id`.
std::string with_model_id(std::string_view info_json, const std::string& id);

}  // namespace tollgate::persistence
