#pragma once
// Config parsing for tests: a YAML text as "test.yaml" with a fixed environment.
#include <map>
#include <string>

#include "config/config.h"
#include "config/config_error.h"

namespace tollgate::testing {

config::Config parse_test_config(const std::string& yaml, std::map<std::string, std::string> env = {});
// Parses `yaml`, expecting failure (a Catch2 FAIL otherwise); returns the error.
config::ConfigError parse_test_config_error(const std::string& yaml, std::map<std::string, std::string> env = {});

}  // namespace tollgate::testing
