#pragma once
// A real `tollgate-mock` process on a free loopback port, for integration tests.
#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/document.h>

namespace tollgate::testing {

class MockUpstream {
 public:
  // Extra flags, e.g. {"--tls-cert", path, "--tls-key", path}.
  explicit MockUpstream(std::vector<std::string> flags = {});
  ~MockUpstream();
  MockUpstream(const MockUpstream&) = delete;
  MockUpstream& operator=(const MockUpstream&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base_url(const std::string& scheme = "http", const std::string& host = "127.0.0.1") const;

  // Control endpoints (plain HTTP only).
  rapidjson::Document stats() const;
  rapidjson::Document last() const;
  // The body of the last request, parsed (a parse error when it is no JSON).
  rapidjson::Document last_body() const;
  void configure(const std::string& json) const;
  void reset() const;
  std::int64_t requests_for_model(const std::string& model) const;
  std::int64_t requests() const;  // every request it answered
  std::int64_t client_aborts() const;

 private:
  int pid_ = -1;
  std::uint16_t port_ = 0;
};

// A `model_list:` of two groups served by `mock`: `priced` (a short request costs a few
// micro-dollars, at most 50 output tokens) and `other` (unpriced).
std::string priced_models_yaml(const MockUpstream& mock);

// `characters` Chinese characters: tollgate-mock's `tokenizer` counts about one token per
// character (three UTF-8 bytes each), as a real tokenizer does.
std::string chinese_text(int characters);

// A self-signed certificate for `localhost` (no IP SAN), made with the openssl CLI.
struct TestCertificate {
  std::string cert_path;
  std::string key_path;
};
TestCertificate make_localhost_certificate();

}  // namespace tollgate::testing
