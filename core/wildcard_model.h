#pragma once
// Wildcard deployments (LiteLLM's `model_name: "openai/*"` with `litellm_params.model:
// "openai/*"`): a model name with one '*' stands for every name it matches, and the part the
// '*' matched fills the '*' of the deployment's model. Pure, table-tested.
#include <optional>
#include <string>
#include <string_view>

namespace tollgate::core {

// True when `name` is a wildcard pattern: exactly one '*'. (LiteLLM also accepts several;
// Tollgate does not, so a model name such as "a*b*" is an ordinary name here.)
bool is_wildcard_pattern(std::string_view name);

// The non-empty text the '*' of `pattern` matches in `name` ("openai/*", "openai/gpt-4o" →
// "gpt-4o"); nullopt when `pattern` is not a wildcard or does not match.
std::optional<std::string_view> wildcard_capture(std::string_view pattern, std::string_view name);

// `target` with its '*' replaced by `captured` ("*", "gpt-4o" → "gpt-4o"); `target` unchanged
// when it has no '*'.
std::string fill_wildcard(std::string_view target, std::string_view captured);

// Of two patterns matching the same name, the one with more literal characters is the more
// specific and wins (LiteLLM sorts its pattern router the same way).
std::size_t wildcard_specificity(std::string_view pattern);

}  // namespace tollgate::core
