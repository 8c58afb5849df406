#include "config/reload_check.h"

#include <set>

#include "core/json_out.h"

namespace tollgate::config {

std::vector<std::string> changed_restart_sections(const Config& running, const Config& next) {
  std::set<std::string> names;
  for (const auto& entry : running.restart_sections) names.insert(entry.first);
  for (const auto& entry : next.restart_sections) names.insert(entry.first);
  std::vector<std::string> changed;
  for (const auto& name : names) {
    const auto before = running.restart_sections.find(name);
    const auto after = next.restart_sections.find(name);
    const bool same = before != running.restart_sections.end() && after != next.restart_sections.end() &&
                      before->second == after->second;
    if (!same) changed.push_back(name);
  }
  return changed;
}

std::string deployments_summary_json(const Config& config) {
  core::JsonOut o;
  o.begin_object();
  o.key("deployments");
  o.begin_array();
  for (const auto& d : config.model_list) {
    o.begin_object();
    o.field("model_name", d.model_name);
    o.field("model", d.litellm_model);
    o.field("id", d.info.id);
    o.end_object();
  }
  o.end_array();
  o.end_object();
  return o.str();
}

}  // namespace tollgate::config
