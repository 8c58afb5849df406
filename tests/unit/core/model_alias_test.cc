#include <catch2/catch.hpp>

#include <optional>

#include "core/model_access.h"
#include "core/model_alias.h"

using namespace tollgate::core;

namespace {

using List = std::vector<std::string>;

const ModelAliases kKeyAliases = {{"cheap", "gpt-4o-mini"}, {"fast", "groq-llama"}};
const ModelAliases kTeamAliases = {{"cheap", "claude-haiku"}, {"smart", "gpt-4o"}, {"gpt-4o", "gpt-4o-team-1"}};

}  // namespace

TEST_CASE("model alias: resolution", "[core][model_alias]") {
  struct Row {
    std::string requested;
    bool with_team;
    std::string group;
    std::string alias;
    AliasSource source;
  };
  const ModelAliases none;
  const Row rows[] = {
      {"cheap", true, "gpt-4o-mini", "cheap", AliasSource::key},        // the key's alias overrides the team's
      {"cheap", false, "gpt-4o-mini", "cheap", AliasSource::key},       //
      {"smart", true, "gpt-4o", "smart", AliasSource::team},            // the team's, when the key has none
      {"smart", false, "smart", "", AliasSource::none},                 // no team: no team aliases
      {"gpt-4o", true, "gpt-4o-team-1", "gpt-4o", AliasSource::team},   // an alias shadows a group of its name
      {"gpt-4o-team-1", true, "gpt-4o-team-1", "", AliasSource::none},  // targets are not aliases
      {"Cheap", true, "Cheap", "", AliasSource::none},                  // case-sensitive, like model names
      {"", true, "", "", AliasSource::none},                            //
  };
  for (const auto& row : rows) {
    CAPTURE(row.requested, row.with_team);
    const auto resolved = resolve_model_alias(row.requested, kKeyAliases, row.with_team ? &kTeamAliases : nullptr);
    CHECK(resolved.group == row.group);
    CHECK(resolved.alias == row.alias);
    CHECK(resolved.source == row.source);
  }
  // One step only: an alias whose target is another alias calls the target group by name.
  const ModelAliases chain = {{"a", "b"}, {"b", "c"}};
  CHECK(resolve_model_alias("a", chain, nullptr).group == "b");
  CHECK(resolve_model_alias("x", none, nullptr).source == AliasSource::none);
}

TEST_CASE("model alias: access (an alias is a new name, never a new right)", "[core][model_access][model_alias]") {
  const List target_provider_models = {"openai/gpt-4o-mini"};
  const List no_access_groups;
  const List premium = {"premium"};
  const ModelGroupView target{"gpt-4o-mini", target_provider_models, premium};
  const ResolvedModel via_key{"gpt-4o-mini", "cheap", AliasSource::key};
  const ResolvedModel via_team{"gpt-4o-mini", "cheap", AliasSource::team};
  const ResolvedModel direct{"gpt-4o-mini", "", AliasSource::none};
  struct Row {
    const char* why;
    List key;
    std::optional<List> team;
    std::optional<List> organization;
    ResolvedModel requested;
    bool allowed;
  };
  const Row rows[] = {
      {"key grants the alias name", {"cheap"}, std::nullopt, std::nullopt, via_key, true},
      {"key grants the target", {"gpt-4o-mini"}, std::nullopt, std::nullopt, via_key, true},
      {"key grants the target's access group", {"premium"}, std::nullopt, std::nullopt, via_key, true},
      {"key grants neither", {"gpt-4o"}, std::nullopt, std::nullopt, via_key, false},
      {"the alias name is no right to a direct call", {"cheap"}, std::nullopt, std::nullopt, direct, false},
      {"empty key list, team grants the target", {}, List{"gpt-4o-mini"}, std::nullopt, via_team, true},
      {"team grants its own alias by name", {}, List{"cheap"}, std::nullopt, via_team, true},
      {"team's grant of a name is not lent to a key's alias", {}, List{"cheap"}, std::nullopt, via_key, false},
      {"team allows neither", {"cheap"}, List{"gpt-4o"}, std::nullopt, via_team, false},
      {"key defers to team, team grants its alias", {"all-team-models"}, List{"cheap"}, std::nullopt, via_team, true},
      {"organization must allow the target", {}, List{"cheap"}, List{"cheap"}, via_team, false},
      {"organization allows the target", {}, List{"cheap"}, List{"openai/*"}, via_team, true},
      {"everything everywhere", {"*"}, List{}, List{"all-proxy-models"}, via_key, true},
  };
  for (const auto& row : rows) {
    CAPTURE(row.why);
    CHECK(model_access_allowed(row.key, row.team ? &*row.team : nullptr,
                               row.organization ? &*row.organization : nullptr, target, row.requested) == row.allowed);
  }
}
