#include "tests/support/test_gateway.h"

#include <unistd.h>

#include "app/gateway.h"
#include "config/load_config.h"
#include "telemetry/log.h"
#include "tests/support/fixed_environment.h"
#include "tests/support/test_env.h"

namespace tollgate::testing {

std::string test_master_key() {
  static const std::string key = [] {
    std::string k = "sk-test-master-" + std::to_string(getpid()) + "-c0ffee";
    register_secret(k);
    return k;
  }();
  return key;
}

TestGateway::TestGateway(const std::string& yaml, std::map<std::string, std::string> env,
                         std::shared_ptr<const http::HostResolver> resolver) {
  env.try_emplace("TOLLGATE_MASTER_KEY", test_master_key());
  auto cfg = config::parse_config(yaml, "test.yaml", fixed_environment(env));
  cfg.general.host = "127.0.0.1";
  cfg.general.port = 0;
  if (cfg.general.io_threads == 0) cfg.general.io_threads = 2;
  if (cfg.general.sqlite_path == config::GeneralSettings{}.sqlite_path) {
    cfg.general.sqlite_path = temp_dir() + "/tollgate.db";
  }
  // Gateways of one test process must not share a journal directory (each locks its own).
  if (!cfg.general.spend_journal_path) cfg.general.spend_journal_path = temp_dir() + "/spend-journal";
  master_key_ = cfg.general.master_key;
  auto redactor = std::make_shared<core::Redactor>();
  for (auto& secret : cfg.secrets()) {
    register_secret(secret);
    redactor->add_secret(secret);
  }
  telemetry::Logger::instance().set_redactor(redactor);
  gateway_ = std::make_unique<app::Gateway>(std::move(cfg), std::move(resolver));
  gateway_->start();
  port_ = gateway_->port();
}

TestGateway::~TestGateway() { shutdown(); }

bool TestGateway::shutdown() {
  if (stopped_) return true;
  stopped_ = true;
  return gateway_->shutdown();
}

}  // namespace tollgate::testing
