#pragma once
// Prices of common OpenAI and Anthropic models (USD per token, and per image, character,
// second or query for the media endpoints), overridable per deployment by model_info with
// LiteLLM's names (input_cost_per_token, output_cost_per_image, ...). An unknown model costs
// 0: the caller counts it in a warning metric, it never fails a request.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/search_context_size.h"
#include "core/usage.h"

namespace tollgate::core {

// One image of a quality and size, and its price: OpenAI prices each dall-e image by both.
struct ImageSizePrice {
  std::string_view quality;  // "standard", "hd"
  std::string_view size;     // "1024x1024", "1792x1024", ...
  double usd = 0;
};

// A model's images by quality and size (LiteLLM's "<quality>/<w>-x-<h>/<model>" rows), and the
// provider's defaults, which a request naming neither gets.
struct ImagePrices {
  const ImageSizePrice* rows = nullptr;
  std::size_t count = 0;
  std::string_view default_size;  // the quality has no default: see core/media_cost.h image_price
};

struct ModelPrice {
  double input_per_token = 0;
  double output_per_token = 0;
  double cached_input_per_token = 0;          // 0 → same as input
  double cache_creation_input_per_token = 0;  // 0 → same as input
  double output_reasoning_per_token = 0;      // 0 → same as output
  double input_audio_per_token = 0;           // 0 → same as input
  double output_audio_per_token = 0;          // 0 → same as output
  // Media endpoints (core/media_cost.h); 0 → that unit is free (or unknown).
  double output_per_image = 0;     // /v1/images/generations: each image generated
  double input_per_image = 0;      // each image sent in (image edits; not used for generations)
  double input_per_character = 0;  // /v1/audio/speech: each character of `input`
  double input_per_second = 0;     // /v1/audio/transcriptions: each second of audio
  double output_per_second = 0;    // audio generated, per second (not used: speech is priced per character)
  double input_per_query = 0;      // /v1/rerank: each search unit (Cohere's billed_units)
  // Token-priced image models (gpt-image-1): image tokens in and out; 0 → the token price.
  double input_per_image_token = 0;   // input_cost_per_image_token
  double output_per_image_token = 0;  // output_cost_per_image_token
  // Built-in dall-e prices by size and quality (core/media_cost.h: image_price); nullptr, or
  // when model_info sets output_cost_per_image: output_per_image for an image of any size.
  const ImagePrices* image_sizes = nullptr;
  // Each web search a server-side tool runs (core/web_search.h), at the dearest search context
  // size; 0 → kWebSearchFeeUsd.
  double per_web_search = 0;  // model_info.search_context_cost_per_query (its highest size)
  // A search's fee by the search context size the request asked for (OpenAI's search models,
  // core/search_context_size.h), indexed by SearchContextSize; 0 → per_web_search.
  std::array<double, kSearchContextSizes> per_web_search_by_size{};
  // A search model (OpenAI's gpt-4o-search-preview on chat completions) searches before every
  // answer and is billed per call, by its search context size, though its usage reports no
  // search: the searches each call is charged at least.
  std::int64_t searches_per_call = 0;

  // The most one token can cost on each side: what a worst-case reservation multiplies by.
  double highest_input_per_token() const;
  double highest_output_per_token() const;
  // What one web search costs: per_web_search, else Anthropic's list fee. A search the
  // provider reports is never free, whatever the model's row says.
  double web_search_fee() const;
  // What one web search at `size` costs: its per_web_search_by_size, else web_search_fee();
  // nullopt (a request that names no size: Anthropic's web search tool) → web_search_fee().
  double web_search_fee(std::optional<SearchContextSize> size) const;
};

// Built-in price of a provider model name ("gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022"):
// exact name first, then the longest known prefix (dated snapshots share their family's price).
std::optional<ModelPrice> builtin_price(std::string_view model);

// The longest answer a built-in model can give (0 for embedding models), matched like its price.
std::optional<std::int64_t> builtin_max_output_tokens(std::string_view model);

// Cost of a call: cached prompt tokens at the cached price when there is one, cache writes at
// the cache-write price, audio tokens at the audio prices and reasoning tokens at the
// reasoning price (each part of prompt_tokens / completion_tokens, never counted twice), plus
// each web search reported (at least searches_per_call) at web_search_fee(search_size): the
// size the request asked for, nullopt when it names none (the dearest counts).
double cost_of(const Usage& usage, const ModelPrice& price,
               std::optional<SearchContextSize> search_size = std::nullopt);

// Of several prices for one model (each deployment naming it), the index of the one whose
// worst case — prompt_bound tokens at its highest input price plus completion_bound at its
// highest output price — is the highest (the first among equals); nullopt when none is known.
std::optional<std::size_t> dearest_price(const std::vector<std::optional<ModelPrice>>& prices,
                                         std::int64_t prompt_bound, std::int64_t completion_bound);

}  // namespace tollgate::core
