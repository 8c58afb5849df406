#pragma once
// A config::Environment that reads from a fixed map instead of the process environment, so
// config tests and in-process gateways need no real environment variables.
#include <map>
#include <string>

#include "config/environment.h"

namespace tollgate::testing {

config::Environment fixed_environment(std::map<std::string, std::string> values);

}  // namespace tollgate::testing
