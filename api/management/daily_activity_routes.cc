// LiteLLM's usage reports, read from the daily spend rollups (persistence/daily_spend.h):
// GET /user/daily/activity, GET /team/daily/activity (SpendAnalyticsPaginatedResponse: one
// result per day with its metrics and its breakdown by model, model group, provider, key and
// user or team) and GET /global/spend/report (daily spend per team, key or end user).
//
// Who reads what (docs/authz.md): admins and viewers any user or team; anyone else its own
// user, the users it can read (/user/info), the teams it can read (/team/info); service
// accounts nothing. The global report is the admins' and viewers', like /global/spend.
#include <ctime>
#include <map>
#include <sstream>

#include "api/management/lookups.h"
#include "api/management/management.h"
#include "api/management/query_args.h"
#include "api/management/render.h"
#include "api/management/targets.h"
#include "api/management_routes.h"
#include "core/key_hash.h"
#include "persistence/daily_spend.h"
#include "persistence/store.h"

namespace tollgate::api {
namespace {

using persistence::DailySpendFilter;
using persistence::DailySpendRow;
using persistence::Store;
using persistence::detail::kMillisecondsPerDay;

constexpr const char* kNoEntity = "\x01none";  // matches no user or team id

std::string day_text(std::int64_t day) {
  const std::time_t seconds = static_cast<std::time_t>(day * 86'400);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
  return text;
}

// start_date and end_date (both days included): required, as in LiteLLM.
void set_days(const ManagementCall& call, DailySpendFilter& filter) {
  const auto start = query_date_ms(call, "start_date", false);
  const auto end = query_date_ms(call, "end_date", true);
  if (!start) throw_bad_request("'start_date' is required (YYYY-MM-DD)", "start_date");
  if (!end) throw_bad_request("'end_date' is required (YYYY-MM-DD)", "end_date");
  filter.first_day = *start / kMillisecondsPerDay;
  filter.last_day = (*end - 1) / kMillisecondsPerDay;
}

std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) items.push_back(item);
  }
  return items;
}

// ?api_key= (cleartext or hash): a key the caller can read, else 404 as /key/info.
void set_key(Store& store, const ManagementCall& call, DailySpendFilter& filter) {
  const auto requested = optional_query(call, "api_key");
  if (!requested) return;
  const auto hash = requested->rfind("sk-", 0) == 0 ? core::hash_key(*requested) : *requested;
  const auto key = store.find_key(hash);
  if (!key || !core::can_see(call.caller.actor, key_target(*key))) throw_not_found("key not found");
  filter.api_keys.push_back(hash);
}

// LiteLLM's SpendMetrics (the rollups do not split out cached tokens: 0).
void write_metrics(JsonOut& o, const persistence::SpendTotals& t) {
  o.begin_object()
      .field("spend", t.spend)
      .field("prompt_tokens", t.prompt_tokens)
      .field("completion_tokens", t.completion_tokens)
      .field("cache_read_input_tokens", std::int64_t{0})
      .field("cache_creation_input_tokens", std::int64_t{0})
      .field("total_tokens", t.prompt_tokens + t.completion_tokens)
      .field("successful_requests", t.successful_requests)
      .field("failed_requests", t.failed_requests)
      .field("api_requests", t.api_requests)
      .end_object();
}

using Metrics = persistence::SpendTotals;

struct DayReport {
  Metrics total;
  std::map<std::string, Metrics> models, model_groups, providers, api_keys, entities;
};

// What the breakdown names next to a key or an entity, looked up once per report.
class Names {
 public:
  explicit Names(Store& store) : store_(store) {}
  void write_key(JsonOut& o, const std::string& hash) {
    auto it = keys_.find(hash);
    if (it == keys_.end()) it = keys_.emplace(hash, store_.find_key(hash)).first;
    o.begin_object().key("key_alias");
    it->second ? o.value(it->second->key_alias) : o.null();
    o.key("team_id");
    it->second ? o.value(it->second->team_id) : o.null();
    o.end_object();
  }
  std::optional<std::string> team_alias(const std::string& team_id) {
    auto it = teams_.find(team_id);
    if (it == teams_.end()) {
      const auto team = team_id.empty() ? std::nullopt : store_.find_team(team_id);
      it = teams_.emplace(team_id, team ? team->team_alias : std::nullopt).first;
    }
    return it->second;
  }

