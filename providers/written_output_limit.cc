#include "providers/written_output_limit.h"

#include "core/cost_map.h"
#include "core/output_limit.h"
#include "core/output_limit_field.h"
#include "providers/passthrough_output_limit.h"
#include "providers/registry.h"

namespace tollgate::providers {
namespace {

core::OutputLimitDecision unasked_limit(const config::Deployment& d, const core::AskedOutputLimit& asked) {
  return core::decide_output_limit(asked, known_max_output(d), core::kWrittenOutputLimit, true);
}

bool produces_text(Api upstream_api) {
  return upstream_api == Api::openai_chat || upstream_api == Api::openai_completion ||
         upstream_api == Api::openai_responses;
}

}  // namespace

std::string_view output_limit_field(const config::Deployment& d, Api upstream_api) {
  if (upstream_api == Api::openai_completion) return "max_tokens";
  if (upstream_api == Api::openai_responses) return "max_output_tokens";
  return core::chat_output_limit_field(d.provider, d.api_base, provider_of(d).catalog_model(d));
}

std::optional<std::int64_t> known_max_output(const config::Deployment& d) {
  if (d.info.max_output_tokens) return d.info.max_output_tokens;
  if (d.info.max_tokens) return d.info.max_tokens;
  return core::builtin_max_output_tokens(provider_of(d).catalog_model(d));
}

std::optional<std::int64_t> openai_wire_limit_added(const config::Deployment& d) {
  return unasked_limit(d, {}).written;
}

core::Result<std::optional<OutputLimitWrite>> openai_wire_written_limit(const config::Deployment& d, Api upstream_api,
                                                                        const rapidjson::Value& request) {
  if (!produces_text(upstream_api) || !request.IsObject()) return std::optional<OutputLimitWrite>();
  // Chat, completions, Responses and Anthropic Messages all keep their limit at the top level,
  // under any of max_completion_tokens, max_tokens, max_output_tokens.
  constexpr auto kTopLevel = core::PassthroughShape::openai_chat;
  const auto decision = unasked_limit(d, asked_output_limit(request, kTopLevel));
  if (decision.refused) {
    return core::unreadable_output_limit(d.model_name,
                                         unreadable_limit_field(request, kTopLevel).value_or("max_tokens"));
  }
  if (!decision.written) return std::optional<OutputLimitWrite>();
  return std::optional<OutputLimitWrite>(OutputLimitWrite{output_limit_field(d, upstream_api), *decision.written});
}

}  // namespace tollgate::providers
