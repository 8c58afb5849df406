// The one JSON writer per record and its two views: the management API's (LiteLLM's shapes,
// ISO 8601 times, derived lists) and the audit log's (the stored record, unix-ms times).
#include <rapidjson/document.h>
#include <catch2/catch.hpp>

#include "persistence/record_json.h"

using namespace tollgate;
using namespace tollgate::persistence;

namespace {

template <class Record>
rapidjson::Document api_view(const Record& record) {
  core::JsonOut o;
  write_json(o, record, RecordView::api);
  rapidjson::Document d;
  d.Parse(o.str().c_str());
  REQUIRE(d.IsObject());
  return d;
}

rapidjson::Document parsed(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  REQUIRE(d.IsObject());
  return d;
}

TeamRecord team_with_members() {
  TeamRecord t;
  t.team_id = "t1";
  t.created_at = 1700000000000;
  t.updated_by = "editor";
  t.members = {{"ann", "admin"}, {"bob", "user"}};
  return t;
}

}  // namespace

TEST_CASE("record json: the api view writes ISO times, the audit view the stored milliseconds", "[persistence][json]") {
  KeyRecord k;
  k.token_hash = "abc";
  k.created_at = 1700000000123;
  k.budget_reset_at = 1700000000123;
  const auto api = api_view(k);
  const auto audit = parsed(to_json(k));
  CHECK(std::string(api["created_at"].GetString()) == "2023-11-14T22:13:20.123Z");
  CHECK(std::string(api["budget_reset_at"].GetString()) == "2023-11-14T22:13:20.123Z");
  CHECK(audit["created_at"].GetInt64() == 1700000000123);
  CHECK(audit["budget_reset_at"].GetInt64() == 1700000000123);
  // A key's views hold the same fields.
  CHECK(api.MemberCount() == audit.MemberCount());
  for (const auto& m : audit.GetObject()) CHECK(api.HasMember(m.name));
}

TEST_CASE("record json: the api view adds the team's derived lists, the audit view its updated_by",
          "[persistence][json]") {
  const auto team = team_with_members();
  const auto api = api_view(team);
  const auto audit = parsed(to_json(team));
  REQUIRE(api.HasMember("admins"));
  CHECK(api["admins"].Size() == 1);
  CHECK(std::string(api["members"][0].GetString()) == "bob");
  CHECK_FALSE(api.HasMember("updated_by"));
  CHECK_FALSE(audit.HasMember("admins"));
  CHECK_FALSE(audit.HasMember("members"));
  CHECK(std::string(audit["updated_by"].GetString()) == "editor");
  CHECK(audit["members_with_roles"].Size() == 2);
}

TEST_CASE("record json: organization members and budget bookkeeping go to their own view", "[persistence][json]") {
  OrganizationRecord org;
  org.organization_id = "o1";
  org.updated_by = "editor";
  core::JsonOut o;
  write_json(o, org, RecordView::api, {OrgMember{"o1", "ann", "org_admin"}});
  const auto api = parsed(o.str());
  CHECK(std::string(api["members"][0]["user_role"].GetString()) == "org_admin");
  CHECK_FALSE(api.HasMember("updated_by"));
  const auto audit = parsed(to_json(org));
  CHECK_FALSE(audit.HasMember("members"));
  CHECK(std::string(audit["updated_by"].GetString()) == "editor");

  BudgetRecord budget;
  budget.budget_id = "b1";
  budget.created_by = "root";
  CHECK_FALSE(api_view(budget).HasMember("created_by"));
  CHECK(std::string(parsed(to_json(budget))["created_by"].GetString()) == "root");
}

TEST_CASE("record json: stored metadata that is not a JSON object is written as a string", "[persistence][json]") {
  UserRecord user;
  user.user_id = "u1";
  user.metadata = R"({"team":"x"})";
  CHECK(api_view(user)["metadata"]["team"] == "x");
  user.metadata = "not json";
  CHECK(std::string(api_view(user)["metadata"].GetString()) == "not json");
  CHECK(std::string(parsed(to_json(user))["metadata"].GetString()) == "not json");
}
