// The YAML config loader, on a whole file and on one model entry given as JSON (/model/new):
// anything it does not accept is a ConfigError naming the key path, never a crash.
#include <cstdint>
#include <string>
#include <vector>

#include "config/config_error.h"
#include "config/load_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tollgate::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const Environment env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "FUZZ_SET") return std::string("value");
    return std::nullopt;
  };
  try {
    (void)parse_config(text, "fuzz.yaml", env);
  } catch (const ConfigError&) {
  }
  try {
    std::vector<std::string> warnings;
    (void)parse_model_entry(text, "model", "", env, warnings);
  } catch (const ConfigError&) {
  }
  return 0;
}
