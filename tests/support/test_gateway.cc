#include "tests/support/test_gateway.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include <rapidjson/document.h>
#include <catch2/catch.hpp>
#include "app/gateway.h"

#include "config/load_config.h"
#include "telemetry/log.h"
#include "tests/support/fixed_environment.h"
#include "tests/support/http_client.h"
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

namespace {

// Each gateway reads its own file, so /config/reload re-reads what the test wrote.
std::string write_config_file(const std::string& yaml) {
  static std::atomic<int> counter{0};
  const auto path = temp_dir() + "/gateway-" + std::to_string(counter.fetch_add(1)) + ".yaml";
  std::ofstream(path) << yaml;
  return path;
}

}  // namespace

TestGateway::TestGateway(const std::string& yaml, std::map<std::string, std::string> env,
                         std::shared_ptr<const http::HostResolver> resolver) {
  env.try_emplace("TOLLGATE_MASTER_KEY", test_master_key());
  config_path_ = write_config_file(yaml);
  auto environment = fixed_environment(env);
  auto cfg = config::load_config_file(config_path_, environment);
  cfg.general.host = "127.0.0.1";
  cfg.general.port = 0;
  if (cfg.general.admin_host) {
    cfg.general.admin_host = "127.0.0.1";
    cfg.general.admin_port = 0;
  }
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
  gateway_ = std::make_unique<app::Gateway>(std::move(cfg), std::move(environment), std::move(resolver));
  gateway_->start();
  port_ = gateway_->port();
}

TestGateway::~TestGateway() { shutdown(); }

std::uint16_t TestGateway::admin_port() const { return gateway_->admin_port(); }

bool TestGateway::shutdown() {
  if (stopped_) return true;
  stopped_ = true;
  return gateway_->shutdown();
}

std::string issue_key(const TestGateway& gateway, const std::string& body) {
  const auto reply = http_request(gateway.port(), "POST", "/key/generate", body, bearer(gateway.master_key()));
  INFO("/key/generate " << body << " -> " << reply.body);
  REQUIRE(reply.status == 200);
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  std::string key = d["key"].GetString();
  register_secret(key);
  return key;
}

double key_spend(const TestGateway& gateway, const std::string& key) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  double spend = 0;
  while (spend == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    const auto reply = http_request(gateway.port(), "GET", "/key/info?key=" + key, "", bearer(gateway.master_key()));
    rapidjson::Document d;
    d.Parse(reply.body.c_str());
    if (d.IsObject() && d.HasMember("info") && d["info"].IsObject() && d["info"].HasMember("spend") &&
        d["info"]["spend"].IsNumber()) {
      spend = d["info"]["spend"].GetDouble();
    }
  }
  return spend;
}

}  // namespace tollgate::testing
