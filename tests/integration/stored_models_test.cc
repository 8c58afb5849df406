// Models managed at run time over real loopback HTTP, on SQLite and PostgreSQL: /model/new →
// the next request routes to it (the provider key, opened from the store, reaches the
// upstream); /model/update and PATCH /model/{id}/update change what the next request does;
// /model/delete → 404; the stored row and every answer hold no cleartext key; 401 / 403 / 200;
// invalid bodies 400 in the OpenAI envelope; /config/reload keeps the store's models; a
// restart loads them, and under another salt key leaves them out; admin_listen.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <functional>

#include "persistence/store.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;

namespace {

const std::string kProviderKey = "sk-provider-stored-" + std::to_string(::getpid()) + "-a1";
const std::string kOtherProviderKey = "sk-provider-stored-" + std::to_string(::getpid()) + "-b2";
const std::string kSalt = "salt-for-stored-models-" + std::to_string(::getpid());

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : "<not a string>"; }

// Names unique to this run: PostgreSQL keeps rows between tests.
std::string unique(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

std::string config_yaml(const std::string& general_extra = "store_model_in_db: true\n  salt_key: " + kSalt + "\n") {
  return "model_list:\n"
         "  - model_name: file-model\n"
         "    litellm_params: {model: mock/file-model, mock_response: from-file}\n"
         "    model_info: {id: file-model-id}\n"
         "router_settings: {num_retries: 0}\n"
         "general_settings:\n  " +
         general_extra;
}

std::string chat(const std::string& model) {
  return R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hi"}]})";
}

void check_error(const HttpReply& reply, int status, const std::string& type = "", const std::string& param = "") {
  INFO(reply.body);
  REQUIRE(reply.status == status);
  const auto d = parse(reply.body);
  REQUIRE(d.IsObject());
  REQUIRE(d.HasMember("error"));
  CHECK(str(d["error"]["message"]).size() > 0);
  if (!type.empty()) CHECK(str(d["error"]["type"]) == type);
  if (!param.empty()) CHECK(str(d["error"]["param"]) == param);
}

// A gateway on its own SQLite file (or `sqlite_path`, to restart on one), or on PostgreSQL
// when env has DATABASE_URL. `yaml` ends in general_settings.
struct Node {
  explicit Node(std::map<std::string, std::string> env = {}, const std::string& yaml = config_yaml(),
                const std::string& sqlite_path = temp_dir() + "/models.db")
      : env_copy(env), sqlite(sqlite_path), gw(yaml + "  sqlite_path: " + sqlite_path + "\n", std::move(env)) {
    register_secret(kProviderKey);
    register_secret(kOtherProviderKey);
    register_secret(kSalt);
  }
  HttpReply send(const std::string& method, const std::string& path, const std::string& body = "") const {
    return http_request(gw.port(), method, path, body, bearer(gw.master_key()));
  }
  HttpReply send_as(const std::string& key, const std::string& method, const std::string& path,
                    const std::string& body = "") const {
    return http_request(gw.port(), method, path, body, key.empty() ? HeaderList{} : bearer(key));
  }
  // The row as the store holds it, read on a connection of its own.
  std::optional<persistence::ModelRecord> stored_row(const std::string& id) const {
    const auto url = env_copy.count("DATABASE_URL") ? env_copy.at("DATABASE_URL") : std::string();
    auto store = persistence::Store::open(url, sqlite);
    return store->find_model(id);
  }
  std::map<std::string, std::string> env_copy;
  std::string sqlite;
  TestGateway gw;
};

std::string new_model_body(const std::string& name, const std::string& id, const MockUpstream& mock,
                           const std::string& upstream_model = "up-1") {
  return R"({"model_name":")" + name + R"(","litellm_params":{"model":"openai/)" + upstream_model +
         R"(","api_base":"http://127.0.0.1:)" + std::to_string(mock.port()) + R"(","api_key":")" + kProviderKey +
         R"("},"model_info":{"id":")" + id + R"(","mode":"chat"}})";
}

