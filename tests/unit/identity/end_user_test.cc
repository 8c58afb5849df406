// The end user of a request: which id names it, what its limits are, and the node's cache of it.
#include <catch2/catch.hpp>

#include "identity/end_user.h"
#include "identity/end_user_cache.h"

using namespace tollgate;
using identity::EndUser;
using identity::EndUserDefaults;

TEST_CASE("end-user id: the header, else the body's user, else the JWT claim", "[identity][end_user]") {
  using Id = std::optional<std::string>;
  CHECK(*identity::end_user_id("from-header", Id("from-body"), Id("from-jwt")) == Id("from-header"));
  CHECK(*identity::end_user_id("", Id("from-body"), Id("from-jwt")) == Id("from-body"));
  CHECK(*identity::end_user_id("", Id(""), Id("from-jwt")) == Id("from-jwt"));
  CHECK(*identity::end_user_id("", std::nullopt, std::nullopt) == Id());
  const auto too_long = identity::end_user_id("", Id(std::string(257, 'x')), std::nullopt);
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error().status == 400);
  CHECK(too_long.error().param == "user");
  CHECK(identity::end_user_id("", Id(std::string(256, 'x')), std::nullopt));
  const auto nul = identity::end_user_id(std::string_view("a\0b", 3), std::nullopt, std::nullopt);
  REQUIRE_FALSE(nul);
  CHECK(nul.error().param == "x-litellm-end-user-id");
}

TEST_CASE("end-user limits: own, then the linked budget's, then the defaults", "[identity][end_user]") {
  persistence::BudgetRecord linked;
  linked.budget_id = "tier";
  linked.max_budget = 5;
  linked.rpm_limit = 50;
  persistence::BudgetRecord fallback;
  fallback.budget_id = "default";
  fallback.max_budget = 1;
  fallback.tpm_limit = 1000;
  const EndUserDefaults defaults{0.25, std::string("default")};

  EndUser unknown{"walk-in", std::nullopt, std::nullopt, fallback};
  auto l = identity::end_user_limits(unknown, defaults);
  CHECK(l.max_budget == std::optional<double>(1));
  CHECK(l.tpm_limit == std::optional<std::int64_t>(1000));
  unknown.default_budget.reset();  // max_end_user_budget_id names no budget (or none is set)
  CHECK(identity::end_user_limits(unknown, defaults).max_budget == std::optional<double>(0.25));
  CHECK_FALSE(identity::end_user_limits(unknown, {}).max_budget);

  persistence::EndUserRecord own;
  own.user_id = "cust";
  own.rpm_limit = 7;
  own.budget_id = "tier";
  EndUser linked_user{"cust", own, linked, fallback};
  l = identity::end_user_limits(linked_user, defaults);
  CHECK(l.max_budget == std::optional<double>(5));
  CHECK(l.rpm_limit == std::optional<std::int64_t>(7));  // its own wins
  CHECK_FALSE(l.tpm_limit);                              // has a budget: no default applies

  own.max_budget = 9;
  own.budget_id.reset();
  EndUser with_own{"cust", own, std::nullopt, fallback};
  CHECK(identity::end_user_limits(with_own, defaults).max_budget == std::optional<double>(9));
}

TEST_CASE("end-user cache: changes drop what they name, stale fills are refused, bounded", "[identity][end_user]") {
  identity::EndUserCache::Options options;
  options.max_entries_per_shard = 4;
  identity::EndUserCache cache(options);
  auto make = [](const std::string& id) { return std::make_shared<const EndUser>(EndUser{id, {}, {}, {}}); };
  cache.put(make("a"), cache.generation());
  cache.put(make("b"), cache.generation());
  REQUIRE(cache.find("a"));
  cache.committed({persistence::Change{persistence::ChangeKind::end_user, {"a"}}});
  CHECK_FALSE(cache.find("a"));
  CHECK(cache.find("b"));
  cache.committed({persistence::Change{persistence::ChangeKind::key, {"a"}}});
  CHECK(cache.find("b"));
  cache.committed({persistence::Change{persistence::ChangeKind::budget, {"tier"}}});
  CHECK_FALSE(cache.find("b"));

  const auto before = cache.generation();
  cache.invalidate("x");
  cache.put(make("c"), before);  // read before the invalidation: dropped
  CHECK_FALSE(cache.find("c"));

  for (int i = 0; i < 1000; ++i) cache.put(make("id-" + std::to_string(i)), cache.generation());
  CHECK(cache.size() <= 16 * 4);
}
