#include "tests/support/vertex_service_account.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "tests/support/test_env.h"

namespace tollgate::testing {
namespace {

// The throwaway RSA key of the google-auth-library vectors (tests/unit/providers/fixtures).
std::string test_private_key() {
  std::ifstream in(TOLLGATE_SOURCE_DIR "/tests/unit/providers/fixtures/google_oauth_vectors.json");
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document vectors;
  vectors.Parse(text.str().c_str());
  const auto& key = vectors["private_key"];
  return {key.GetString(), key.GetStringLength()};
}

}  // namespace

std::string token_uri(const MockUpstream& mock, const std::string& path) {
  return "http://127.0.0.1:" + std::to_string(mock.port()) + path;
}

std::string service_account_json(const std::string& token_uri) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  const auto key = test_private_key();
  register_secret(key.substr(key.find('\n') + 1, 64));  // a line of the key must never show up
  w.StartObject();
  for (const auto& [name, value] : std::vector<std::pair<std::string, std::string>>{
           {"type", "service_account"},
           {"project_id", "key-project"},
           {"private_key_id", "0123456789abcdef"},
           {"private_key", key},
           {"client_email", "tollgate-test@key-project.iam.gserviceaccount.com"},
           {"token_uri", token_uri}}) {
    w.Key(name.c_str());
    w.String(value.c_str());
  }
  w.EndObject();
  return buffer.GetString();
}

std::string write_key_file(const std::string& content) {
  const auto path = temp_dir() + "/vertex-key-" + std::to_string(std::rand()) + ".json";
  std::ofstream(path) << content;
  return path;
}

std::string single_quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

}  // namespace tollgate::testing
