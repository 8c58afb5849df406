#include "core/cost_map.h"

#include <algorithm>
#include <array>
#include <iterator>

#include "core/web_search.h"

namespace tollgate::core {
namespace {

struct Entry {
  std::string_view model;
  ModelPrice price;
  std::int64_t max_output_tokens;  // the most one answer can have, as published
};

// A media model's price: one unit (image, character, second, query) at `usd`.
constexpr ModelPrice per_unit(double ModelPrice::*unit, double usd) {
  ModelPrice p;
  p.*unit = usd;
  return p;
}

// A token-priced media model (core/media_cost.h): text in and out, plus image or audio tokens
// on one side or both (a null member: none).
constexpr ModelPrice per_token_media(double input, double output, double ModelPrice::*kind_in, double in,
                                     double ModelPrice::*kind_out, double out) {
  ModelPrice p;
  p.input_per_token = input;
  p.output_per_token = output;
  if (kind_in) p.*kind_in = in;
  if (kind_out) p.*kind_out = out;
  return p;
}

// OpenAI's image prices (openai.com/api/pricing); LiteLLM has the same as input_cost_per_pixel
// rows ("hd/1024-x-1792/dall-e-3": 6.539e-8 × 1024 × 1792 = $0.120).
constexpr ImageSizePrice kDallE3Images[] = {
    {"standard", "1024x1024", 0.040}, {"standard", "1024x1792", 0.080}, {"standard", "1792x1024", 0.080},
    {"hd", "1024x1024", 0.080},       {"hd", "1024x1792", 0.120},       {"hd", "1792x1024", 0.120},
};
constexpr ImageSizePrice kDallE2Images[] = {
    {"standard", "1024x1024", 0.020},
    {"standard", "512x512", 0.018},
    {"standard", "256x256", 0.016},
};
constexpr ImagePrices kDallE3Prices{kDallE3Images, std::size(kDallE3Images), "1024x1024"};
constexpr ImagePrices kDallE2Prices{kDallE2Images, std::size(kDallE2Images), "1024x1024"};

// An image model priced by size and quality: output_per_image is its default image's price.
constexpr ModelPrice per_image_size(const ImagePrices& prices) {
  ModelPrice p;
  p.output_per_image = prices.rows[0].usd;  // the first row is the default
  p.image_sizes = &prices;
  return p;
}

// A chat model that searches the web on every call (OpenAI's search models): its token prices
// and the fee of the call's search by search_context_size low, medium and high (LiteLLM's
// search_context_cost_per_query); a call that names no size is charged its default's.
constexpr ModelPrice search_model(double input, double output, double low, double medium, double high) {
  ModelPrice p;
  p.input_per_token = input;
  p.output_per_token = output;
  p.per_web_search = high;
  p.per_web_search_by_size = {low, medium, high};
  p.searches_per_call = 1;
  return p;
}

// USD per token (list prices per million tokens / 1e6), as published by the providers, and
// the family's largest output (a family's newest snapshot may allow more than older ones).
// A plain array: its size follows the rows (a counted std::array broke every merge that added one).
constexpr Entry kModels[] = {
    // OpenAI's search models: $25/$27.50/$30 (mini) and $30/$35/$50 per 1,000 calls by
    // search_context_size low/medium/high.
    {"gpt-4o-mini-search-preview", search_model(0.15e-6, 0.60e-6, 0.025, 0.0275, 0.030), 16'384},
    {"gpt-4o-search-preview", search_model(2.50e-6, 10.00e-6, 0.030, 0.035, 0.050), 16'384},
    {"gpt-4o-mini", {0.15e-6, 0.60e-6, 0.075e-6}, 16'384},
    {"gpt-4o", {2.50e-6, 10.00e-6, 1.25e-6}, 16'384},
    {"gpt-4.1-nano", {0.10e-6, 0.40e-6, 0.025e-6}, 32'768},
    {"gpt-4.1-mini", {0.40e-6, 1.60e-6, 0.10e-6}, 32'768},
    {"gpt-4.1", {2.00e-6, 8.00e-6, 0.50e-6}, 32'768},
    {"gpt-4-turbo", {10.00e-6, 30.00e-6, 0}, 4'096},
    {"gpt-4", {30.00e-6, 60.00e-6, 0}, 32'768},  // the prefix also matches gpt-4-32k, gpt-4.5
    {"gpt-3.5-turbo", {0.50e-6, 1.50e-6, 0}, 4'096},
    {"gpt-5-mini", {0.25e-6, 2.00e-6, 0.025e-6}, 128'000},
    {"gpt-5-nano", {0.05e-6, 0.40e-6, 0.005e-6}, 128'000},
    {"gpt-5", {1.25e-6, 10.00e-6, 0.125e-6}, 128'000},
    {"o1-mini", {1.10e-6, 4.40e-6, 0.55e-6}, 65'536},
    {"o1", {15.00e-6, 60.00e-6, 7.50e-6}, 100'000},
    {"o3-mini", {1.10e-6, 4.40e-6, 0.55e-6}, 100'000},
    {"o3", {2.00e-6, 8.00e-6, 0.50e-6}, 100'000},
    {"o4-mini", {1.10e-6, 4.40e-6, 0.275e-6}, 100'000},
    {"text-embedding-3-small", {0.02e-6, 0, 0}, 0},
    {"text-embedding-3-large", {0.13e-6, 0, 0}, 0},
    {"text-embedding-ada-002", {0.10e-6, 0, 0}, 0},
    // Bedrock's embedding models, by their Bedrock ids (on-demand, us-east-1).
    {"amazon.titan-embed-text-v1", {0.10e-6, 0, 0}, 0},
    {"amazon.titan-embed-text-v2", {0.02e-6, 0, 0}, 0},
    {"cohere.embed-english-v3", {0.10e-6, 0, 0}, 0},
    {"cohere.embed-multilingual-v3", {0.10e-6, 0, 0}, 0},
    // Claude: cache reads at 0.1 × input, 5-minute cache writes at 1.25 × input.
    {"claude-3-5-sonnet", {3.00e-6, 15.00e-6, 0.30e-6, 3.75e-6}, 8'192},
    {"claude-3-7-sonnet", {3.00e-6, 15.00e-6, 0.30e-6, 3.75e-6}, 128'000},  // with the output-128k beta
    {"claude-sonnet-4", {3.00e-6, 15.00e-6, 0.30e-6, 3.75e-6}, 64'000},
    {"claude-3-5-haiku", {0.80e-6, 4.00e-6, 0.08e-6, 1.00e-6}, 8'192},
    {"claude-3-haiku", {0.25e-6, 1.25e-6, 0.03e-6, 0.30e-6}, 4'096},
    {"claude-haiku-4", {1.00e-6, 5.00e-6, 0.10e-6, 1.25e-6}, 64'000},
    {"claude-3-opus", {15.00e-6, 75.00e-6, 1.50e-6, 18.75e-6}, 4'096},
    {"claude-opus-4", {15.00e-6, 75.00e-6, 1.50e-6, 18.75e-6}, 64'000},
    {"claude-3-sonnet", {3.00e-6, 15.00e-6, 0}, 4'096},
    {"mistral-large", {2.00e-6, 6.00e-6, 0}, 131'072},  // no separate output limit: the context
    {"deepseek-chat", {0.27e-6, 1.10e-6, 0.07e-6}, 8'192},
    // Media models (core/media_cost.h). Images by size and quality (model_info's
    // output_cost_per_image, when set, is the price of every image instead).
    {"dall-e-3", per_image_size(kDallE3Prices), 0},
    {"dall-e-2", per_image_size(kDallE2Prices), 0},
    {"tts-1-hd", per_unit(&ModelPrice::input_per_character, 30.00e-6), 0},
    {"tts-1", per_unit(&ModelPrice::input_per_character, 15.00e-6), 0},
    {"whisper-1", per_unit(&ModelPrice::input_per_second, 0.0001), 0},  // $0.006 a minute
    {"omni-moderation", {}, 0},                                         // free
    {"text-moderation", {}, 0},                                         // free
    {"rerank-english-v3.0", per_unit(&ModelPrice::input_per_query, 0.002), 0},
    {"rerank-multilingual-v3.0", per_unit(&ModelPrice::input_per_query, 0.002), 0},
    {"rerank-v3.5", per_unit(&ModelPrice::input_per_query, 0.002), 0},
    // Token-priced media models (LiteLLM's rows): text input, image or audio tokens; the
    // transcription and speech models answer at most 2,000 tokens (OpenAI's model pages).
    {"gpt-image-1",
     per_token_media(5.00e-6, 0, &ModelPrice::input_per_image_token, 10.00e-6, &ModelPrice::output_per_image_token,
                     40.00e-6),
     0},
    {"gpt-4o-transcribe", per_token_media(2.50e-6, 10.00e-6, &ModelPrice::input_audio_per_token, 6.00e-6, nullptr, 0),
     2'000},
    {"gpt-4o-mini-transcribe",
     per_token_media(1.25e-6, 5.00e-6, &ModelPrice::input_audio_per_token, 3.00e-6, nullptr, 0), 2'000},
    {"gpt-4o-mini-tts", per_token_media(0.60e-6, 0, nullptr, 0, &ModelPrice::output_audio_per_token, 12.00e-6), 2'000},
};

// Exact name first, then the longest known prefix (dated snapshots share their family's row).
const Entry* find_model(std::string_view model) {
  const Entry* best = nullptr;
  for (const auto& e : kModels) {
    if (model == e.model) return &e;
    if (model.substr(0, e.model.size()) == e.model && (!best || e.model.size() > best->model.size())) {
      best = &e;
    }
  }
  return best;
}

}  // namespace

std::optional<ModelPrice> builtin_price(std::string_view model) {
  const Entry* e = find_model(model);
  return e ? std::optional<ModelPrice>(e->price) : std::nullopt;
}

std::optional<std::int64_t> builtin_max_output_tokens(std::string_view model) {
  const Entry* e = find_model(model);
  return e ? std::optional<std::int64_t>(e->max_output_tokens) : std::nullopt;
}

namespace {

double or_else(double price, double fallback) { return price > 0 ? price : fallback; }

// `part` of `whole` tokens, clamped to what is left of `whole`: a provider reporting more
// tokens of a kind than in total is wrong, and a call never costs below zero.
std::int64_t portion(std::int64_t part, std::int64_t& left) {
  const auto taken = std::max<std::int64_t>(0, std::min(part, left));
  left -= taken;
  return taken;
}

}  // namespace

double ModelPrice::highest_input_per_token() const {
  // A cached-token price above the input price (a misconfiguration) must not beat it.
  return std::max({input_per_token, cached_input_per_token, cache_creation_input_per_token, input_audio_per_token});
}

double ModelPrice::highest_output_per_token() const {
  return std::max({output_per_token, output_reasoning_per_token, output_audio_per_token});
}

double ModelPrice::web_search_fee() const { return or_else(per_web_search, kWebSearchFeeUsd); }

double ModelPrice::web_search_fee(std::optional<SearchContextSize> size) const {
  if (!size) return web_search_fee();
  return or_else(per_web_search_by_size[static_cast<std::size_t>(*size)], web_search_fee());
}

double cost_of(const Usage& usage, const ModelPrice& price, std::optional<SearchContextSize> search_size) {
  auto prompt_left = std::max<std::int64_t>(0, usage.prompt_tokens);
  const auto cached = portion(usage.cached_prompt_tokens, prompt_left);
  const auto created = portion(usage.cache_creation_prompt_tokens, prompt_left);
  const auto audio_in = portion(usage.audio_prompt_tokens, prompt_left);
  auto completion_left = std::max<std::int64_t>(0, usage.completion_tokens);
  const auto reasoning = portion(usage.reasoning_tokens, completion_left);
  const auto audio_out = portion(usage.audio_completion_tokens, completion_left);
  const auto at = [](std::int64_t tokens, double per_token) { return static_cast<double>(tokens) * per_token; };
  return at(prompt_left, price.input_per_token) +
         at(cached, or_else(price.cached_input_per_token, price.input_per_token)) +
         at(created, or_else(price.cache_creation_input_per_token, price.input_per_token)) +
         at(audio_in, or_else(price.input_audio_per_token, price.input_per_token)) +
         at(completion_left, price.output_per_token) +
         at(reasoning, or_else(price.output_reasoning_per_token, price.output_per_token)) +
         at(audio_out, or_else(price.output_audio_per_token, price.output_per_token)) +
         web_search_cost(std::max(usage.web_search_requests, price.searches_per_call),
                         price.web_search_fee(search_size));
}

std::optional<std::size_t> dearest_price(const std::vector<std::optional<ModelPrice>>& prices,
                                         std::int64_t prompt_bound, std::int64_t completion_bound) {
  std::optional<std::size_t> dearest;
  double highest = -1;
  for (std::size_t i = 0; i < prices.size(); ++i) {
    if (!prices[i]) continue;
    const double worst = static_cast<double>(prompt_bound) * prices[i]->highest_input_per_token() +
                         static_cast<double>(completion_bound) * prices[i]->highest_output_per_token();
    if (worst > highest) {
      highest = worst;
      dearest = i;
    }
  }
  return dearest;
}

}  // namespace tollgate::core
