#include "providers/anthropic_translated.h"

#include "providers/anthropic_response.h"

namespace tollgate::providers {

core::Result<ClientBody> client_body_from_anthropic_message(Api client_api, Translation anthropic, core::Usage usage,
                                                            std::string_view model_group) {
  if (!anthropic) return std::move(anthropic).error();
  ClientBody out;
  out.usage = usage;
  out.usage_found = usage.total() > 0;
  if (client_api == Api::anthropic_messages) {
    out.body = std::move(anthropic).value();
    return out;
  }
  core::Usage ignored;
  auto openai = openai_chat_response_from_anthropic(*anthropic, model_group, ignored);
  if (!openai) return core::bad_gateway("The upstream response could not be translated: " + openai.error().message);
  out.body = std::move(openai).value();
  return out;
}

}  // namespace tollgate::providers
