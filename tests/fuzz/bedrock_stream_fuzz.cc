// Bedrock's answers as the gateway reads them: the binary event stream (lengths, CRCs, headers)
// fed in pieces the input's first byte chooses, each decoded message through the ConverseStream
// → Anthropic relay; and the whole input as a Converse response body. A corrupt frame stops the
// decoder (the attempt fails), never the process.
#include <cstdint>
#include <string_view>
#include <vector>

#include "providers/bedrock/converse_response.h"
#include "providers/bedrock/converse_stream.h"
#include "providers/bedrock/event_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tollgate;
  if (size < 1) return 0;
  const std::size_t step = 1 + data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);

  core::Usage usage;
  (void)providers::bedrock::anthropic_message_from_converse(bytes, "msg_fuzz", "model-group", usage);

  eventstream::Decoder decoder;
  providers::bedrock::ConverseToAnthropicStream relay("msg_fuzz", "model-group", 10);
  std::vector<eventstream::Message> messages;
  while (!bytes.empty()) {
    const auto piece = bytes.substr(0, step);
    bytes.remove_prefix(piece.size());
    if (!decoder.feed(piece, messages)) break;
    for (const auto& m : messages) {
      auto type = m.header(":event-type");
      if (type.empty()) type = m.header(":exception-type");
      (void)relay.on_event(providers::SseEvent{std::string(type), m.payload});
    }
    messages.clear();
  }
  (void)relay.usage();
  return 0;
}
