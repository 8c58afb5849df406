// GET / DELETE /v1/responses/{id}, GET /v1/responses/{id}/input_items and previous_response_id
// through the gateway against tollgate-mock over loopback: every stored response sits under the
// gateway's one provider credential, so the gateway lets a key reach only the responses it
// created (others get 404 and no upstream call is made; admins reach any), and sends each
// read, delete or chained call to the deployment that stored the response.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <chrono>
#include <memory>
#include <set>
#include <thread>

#include "core/key_hash.h"
#include "persistence/store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

std::string config_for(const TestDatabase& db, const MockUpstream& mock) {
  const std::string base = mock.base_url();
  const std::string price = "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002, id: ";
  return "model_list:\n"
         "  - model_name: gpt\n"
         "    litellm_params: {model: openai/gpt-upstream, api_base: \"" +
         base + "\", api_key: sk-upstream-one}\n" + price +
         "dep-one}\n"
         "  - model_name: gpt\n"
         "    litellm_params: {model: openai/gpt-upstream, api_base: \"http://127.0.0.1:" +
         std::to_string(mock.port()) + "\", api_key: sk-upstream-two}\n" + price +
         "dep-two}\n"
         "  - model_name: streamy\n"
         "    litellm_params: {model: \"openai/streamy+chunks-3\", api_base: \"" +
         base + "\", api_key: sk-upstream-one}\n" + price +
         "dep-streamy}\n"
         "  - model_name: azure-gpt\n"
         "    litellm_params: {model: azure/my-deployment, api_base: \"http://127.0.0.1:" +
         std::to_string(mock.port()) + "\", api_key: azure-owner-key, api_version: \"2025-03-01-preview\"}\n" + price +
         "dep-azure}\n"
         "general_settings:\n"
         "  max_auth_failures_per_minute: 100000\n" +
         db.gateway_settings();
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string generate_key(const TestGateway& gw) {
  const auto reply = http_request(gw.port(), "POST", "/key/generate", R"({"max_budget":10})", bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
  const auto key = str(json(reply.body)["key"]);
  register_secret(key);
  return key;
}

struct Created {
  std::string id;
  std::string deployment;  // x-litellm-model-id
};

Created create(const TestGateway& gw, const std::string& key, const std::string& model = "gpt",
               const std::string& extra = "") {
  const auto reply = http_request(gw.port(), "POST", "/v1/responses",
                                  R"({"model":")" + model + R"(","input":"remember this")" + extra + "}", bearer(key));
  REQUIRE(reply.status == 200);
  return {str(json(reply.body)["id"]), reply.header("x-litellm-model-id")};
}

// The error envelope of an unknown response.
void check_not_found(const HttpReply& reply) {
  CHECK(reply.status == 404);
  const auto body = json(reply.body);
  REQUIRE(body.HasMember("error"));
  CHECK(str(body["error"]["type"]) == "not_found_error");
}

std::string last_path(const MockUpstream& mock) { return str(mock.last()["path"]); }

struct World {
  explicit World(const std::string& backend) : db(backend) {}
  TestDatabase db;
  MockUpstream mock;
  std::unique_ptr<TestGateway> gw = std::make_unique<TestGateway>(config_for(db, mock), db.gateway_env());
  std::string owner = generate_key(*gw);
  std::string other = generate_key(*gw);
};

// The owner row once the spend writer has flushed it (every second).
std::optional<persistence::ResponseOwner> stored_owner(const TestDatabase& db, const std::string& id) {
  auto store = db.migrated_store();
  for (int i = 0; i < 100; ++i) {
    if (auto owner = store->response_owner(id)) return owner;
    std::this_thread::sleep_for(50ms);
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("stored responses: a key reads, lists and deletes only its own, others get 404 without an upstream call",
          "[integration][responses][ownership]") {
  const auto backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  INFO(backend);
  World w(backend);
  const auto& gw = *w.gw;
  const auto created = create(gw, w.owner);

  // Read at once (before the spend writer's flush): this node remembers the owner.
  auto reply = http_request(gw.port(), "GET", "/v1/responses/" + created.id, "", bearer(w.owner));
  REQUIRE(reply.status == 200);
  CHECK(str(json(reply.body)["id"]) == created.id);
  CHECK(reply.header("x-litellm-model-id") == created.deployment);
  auto last = w.mock.last();
  CHECK(str(last["method"]) == "GET");
  CHECK(str(last["headers"]["authorization"]) ==
        (created.deployment == "dep-one" ? "Bearer sk-upstream-one" : "Bearer sk-upstream-two"));

  reply = http_request(gw.port(), "GET", "/v1/responses/" + created.id + "/input_items?limit=5&order=asc", "",
                       bearer(w.owner));
  CHECK(reply.status == 200);
  CHECK(str(json(reply.body)["object"]) == "list");
  const std::string items_path = last_path(w.mock);
  CHECK_THAT(items_path, Catch::EndsWith("/responses/" + created.id + "/input_items?limit=5&order=asc"));

  // Another key: the same answer as for an id nobody stored, and the upstream hears nothing.
  check_not_found(http_request(gw.port(), "GET", "/v1/responses/" + created.id, "", bearer(w.other)));
  check_not_found(http_request(gw.port(), "GET", "/responses/" + created.id + "/input_items", "", bearer(w.other)));
  check_not_found(http_request(gw.port(), "DELETE", "/v1/responses/" + created.id, "", bearer(w.other)));
  check_not_found(http_request(gw.port(), "GET", "/v1/responses/resp_nobody_stored", "", bearer(w.owner)));
  check_not_found(http_request(gw.port(), "GET", "/v1/responses/not.an.id", "", bearer(w.owner)));
  CHECK(last_path(w.mock) == items_path);
  CHECK(http_request(gw.port(), "GET", "/v1/responses/" + created.id).status == 401);

  // Chaining onto another key's response is refused before admission and before any upstream call.
  reply = http_request(gw.port(), "POST", "/v1/responses",
                       R"({"model":"gpt","input":"and now?","previous_response_id":")" + created.id + R"("})",
                       bearer(w.other));
  check_not_found(reply);
  CHECK(last_path(w.mock) == items_path);
  reply = http_request(gw.port(), "POST", "/v1/responses",
                       R"({"model":"gpt","input":"and now?","previous_response_id":42})", bearer(w.owner));
  CHECK(reply.status == 400);

  // The owner chains onto it: the call goes to the deployment that stored it.
  const auto chained = create(gw, w.owner, "gpt", R"(,"previous_response_id":")" + created.id + R"(")");
  CHECK(chained.deployment == created.deployment);
  CHECK(str(json(str(w.mock.last()["body"]))["previous_response_id"]) == created.id);

  // The master key (proxy admin) reads any response.
  CHECK(http_request(gw.port(), "GET", "/v1/responses/" + created.id, "", bearer(gw.master_key())).status == 200);

  // The spend writer stores the owner; a restarted gateway (empty memory) reads it from there.
  const auto owner_row = stored_owner(w.db, chained.id);
  REQUIRE(owner_row);
  CHECK(owner_row->api_key == core::hash_key(w.owner));
  CHECK(owner_row->model_id == chained.deployment);
  CHECK(owner_row->model_group == "gpt");
  w.gw.reset();
  w.gw = std::make_unique<TestGateway>(config_for(w.db, w.mock), w.db.gateway_env());
  const auto& restarted = *w.gw;
  CHECK(http_request(restarted.port(), "GET", "/v1/responses/" + chained.id, "", bearer(w.owner)).status == 200);
  CHECK(last_path(w.mock) != items_path);
  check_not_found(http_request(restarted.port(), "GET", "/v1/responses/" + chained.id, "", bearer(w.other)));

  // Deleted: upstream first, then nobody reaches the id any more.
  reply = http_request(restarted.port(), "DELETE", "/v1/responses/" + chained.id, "", bearer(w.owner));
  REQUIRE(reply.status == 200);
  CHECK(json(reply.body)["deleted"].GetBool());
  CHECK(str(w.mock.last()["method"]) == "DELETE");
  check_not_found(http_request(restarted.port(), "GET", "/v1/responses/" + chained.id, "", bearer(w.owner)));
  CHECK_FALSE(w.db.migrated_store()->response_owner(chained.id));
}

TEST_CASE("stored responses: each id is read on the deployment that stored it", "[integration][responses][ownership]") {
  World w("sqlite");
  const auto& gw = *w.gw;
  std::set<std::string> deployments;
  for (int i = 0; i < 12 && deployments.size() < 2; ++i) {
    const auto created = create(gw, w.owner);
    deployments.insert(created.deployment);
    for (int read = 0; read < 3; ++read) {
      const auto reply = http_request(gw.port(), "GET", "/v1/responses/" + created.id, "", bearer(w.owner));
      REQUIRE(reply.status == 200);
      CHECK(reply.header("x-litellm-model-id") == created.deployment);
      const auto last = w.mock.last();
      // dep-two's api_base has no /v1, and it holds its own key.
      const bool two = created.deployment == "dep-two";
      CHECK(str(last["path"]) == (two ? "/responses/" : "/v1/responses/") + created.id);
      CHECK(str(last["headers"]["authorization"]) == (two ? "Bearer sk-upstream-two" : "Bearer sk-upstream-one"));
    }
  }
  CHECK(deployments.size() == 2);
}

TEST_CASE("stored responses: a streamed response's id is recorded from response.created",
          "[integration][responses][ownership][streaming]") {
  World w("sqlite");
  const auto& gw = *w.gw;
  int status = 0;
  const auto events = read_sse(gw.port(), "/v1/responses", R"({"model":"streamy","input":"hi","stream":true})",
                               bearer(w.owner), &status);
  REQUIRE(status == 200);
  REQUIRE_FALSE(events.empty());
  const auto& first = events.front().data;
  const auto created = json(first.substr(first.find("data: ") + 6));
  const auto id = str(created["response"]["id"]);
  CHECK(http_request(gw.port(), "GET", "/v1/responses/" + id, "", bearer(w.owner)).status == 200);
  check_not_found(http_request(gw.port(), "GET", "/v1/responses/" + id, "", bearer(w.other)));
}

TEST_CASE("stored responses: Azure deployments are read at /openai/responses/{id} with their api-version",
          "[integration][responses][ownership][azure]") {
  register_secret("azure-owner-key");
  World w("sqlite");
  const auto& gw = *w.gw;
  const auto created = create(gw, w.owner, "azure-gpt");
  CHECK(created.deployment == "dep-azure");
  CHECK(http_request(gw.port(), "GET", "/v1/responses/" + created.id, "", bearer(w.owner)).status == 200);
  auto last = w.mock.last();
  CHECK(str(last["path"]) == "/openai/responses/" + created.id + "?api-version=2025-03-01-preview");
  CHECK(str(last["headers"]["api-key"]) == "azure-owner-key");
  CHECK(http_request(gw.port(), "GET", "/v1/responses/" + created.id + "/input_items?limit=2", "", bearer(w.owner))
            .status == 200);
  CHECK(last_path(w.mock) == "/openai/responses/" + created.id + "/input_items?api-version=2025-03-01-preview&limit=2");
}
