#pragma once
// Read access to environment variables, injectable so config tests need no real environment.
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace tollgate::config {

using Environment = std::function<std::optional<std::string>(const std::string& name)>;

Environment process_environment();
Environment fixed_environment(std::map<std::string, std::string> values);

}  // namespace tollgate::config
