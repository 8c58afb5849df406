#pragma once
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/environment.h"

namespace tollgate::config {

// Reads and validates a config file; throws ConfigError naming the file, key path and problem.
Config load_config_file(const std::string& path, const Environment& env);

// Same, from text already in memory; `source` names it in messages.
Config parse_config(std::string_view yaml_text, const std::string& source, const Environment& env);

// One model_list entry given as JSON (a model managed through /model/new: JSON is YAML), parsed
// and validated exactly as an entry of a config file; throws ConfigError whose key path starts
// at `path`. Warnings (unknown keys) are appended to `warnings`.
Deployment parse_model_entry(std::string_view json, const std::string& source, const std::string& path,
                             const Environment& env, std::vector<std::string>& warnings);

}  // namespace tollgate::config