// What the mock saw last: the model it was asked for and the credential.
std::pair<std::string, std::string> last_upstream_call(const MockUpstream& mock) {
  const auto last = mock.last();
  const auto body = parse(str(last["body"]));
  return {str(body["model"]), str(last["headers"]["authorization"])};
}

void on_both_stores(const std::function<void(std::map<std::string, std::string>)>& check) {
  SECTION("SQLite") { check({}); }
  SECTION("PostgreSQL") {
    const auto pg = postgres_url();
    if (!pg) {
      WARN("DATABASE_URL is not set (scripts/test sets it): PostgreSQL half skipped");
      return;
    }
    check({{"DATABASE_URL", *pg}});
  }
}

bool lists_id(const HttpReply& reply, const std::string& id) {
  const auto d = parse(reply.body);
  for (const auto& m : d["data"].GetArray()) {
    if (str(m["model_info"]["id"]) == id) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("stored models: add, route, update, delete, the key is sealed and never shown",
          "[integration][stored_models]") {
  on_both_stores([](std::map<std::string, std::string> env) {
    MockUpstream mock;
    Node node(env);
    const auto name = unique("db-model");
    const auto id = unique("md");

    // Not there yet.
    check_error(node.send("POST", "/v1/chat/completions", chat(name)), 404);

    const auto created = node.send("POST", "/model/new", new_model_body(name, id, mock));
    INFO(created.body);
    REQUIRE(created.status == 200);
    CHECK(created.body.find(kProviderKey) == std::string::npos);
    CHECK(str(parse(created.body)["model_id"]) == id);
    CHECK(parse(created.body)["warnings"].Size() == 0);

    // The next request routes to it, with the provider key opened from the store.
    const auto routed = node.send("POST", "/v1/chat/completions", chat(name));
    INFO(routed.body);
    CHECK(routed.status == 200);
    CHECK(last_upstream_call(mock) == std::make_pair(std::string("up-1"), "Bearer " + kProviderKey));

    // The row holds no cleartext key.
    const auto row = node.stored_row(id);
    REQUIRE(row);
    CHECK(row->model_name == name);
    CHECK(row->litellm_params.find(kProviderKey) == std::string::npos);
    CHECK(row->litellm_params.find("api_key") == std::string::npos);
    REQUIRE(row->api_key_sealed);
    CHECK(row->api_key_sealed->rfind("v1:", 0) == 0);
    CHECK(row->api_key_sealed->find(kProviderKey) == std::string::npos);
    CHECK(row->model_info.find(kProviderKey) == std::string::npos);

    // /model/info and /v2/model/info show it and the file's model, never a key.
    const auto info = node.send("GET", "/model/info");
    REQUIRE(info.status == 200);
    CHECK(info.body.find(kProviderKey) == std::string::npos);
    CHECK(info.body.find("api_key") == std::string::npos);
    CHECK(lists_id(info, id));
    CHECK(lists_id(info, "file-model-id"));
    const auto one = node.send("GET", "/model/info?litellm_model_id=" + id);
    REQUIRE(parse(one.body)["data"].Size() == 1);
    CHECK(parse(one.body)["data"][0]["model_info"]["db_model"].GetBool());
    CHECK(str(parse(one.body)["data"][0]["litellm_params"]["model"]) == "openai/up-1");
    const auto v2 = node.send("GET", "/v2/model/info?model=" + name);
    REQUIRE(v2.status == 200);
    CHECK(parse(v2.body)["total_count"].GetInt64() == 1);
    CHECK(v2.body.find(kProviderKey) == std::string::npos);

    // Update: another upstream model; the sealed key stays.
    const auto updated = node.send("POST", "/model/update",
                                   R"({"model_info":{"id":")" + id + R"("},"litellm_params":{"model":"openai/up-2"}})");
    INFO(updated.body);
    REQUIRE(updated.status == 200);
    CHECK(updated.body.find(kProviderKey) == std::string::npos);
    CHECK(node.send("POST", "/v1/chat/completions", chat(name)).status == 200);
    CHECK(last_upstream_call(mock) == std::make_pair(std::string("up-2"), "Bearer " + kProviderKey));

    // PATCH: a new key.
    const auto patched = node.send("PATCH", "/model/" + id + "/update",
                                   R"({"litellm_params":{"api_key":")" + kOtherProviderKey + R"("}})");
    INFO(patched.body);
    REQUIRE(patched.status == 200);
    CHECK(node.send("POST", "/v1/chat/completions", chat(name)).status == 200);
    CHECK(last_upstream_call(mock) == std::make_pair(std::string("up-2"), "Bearer " + kOtherProviderKey));
    CHECK(node.stored_row(id)->api_key_sealed->find(kOtherProviderKey) == std::string::npos);

    // Every write audited, never with the key.
    const auto audit = node.send("GET", "/audit?object_id=" + id);
    REQUIRE(audit.status == 200);
    CHECK(parse(audit.body)["data"].Size() == 3);
    CHECK(audit.body.find(kProviderKey) == std::string::npos);
    CHECK(audit.body.find(kOtherProviderKey) == std::string::npos);

    // Delete → 404 on the next request; the file's model is untouched.
    const auto deleted = node.send("POST", "/model/delete", R"({"id":")" + id + R"("})");
    INFO(deleted.body);
    REQUIRE(deleted.status == 200);
    check_error(node.send("POST", "/v1/chat/completions", chat(name)), 404);
    CHECK_FALSE(node.stored_row(id));
    CHECK_FALSE(lists_id(node.send("GET", "/model/info"), id));
    CHECK(node.send("POST", "/v1/chat/completions", chat("file-model")).status == 200);
  });
}

TEST_CASE("stored models: 401, 403 for non-admins, 200 for proxy_admin, model info by access",
          "[integration][stored_models]") {
  MockUpstream mock;
  Node node;
  const auto name = unique("db-authz");
  const auto id = unique("md");
  const auto body = new_model_body(name, id, mock);

  check_error(node.send_as("", "POST", "/model/new", body), 401);
  check_error(node.send_as("sk-not-a-key-0000", "POST", "/model/new", body), 401);

  auto user_key = [&](const std::string& role, const std::string& models) {
    const auto user_id = unique(role);
    REQUIRE(
        node.send("POST", "/user/new", R"({"user_id":")" + user_id + R"(","user_role":")" + role + R"("})").status ==
        200);
    const auto key = node.send("POST", "/key/generate", R"({"user_id":")" + user_id + R"(","models":)" + models + "}");
    REQUIRE(key.status == 200);
    const auto k = str(parse(key.body)["key"]);
    register_secret(k);
    return k;
  };
  const auto internal = user_key("internal_user", R"(["file-model"])");
  const auto viewer = user_key("proxy_admin_viewer", "[]");
  const auto admin = user_key("proxy_admin", "[]");

  for (const auto& [key, route, method, request] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {internal, "/model/new", "POST", body},
           {viewer, "/model/new", "POST", body},
           {internal, "/model/update", "POST", R"({"model_info":{"id":")" + id + R"("}})"},
           {internal, "/model/delete", "POST", R"({"id":")" + id + R"("})"}}) {
    const auto reply = node.send_as(key, method, route, request);
    check_error(reply, 403, "auth_error");
    CHECK_THAT(reply.body, Catch::Contains(route + " requires proxy_admin"));
  }
  const auto created = node.send_as(admin, "POST", "/model/new", body);
  INFO(created.body);
  REQUIRE(created.status == 200);

  // Everyone reads /model/info, for the models they may use; admins and viewers see all.
  const auto internal_info = node.send_as(internal, "GET", "/model/info");
  REQUIRE(internal_info.status == 200);
  CHECK(lists_id(internal_info, "file-model-id"));
  CHECK_FALSE(lists_id(internal_info, id));
  CHECK(lists_id(node.send_as(viewer, "GET", "/model/info"), id));
  check_error(node.send_as("", "GET", "/model/info"), 401);

  check_error(node.send_as(internal, "POST", "/model/delete", R"({"id":")" + id + R"("})"), 403, "auth_error");
  CHECK(node.send_as(admin, "POST", "/model/delete", R"({"id":")" + id + R"("})").status == 200);
}

TEST_CASE("stored models: invalid bodies are 400 in the OpenAI envelope, missing ones 404, clashes 409",
          "[integration][stored_models]") {
  MockUpstream mock;
  Node node;
  const auto id = unique("md");
  const std::string base = R"("api_base":"http://127.0.0.1:)" + std::to_string(mock.port()) + R"(")";
  check_error(node.send("POST", "/model/new", "not json"), 400);
  check_error(node.send("POST", "/model/new", R"({"model_name":"x"})"), 400, "", "litellm_params");
  check_error(node.send("POST", "/model/new", R"({"litellm_params":{"model":"openai/x"}})"), 400, "", "model_name");
  check_error(node.send("POST", "/model/new", R"({"model_name":"x","litellm_params":"openai/x"})"), 400, "",
              "litellm_params");
  check_error(node.send("POST", "/model/new", R"({"model_name":"x","litellm_params":{"model":"nope/x"}})"), 400, "",
              "litellm_params.model");
  check_error(node.send("POST", "/model/new",
                        R"({"model_name":"x","litellm_params":{"model":"openai/x",)" + base + R"(,"rpm":"many"}})"),
              400, "", "litellm_params.rpm");
  check_error(node.send("POST", "/model/new",
                        R"({"model_name":"x","litellm_params":{"model":"openai/x","api_base":"ftp://h"}})"),
              400, "", "litellm_params.api_base");
  check_error(node.send("POST", "/model/new",
                        R"({"model_name":"x","litellm_params":{"model":"openai/x",)" + base +
                            R"(},"model_info":{"mode":"painting"}})"),
              400, "", "model_info.mode");
  check_error(node.send("POST", "/model/new",
                        R"({"model_name":"x","litellm_params":{"model":"openai/x",)" + base + R"(},"surprise":1})"),
              400);
  // The file's model id and a stored one are taken.
  check_error(node.send("POST", "/model/new", new_model_body("x", "file-model-id", mock)), 409);
  REQUIRE(node.send("POST", "/model/new", new_model_body(unique("x"), id, mock)).status == 200);
  check_error(node.send("POST", "/model/new", new_model_body(unique("x"), id, mock)), 409);
  // A key the parser ignores is named in the answer, as --check-config names it.
  const auto warned =
      node.send("PATCH", "/model/" + id + "/update", R"({"litellm_params":{"litellm_unknown_knob":1}})");
  INFO(warned.body);
  REQUIRE(warned.status == 200);
  CHECK_THAT(warned.body, Catch::Contains("litellm_params.litellm_unknown_knob: unknown or unsupported key, ignored"));
  // Updates are validated as a whole entry.
  check_error(
      node.send("POST", "/model/update", R"({"model_info":{"id":")" + id + R"("},"litellm_params":{"model":null}})"),
      400, "", "litellm_params.model");
  check_error(node.send("POST", "/model/update", R"({"litellm_params":{"rpm":1}})"), 400, "", "model_info.id");
  check_error(node.send("POST", "/model/update", R"({"model_info":{"id":"md-missing"}})"), 404);
  check_error(node.send("POST", "/model/delete", R"({"id":"md-missing"})"), 404);
  check_error(node.send("POST", "/model/delete", R"({})"), 400, "", "id");
  // The config file's models change through the file.
  check_error(node.send("POST", "/model/delete", R"({"id":"file-model-id"})"), 400);
  check_error(node.send("PATCH", "/model/file-model-id/update", R"({"litellm_params":{"rpm":1}})"), 400);
  CHECK(node.send("POST", "/v1/chat/completions", chat("file-model")).status == 200);
}

TEST_CASE("stored models: without store_model_in_db the writes say how to enable it", "[integration][stored_models]") {
  MockUpstream mock;
  Node node({}, config_yaml("master_key: os.environ/TOLLGATE_MASTER_KEY\n"));
  const auto reply = node.send("POST", "/model/new", new_model_body(unique("x"), unique("md"), mock));
  check_error(reply, 400);
  CHECK_THAT(reply.body, Catch::Contains("general_settings.store_model_in_db: true"));
  CHECK(node.send("GET", "/model/info").status == 200);  // reading needs no store
}

TEST_CASE("stored models: /config/reload keeps them, a restart loads them, not under another salt key",
          "[integration][stored_models]") {
  MockUpstream mock;
  const auto name = unique("db-kept");
  const auto id = unique("md");
  const auto sqlite = temp_dir() + "/kept.db";
  {
    Node node({}, config_yaml(), sqlite);
    REQUIRE(node.send("POST", "/model/new", new_model_body(name, id, mock)).status == 200);
    std::ofstream(node.gw.config_path()) << "model_list:\n"
                                            "  - model_name: file-model\n"
                                            "    litellm_params: {model: mock/file-model, mock_response: from-file}\n"
                                            "    model_info: {id: file-model-id}\n"
                                            "  - model_name: second-file-model\n"
                                            "    litellm_params: {model: mock/second, mock_response: second}\n"
                                            "router_settings: {num_retries: 0}\n"
                                            "general_settings:\n  store_model_in_db: true\n  salt_key: " +
                                                kSalt + "\n  sqlite_path: " + sqlite + "\n";
    const auto reloaded = node.send("POST", "/config/reload");
    INFO(reloaded.body);
    REQUIRE(reloaded.status == 200);
    CHECK(node.send("POST", "/v1/chat/completions", chat("second-file-model")).status == 200);
    CHECK(node.send("POST", "/v1/chat/completions", chat(name)).status == 200);
    CHECK(last_upstream_call(mock).second == "Bearer " + kProviderKey);
  }
  {
    Node restarted({}, config_yaml(), sqlite);
    CHECK(restarted.send("POST", "/v1/chat/completions", chat(name)).status == 200);
    CHECK(last_upstream_call(mock).second == "Bearer " + kProviderKey);
  }
  {
    // Another salt key opens nothing: the model is left out, the rest serves.
    Node other_salt({}, config_yaml("store_model_in_db: true\n  salt_key: another-salt-entirely\n"), sqlite);
    check_error(other_salt.send("POST", "/v1/chat/completions", chat(name)), 404);
    CHECK(other_salt.send("POST", "/v1/chat/completions", chat("file-model")).status == 200);
    CHECK(other_salt.send("GET", "/model/info").body.find(kProviderKey) == std::string::npos);
    // The row stays for the right key; this node may replace it with a new api_key.
    const auto patched = other_salt.send("PATCH", "/model/" + id + "/update",
                                         R"({"litellm_params":{"api_key":")" + kOtherProviderKey + R"("}})");
    INFO(patched.body);
    CHECK(patched.status == 200);
    CHECK(other_salt.send("POST", "/v1/chat/completions", chat(name)).status == 200);
    CHECK(other_salt.send("POST", "/model/delete", R"({"id":")" + id + R"("})").status == 200);
  }
}

TEST_CASE("admin_listen: management and control plane on their own listener, 404 on the public one",
          "[integration][stored_models][admin_listen]") {
  MockUpstream mock;
  Node node({},
            config_yaml("store_model_in_db: true\n  salt_key: " + kSalt + "\n  admin_listen: \"127.0.0.1:4999\"\n"));
  const auto admin_port = node.gw.admin_port();
  REQUIRE(admin_port != 0);
  REQUIRE(admin_port != node.gw.port());
  const auto key = bearer(node.gw.master_key());
  for (const auto& [method, path, body] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"POST", "/key/generate", "{}"},
           {"POST", "/model/new", new_model_body(unique("x"), unique("md"), mock)},
           {"GET", "/model/info", ""},
           {"POST", "/config/reload", ""},
           {"GET", "/audit", ""},
           {"GET", "/v1/mcp/server", ""},
           {"POST", "/team/new", "{}"}}) {
    INFO(method << " " << path);
    check_error(http_request(node.gw.port(), method, path, body, key), 404);
  }
  CHECK(http_request(node.gw.port(), "POST", "/v1/chat/completions", chat("file-model"), key).status == 200);
  CHECK(http_request(node.gw.port(), "GET", "/v1/models", "", key).status == 200);

  const auto name = unique("db-admin");
  const auto created = http_request(admin_port, "POST", "/model/new", new_model_body(name, unique("md"), mock), key);
  INFO(created.body);
  CHECK(created.status == 200);
  CHECK(http_request(admin_port, "GET", "/model/info", "", key).status == 200);
  CHECK(http_request(admin_port, "POST", "/key/generate", "{}", key).status == 200);
  check_error(http_request(admin_port, "POST", "/model/new", new_model_body(unique("x"), unique("md"), mock), {}), 401);
  CHECK(http_request(admin_port, "GET", "/health/liveliness", "", {}).status == 200);
  check_error(http_request(admin_port, "POST", "/v1/chat/completions", chat("file-model"), key), 404);
  // What the admin listener added serves on the public one.
  CHECK(http_request(node.gw.port(), "POST", "/v1/chat/completions", chat(name), key).status == 200);
}

