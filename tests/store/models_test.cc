// Store: models managed at run time (/model/new with store_model_in_db), migration 004.
#include "persistence/errors.h"
#include "persistence/model_entry.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::ModelRecord;
using testing::audit_by;

namespace {

ModelRecord make_model(const std::string& id, const std::string& name) {
  ModelRecord model;
  model.model_id = id;
  model.model_name = name;
  model.litellm_params = R"({"model":"mock/)" + name + R"("})";
  model.model_info = R"({"id":")" + id + R"("})";
  return model;
}

}  // namespace

STORE_TEST_CASE("models: insert, find, list, update, delete", "[store][models]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  auto model = make_model("md-1", "gpt-x");
  model.api_key_sealed = "v1:00ff";
  model.created_by = "admin-user";
  const auto stored = store->insert_model(model, audit_by());
  CHECK(stored.created_at > 0);
  store->insert_model(make_model("md-2", "alpha"), audit_by());

  const auto found = store->find_model("md-1");
  REQUIRE(found);
  CHECK(found->model_name == "gpt-x");
  CHECK(found->litellm_params == R"({"model":"mock/gpt-x"})");
  CHECK(found->model_info == R"({"id":"md-1"})");
  CHECK(found->api_key_sealed == std::optional<std::string>("v1:00ff"));
  CHECK(found->created_by == std::optional<std::string>("admin-user"));
  CHECK_FALSE(store->find_model("md-404"));

  const auto listed = store->list_models();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].model_id == "md-2");  // by model_name
  CHECK(listed[1].model_id == "md-1");

  auto changed = *found;
  changed.model_name = "gpt-y";
  changed.api_key_sealed.reset();
  changed.created_by = "someone-else";
  REQUIRE(store->update_model(changed, audit_by()));
  const auto updated = store->find_model("md-1");
  CHECK(updated->model_name == "gpt-y");
  CHECK_FALSE(updated->api_key_sealed);
  CHECK(updated->created_by == std::optional<std::string>("admin-user"));
  CHECK(updated->created_at == stored.created_at);
  CHECK_FALSE(store->update_model(make_model("md-404", "ghost"), audit_by()));
  CHECK_THROWS_AS(store->insert_model(make_model("md-1", "again"), audit_by()), persistence::DuplicateError);

  CHECK(store->delete_model("md-2", audit_by()));
  CHECK_FALSE(store->find_model("md-2"));
  CHECK_FALSE(store->delete_model("md-2", audit_by()));
  CHECK(store->list_models().size() == 1);
}

STORE_TEST_CASE("models: each write has its audit row, without the sealed key", "[store][models]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  auto model = make_model("md-1", "gpt-x");
  model.api_key_sealed = "v1:sealed-bytes";
  store->insert_model(model, audit_by());
  model.model_name = "gpt-y";
  REQUIRE(store->update_model(model, audit_by()));
  REQUIRE(store->delete_model("md-1", audit_by()));
  const auto audit = store->audit_log(std::string("md-1"), 10);
  REQUIRE(audit.size() == 3);
  CHECK(audit[0].action == "deleted");
  CHECK(audit[1].action == "updated");
  CHECK(audit[2].action == "created");
  for (const auto& row : audit) {
    CHECK(row.table_name == "models");
    CHECK(row.before_json.find("sealed-bytes") == std::string::npos);
    CHECK(row.after_json.find("sealed-bytes") == std::string::npos);
  }
  CHECK(audit[2].after_json.find(R"("has_api_key":true)") != std::string::npos);
  CHECK(audit[1].before_json.find(R"("model_name":"gpt-x")") != std::string::npos);
  CHECK(audit[1].after_json.find(R"("model_name":"gpt-y")") != std::string::npos);
}

TEST_CASE("model entry: the key is split off, put back, and edits merge", "[models]") {
  const auto split = persistence::take_api_key(R"({"model":"openai/x","api_key":"sk-up-1","rpm":3})");
  CHECK(split.api_key == std::optional<std::string>("sk-up-1"));
  CHECK(split.params_json == R"({"model":"openai/x","rpm":3})");
  CHECK_FALSE(persistence::take_api_key(R"({"model":"openai/x"})").api_key);
  CHECK(
      persistence::model_entry_json("g", split.params_json, R"({"id":"i"})", std::string("sk-up-1")) ==
      R"({"model_name":"g","litellm_params":{"model":"openai/x","rpm":3,"api_key":"sk-up-1"},"model_info":{"id":"i"}})");
  CHECK(persistence::merge_json_objects(R"({"a":1,"b":2})", R"({"b":null,"c":{"d":3}})") == R"({"a":1,"c":{"d":3}})");
  CHECK(persistence::with_model_id(R"({"id":"old","mode":"chat"})", "new") == R"({"mode":"chat","id":"new"})");
  CHECK_THROWS(persistence::take_api_key("[1]"));
}
