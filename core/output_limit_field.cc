#include "core/output_limit_field.h"

#include "core/starts_with.h"
#include "core/url_split.h"

namespace tollgate::core {
namespace {

constexpr std::string_view kMaxTokens = "max_tokens";
constexpr std::string_view kMaxCompletionTokens = "max_completion_tokens";

// "o1", "o3-mini", "o4-mini-2025-04-16": an 'o', one digit, then the end or a '-'.
bool is_o_series(std::string_view m) {
  return m.size() >= 2 && m[0] == 'o' && m[1] >= '1' && m[1] <= '9' && (m.size() == 2 || m[2] == '-');
}

// The host of "scheme://host[:port][/path]"; "" when the authority does not split.
std::string_view host_of(std::string_view url) {
  const auto split = split_host_port(split_url(url).host_port);
  return split ? split->host : std::string_view{};
}

}  // namespace

bool is_openai_reasoning_model(std::string_view model) { return is_o_series(model) || starts_with(model, "gpt-5"); }

std::string_view chat_output_limit_field(ProviderKind kind, std::string_view api_base, std::string_view model) {
  if (is_openai_reasoning_model(model)) return kMaxCompletionTokens;
  if (kind == ProviderKind::openai && host_of(api_base) == "api.openai.com") return kMaxCompletionTokens;
  return kMaxTokens;
}

}  // namespace tollgate::core
