// LiteLLM's spend reporting as its scripts read it (issue: LiteLLM drop-in, items 6 and 9):
// /spend/logs finds a call by its response id (request_id) with LiteLLM's user_api_key_*
// metadata, the gateway's own id in x-litellm-call-id; /user/daily/activity,
// /team/daily/activity and /global/spend/report from the daily rollups; /key/aliases;
// PATCH /organization/member_update.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <chrono>
#include <ctime>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/mock_upstream.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : std::string("<not a string>"); }

// Two upstreams that number their answers alike (tollgate-mock: chatcmpl-mock-0-1, -2, …):
// a response id seen twice, as from an upstream that reuses its ids.
std::string config_for(const MockUpstream& one, const MockUpstream& two) {
  return "model_list:\n"
         "  - model_name: first\n"
         "    litellm_params: {model: openai/m1, api_base: \"" +
         one.base_url() +
         "\", api_key: sk-upstream-unused}\n"
         "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n"
         "  - model_name: second\n"
         "    litellm_params: {model: openai/m2, api_base: \"" +
         two.base_url() +
         "\", api_key: sk-upstream-unused}\n"
         "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n"
         "  - model_name: claude\n"
         "    litellm_params: {model: anthropic/claude-3-5-sonnet, api_base: \"http://127.0.0.1:" +
         std::to_string(one.port()) + "\", api_key: sk-upstream-unused}\n";
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

class World {
 public:
  World() : gw_(config_for(one_, two_)) {}

  HttpReply request(const std::string& method, const std::string& path, const std::string& body,
                    const std::string& key) const {
    return http_request(gw_.port(), method, path, body, bearer(key));
  }
  HttpReply get(const std::string& path, const std::string& key) const { return request("GET", path, "", key); }
  rapidjson::Document admin(const std::string& method, const std::string& path, const std::string& body = "") const {
    const auto reply = request(method, path, body, gw_.master_key());
    INFO(method << " " << path << " " << body << " -> " << reply.body);
    REQUIRE(reply.status == 200);
    return parse(reply.body);
  }
  const std::string& master() const { return gw_.master_key(); }
  HttpReply chat(const std::string& model, const std::string& key, bool stream = false,
                 const std::string& end_user = "") const {
    return request("POST", "/v1/chat/completions",
                   R"({"model":")" + model + R"(","messages":[{"role":"user","content":"hello"}])" +
                       (stream ? R"(,"stream":true)" : "") +
                       (end_user.empty() ? "" : R"(,"user":")" + end_user + "\"") + "}",
                   key);
  }
  // The logs /spend/logs?request_id= returns once the spend writer has flushed `count` of them.
  rapidjson::Document logs_of(const std::string& request_id, std::size_t count) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      auto logs = parse(get("/spend/logs?request_id=" + request_id, master()).body);
      if (logs.IsArray() && logs.Size() >= count) return logs;
      if (std::chrono::steady_clock::now() > deadline) FAIL("no spend log for " << request_id);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

 private:
  MockUpstream one_;
  MockUpstream two_;
  TestGateway gw_;
};

// A team with a key of a user in an organization; returns the key.
std::string team_key(const World& w) {
  w.admin("POST", "/organization/new", R"({"organization_id":"org-spend","organization_alias":"Spend Org"})");
  w.admin("POST", "/team/new", R"({"team_id":"t-spend","team_alias":"Spend Team","organization_id":"org-spend"})");
  w.admin("POST", "/user/new", R"({"user_id":"u-spend","user_email":"spend@example.com","auto_create_key":false})");
  w.admin("POST", "/team/member_add", R"({"team_id":"t-spend","member":{"user_id":"u-spend","role":"user"}})");
  const auto key =
      w.admin("POST", "/key/generate", R"({"key_alias":"billing-bot","team_id":"t-spend","user_id":"u-spend"})");
  std::string cleartext = key["key"].GetString();
  register_secret(cleartext);
  return cleartext;
}

