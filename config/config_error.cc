#include "config/config_error.h"

namespace tollgate::config {

ConfigError::ConfigError(std::string file, std::string key_path, std::string problem)
    : std::runtime_error(file + ": " + (key_path.empty() ? std::string("(top level)") : key_path) + ": " + problem),
      file_(std::move(file)),
      key_path_(std::move(key_path)),
      problem_(std::move(problem)) {}

}  // namespace tollgate::config