 private:
  Store& store_;
  std::map<std::string, std::optional<persistence::KeyRecord>> keys_;
  std::map<std::string, std::optional<std::string>> teams_;
};

enum class Entity { user, team };

void write_breakdown(JsonOut& o, const std::map<std::string, Metrics>& items) {
  o.begin_object();
  for (const auto& [name, metrics] : items) {
    o.key(name).begin_object().key("metrics");
    write_metrics(o, metrics);
    o.key("metadata").begin_object().end_object().end_object();
  }
  o.end_object();
}

// SpendAnalyticsPaginatedResponse, paginated by day (page, page_size).
std::string activity_json(const ManagementCall& call, Store& store, const std::vector<DailySpendRow>& rows,
                          Entity entity) {
  std::map<std::int64_t, DayReport> days;
  Metrics total;
  for (const auto& r : rows) {
    auto& day = days[r.day];
    day.total.add(r.totals);
    day.models[r.model].add(r.totals);
    day.model_groups[r.model_group].add(r.totals);
    day.providers[r.provider].add(r.totals);
    day.api_keys[r.api_key].add(r.totals);
    day.entities[entity == Entity::user ? r.user_id : r.team_id].add(r.totals);
    total.add(r.totals);
  }
  const int page = query_int(call, "page", 1, 1, 1'000'000);
  const int page_size = query_int(call, "page_size", 50, 1, 1000);
  const auto count = static_cast<std::int64_t>(days.size());
  const std::int64_t first = std::min<std::int64_t>(count, static_cast<std::int64_t>(page - 1) * page_size);
  const std::int64_t last = std::min<std::int64_t>(count, first + page_size);
  Names names(store);
  JsonOut o;
  o.begin_object().key("results").begin_array();
  auto it = std::next(days.begin(), first);
  for (std::int64_t i = first; i < last; ++i, ++it) {
    const auto& [day, report] = *it;
    o.begin_object().field("date", day_text(day)).key("metrics");
    write_metrics(o, report.total);
    o.key("breakdown").begin_object().key("models");
    write_breakdown(o, report.models);
    o.key("model_groups");
    write_breakdown(o, report.model_groups);
    o.key("providers");
    write_breakdown(o, report.providers);
    o.key("mcp_servers").begin_object().end_object();
    o.key("api_keys").begin_object();
    for (const auto& [hash, metrics] : report.api_keys) {
      o.key(hash).begin_object().key("metrics");
      write_metrics(o, metrics);
      o.key("metadata");
      names.write_key(o, hash);
      o.end_object();
    }
    o.end_object().key("entities").begin_object();
    for (const auto& [id, metrics] : report.entities) {
      o.key(id).begin_object().key("metrics");
      write_metrics(o, metrics);
      o.key("metadata").begin_object();
      if (entity == Entity::team) o.field("team_alias", names.team_alias(id));
      o.end_object().end_object();
    }
    o.end_object().end_object().end_object();
  }
  o.end_array().key("metadata").begin_object();
  o.field("total_spend", total.spend)
      .field("total_prompt_tokens", total.prompt_tokens)
      .field("total_completion_tokens", total.completion_tokens)
      .field("total_tokens", total.prompt_tokens + total.completion_tokens)
      .field("total_api_requests", total.api_requests)
      .field("total_successful_requests", total.successful_requests)
      .field("total_failed_requests", total.failed_requests)
      .field("total_cache_read_input_tokens", std::int64_t{0})
      .field("total_cache_creation_input_tokens", std::int64_t{0})
      .field("page", static_cast<std::int64_t>(page))
      .field("total_pages", std::max<std::int64_t>(1, (count + page_size - 1) / page_size))
      .field("has_more", last < count);
  o.end_object().end_object();
  return o.str();
}

// The days, key and model every activity query takes; service accounts read none (403).
DailySpendFilter activity_filter(Store& store, const ManagementCall& call) {
  forbid_service_accounts(call.caller.actor);
  DailySpendFilter filter;
  set_days(call, filter);
  set_key(store, call, filter);
  filter.model = optional_query(call, "model");
  return filter;
}

