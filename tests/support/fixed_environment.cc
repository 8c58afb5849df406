#include "tests/support/fixed_environment.h"

#include <optional>

namespace tollgate::testing {

config::Environment fixed_environment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    if (auto it = values.find(name); it != values.end()) {
      return it->second;
    }
    return std::nullopt;
  };
}

}  // namespace tollgate::testing
