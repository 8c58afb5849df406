#pragma once
// Read access to environment variables, injectable so config tests need no real environment
// (tests/support/fixed_environment.h).
#include <functional>
#include <optional>
#include <string>

namespace tollgate::config {

using Environment = std::function<std::optional<std::string>(const std::string& name)>;

Environment process_environment();

}  // namespace tollgate::config
