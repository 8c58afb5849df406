#pragma once
// The model list requests route with when models are also stored (store_model_in_db): the
// config file's deployments, then the store's (docs/control-plane.md, "Models in the store").
// A stored deployment joins the file's deployments of the same model_name as one more
// deployment of that model group (as in LiteLLM); one whose model_info.id a file deployment
// already has is left out with a warning: the file wins, since only a restart or a reload
// changes it and the store row may be fixed through /model/update or /model/delete.
#include <string>
#include <vector>

#include "config/config.h"

namespace tollgate::config {

struct MergedModels {
  Config config;                     // the file's config with the merged model_list
  std::vector<std::string> skipped;  // one line per stored deployment left out
};

MergedModels merge_stored_models(const Config& file, const std::vector<Deployment>& stored);

}  // namespace tollgate::config
