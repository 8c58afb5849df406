#pragma once
// The defaults every I/O thread reads on each request and POST /_mock/config changes. Relaxed
// atomics: a request racing a change may see a mix of old and new fields, which tests never
// depend on, and reads stay as cheap as plain loads.
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>

#include "tools/mock/behavior.h"

namespace tollgate::mock {

class LiveConfig {
 public:
  explicit LiveConfig(const Defaults& initial) { store(initial); }

  Defaults load() const;

  // Applies a /_mock/config JSON body. Returns an error message, empty on success.
  std::string apply_json(std::string_view body);

 private:
  void store(const Defaults& defaults);

  std::atomic<int> latency_ms_{0};
  std::atomic<int> chunks_{0};
  std::atomic<int> chunk_interval_ms_{0};
  std::atomic<std::size_t> response_bytes_{0};
  std::atomic<double> fail_rate_{0.0};
  std::atomic<int> fail_status_{0};
  std::atomic<TokenCount> token_count_{TokenCount::approx};
  std::atomic<int> keep_alive_ms_{0};
  std::mutex update_mutex_;  // serializes read-modify-write by concurrent config requests
};

}  // namespace tollgate::mock
