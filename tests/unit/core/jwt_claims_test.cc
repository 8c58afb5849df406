// core/jwt_claims: time claims with leeway, issuer and audience by exact match, dotted paths.
#include <catch2/catch.hpp>

#include "core/jwt_claims.h"

using namespace tollgate::core;

namespace {

rapidjson::Document doc(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  REQUIRE_FALSE(d.HasParseError());
  return d;
}

}  // namespace

TEST_CASE("check_claims: one row per rule, at now = 1000 with 30 s leeway", "[core][jwt]") {
  ClaimPolicy policy;
  policy.issuer = "https://idp";
  policy.audiences = {"gw", "gw2"};
  policy.leeway_seconds = 30;
  const std::string ok = R"("iss":"https://idp","aud":"gw")";
  struct Row {
    std::string claims;
    ClaimProblem expected;
  };
  const std::vector<Row> rows = {
      {"{" + ok + R"(,"exp":2000})", ClaimProblem::none},
      {"{" + ok + R"(,"exp":1029})", ClaimProblem::none},
      {"{" + ok + R"(,"exp":970})", ClaimProblem::expired},  // exp + leeway == now
      {"{" + ok + R"(,"exp":971})", ClaimProblem::none},
      {"{" + ok + R"(,"exp":1500.9})", ClaimProblem::none},
      {"{" + ok + R"(,"exp":"2000"})", ClaimProblem::malformed},
      {"{" + ok + R"(,"exp":null})", ClaimProblem::malformed},
      {"{" + ok + R"(,"exp":1e300})", ClaimProblem::malformed},
      {"{" + ok + R"(,"exp":18446744073709551615})", ClaimProblem::malformed},
      {"{" + ok + "}", ClaimProblem::missing_exp},
      {"{" + ok + R"(,"exp":2000,"nbf":1030})", ClaimProblem::none},
      {"{" + ok + R"(,"exp":2000,"nbf":1031})", ClaimProblem::not_yet_valid},
      {"{" + ok + R"(,"exp":2000,"nbf":"x"})", ClaimProblem::malformed},
      {"{" + ok + R"(,"exp":2000,"iat":1030})", ClaimProblem::none},
      {"{" + ok + R"(,"exp":2000,"iat":1031})", ClaimProblem::issued_in_future},
      {R"({"iss":"https://idp/","aud":"gw","exp":2000})", ClaimProblem::wrong_issuer},
      {R"({"iss":"HTTPS://IDP","aud":"gw","exp":2000})", ClaimProblem::wrong_issuer},
      {R"({"aud":"gw","exp":2000})", ClaimProblem::wrong_issuer},
      {R"({"iss":["https://idp"],"aud":"gw","exp":2000})", ClaimProblem::wrong_issuer},
      {R"({"iss":"https://idp","aud":"GW","exp":2000})", ClaimProblem::wrong_audience},
      {R"({"iss":"https://idp","aud":["x","gw2"],"exp":2000})", ClaimProblem::none},
      {R"({"iss":"https://idp","aud":["x"],"exp":2000})", ClaimProblem::wrong_audience},
      {R"({"iss":"https://idp","aud":[],"exp":2000})", ClaimProblem::wrong_audience},
      {R"({"iss":"https://idp","exp":2000})", ClaimProblem::wrong_audience},
      {R"({"iss":"https://idp","aud":7,"exp":2000})", ClaimProblem::malformed},
      {R"({"iss":"https://idp","aud":[7],"exp":2000})", ClaimProblem::wrong_audience},
      {R"([1,2])", ClaimProblem::malformed},
  };
  for (const auto& row : rows) {
    INFO(row.claims);
    CHECK(claim_problem_name(check_claims(doc(row.claims), policy, 1000)) == claim_problem_name(row.expected));
  }
}

TEST_CASE("check_claims: no audience configured accepts no token, no issuer configured skips iss", "[core][jwt]") {
  ClaimPolicy policy;
  CHECK(check_claims(doc(R"({"aud":"gw","exp":2000})"), policy, 1000) == ClaimProblem::wrong_audience);
  policy.audiences = {"gw"};
  CHECK(check_claims(doc(R"({"aud":"gw","exp":2000,"iss":"anyone"})"), policy, 1000) == ClaimProblem::none);
}

TEST_CASE("find_claim follows dotted paths and prefers a whole member name", "[core][jwt]") {
  const auto claims = doc(R"({"sub":"u1","n":42,"realm_access":{"roles":["a","b"]},
    "resource_access":{"gw":{"roles":"x y"}},"https://example.com/team":"t9","a.b":"whole","a":{"b":"nested"}})");
  CHECK(claim_text(find_claim(claims, "sub")) == std::optional<std::string>("u1"));
  CHECK(claim_text(find_claim(claims, "n")) == std::optional<std::string>("42"));
  CHECK(claim_strings(find_claim(claims, "realm_access.roles")) == std::vector<std::string>{"a", "b"});
  CHECK(claim_strings(find_claim(claims, "resource_access.gw.roles")) == std::vector<std::string>{"x", "y"});
  CHECK(claim_text(find_claim(claims, "https://example.com/team")) == std::optional<std::string>("t9"));
  CHECK(claim_text(find_claim(claims, "a.b")) == std::optional<std::string>("whole"));
  CHECK(find_claim(claims, "realm_access.roles.x") == nullptr);
  CHECK(find_claim(claims, "missing.path") == nullptr);
  CHECK_FALSE(claim_text(find_claim(claims, "realm_access")));
  CHECK(claim_strings(find_claim(claims, "n")).empty());
}
