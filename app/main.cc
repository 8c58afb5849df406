// tollgate: parses flags, loads the config, starts the gateway, reloads its config on SIGHUP,
// stops on SIGTERM/SIGINT.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include <openssl/rand.h>

#include "app/allocator.h"
#include "app/gateway.h"
#include "app/healthcheck.h"
#include "config/config_error.h"
#include "config/load_config.h"
#include "telemetry/log.h"

namespace {

constexpr const char* kUsage =
    "usage: tollgate [--config FILE] [--host ADDR] [--port N] [--log-level LEVEL]\n"
    "                [--log-file FILE] [--check-config] [--healthcheck] [--version]\n"
    "  --config FILE   LiteLLM-compatible YAML config (default: config/quickstart.yaml)\n"
    "  --check-config  validate the config and exit\n"
    "  --healthcheck   exit 0 when the gateway this config (or --port) describes answers\n"
    "                  /health/readiness with 200 on this machine, else 1 (container health checks)\n";

struct Flags {
  std::string config_path = "config/quickstart.yaml";
  std::string host;
  int port = -1;
  std::string log_level;
  std::string log_file;
  bool check_only = false;
  bool healthcheck = false;
};

bool parse_flags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) {
        std::cerr << "tollgate: " << arg << " needs a value\n" << kUsage;
        return false;
      }
      out = argv[++i];
      return true;
    };
    std::string port;
    if (arg == "--config" || arg == "-c") {
      if (!value(flags.config_path)) return false;
    } else if (arg == "--host") {
      if (!value(flags.host)) return false;
    } else if (arg == "--port" || arg == "-p") {
      if (!value(port)) return false;
      try {
        flags.port = std::stoi(port);
      } catch (const std::exception&) {
        flags.port = -2;
      }
      if (flags.port < 0 || flags.port > 65535) {
        std::cerr << "tollgate: --port must be 0..65535\n";
        return false;
      }
    } else if (arg == "--log-level") {
      if (!value(flags.log_level)) return false;
    } else if (arg == "--log-file") {
      if (!value(flags.log_file)) return false;
    } else if (arg == "--check-config") {
      flags.check_only = true;
    } else if (arg == "--healthcheck") {
      flags.healthcheck = true;
    } else if (arg == "--version") {
      std::cout << "tollgate " << TOLLGATE_VERSION << "\n";
      std::exit(0);
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else {
      std::cerr << "tollgate: unknown flag " << arg << "\n" << kUsage;
      return false;
    }
  }
  return true;
}

std::string generate_master_key() {
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw std::runtime_error("no randomness for a master key");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key = "sk-";
  for (unsigned char b : bytes) {
    key.push_back(kHex[b >> 4]);
    key.push_back(kHex[b & 0xf]);
  }
  return key;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tollgate;
  Flags flags;
  if (!parse_flags(argc, argv, flags)) {
    return 2;
  }

  // Every thread inherits this mask; the main thread alone receives the signals via sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  auto& logger = telemetry::Logger::instance();
  config::Config cfg;
  try {
    cfg = config::load_config_file(flags.config_path, config::process_environment());
  } catch (const config::ConfigError& e) {
    std::cerr << "tollgate: invalid config: " << e.what() << "\n";
    return 2;
  }
  if (!flags.host.empty()) cfg.general.host = flags.host;
  if (flags.port >= 0) cfg.general.port = static_cast<std::uint16_t>(flags.port);
  if (flags.healthcheck) {
    constexpr int kProbeTimeoutMs = 3000;
    return app::probe_http_ok(app::healthcheck_dial_host(cfg.general.host), cfg.general.port, "/health/readiness",
                              kProbeTimeoutMs)
               ? 0
               : 1;
  }
  if (!flags.log_level.empty()) cfg.general.log_level = flags.log_level;
  if (!flags.log_file.empty()) cfg.general.log_file = flags.log_file;

  telemetry::LogLevel level = telemetry::LogLevel::info;
  if (!telemetry::parse_log_level(cfg.general.log_level, level)) {
    std::cerr << "tollgate: invalid log level '" << cfg.general.log_level << "'\n";
    return 2;
  }
  logger.set_level(level);
  if (!cfg.general.log_file.empty() && !logger.set_output_file(cfg.general.log_file)) {
    std::cerr << "tollgate: cannot open log file " << cfg.general.log_file << "\n";
    return 2;
  }

  bool generated_key = false;
  if (cfg.general.master_key.empty()) {
    cfg.general.master_key = generate_master_key();
    generated_key = true;
  }
  auto redactor = std::make_shared<core::Redactor>();
  for (auto& secret : cfg.secrets()) {
    redactor->add_secret(std::move(secret));
  }
  logger.set_redactor(redactor);
  for (const auto& warning : cfg.warnings) {
    telemetry::log_warn("config_warning", {{"message", warning}});
  }
  if (flags.check_only) {
    for (const auto& warning : cfg.warnings) {
      std::cout << "warning: " << redactor->redact(warning) << "\n";
    }
    std::cout << "config OK: " << flags.config_path << " (" << cfg.model_list.size() << " deployments, "
              << cfg.warnings.size() << " warnings)\n";
    logger.flush();
    return 0;
  }

  app::bound_allocator_caches();
  std::unique_ptr<app::Gateway> gateway;
  try {
    gateway = std::make_unique<app::Gateway>(cfg, config::process_environment());
    gateway->start();
  } catch (const std::exception& e) {
    telemetry::log_error("startup_failed", {{"error", e.what()}});
    logger.flush();
    std::cerr << "tollgate: " << e.what() << "\n";
    return 1;
  }
  if (generated_key) {
    // Shown once on stdout, never logged: the operator needs it to call the admin API.
    std::printf("Tollgate master key (generated, shown once): %s\n", cfg.general.master_key.c_str());
  }
  std::printf("Tollgate listening on http://%s:%u\n", cfg.general.host.c_str(), gateway->port());
  std::fflush(stdout);

  int received = 0;
  // The main thread waits for signals; once a second without one it returns the allocator's
  // free pages to the system (app/allocator.h), so the RSS follows the load down.
  const timespec release_every{1, 0};
  for (;;) {
    received = sigtimedwait(&signals, nullptr, &release_every);
    if (received < 0) {  // EAGAIN: the second passed (EINTR: another signal; both just go on)
      app::release_free_memory();
      continue;
    }
    if (received != SIGHUP) break;
    // Same as POST /config/reload; the running config stays when it is refused.
    telemetry::log_info("signal_received", {{"signal", "SIGHUP"}});
    if (auto reloaded = gateway->reload_config(); !reloaded) {
      std::cerr << "tollgate: config not reloaded: " << reloaded.error().message << "\n";
    }
  }
  telemetry::log_info("signal_received", {{"signal", received == SIGINT ? "SIGINT" : "SIGTERM"}});
  gateway->shutdown();
  gateway.reset();
  logger.flush();
  return 0;
}
