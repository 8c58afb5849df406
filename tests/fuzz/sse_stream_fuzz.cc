// The SSE parser and the stream relays behind it, on an upstream's bytes: the input is split
// into chunks at the points its first bytes choose (a stream arrives in arbitrary pieces), and
// every event goes through both translating relays (Anthropic → OpenAI chunks, OpenAI chunks →
// Anthropic events).
#include <cstdint>
#include <string_view>
#include <vector>

#include "providers/anthropic_from_openai_stream.h"
#include "providers/anthropic_stream.h"
#include "providers/sse_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tollgate::providers;
  if (size < 2) return 0;
  const std::size_t step = 1 + (data[0] % 64);
  const bool include_usage = data[1] & 1;
  std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);

  SseParser parser;
  AnthropicToOpenAIStream to_openai("model-group", include_usage, 1700000000);
  OpenAIToAnthropicStream to_anthropic("model", 12);
  std::vector<SseEvent> events;
  auto relay = [&] {
    for (const auto& event : events) {
      (void)to_openai.on_event(event);
      (void)to_anthropic.on_data(event.data);
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
  return 0;
}
