#pragma once
// Prices of common OpenAI and Anthropic models (USD per token, and per image, character,
// second or query for the media endpoints), overridable per deployment by model_info with
// LiteLLM's names (input_cost_per_token, output_cost_per_image, ...). An unknown model costs
// 0: the caller counts it in a warning metric, it never fails a request.
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/usage.h"

namespace tollgate::core {

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
  // Each web search a server-side tool runs (core/web_search.h); 0 → kWebSearchFeeUsd.
  double per_web_search = 0;  // model_info.search_context_cost_per_query

  // The most one token can cost on each side: what a worst-case reservation multiplies by.
  double highest_input_per_token() const;
  double highest_output_per_token() const;
  // What one web search costs: per_web_search, else Anthropic's list fee. A search the
  // provider reports is never free, whatever the model's row says.
  double web_search_fee() const;
};

// Built-in price of a provider model name ("gpt-4o-2024-08-06", "claude-3-5-sonnet-20241022"):
// exact name first, then the longest known prefix (dated snapshots share their family's price).
std::optional<ModelPrice> builtin_price(std::string_view model);

// The longest answer a built-in model can give (0 for embedding models), matched like its price.
std::optional<std::int64_t> builtin_max_output_tokens(std::string_view model);

// Cost of a call: cached prompt tokens at the cached price when there is one, cache writes at
// the cache-write price, audio tokens at the audio prices and reasoning tokens at the
// reasoning price (each part of prompt_tokens / completion_tokens, never counted twice), plus
// each web search reported at web_search_fee().
double cost_of(const Usage& usage, const ModelPrice& price);

}  // namespace tollgate::core
