#pragma once
// Removes credentials from text before it reaches a log line, an error body or a metric label.
//
// Two layers: (1) exact secrets registered at start-up (master key, provider API keys) are
// replaced wherever they occur; (2) shapes that are always credentials are replaced even when
// nobody registered them: `sk-…` keys, `Bearer …` tokens and JWTs (`eyJ….….…`).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::core {

inline constexpr std::string_view kRedacted = "[REDACTED]";

class Redactor {
 public:
  // Secrets shorter than 6 characters are ignored: replacing them would mangle ordinary text
  // and they give no protection anyway.
  void add_secret(std::string secret);
  std::string redact(std::string_view text) const;
  // True when `text` would be changed by redact(); cheap pre-check for hot paths.
  bool contains_secret(std::string_view text) const;

 private:
  std::vector<std::string> secrets_;
};

}  // namespace tollgate::core