http::Response user_daily_activity(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  auto filter = activity_filter(store, call);
  const auto user_id = optional_query(call, "user_id");
  if (user_id && *user_id != actor.user_id) {
    const auto user = load_visible_user(store, actor, *user_id);
    require(core::decide(actor, core::Action::read, user_target(store, user)), "user");
  }
  if (user_id) {
    filter.user_ids.push_back(*user_id);
  } else if (!is_admin_or_viewer(actor)) {
    filter.user_ids.push_back(actor.user_id.empty() ? kNoEntity : actor.user_id);  // everyone else: its own
  }
  return json_ok(activity_json(call, store, store.daily_spend(filter), Entity::user));
}

http::Response team_daily_activity(Store& store, const ManagementCall& call) {
  const auto& actor = call.caller.actor;
  auto filter = activity_filter(store, call);
  if (const auto ids = optional_query(call, "team_ids")) {
    for (const auto& id : comma_list(*ids)) {
      const auto team = load_visible_team(store, actor, id);
      require(core::decide(actor, core::Action::read, team_target(team)), "team '" + id + "'");
      filter.team_ids.push_back(id);
    }
  } else if (!is_admin_or_viewer(actor)) {
    filter.team_ids = actor.member_team_ids;  // everyone else: the teams it belongs to
    if (filter.team_ids.empty()) filter.team_ids.push_back(kNoEntity);
  }
  return json_ok(activity_json(call, store, store.daily_spend(filter), Entity::team));
}

// LiteLLM's /global/spend/report: per day, the spend of each team (group_by=team, the
// default), key (group_by=api_key) or end user (group_by=customer), each with its spend per
// key and model.
http::Response global_spend_report(Store& store, const ManagementCall& call) {
  core::Target global;
  global.resource = core::Resource::global_spend;
  require(core::decide(call.caller.actor, core::Action::read, global), "global spend");
  DailySpendFilter filter;
  set_days(call, filter);
  set_key(store, call, filter);
  if (const auto team = optional_query(call, "team_id")) filter.team_ids.push_back(*team);
  if (const auto user = optional_query(call, "internal_user_id")) filter.user_ids.push_back(*user);
  const auto group_by = optional_query(call, "group_by").value_or("team");
  if (group_by != "team" && group_by != "api_key" && group_by != "customer") {
    throw_bad_request("'group_by' must be team, api_key or customer", "group_by");
  }
  const auto customer = optional_query(call, "customer_id");
  // day → group → (key, model) → metrics
  std::map<std::int64_t, std::map<std::string, std::map<std::pair<std::string, std::string>, Metrics>>> days;
  for (const auto& r : store.daily_spend(filter)) {
    if (customer && r.end_user != *customer) continue;
    const auto& group = group_by == "team" ? r.team_id : group_by == "api_key" ? r.api_key : r.end_user;
    days[r.day][group][{r.api_key, r.model}].add(r.totals);
  }
  Names names(store);
  const char* list_name = group_by == "team" ? "teams" : group_by == "api_key" ? "api_keys" : "customers";
  JsonOut o;
  o.begin_array();
  for (const auto& [day, groups] : days) {
    o.begin_object().field("group_by_day", day_text(day) + "T00:00:00+00:00").key(list_name).begin_array();
    for (const auto& [group, items] : groups) {
      double total = 0;
      for (const auto& item : items) total += item.second.spend;
      o.begin_object();
      if (group_by == "team") {
        o.field("team_id", group).field("team_name", names.team_alias(group).value_or(group));
      } else if (group_by == "api_key") {
        o.field("api_key", group).key("key_metadata");
        names.write_key(o, group);
      } else {
        o.field("customer", group);
      }
      o.field("total_spend", total).key("metadata").begin_array();
      for (const auto& [key_model, metrics] : items) {
        o.begin_object()
            .field("api_key", key_model.first)
            .field("model", key_model.second)
            .field("spend", metrics.spend)
            .field("total_tokens", metrics.prompt_tokens + metrics.completion_tokens)
            .end_object();
      }
      o.end_array().end_object();
    }
    o.end_array().end_object();
  }
  o.end_array();
  return json_ok(o.str());
}

}  // namespace

void register_daily_activity_routes(http::Router& router, const GatewayContext& context) {
  auto add = [&](const char* path, ManagementWork work) {
    router.add(http::Method::get, path,
               [&context, work](const http::ExchangePtr& ex) { run_management(context, ex, work); });
  };
  add("/user/daily/activity", user_daily_activity);
  add("/team/daily/activity", team_daily_activity);
  add("/global/spend/report", global_spend_report);
}

}  // namespace tollgate::api
