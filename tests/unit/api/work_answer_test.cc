// What a management call answers for each way its work can end, called directly with work
// items that return or throw (the catch-all run_management relies on).
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <functional>
#include <stdexcept>

#include "api/management/http_error.h"
#include "api/management/work_answer.h"
#include "persistence/errors.h"

using namespace tollgate;

namespace {

struct Answer {
  int status;
  std::string type;
  std::string message;
  std::string code;
};

Answer answer(const std::function<http::Response()>& work) {
  const auto response = api::answer_management_work("req-7f3a", work);
  rapidjson::Document d;
  d.Parse(response.body.c_str());
  if (!d.IsObject() || !d.HasMember("error")) return {response.status, "", response.body, ""};
  const auto& e = d["error"];
  return {response.status, e["type"].GetString(), e["message"].GetString(), e["code"].GetString()};
}

}  // namespace

TEST_CASE("management work answers with its response or the envelope of what it threw", "[api][management]") {
  CHECK(answer([] { return http::json_response(200, "{}"); }).status == 200);
  struct Row {
    std::function<http::Response()> work;
    int status;
    const char* type;
  };
  const Row rows[] = {
      {[]() -> http::Response { api::throw_not_found("team 'x' not found"); }, 404, "not_found_error"},
      {[]() -> http::Response { throw persistence::DuplicateError("team_id 'x'"); }, 400, "invalid_request_error"},
      {[]() -> http::Response { throw persistence::ConflictError("still referenced"); }, 409, "conflict_error"},
      {[]() -> http::Response { throw persistence::StoreError("connection lost"); }, 503, "service_unavailable"},
      // A failed Result from code shared with the I/O threads ends the work with its error.
      {[]() -> http::Response {
         api::throw_if_error(core::forbidden("not yours"));
         return http::json_response(200, "{}");
       },
       403, "permission_error"},
  };
  for (const auto& row : rows) {
    const auto a = answer(row.work);
    CHECK(a.status == row.status);
    CHECK(a.type == row.type);
  }
}

TEST_CASE("an unexpected exception in management work answers 500 naming the request id, nothing more",
          "[api][management]") {
  const std::function<http::Response()> throwing[] = {
      []() -> http::Response { throw std::logic_error("bug near sk-should-not-leak-123456"); },
      []() -> http::Response { throw std::out_of_range("vector::at"); },
      []() -> http::Response { throw 42; },
  };
  for (const auto& work : throwing) {
    const auto a = answer(work);
    CHECK(a.status == 500);
    CHECK(a.type == "internal_server_error");
    CHECK(a.code == "500");
    CHECK_THAT(a.message, Catch::Contains("req-7f3a"));
    CHECK_THAT(a.message, !Catch::Contains("sk-") && !Catch::Contains("bug") && !Catch::Contains("vector"));
  }
}

TEST_CASE("a management call the store pool failed answers by the reason", "[api][management]") {
  using persistence::JobFailure;
  const auto overloaded = api::store_job_error(JobFailure::overloaded, "req-1");
  CHECK(overloaded.status == 503);
  CHECK(overloaded.code == "store_overloaded");
  CHECK(api::store_job_error(JobFailure::unreachable, "req-1").status == 503);
  CHECK(api::store_job_error(JobFailure::unreachable, "req-1").code.empty());
  CHECK(api::store_job_error(JobFailure::stopped, "req-1").status == 503);
  const auto threw = api::store_job_error(JobFailure::threw, "req-1");
  CHECK(threw.status == 500);
  CHECK_THAT(threw.message, Catch::Contains("req-1"));
}
