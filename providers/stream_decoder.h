#pragma once
// Splits the bytes of a streamed upstream answer into events. Most providers speak SSE;
// others (AWS's binary event stream) decode into the same SseEvent shape, so relays and the
// proxy need not know the framing.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "providers/sse_parser.h"

namespace tollgate::providers {

class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  // Appends every event completed by `bytes` to `out`.
  virtual void feed(std::string_view bytes, std::vector<SseEvent>& out) = 0;
  // End of stream: a last event that had no terminator, if the framing allows one.
  virtual void finish(std::vector<SseEvent>& out) = 0;
  // Why the stream cannot be read further (a corrupt frame), "" while it can.
  virtual std::string_view broken() const { return {}; }
};

std::unique_ptr<StreamDecoder> make_sse_decoder();

}  // namespace tollgate::providers
