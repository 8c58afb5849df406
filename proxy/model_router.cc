#include "proxy/model_router.h"

#include <algorithm>
#include <random>

#include "core/output_limit.h"
#include "providers/registry.h"
#include "providers/written_output_limit.h"
#include "proxy/attempt_outcome.h"
#include "proxy/wildcard_deployment.h"

namespace tollgate::proxy {
namespace {

std::uint64_t next_random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

bool has_unit_prices(const config::ModelInfo& i) {
  return i.output_cost_per_reasoning_token || i.input_cost_per_audio_token || i.output_cost_per_audio_token ||
         i.output_cost_per_image || i.input_cost_per_image || i.input_cost_per_character || i.input_cost_per_second ||
         i.output_cost_per_second || i.input_cost_per_query || i.input_cost_per_image_token ||
         i.output_cost_per_image_token || i.search_context_cost_per_query;
}

// model_info's prices of reasoning and audio tokens, images, characters, seconds and queries.
core::ModelPrice with_unit_prices(core::ModelPrice p, const config::ModelInfo& i) {
  p.output_reasoning_per_token = i.output_cost_per_reasoning_token.value_or(p.output_reasoning_per_token);
  p.input_audio_per_token = i.input_cost_per_audio_token.value_or(p.input_audio_per_token);
  p.output_audio_per_token = i.output_cost_per_audio_token.value_or(p.output_audio_per_token);
  if (i.output_cost_per_image) {  // the configured price is every image's, whatever its size
    p.output_per_image = *i.output_cost_per_image;
    p.image_sizes = nullptr;
  }
  p.input_per_image = i.input_cost_per_image.value_or(p.input_per_image);
  p.input_per_character = i.input_cost_per_character.value_or(p.input_per_character);
  p.input_per_second = i.input_cost_per_second.value_or(p.input_per_second);
  p.output_per_second = i.output_cost_per_second.value_or(p.output_per_second);
  p.input_per_query = i.input_cost_per_query.value_or(p.input_per_query);
  p.input_per_image_token = i.input_cost_per_image_token.value_or(p.input_per_image_token);
  p.output_per_image_token = i.output_cost_per_image_token.value_or(p.output_per_image_token);
  if (const auto& fees = i.search_context_cost_per_query) {  // by size; a search costs at most the highest
    p.per_web_search_by_size = *fees;
    p.per_web_search = *std::max_element(fees->begin(), fees->end());
  }
  return p;
}

// The longest answer a request that sets no max_tokens can get from `d`: the limit the gateway
// writes into it (every HTTP provider writes one for a model nobody described:
// providers/written_output_limit.h), else the model's known maximum. The in-process mock's
// unknown models count at the same written limit.
std::int64_t max_output_of(const config::Deployment& d) {
  if (const auto added = providers::provider_of(d).max_tokens_added(d)) return *added;  // the gateway's own limit
  return providers::known_max_output(d).value_or(core::kWrittenOutputLimit);
}

}  // namespace

std::optional<core::ModelPrice> ModelRouter::price_of(const config::Deployment& d) {
  auto price = core::builtin_price(providers::provider_of(d).catalog_model(d));
  if (d.info.input_cost_per_token || d.info.output_cost_per_token) {
    core::ModelPrice custom = price.value_or(core::ModelPrice{});
    if (d.info.input_cost_per_token) custom.input_per_token = *d.info.input_cost_per_token;
    if (d.info.output_cost_per_token) custom.output_per_token = *d.info.output_cost_per_token;
    if (d.info.cache_read_input_token_cost)
      custom.cached_input_per_token = *d.info.cache_read_input_token_cost;
    else if (d.info.input_cost_per_token)
      custom.cached_input_per_token = 0;
    if (d.info.cache_creation_input_token_cost)
      custom.cache_creation_input_per_token = *d.info.cache_creation_input_token_cost;
    else if (d.info.input_cost_per_token)
      custom.cache_creation_input_per_token = 0;  // written at the configured input price
    price = custom;
  }
  if (has_unit_prices(d.info)) price = with_unit_prices(price.value_or(core::ModelPrice{}), d.info);
  return price;
}

ModelRouter::ModelRouter(std::shared_ptr<const config::ModelCatalog> catalog)
    : catalog_(std::move(catalog)),
      strategy_(core::parse_routing_strategy(catalog_->config().router.routing_strategy)) {
  for (const auto& d : catalog_->config().model_list) {
    health_.push_back(std::make_unique<DeploymentHealth>(d.weight, d.rpm.value_or(0), d.tpm.value_or(0)));
    urls_.push_back(d.provider == core::ProviderKind::mock ? std::nullopt : http::parse_upstream_url(d.api_base));
    prices_.push_back(price_of(d));
  }
  // Worst case per group: its own deployments and every group it may fall back to.
  const auto& router = catalog_->config().router;
  for (const auto& group : catalog_->groups()) {
    const auto reachable = reachable_groups(*catalog_, router, group);
    GroupPricing p;
    p.max_output_tokens = 0;
    bool every_context_known = true;
    for (const auto* g : reachable) {
      for (const auto* d : g->deployments) {
        const auto& price = prices_[index_of(*d)];
        if (price) {
          // Every kind of token at its own price (cached, audio, reasoning): the highest bounds them all.
          p.max_input_price = std::max(p.max_input_price, price->highest_input_per_token());
          p.max_output_price = std::max(p.max_output_price, price->highest_output_per_token());
          p.include_searches_of(*price);
        }
        p.max_output_tokens = std::max(p.max_output_tokens, max_output_of(*d));
        every_context_known = every_context_known && d->info.max_input_tokens.has_value();
        if (d->info.max_input_tokens) {
          p.max_input_tokens = std::max(p.max_input_tokens.value_or(0), *d->info.max_input_tokens);
        }
      }
    }
    if (!every_context_known) p.max_input_tokens.reset();
    group_pricing_.emplace(&group, p);
  }
}

void GroupPricing::include_searches_of(const core::ModelPrice& price) {
  max_web_search_fee = std::max(max_web_search_fee, price.web_search_fee());
  for (std::size_t i = 0; i < max_web_search_fee_by_size.size(); ++i) {
    max_web_search_fee_by_size[i] =
        std::max(max_web_search_fee_by_size[i], price.web_search_fee(static_cast<core::SearchContextSize>(i)));
  }
  max_searches_per_call = std::max(max_searches_per_call, price.searches_per_call);
}

double GroupPricing::web_search_fee(std::optional<core::SearchContextSize> size) const {
  return size ? max_web_search_fee_by_size[static_cast<std::size_t>(*size)] : max_web_search_fee;
}

const GroupPricing& ModelRouter::pricing(const config::ModelGroup& group) const { return group_pricing_.at(&group); }

GroupPricing ModelRouter::pricing(const config::ModelGroup& group, std::string_view captured) const {
  auto p = pricing(group);
  if (captured.empty()) return p;
  bool every_context_known = p.max_input_tokens.has_value();
  for (const auto* d : group.deployments) {
    if (!is_wildcard_deployment(*d)) continue;
    const auto concrete = concrete_deployment(*d, captured);
    if (const auto price = price_of(concrete)) {
      p.max_input_price = std::max({p.max_input_price, price->input_per_token, price->cached_input_per_token});
      p.max_output_price = std::max(p.max_output_price, price->output_per_token);
      p.include_searches_of(*price);
    }
    p.max_output_tokens = std::max(p.max_output_tokens, max_output_of(concrete));
    every_context_known = every_context_known && concrete.info.max_input_tokens.has_value();
  }
  if (!every_context_known) p.max_input_tokens.reset();
  return p;
}

std::size_t ModelRouter::index_of(const config::Deployment& deployment) const {
  return static_cast<std::size_t>(&deployment - catalog_->config().model_list.data());
}

RoutedDeployment ModelRouter::at(std::size_t index) {
  const auto& d = catalog_->config().model_list[index];
  return {&d, index, health_[index].get(), urls_[index] ? &*urls_[index] : nullptr, &prices_[index]};
}

std::optional<RoutedDeployment> ModelRouter::choose(const config::ModelGroup& group,
                                                    const std::vector<std::size_t>& excluded, bool& all_cooling) {
  const auto now = Clock::now();
  std::vector<core::DeploymentView> views;
  views.reserve(group.deployments.size());
  all_cooling = true;
  for (const auto* d : group.deployments) {
    const auto index = index_of(*d);
    auto view = health_[index]->view(now);
    view.excluded = std::find(excluded.begin(), excluded.end(), index) != excluded.end();
    all_cooling = all_cooling && view.cooling_down;
    views.push_back(view);
  }
  if (settings().disable_cooldowns) {
    for (auto& v : views) v.cooling_down = false;
    all_cooling = false;
  }
  const auto chosen = core::choose_deployment(strategy_, views, next_random());
  if (!chosen) return std::nullopt;
  return at(index_of(*group.deployments[*chosen]));
}

std::chrono::seconds ModelRouter::retry_after_cooldown() const {
  // Cooldowns last cooldown_time; a client retrying after that long finds a deployment back.
  return std::chrono::duration_cast<std::chrono::seconds>(settings().cooldown_time) + std::chrono::seconds(1);
}

}  // namespace tollgate::proxy
