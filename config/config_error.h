#pragma once
#include <stdexcept>
#include <string>

namespace tollgate::config {

// An invalid configuration. what() reads "<file>: <key.path>: <problem>".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::string key_path, std::string problem);
  const std::string& file() const { return file_; }
  const std::string& key_path() const { return key_path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string file_;
  std::string key_path_;
  std::string problem_;
};

}  // namespace tollgate::config
