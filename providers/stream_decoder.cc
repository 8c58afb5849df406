#include "providers/stream_decoder.h"

namespace tollgate::providers {
namespace {

class SseDecoder : public StreamDecoder {
 public:
  void feed(std::string_view bytes, std::vector<SseEvent>& out) override { parser_.feed(bytes, out); }
  void finish(std::vector<SseEvent>& out) override { parser_.finish(out); }

 private:
  SseParser parser_;
};

}  // namespace

std::unique_ptr<StreamDecoder> make_sse_decoder() { return std::make_unique<SseDecoder>(); }

}  // namespace tollgate::providers