const rapidjson::Value* log_with_call_id(const rapidjson::Document& logs, const std::string& call_id) {
  for (const auto& log : logs.GetArray()) {
    if (str(log["metadata"]["litellm_call_id"]) == call_id) return &log;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("LiteLLM drop-in: a spend log's request_id is the response's id, with user_api_key_* metadata",
          "[integration][litellm][spend]") {
  World w;
  const auto key = team_key(w);
  const auto one = w.chat("first", key);
  const auto two = w.chat("second", key);
  REQUIRE(one.status == 200);
  REQUIRE(two.status == 200);
  const auto id = str(parse(one.body)["id"]);
  CHECK(id.rfind("chatcmpl-", 0) == 0);
  REQUIRE(str(parse(two.body)["id"]) == id);  // the two upstreams reuse their ids
  const auto call_one = one.header("x-litellm-call-id");
  const auto call_two = two.header("x-litellm-call-id");
  CHECK(call_one.size() == 36);
  CHECK(call_one != call_two);
  CHECK_FALSE(one.header("x-request-id").empty());

  // Both calls are recorded (the gateway's id is the key), both found by the response id.
  const auto logs = w.logs_of(id, 2);
  REQUIRE(logs.Size() == 2);
  const auto* log = log_with_call_id(logs, call_one);
  REQUIRE(log != nullptr);
  REQUIRE(log_with_call_id(logs, call_two) != nullptr);
  CHECK(str((*log)["request_id"]) == id);
  CHECK(str((*log)["model_group"]) == "first");
  CHECK(str((*log)["team_id"]) == "t-spend");
  const auto& metadata = (*log)["metadata"];
  CHECK(str(metadata["user_api_key_alias"]) == "billing-bot");
  CHECK(str(metadata["user_api_key_team_id"]) == "t-spend");
  CHECK(str(metadata["user_api_key_team_alias"]) == "Spend Team");
  CHECK(str(metadata["user_api_key_org_id"]) == "org-spend");
  CHECK(str(metadata["user_api_key_user_id"]) == "u-spend");
  CHECK(str(metadata["user_api_key_user_email"]) == "spend@example.com");
  CHECK(str(metadata["user_api_key"]) == str((*log)["api_key"]));
  CHECK(str(metadata["x_request_id"]) == one.header("x-request-id"));
  CHECK(str(metadata["status"]) == "success");
  CHECK(metadata["user_api_key_end_user_id"].IsNull());

  // The request's end user (the body's `user`) is LiteLLM's user_api_key_end_user_id.
  const auto for_customer = w.chat("first", key, false, "cust-1");
  REQUIRE(for_customer.status == 200);
  const auto customer_log = w.logs_of(for_customer.header("x-litellm-call-id"), 1);
  CHECK(str(customer_log[0]["metadata"]["user_api_key_end_user_id"]) == "cust-1");

  // The gateway's own id finds exactly its call.
  const auto by_call = w.logs_of(call_two, 1);
  REQUIRE(by_call.Size() == 1);
  CHECK(str(by_call[0]["model_group"]) == "second");
}

TEST_CASE("LiteLLM drop-in: streamed and Anthropic answers are logged under their own ids",
          "[integration][litellm][spend]") {
  World w;
  const auto key = team_key(w);
  const auto streamed = w.chat("first", key, true);
  REQUIRE(streamed.status == 200);
  const auto data = streamed.body.find("\"id\":\"");
  REQUIRE(data != std::string::npos);
  const auto stream_id = streamed.body.substr(data + 6, streamed.body.find('"', data + 6) - data - 6);
  CHECK(stream_id.rfind("chatcmpl-", 0) == 0);
  CHECK(str(w.logs_of(stream_id, 1)[0]["metadata"]["litellm_call_id"]) == streamed.header("x-litellm-call-id"));

  const auto message = w.request(
      "POST", "/v1/messages", R"({"model":"claude","max_tokens":20,"messages":[{"role":"user","content":"hi"}]})", key);
  REQUIRE(message.status == 200);
  const auto message_id = str(parse(message.body)["id"]);
  CHECK(message_id.rfind("msg_", 0) == 0);
  const auto logs = w.logs_of(message_id, 1);
  CHECK(str(logs[0]["request_id"]) == message_id);
  CHECK(str(logs[0]["call_type"]) == "anthropic_messages");
}

TEST_CASE("LiteLLM drop-in: /user/daily/activity, /team/daily/activity and /global/spend/report",
          "[integration][litellm][spend]") {
  World w;
  const auto key = team_key(w);
  const auto hash = str(w.admin("GET", "/key/info?key=" + key)["info"]["token"]);
  REQUIRE(w.chat("first", key).status == 200);
  REQUIRE(w.chat("first", key, false, "cust-7").status == 200);  // LiteLLM's end-user field
  const auto last = w.chat("second", key);
  REQUIRE(last.status == 200);
  w.logs_of(last.header("x-litellm-call-id"), 1);  // flushed: the rollups are in the same transaction
  const std::string days = "start_date=" + today() + "&end_date=" + today();

  const auto user = w.admin("GET", "/user/daily/activity?user_id=u-spend&" + days);
  REQUIRE(user["results"].Size() == 1);
  const auto& day = user["results"][0];
  CHECK(str(day["date"]) == today());
  CHECK(day["metrics"]["api_requests"].GetInt64() == 3);
  CHECK(day["metrics"]["successful_requests"].GetInt64() == 3);
  CHECK(day["metrics"]["spend"].GetDouble() > 0);
  CHECK(day["breakdown"]["model_groups"]["first"]["metrics"]["api_requests"].GetInt64() == 2);
  CHECK(day["breakdown"]["model_groups"]["second"]["metrics"]["api_requests"].GetInt64() == 1);
  CHECK(str(day["breakdown"]["api_keys"][hash.c_str()]["metadata"]["key_alias"]) == "billing-bot");
  CHECK(day["breakdown"]["entities"]["u-spend"]["metrics"]["api_requests"].GetInt64() == 3);
  CHECK(user["metadata"]["total_api_requests"].GetInt64() == 3);
  CHECK(user["metadata"]["total_spend"].GetDouble() == day["metrics"]["spend"].GetDouble());
  CHECK_FALSE(user["metadata"]["has_more"].GetBool());

  const auto team = w.admin("GET", "/team/daily/activity?team_ids=t-spend&" + days);
  REQUIRE(team["results"].Size() == 1);
  CHECK(str(team["results"][0]["breakdown"]["entities"]["t-spend"]["metadata"]["team_alias"]) == "Spend Team");
  const auto by_model = w.admin("GET", "/team/daily/activity?team_ids=t-spend&model=second&" + days);
  CHECK(by_model["metadata"]["total_api_requests"].GetInt64() == 1);
  // Another day: nothing.
  CHECK(w.admin("GET", "/user/daily/activity?start_date=2001-01-01&end_date=2001-01-02")["results"].Size() == 0);

  const auto report = w.admin("GET", "/global/spend/report?" + days);
  REQUIRE(report.IsArray());
  REQUIRE(report.Size() == 1);
  CHECK(str(report[0]["group_by_day"]) == today() + "T00:00:00+00:00");
  REQUIRE(report[0]["teams"].Size() == 1);
  CHECK(str(report[0]["teams"][0]["team_name"]) == "Spend Team");
  CHECK(report[0]["teams"][0]["total_spend"].GetDouble() == day["metrics"]["spend"].GetDouble());
  CHECK(report[0]["teams"][0]["metadata"].Size() == 2);  // (key, model) pairs
  const auto by_key = w.admin("GET", "/global/spend/report?group_by=api_key&" + days);
  CHECK(str(by_key[0]["api_keys"][0]["api_key"]) == hash);
  const auto by_customer = w.admin("GET", "/global/spend/report?group_by=customer&customer_id=cust-7&" + days);
  REQUIRE(by_customer.Size() == 1);
  REQUIRE(by_customer[0]["customers"].Size() == 1);
  CHECK(str(by_customer[0]["customers"][0]["customer"]) == "cust-7");
  CHECK(by_customer[0]["customers"][0]["total_spend"].GetDouble() > 0);

  // LiteLLM's errors and policy: dates are required; a user reads its own activity only; the
  // global report is the admins'.
  CHECK(w.get("/user/daily/activity", w.master()).status == 400);
  CHECK(w.get("/global/spend/report?group_by=tags&" + days, w.master()).status == 400);
  const auto member = w.admin("POST", "/key/generate", R"({"user_id":"u-spend"})");
  const std::string member_key = member["key"].GetString();
  register_secret(member_key);
  const auto own = w.get("/user/daily/activity?" + days, member_key);
  REQUIRE(own.status == 200);
  CHECK(parse(own.body)["metadata"]["total_api_requests"].GetInt64() == 3);
  w.admin("POST", "/user/new", R"({"user_id":"u-other","auto_create_key":false})");
  CHECK(w.get("/user/daily/activity?user_id=u-other&" + days, member_key).status == 404);
  CHECK(w.get("/global/spend/report?" + days, member_key).status == 403);
}

TEST_CASE("LiteLLM drop-in: /key/aliases lists the aliases of the keys the caller can read", "[integration][litellm]") {
  World w;
  for (const char* alias : {"prod-bot", "Prod-batch", "staging-bot"}) {
    const auto key = w.admin("POST", "/key/generate", std::string(R"({"key_alias":")") + alias + "\"}");
    register_secret(key["key"].GetString());
  }
  const auto all = w.admin("GET", "/key/aliases");
  REQUIRE(all["aliases"].Size() == 3);
  CHECK(str(all["aliases"][0]) == "Prod-batch");
  CHECK(all["total_count"].GetInt64() == 3);
  CHECK(all["current_page"].GetInt64() == 1);
  CHECK(all["total_pages"].GetInt64() == 1);
  const auto prod = w.admin("GET", "/key/aliases?search=prod");
  CHECK(prod["total_count"].GetInt64() == 2);
  const auto paged = w.admin("GET", "/key/aliases?size=2&page=2");
  REQUIRE(paged["aliases"].Size() == 1);
  CHECK(str(paged["aliases"][0]) == "staging-bot");
  CHECK(paged["total_pages"].GetInt64() == 2);

  // An internal user sees its own keys' aliases only.
  const auto user = w.admin("POST", "/user/new", R"({"user_id":"u-alias","key_alias":"mine"})");
  const std::string user_key = user["key"].GetString();
  register_secret(user_key);
  const auto own = parse(w.get("/key/aliases", user_key).body);
  REQUIRE(own["aliases"].Size() == 1);
  CHECK(str(own["aliases"][0]) == "mine");
}

TEST_CASE("LiteLLM drop-in: PATCH /organization/member_update changes a member's role", "[integration][litellm]") {
  World w;
  w.admin("POST", "/organization/new", R"({"organization_id":"org-m","organization_alias":"M"})");
  w.admin("POST", "/user/new", R"({"user_id":"u-m","user_email":"m@example.com","auto_create_key":false})");
  w.admin("POST", "/organization/member_add",
          R"({"organization_id":"org-m","member":{"user_id":"u-m","role":"internal_user"}})");

  const auto updated = w.admin("PATCH", "/organization/member_update",
                               R"({"organization_id":"org-m","user_email":"m@example.com","role":"org_admin"})");
  CHECK(str(updated["user_id"]) == "u-m");
  CHECK(str(updated["organization_id"]) == "org-m");
  CHECK(str(updated["user_role"]) == "org_admin");
  CHECK(str(updated["user"]["user_id"]) == "u-m");
  const auto info = w.admin("GET", "/organization/info?organization_id=org-m");
  bool admin_now = false;
  for (const auto& m : info["members"].GetArray()) {
    admin_now = admin_now || (str(m["user_id"]) == "u-m" && str(m["user_role"]) == "org_admin");
  }
  CHECK(admin_now);

  // Not a member: 404; no user named: 400; a bad role: 400.
  w.admin("POST", "/user/new", R"({"user_id":"u-out","auto_create_key":false})");
  CHECK(
      w.request("PATCH", "/organization/member_update", R"({"organization_id":"org-m","user_id":"u-out"})", w.master())
          .status == 404);
  CHECK(
      w.request("PATCH", "/organization/member_update", R"({"organization_id":"org-m","role":"org_admin"})", w.master())
          .status == 400);
  CHECK(w.request("PATCH", "/organization/member_update",
                  R"({"organization_id":"org-m","user_id":"u-m","role":"emperor"})", w.master())
            .status == 400);
}
