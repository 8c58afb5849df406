#pragma once
// A real gateway in this process, on a free loopback port, built from YAML text.
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "config/config.h"
#include "http/outbound_guard.h"

namespace tollgate::app {
class Gateway;
}

namespace tollgate::testing {

class TestGateway {
 public:
  // `yaml` is a config file's text; port and host are forced to 127.0.0.1:0.
  // `resolver`: how the gateway looks up admin-registered MCP servers' host names (null: the
  // system's).
  explicit TestGateway(const std::string& yaml, std::map<std::string, std::string> env = {},
                       std::shared_ptr<const http::HostResolver> resolver = nullptr);
  ~TestGateway();

  std::uint16_t port() const { return port_; }
  // general_settings.admin_listen's port (forced to 127.0.0.1, any free port); 0 without it.
  std::uint16_t admin_port() const;
  const std::string& master_key() const { return master_key_; }
  // Graceful shutdown now (the destructor does it otherwise); returns its result.
  bool shutdown();
  // The config file the gateway was started from: rewrite it, then POST /config/reload.
  const std::string& config_path() const { return config_path_; }

 private:
  std::unique_ptr<app::Gateway> gateway_;
  std::uint16_t port_ = 0;
  std::string master_key_;
  std::string config_path_;
  bool stopped_ = false;
};

// A master key unique to this test process, registered as a secret.
std::string test_master_key();

// POST /key/generate with `body` as the master key; fails the test unless 200. Returns the
// cleartext key, registered as a secret.
std::string issue_key(const TestGateway& gateway, const std::string& body = "{}");

// The key's spend (GET /key/info) once the spend writer has recorded a non-zero amount; 0
// after 10 s.
double key_spend(const TestGateway& gateway, const std::string& key);

}  // namespace tollgate::testing
