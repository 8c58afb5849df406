#include "tests/support/mock_upstream.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/spawn.h"
#include "tests/support/test_env.h"

namespace tollgate::testing {

MockUpstream::MockUpstream(std::vector<std::string> flags) {
  const std::string dir = temp_dir();
  const std::string port_file = dir + "/port";
  std::vector<std::string> args{TOLLGATE_MOCK_BINARY, "--port", "0", "--port-file", port_file};
  args.insert(args.end(), flags.begin(), flags.end());
  pid_ = spawn_quiet(std::move(args));
  for (int i = 0; i < 500 && port_ == 0; ++i) {
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port)
      port_ = static_cast<std::uint16_t>(port);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (port_ == 0) throw std::runtime_error("tollgate-mock did not report its port");
}

MockUpstream::~MockUpstream() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
}

std::string MockUpstream::base_url(const std::string& scheme, const std::string& host) const {
  return scheme + "://" + host + ":" + std::to_string(port_) + "/v1";
}

namespace {
rapidjson::Document get_json(std::uint16_t port, const std::string& path) {
  const auto reply = http_request(port, "GET", path);
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  return d;
}
}  // namespace

rapidjson::Document MockUpstream::stats() const { return get_json(port_, "/_mock/stats"); }
rapidjson::Document MockUpstream::last() const { return get_json(port_, "/_mock/last"); }

rapidjson::Document MockUpstream::last_body() const {
  const auto request = last();
  rapidjson::Document body;
  body.Parse(request["body"].GetString(), request["body"].GetStringLength());
  return body;
}

void MockUpstream::configure(const std::string& json) const {
  const auto reply = http_request(port_, "POST", "/_mock/config", json);
  if (reply.status != 200) throw std::runtime_error("mock config rejected: " + reply.body);
}

void MockUpstream::reset() const { http_request(port_, "POST", "/_mock/reset"); }

std::int64_t MockUpstream::requests_for_model(const std::string& model) const {
  const auto s = stats();
  if (!s.HasMember("by_model") || !s["by_model"].HasMember(model.c_str())) return 0;
  return s["by_model"][model.c_str()].GetInt64();
}

std::int64_t MockUpstream::requests() const { return stats()["requests"].GetInt64(); }

std::int64_t MockUpstream::client_aborts() const { return stats()["client_aborts"].GetInt64(); }

std::string priced_models_yaml(const MockUpstream& mock) {
  return "model_list:\n"
         "  - model_name: priced\n"
         "    litellm_params: {model: openai/priced-model, api_base: \"" +
         mock.base_url() +
         "\", api_key: sk-upstream-unused}\n"
         "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, max_output_tokens: 50}\n"
         "  - model_name: other\n"
         "    litellm_params: {model: openai/other-model, api_base: \"" +
         mock.base_url() + "\", api_key: sk-upstream-unused}\n";
}

std::string chinese_text(int characters) {
  const std::string sentence = "在一个晴朗的早晨我们沿着河边散步讨论预算和令牌计算方法。";  // 28 characters
  std::string out;
  for (int n = 0; n < characters;) {
    for (std::size_t i = 0; i < sentence.size() && n < characters; i += 3, ++n) out += sentence.substr(i, 3);
  }
  return out;
}

TestCertificate make_localhost_certificate() {
  const std::string dir = temp_dir();
  TestCertificate c{dir + "/cert.pem", dir + "/key.pem"};
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
      "-addext subjectAltName=DNS:localhost -keyout " +
      c.key_path + " -out " + c.cert_path + " >/dev/null 2>&1";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl failed");
  return c;
}

}  // namespace tollgate::testing
