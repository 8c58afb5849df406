#pragma once
// The server-sent events of streamed answers, in order. Framing for the wire (chunked
// encoding, pacing) is the caller's job.
#include <string>
#include <vector>

#include "tools/mock/responses.h"

namespace tollgate::mock {

struct SseEvent {
  std::string text;      // complete event, including the blank line that ends it
  bool content = false;  // carries a piece of the reply: these are the paced events
};

// OpenAI chat: `chunks` chat.completion.chunk events (the first delta has role "assistant"),
// a finish chunk, a usage chunk when `include_usage`, then [DONE].
std::vector<SseEvent> chat_stream(const Completion& c, int chunks, bool include_usage);

// OpenAI legacy completions: the same shape with text_completion chunks.
std::vector<SseEvent> completion_stream(const Completion& c, int chunks, bool include_usage);

// Anthropic Messages: message_start, ping, content_block_start, `chunks` content_block_delta,
// content_block_stop, message_delta, message_stop.
std::vector<SseEvent> anthropic_stream(const Completion& c, int chunks);

// `malformed` when streaming: an event whose data is cut-off JSON, then the end marker.
std::vector<SseEvent> malformed_stream(bool anthropic);

}  // namespace tollgate::mock
