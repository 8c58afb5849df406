#include "tests/support/config_parse.h"

#include <catch2/catch.hpp>

#include <stdexcept>

#include "config/load_config.h"
#include "tests/support/fixed_environment.h"

namespace tollgate::testing {

config::Config parse_test_config(const std::string& yaml, std::map<std::string, std::string> env) {
  return config::parse_config(yaml, "test.yaml", fixed_environment(std::move(env)));
}

config::ConfigError parse_test_config_error(const std::string& yaml, std::map<std::string, std::string> env) {
  try {
    parse_test_config(yaml, std::move(env));
  } catch (const config::ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError for:\n" << yaml);
  throw std::logic_error("unreachable");
}

}  // namespace tollgate::testing
