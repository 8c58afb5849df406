// The config side of models managed at run time: store_model_in_db needs a salt key (from the
// file or the environment), admin_listen, a model entry given as JSON parsed exactly as a
// config file's entry, and the merge of the file's and the store's deployments.
#include <catch2/catch.hpp>

#include <algorithm>

#include "config/config_error.h"
#include "config/load_config.h"
#include "config/model_merge.h"
#include "tests/support/fixed_environment.h"

using namespace tollgate::config;
using tollgate::testing::fixed_environment;

namespace {

Config parse(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  return parse_config(yaml, "test.yaml", fixed_environment(std::move(env)));
}

std::string error_of(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  try {
    parse(yaml, std::move(env));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

Deployment entry(const std::string& json, std::map<std::string, std::string> env = {}) {
  std::vector<std::string> warnings;
  return parse_model_entry(json, "model", "", fixed_environment(std::move(env)), warnings);
}

std::string entry_error(const std::string& json) {
  try {
    entry(json);
  } catch (const ConfigError& e) {
    return e.key_path() + ": " + e.problem();
  }
  return "<no error>";
}

Deployment deployment(const std::string& name, const std::string& id) {
  Deployment d;
  d.model_name = name;
  d.info.id = id;
  return d;
}

}  // namespace

TEST_CASE("store_model_in_db: refused without a salt key, the file or the environment gives one", "[config][models]") {
  const std::string on = "general_settings: {store_model_in_db: true}\n";
  CHECK(error_of(on).find("general_settings.store_model_in_db: needs a salt key") != std::string::npos);
  CHECK(parse("general_settings: {store_model_in_db: true, salt_key: file-salt}\n").general.salt_key == "file-salt");
  CHECK(parse(on, {{"LITELLM_SALT_KEY", "env-salt"}}).general.salt_key == "env-salt");
  CHECK(parse(on, {{"TOLLGATE_SALT_KEY", "tg-salt"}}).general.store_model_in_db);
  CHECK(parse("", {{"STORE_MODEL_IN_DB", "True"}, {"LITELLM_SALT_KEY", "s"}}).general.store_model_in_db);
  const auto c = parse("general_settings: {master_key: sk-master-1, salt_key: file-salt}\n");
  CHECK_FALSE(c.general.store_model_in_db);
  const auto secrets = c.secrets();
  CHECK(std::find(secrets.begin(), secrets.end(), "file-salt") != secrets.end());
}

TEST_CASE("admin_listen: host:port, not the public port", "[config][models]") {
  const auto c = parse("general_settings: {port: 4000, admin_listen: \"127.0.0.1:4001\"}\n");
  CHECK(c.general.admin_host == std::optional<std::string>("127.0.0.1"));
  CHECK(c.general.admin_port == 4001);
  CHECK_FALSE(parse("general_settings: {port: 4000}\n").general.admin_host);
  CHECK(error_of("general_settings: {admin_listen: nonsense}\n")
            .find("general_settings.admin_listen: expected host:port") != std::string::npos);
  CHECK(error_of("general_settings: {port: 4000, admin_listen: \"0.0.0.0:4000\"}\n").find("another port") !=
        std::string::npos);
}

TEST_CASE("a model entry given as JSON is parsed and validated as a config file's", "[config][models]") {
  const auto d = entry(R"({"model_name":"g","litellm_params":{"model":"openai/gpt-4o","api_key":"os.environ/K",)"
                       R"("rpm":5},"model_info":{"id":"md-1","mode":"chat"}})",
                       {{"K", "sk-from-env"}});
  CHECK(d.model_name == "g");
  CHECK(d.upstream_model == "gpt-4o");
  CHECK(d.api_key == "sk-from-env");
  CHECK(d.rpm == std::optional<std::int64_t>(5));
  CHECK(d.info.id == "md-1");
  CHECK(entry_error(R"({"model_name":"g","litellm_params":{}})") ==
        "litellm_params.model: is required (e.g. openai/gpt-4o)");
  CHECK(entry_error(R"({"model_name":"g","litellm_params":{"model":"nope/x"}})").find("unknown provider 'nope'") !=
        std::string::npos);
  CHECK(entry_error(R"({"model_name":"g","litellm_params":{"model":"openai/x","rpm":"many"}})") ==
        "litellm_params.rpm: expected an integer, got 'many'");
  CHECK(entry_error(R"({"model_name":"","litellm_params":{"model":"openai/x"}})") == "model_name: must not be empty");
  CHECK(entry_error(R"({"model_name":"g","litellm_params":{"model":"openai/x","api_base":"ftp://h"}})") ==
        "litellm_params.api_base: must start with http:// or https://");
  CHECK(entry_error("[1, 2]") == ": expected a mapping of keys to values");
}

TEST_CASE("merge: stored deployments join the file's groups, a clashing id is left out", "[config][models]") {
  Config file;
  file.model_list = {deployment("a", "f-1"), deployment("b", "f-2")};
  const auto merged =
      merge_stored_models(file, {deployment("a", "s-1"), deployment("c", "f-2"), deployment("d", "s-2")});
  REQUIRE(merged.config.model_list.size() == 4);
  CHECK(merged.config.model_list[2].info.id == "s-1");
  CHECK(merged.config.model_list[2].model_name == "a");  // one more deployment of group a
  CHECK(merged.config.model_list[3].info.id == "s-2");
  REQUIRE(merged.skipped.size() == 1);
  CHECK(merged.skipped[0].find("'f-2'") != std::string::npos);
  CHECK(merge_stored_models(file, {}).config.model_list.size() == 2);
}
