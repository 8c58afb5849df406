#include <catch2/catch.hpp>

#include "tests/support/config_parse.h"

using tollgate::testing::parse_test_config;
using tollgate::testing::parse_test_config_error;

namespace {

// A key's JSON as LiteLLM takes it inline (JSON is YAML: no quoting needed inside a flow map).
const std::string kKey =
    R"({"type": "service_account", "project_id": "key-proj", "client_email": "sa@key-proj.iam.gserviceaccount.com",
        "private_key": "-----BEGIN PRIVATE KEY-----\nSECRETPEMBODY\n-----END PRIVATE KEY-----\n"})";

std::string entry(const std::string& params) {
  return "model_list:\n  - model_name: v\n    litellm_params:\n      model: vertex_ai/gemini-2.0-flash\n" + params;
}

std::string error_of(const std::string& yaml, std::map<std::string, std::string> env = {}) {
  return parse_test_config_error(yaml, std::move(env)).what();
}

}  // namespace

TEST_CASE("vertex_ai/ deployments: vertex_* keys, LiteLLM's environment variables, the key's project",
          "[config][vertex]") {
  const auto from_params = parse_test_config(entry("      vertex_credentials: os.environ/MY_KEY\n      vertex_project: "
                                                   "p1\n      vertex_location: europe-west4\n"),
                                             {{"MY_KEY", kKey}, {"VERTEXAI_PROJECT", "ignored"}});
  const auto& d = from_params.model_list.at(0);
  CHECK(d.provider == tollgate::core::ProviderKind::vertex_ai);
  CHECK(d.upstream_model == "gemini-2.0-flash");
  CHECK(d.vertex.credentials == kKey);
  CHECK(d.vertex.project == "p1");
  CHECK(d.vertex.location == "europe-west4");
  CHECK(d.api_base == "https://europe-west4-aiplatform.googleapis.com");

  const auto from_env = parse_test_config(
      entry(""),
      {{"GOOGLE_APPLICATION_CREDENTIALS", kKey}, {"VERTEXAI_PROJECT", "p2"}, {"VERTEXAI_LOCATION", "global"}});
  CHECK(from_env.model_list.at(0).vertex.project == "p2");
  CHECK(from_env.model_list.at(0).api_base == "https://aiplatform.googleapis.com");

  const auto defaults = parse_test_config(entry(""), {{"GOOGLE_APPLICATION_CREDENTIALS", kKey}});
  CHECK(defaults.model_list.at(0).vertex.project == "key-proj");  // the key file's project_id
  CHECK(defaults.model_list.at(0).vertex.location == "us-central1");
  CHECK(defaults.model_list.at(0).api_base == "https://us-central1-aiplatform.googleapis.com");
}

TEST_CASE("vertex_ai/ deployments without a usable key stop start-up without quoting it", "[config][vertex]") {
  CHECK_THAT(error_of(entry("      vertex_project: p\n")),
             Catch::Contains("vertex_credentials") && Catch::Contains("GOOGLE_APPLICATION_CREDENTIALS"));
  CHECK_THAT(error_of(entry("      vertex_credentials: /nonexistent/key.json\n")),
             Catch::Contains("cannot read the service-account key file"));
  std::string not_service_account = kKey;
  not_service_account.replace(not_service_account.find("service_account"), 15, "authorized_user");
  const auto error = error_of(entry("      vertex_credentials: os.environ/K\n"), {{"K", not_service_account}});
  CHECK_THAT(error, Catch::Contains("must be a service-account key"));
  CHECK_THAT(error, !Catch::Contains("SECRETPEMBODY"));
  CHECK_THAT(error_of(entry("      vertex_credentials: os.environ/K\n"), {{"K", "{not json"}}),
             Catch::Contains("is not a service-account key") && !Catch::Contains("not json"));
}
