#pragma once
// OpenAI's search models (gpt-4o-search-preview, gpt-4o-mini-search-preview) bill each call
// by the search context size the request asks for in web_search_options.search_context_size:
// "low", "medium" or "high", "medium" when absent (OpenAI's default). LiteLLM prices it as
// search_context_cost_per_query {search_context_size_low, _medium, _high}.
#include <cstddef>
#include <optional>
#include <string_view>

namespace tollgate::core {

enum class SearchContextSize : std::size_t { low = 0, medium = 1, high = 2 };

inline constexpr std::size_t kSearchContextSizes = 3;  // an array indexed by SearchContextSize

// What a request that names no size is billed at.
inline constexpr SearchContextSize kDefaultSearchContextSize = SearchContextSize::medium;

// "low", "medium", "high" (exactly, as OpenAI accepts them); nullopt for anything else.
std::optional<SearchContextSize> search_context_size_named(std::string_view name);

}  // namespace tollgate::core
