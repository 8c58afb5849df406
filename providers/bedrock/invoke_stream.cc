#include "providers/bedrock/invoke_stream.h"

#include <openssl/evp.h>

#include <algorithm>

#include <rapidjson/document.h>

#include "providers/bedrock/converse_stream.h"
#include "providers/json_util.h"
#include "providers/stream_text.h"

namespace tollgate::providers::bedrock {
namespace {

class InvokeStreamRelay : public StreamRelay {
 public:
  InvokeStreamRelay(Api client_api, StreamOptions options)
      : input_estimate_(options.input_tokens_estimate),
        completion_bound_(options.completion_tokens_bound),
        inner_(make_stream_relay(client_api, Api::anthropic_messages, std::move(options))) {}

  std::string on_event(const SseEvent& event) override {
    if (is_exception_event(event.event)) {
      interrupted_ = true;
      return inner_->on_event(anthropic_error_from_exception(event));
    }
    started_ = true;
    if (event.event == "message_delta") final_usage_ = true;
    streamed_tokens_ += stream_event_text_tokens(Api::anthropic_messages, event.data);
    return inner_->on_event(event);
  }
  bool finished() const override { return inner_->finished(); }
  // After an exception without the final usage: the gateway's rule for interrupted streams —
  // the prompt as reported (else the estimate), the text streamed as completion at least,
  // within the reservation's bound. An exception before any event: nothing was generated.
  core::Usage usage() const override {
    auto usage = inner_->usage();
    if (!interrupted_ || final_usage_ || !started_) return usage;
    if (!inner_->usage_found()) usage.prompt_tokens = input_estimate_;
    auto streamed = streamed_tokens_;
    if (completion_bound_ > 0) streamed = std::min(streamed, completion_bound_);
    usage.completion_tokens = std::max(usage.completion_tokens, streamed);
    return usage;
  }
  bool usage_found() const override { return inner_->usage_found(); }
  std::string error_tail(std::string_view message) const override { return inner_->error_tail(message); }

 private:
  std::int64_t input_estimate_;
  std::int64_t completion_bound_;
  std::unique_ptr<StreamRelay> inner_;
  bool started_ = false;      // an event came before the exception
  bool interrupted_ = false;  // an exception message came
  bool final_usage_ = false;  // message_delta carried the answer's output tokens
  std::int64_t streamed_tokens_ = 0;
};

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int written =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (written < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

std::optional<SseEvent> anthropic_event_from_chunk(std::string_view payload) {
  rapidjson::Document chunk;
  if (!json::parse(payload, chunk) || !chunk.IsObject()) return std::nullopt;
  const auto* bytes = json::member(chunk, "bytes");
  if (bytes == nullptr || !bytes->IsString()) return std::nullopt;
  auto data = base64_decode({bytes->GetString(), bytes->GetStringLength()});
  if (!data) return std::nullopt;
  rapidjson::Document event;
  if (!json::parse(*data, event) || !event.IsObject()) return std::nullopt;
  const auto type = json::string_or(event, "type");
  if (type.empty()) return std::nullopt;
  return SseEvent{std::string(type), std::move(*data)};
}

std::unique_ptr<StreamRelay> make_invoke_stream_relay(Api client_api, StreamOptions options) {
  return std::make_unique<InvokeStreamRelay>(client_api, std::move(options));
}

}  // namespace tollgate::providers::bedrock
