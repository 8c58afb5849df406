// Store: the owners of stored Responses API answers (migration 008), written with the spend
// logs of successful /v1/responses calls.
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"

using namespace tollgate;
using persistence::SpendLogRow;
using testing::make_log;

namespace {

SpendLogRow responses_log(const std::string& request_id, const std::string& response_id, const std::string& key) {
  SpendLogRow log = make_log(request_id, key, 0.25, 1'700'000'000'000);
  log.call_type = "aresponses";
  log.response_id = response_id;
  log.model_group = "gpt";
  log.model_id = "deployment-" + key;
  log.team_id = "team-" + key;
  return log;
}

}  // namespace

STORE_TEST_CASE("response owners: a successful /v1/responses log names its creator and deployment",
                "[store][responses]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  auto chat = make_log("c1", "hash-a", 0.5, 1'700'000'000'000);
  chat.response_id = "chatcmpl-1";  // a chat answer is not stored upstream
  auto failed = responses_log("r2", "resp_failed", "hash-a");
  failed.status = "failure";
  std::vector<SpendLogRow> logs{responses_log("r1", "resp_1", "hash-a"), chat, failed,
                                responses_log("r3", "", "hash-a")};
  store->commit_spend_batch(logs, {}, {}, std::nullopt);

  const auto owner = store->response_owner("resp_1");
  REQUIRE(owner);
  CHECK(owner->api_key == "hash-a");
  CHECK(owner->team_id == std::optional<std::string>("team-hash-a"));
  CHECK(owner->model_group == "gpt");
  CHECK(owner->model_id == "deployment-hash-a");
  CHECK(owner->created_at == 1'700'000'000'000);
  CHECK_FALSE(store->response_owner("chatcmpl-1"));
  CHECK_FALSE(store->response_owner("resp_failed"));
  CHECK_FALSE(store->response_owner(""));

  // An upstream reusing an id does not hand it to a second key: the first writer keeps it.
  store->record_spend({responses_log("r4", "resp_1", "hash-b")}, {});
  CHECK(store->response_owner("resp_1")->api_key == "hash-a");

  CHECK(store->forget_response_owner("resp_1"));
  CHECK_FALSE(store->response_owner("resp_1"));
  CHECK_FALSE(store->forget_response_owner("resp_1"));
}

STORE_TEST_CASE("response owners: the master key's responses have no key hash", "[store][responses]") {
  testing::TestDatabase db(TestType::name);
  auto store = db.migrated_store();
  store->record_spend({responses_log("m1", "resp_master", "")}, {});
  const auto owner = store->response_owner("resp_master");
  REQUIRE(owner);
  CHECK(owner->api_key.empty());
}
