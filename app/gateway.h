#pragma once
// The composition root: builds every service from a Config, starts them, and shuts them down
// in order (stop accepting → finish in-flight → flush pending work → stop threads).
#include <chrono>
#include <cstdint>
#include <memory>

#include "api/gateway_context.h"
#include "config/config.h"
#include "config/environment.h"
#include "http/outbound_guard.h"

namespace tollgate::app {

class Gateway {
 public:
  // `reload_environment` is what the config file's os.environ/ references read on a reload
  // (the same as at start-up); without it, /config/reload and reload_config() are refused.
  // `resolver`: how admin-registered MCP servers' host names are looked up (null: the system's);
  // tests pass one that answers from memory (DNS rebinding cases).
  explicit Gateway(config::Config config, config::Environment reload_environment = {},
                   std::shared_ptr<const http::HostResolver> resolver = nullptr);
  ~Gateway();

  // Binds the listener and starts the threads; throws std::runtime_error on failure.
  void start();
  std::uint16_t port() const;
  // admin_listen's port once started; 0 without admin_listen.
  std::uint16_t admin_port() const;
  // Graceful stop; returns true when every in-flight request finished before the deadline.
  bool shutdown();
  // Re-reads the config file (config.source) and swaps the model list and router settings:
  // calls in flight finish on the old ones. Refused, changing nothing, when the file is
  // invalid or changes a section only a restart applies. Any thread; one reload at a time.
  core::Result<api::ConfigReloadResult> reload_config();

 private:
  void load_stored_models_at_start();
  void start_membership();
  void start_peer_link();
  void join_cluster_admission();

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tollgate::app
