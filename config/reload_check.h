#pragma once
// What /config/reload (and SIGHUP) may apply from a re-read config file, decided without I/O.
#include <string>
#include <vector>

#include "config/config.h"

namespace tollgate::config {

// The sections that differ between the running config and the re-read one among those a
// reload cannot apply (Config::restart_sections), by name; empty when the reload may proceed.
std::vector<std::string> changed_restart_sections(const Config& running, const Config& next);

// The deployments of a config as JSON for the audit log: model_name, model and id of each,
// never an API key or base URL (a URL may carry credentials).
std::string deployments_summary_json(const Config& config);

}  // namespace tollgate::config
