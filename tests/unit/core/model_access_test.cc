#include <catch2/catch.hpp>

#include <optional>

#include "core/model_access.h"

using namespace tollgate::core;

namespace {

using List = std::vector<std::string>;

// Two groups as a config would give them: gpt-4o on OpenAI in the "premium" access group, and
// claude on Anthropic with no access group.
const List kGptProviderModels = {"openai/gpt-4o", "azure/gpt-4o-eu"};
const List kGptAccessGroups = {"premium"};
const List kClaudeProviderModels = {"anthropic/claude-3-5-sonnet"};
const List kNoAccessGroups = {};

ModelGroupView gpt() { return {"gpt-4o", kGptProviderModels, kGptAccessGroups}; }
ModelGroupView claude() { return {"claude", kClaudeProviderModels, kNoAccessGroups}; }

}  // namespace

TEST_CASE("model access: one list", "[core][model_access]") {
  struct Row {
    List models;
    bool gpt;
    bool claude;
  };
  const Row rows[] = {
      {{}, true, true},                         // empty: every model
      {{"*"}, true, true},                      // LiteLLM's "everything"
      {{"all-proxy-models"}, true, true},       //
      {{"gpt-4o"}, true, false},                // a group name
      {{"GPT-4o"}, false, false},               // names are case-sensitive, as in LiteLLM
      {{"gpt-4"}, false, false},                // no prefix matching without a '*'
      {{"premium"}, true, false},               // an access group
      {{"openai/*"}, true, false},              // a provider wildcard, matched on the deployment
      {{"azure/*"}, true, false},               // any deployment of the group may match
      {{"anthropic/*"}, false, true},           //
      {{"gpt-*"}, true, false},                 // a wildcard on the group name
      {{"*-4o"}, true, false},                  //
      {{"openai/gpt-4o-mini*"}, false, false},  // the pattern must match the whole text
      {{"all-team-models"}, false, false},      // alone, it defers to a team that is not there
      {{"claude", "premium"}, true, true},      // any entry may allow
      {{"unknown", "other/*"}, false, false},   //
  };
  for (const auto& row : rows) {
    CAPTURE(row.models);
    CHECK(models_list_allows(row.models, gpt()) == row.gpt);
    CHECK(models_list_allows(row.models, claude()) == row.claude);
  }
}

TEST_CASE("model access: a key never exceeds its team or organization", "[core][model_access]") {
  struct Row {
    List key;
    std::optional<List> team;
    std::optional<List> organization;
    bool gpt;
    bool claude;
  };
  const Row rows[] = {
      {{}, std::nullopt, std::nullopt, true, true},
      {{"gpt-4o"}, List{"claude"}, std::nullopt, false, false},  // the key names what its team does not allow
      {{}, List{"claude"}, std::nullopt, false, true},           // an open key takes its team's list
      {{"all-team-models"}, List{"premium"}, std::nullopt, true, false},
      {{"all-team-models"}, List{}, std::nullopt, true, true},
      {{"*"}, List{"anthropic/*"}, std::nullopt, false, true},
      {{"gpt-4o", "claude"}, List{}, List{"gpt-4o"}, true, false},  // the organization bounds both
      {{}, std::nullopt, List{"openai/*"}, true, false},            // a personal key in an organization
      {{"all-team-models"}, List{"*"}, List{"claude"}, false, true},
  };
  for (const auto& row : rows) {
    CAPTURE(row.key, row.team, row.organization);
    const List* team = row.team ? &*row.team : nullptr;
    const List* organization = row.organization ? &*row.organization : nullptr;
    CHECK(model_access_allowed(row.key, team, organization, gpt()) == row.gpt);
    CHECK(model_access_allowed(row.key, team, organization, claude()) == row.claude);
  }
}

TEST_CASE("model access: wildcard matching", "[core][model_access]") {
  CHECK(wildcard_matches("*", ""));
  CHECK(wildcard_matches("*", "anything"));
  CHECK(wildcard_matches("openai/*", "openai/"));
  CHECK_FALSE(wildcard_matches("openai/*", "openai"));
  CHECK(wildcard_matches("a*b*c", "a-b-b-c"));
  CHECK_FALSE(wildcard_matches("a*b*c", "a-b-b-d"));
  CHECK(wildcard_matches("**x", "yx"));
  // A pathological pattern stays linear-ish: this finishes at once.
  const std::string text(10'000, 'a');
  CHECK_FALSE(wildcard_matches("*a*a*a*a*a*a*a*a*b", text));
}
