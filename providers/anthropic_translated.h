#pragma once
// For providers whose answers are first translated to Anthropic Messages (Bedrock's Converse,
// Gemini's generateContent): the client's body from the translated message, and a stream relay
// whose events are translated to Anthropic's, then relayed to the client's API by the relay that
// serves Anthropic upstreams. The usage is the provider's own, as its translator read it.
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "providers/response_relay.h"
#include "providers/translation.h"

namespace tollgate::providers {

// `anthropic`: the upstream body translated to an Anthropic message (its error, a 502, passes
// through); `usage` as the translation read it. An OpenAI client gets it translated once more.
core::Result<ClientBody> client_body_from_anthropic_message(Api client_api, Translation anthropic, core::Usage usage,
                                                            std::string_view model_group);

// `Translator` has on_event(const SseEvent&) → std::vector<SseEvent>, usage() and usage_found().
template <class Translator>
class AnthropicTranslatedRelay : public StreamRelay {
 public:
  AnthropicTranslatedRelay(Api client_api, std::string message_id, StreamOptions options)
      : translator_(std::move(message_id), options.model_group, options.input_tokens_estimate),
        inner_(make_stream_relay(client_api, Api::anthropic_messages, std::move(options))) {}

  std::string on_event(const SseEvent& event) override {
    std::string out;
    for (const auto& translated : translator_.on_event(event)) out += inner_->on_event(translated);
    return out;
  }
  bool finished() const override { return inner_->finished(); }
  core::Usage usage() const override { return translator_.usage(); }
  bool usage_found() const override { return translator_.usage_found(); }
  std::string error_tail(std::string_view message) const override { return inner_->error_tail(message); }

 private:
  Translator translator_;
  std::unique_ptr<StreamRelay> inner_;
};

}  // namespace tollgate::providers
