#include "config/model_merge.h"

#include <set>

namespace tollgate::config {

MergedModels merge_stored_models(const Config& file, const std::vector<Deployment>& stored) {
  MergedModels merged{file, {}};
  std::set<std::string> ids;
  for (const auto& d : file.model_list) ids.insert(d.info.id);
  for (const auto& d : stored) {
    if (!ids.insert(d.info.id).second) {
      merged.skipped.push_back("stored model '" + d.info.id + "' (" + d.model_name +
                               ") has the id of a deployment already loaded; left out");
      continue;
    }
    merged.config.model_list.push_back(d);
  }
  return merged;
}

}  // namespace tollgate::config
