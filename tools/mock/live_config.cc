#include "tools/mock/live_config.h"

#include "tools/mock/config_json.h"

namespace tollgate::mock {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;
}

Defaults LiveConfig::load() const {
  Defaults d;
  d.latency_ms = latency_ms_.load(kRelaxed);
  d.chunks = chunks_.load(kRelaxed);
  d.chunk_interval_ms = chunk_interval_ms_.load(kRelaxed);
  d.response_bytes = response_bytes_.load(kRelaxed);
  d.fail_rate = fail_rate_.load(kRelaxed);
  d.fail_status = fail_status_.load(kRelaxed);
  d.token_count = token_count_.load(kRelaxed);
  d.keep_alive_ms = keep_alive_ms_.load(kRelaxed);
  return d;
}

void LiveConfig::store(const Defaults& d) {
  latency_ms_.store(d.latency_ms, kRelaxed);
  chunks_.store(d.chunks, kRelaxed);
  chunk_interval_ms_.store(d.chunk_interval_ms, kRelaxed);
  response_bytes_.store(d.response_bytes, kRelaxed);
  fail_rate_.store(d.fail_rate, kRelaxed);
  fail_status_.store(d.fail_status, kRelaxed);
  token_count_.store(d.token_count, kRelaxed);
  keep_alive_ms_.store(d.keep_alive_ms, kRelaxed);
}

std::string LiveConfig::apply_json(std::string_view body) {
  std::lock_guard lock(update_mutex_);
  Defaults defaults = load();
  std::string error = apply_config_json(body, defaults);
  if (error.empty()) {
    store(defaults);
  }
  return error;
}

}  // namespace tollgate::mock
