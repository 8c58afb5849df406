// The SSE parser and the stream relays behind it, on an upstream's bytes: the input is split
// into chunks at the points its first bytes choose (a stream arrives in arbitrary pieces), and
// every event goes through both translating relays (Anthropic → OpenAI chunks, OpenAI chunks →
// Anthropic events), the generated-text tally of each wire format (what a cut stream is charged)
// and the pass-through's usage reader in each provider's format.
#include <cstdint>
#include <string_view>
#include <vector>

#include "api/passthrough_usage.h"
#include "providers/anthropic_from_openai_stream.h"
#include "providers/anthropic_stream.h"
#include "providers/sse_parser.h"
#include "providers/stream_text.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tollgate::providers;
  if (size < 2) return 0;
  const std::size_t step = 1 + (data[0] % 64);
  const bool include_usage = data[1] & 1;
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  SseParser parser;
  AnthropicToOpenAIStream to_openai("model-group", include_usage, 1700000000);
  OpenAIToAnthropicStream to_anthropic("model", 12);
  using tollgate::core::ProviderKind;
  tollgate::api::PassthroughUsage passthrough[] = {tollgate::api::PassthroughUsage(ProviderKind::anthropic, 3, 1000),
                                                   tollgate::api::PassthroughUsage(ProviderKind::openai),
                                                   tollgate::api::PassthroughUsage(ProviderKind::gemini),
                                                   tollgate::api::PassthroughUsage(ProviderKind::bedrock)};
  std::vector<SseEvent> events;
  auto relay = [&] {
    for (const auto& event : events) {
      (void)to_openai.on_event(event);
      (void)to_anthropic.on_data(event.data);
      for (const auto api : {Api::anthropic_messages, Api::openai_chat, Api::openai_responses}) {
        (void)stream_event_text_tokens(api, event.data);
      }
      for (auto& usage : passthrough) usage.on_event(event);
    }
    events.clear();
  };
  while (!stream.empty()) {
    const auto piece = stream.substr(0, step);
    stream.remove_prefix(piece.size());
    parser.feed(piece, events);
    relay();
  }
  parser.finish(events);
  relay();
  (void)to_openai.usage();
  (void)to_anthropic.usage();
  for (const auto& usage : passthrough) (void)usage.usage_cut_short(data[1] >> 1);
  return 0;
}
