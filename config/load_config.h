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

}  // namespace tollgate::config
