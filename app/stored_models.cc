#include "app/stored_models.h"

#include "config/config_error.h"
#include "config/load_config.h"
#include "persistence/model_entry.h"
#include "persistence/store.h"
#include "telemetry/log.h"

namespace tollgate::app {

std::vector<config::Deployment> load_stored_models(persistence::Store& store, const core::SecretBox& secrets,
                                                   const config::Environment& environment) {
  std::vector<config::Deployment> out;
  for (const auto& row : store.list_models()) {
    std::optional<std::string> api_key;
    if (row.api_key_sealed) {
      api_key = secrets.open(*row.api_key_sealed);
      if (!api_key) {
        telemetry::log_error("stored_model_skipped",
                             {{"model_id", row.model_id}, {"reason", "its api_key does not open under the salt key"}});
        continue;
      }
    }
    try {
      const auto entry = persistence::model_entry_json(row.model_name, row.litellm_params, row.model_info, api_key);
      std::vector<std::string> warnings;
      auto deployment =
          config::parse_model_entry(entry, "store", "models[" + row.model_id + "]", environment, warnings);
      deployment.info.id = row.model_id;
      deployment.from_store = true;
      out.push_back(std::move(deployment));
    } catch (const std::exception& e) {
      telemetry::log_error("stored_model_skipped", {{"model_id", row.model_id}, {"reason", e.what()}});
    }
  }
  return out;
}

}  // namespace tollgate::app
