// One table of fields per management body, checked in one call: the budget limits and the
// table's fields pass, an unknown field is a 400 before any unenforced one, and an unenforced
// restriction passes only when it sets nothing.
#include <rapidjson/document.h>
#include <catch2/catch.hpp>

#include "api/management/body_fields.h"
#include "api/management/http_error.h"

using namespace tollgate::api;

namespace {

const BodyFields kTable = {{"alias"}, {"tags"}, {"guardrails", "allowed_routes"}};

// The param of the 400 the body gets, or "" when it passes.
std::string refused_field(const char* json) {
  rapidjson::Document body;
  body.Parse(json);
  try {
    check_body_fields(BodyReader(body), kTable);
    return "";
  } catch (const HttpError& e) {
    CHECK(e.error().status == 400);
    return e.error().param;
  }
}

}  // namespace

TEST_CASE("body fields: one call checks known, ignored and unenforced fields", "[api][management]") {
  struct Row {
    const char* body;
    const char* refused;
  };
  const Row rows[] = {
      {R"({"alias":"a","tags":["t"],"max_budget":1,"budget_duration":"1d","tpm_limit":1,"rpm_limit":1,"max_parallel_requests":1})",
       ""},
      {R"({"guardrails":[],"allowed_routes":null})", ""},
      {R"({"guardrails":{"x":[null,""]}})", ""},
      {R"({"max_budgt":1})", "max_budgt"},
      {R"({"allowed_routes":["/x"],"typo":1})", "typo"},
      {R"({"allowed_routes":["/x"],"guardrails":["g"]})", "guardrails"},
      {R"({"allowed_routes":{"deny":false}})", "allowed_routes"},
      {R"({"guardrails":0})", "guardrails"},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    CHECK(refused_field(row.body) == row.refused);
  }
}