// Only api_key is sealed: any other provider secret in litellm_params would be stored, answered
// and written to the audit log (which a proxy_admin_viewer reads) in clear. They are taken as
// references only: os.environ/NAME, or for Vertex a key file's path.
TEST_CASE("stored models: AWS and Vertex secrets are refused in clear, never stored or audited",
          "[integration][stored_models]") {
  Node node(std::map<std::string, std::string>{{"TOLLGATE_TEST_AWS_SECRET", "from-the-environment"}});
  const std::string secret = "aws-secret-in-clear-" + std::to_string(::getpid());
  register_secret(secret);
  const std::string bedrock =
      R"({"model_name":"b","litellm_params":{"model":"bedrock/amazon.nova-lite-v1:0","aws_access_key_id":"AKID",)"
      R"("aws_region_name":"eu-west-1",)";
  check_error(node.send("POST", "/model/new", bedrock + R"("aws_secret_access_key":")" + secret + R"("}})"), 400, "",
              "litellm_params.aws_secret_access_key");
  check_error(
      node.send("POST", "/model/new",
                bedrock + R"("aws_secret_access_key":"os.environ/TOLLGATE_TEST_AWS_SECRET","aws_session_token":")" +
                    secret + R"("}})"),
      400, "", "litellm_params.aws_session_token");
  check_error(
      node.send("POST", "/model/new",
                R"({"model_name":"v","litellm_params":{"model":"vertex_ai/gemini-2.0-flash",)"
                R"("vertex_project":"p","vertex_credentials":"{\"type\":\"service_account\",\"private_key\":\")" +
                    secret + R"(\"}"}})"),
      400, "", "litellm_params.vertex_credentials");
  // A reference is stored as written.
  const auto id = unique("aws");
  const auto created =
      node.send("POST", "/model/new",
                bedrock + R"("aws_secret_access_key":"os.environ/TOLLGATE_TEST_AWS_SECRET"},"model_info":{"id":")" +
                    id + R"("}})");
  INFO(created.body);
  REQUIRE(created.status == 200);
  check_error(node.send("PATCH", "/model/" + id + "/update",
                        R"({"litellm_params":{"aws_secret_access_key":")" + secret + R"("}})"),
              400, "", "litellm_params.aws_secret_access_key");
  const auto audit = node.send("GET", "/audit");
  REQUIRE(audit.status == 200);
  CHECK(audit.body.find(secret) == std::string::npos);
  CHECK(node.stored_row(id)->litellm_params.find(secret) == std::string::npos);
}
