#include "core/search_context_size.h"

namespace tollgate::core {

std::optional<SearchContextSize> search_context_size_named(std::string_view name) {
  if (name == "low") return SearchContextSize::low;
  if (name == "medium") return SearchContextSize::medium;
  if (name == "high") return SearchContextSize::high;
  return std::nullopt;
}

}  // namespace tollgate::core
