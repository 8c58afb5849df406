#include "proxy/mock_answer.h"

#include <chrono>

#include "core/request_id.h"
#include "providers/mock_provider.h"
#include "providers/openai_format.h"
#include "providers/openai_request.h"
#include "providers/response_relay.h"

namespace tollgate::proxy {
namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<std::string> openai_stream(const providers::ChatCompletion& c, bool include_usage) {
  std::vector<std::string> events;
  const auto pieces = providers::mock_stream_pieces(c.content);
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    providers::ChatChunk chunk;
    chunk.id = c.id;
    chunk.model = c.model;
    chunk.created = c.created;
    chunk.first = i == 0;
    chunk.delta_content = pieces[i];
    events.push_back(providers::chat_chunk_event(chunk));
  }
  providers::ChatChunk last;
  last.id = c.id;
  last.model = c.model;
  last.created = c.created;
  last.finish_reason = c.finish_reason;
  events.push_back(providers::chat_chunk_event(last));
  if (include_usage) {
    providers::ChatChunk usage;
    usage.id = c.id;
    usage.model = c.model;
    usage.created = c.created;
    usage.usage = c.usage;
    events.push_back(providers::chat_chunk_event(usage));
  }
  events.emplace_back(providers::kDoneEvent);
  return events;
}

}  // namespace

MockAnswer mock_answer(const config::Deployment& deployment, providers::Api api, const rapidjson::Document& request,
                       std::string_view model_group) {
  MockAnswer out;
  if (api == providers::Api::openai_embedding) {
    const auto vectors = providers::mock_embeddings(request, out.usage);
    const auto format = request.FindMember("encoding_format");
    const bool base64 = format != request.MemberEnd() && format->value.IsString() &&
                        std::string_view(format->value.GetString()) == "base64";
    out.body = providers::embeddings_body(model_group, vectors, out.usage, base64);
    return out;
  }
  const auto reply = providers::mock_chat_reply(deployment, request);
  providers::ChatCompletion completion;
  completion.id = (api == providers::Api::openai_completion ? "cmpl-" : "chatcmpl-") + core::generate_request_id();
  completion.model = std::string(model_group);
  completion.created = unix_now();
  completion.content = reply.content;
  completion.finish_reason = reply.finish_reason;
  completion.usage = reply.usage;
  out.usage = reply.usage;
  const bool stream = providers::wants_stream(request);

  if (api == providers::Api::anthropic_messages) {
    // The mock speaks OpenAI; reuse the translators the real providers use.
    if (!stream) {
      // The mock's own body always translates.
      out.body = providers::finish_response(api, providers::Api::openai_chat,
                                            providers::chat_completion_body(completion), model_group)
                     ->body;
      return out;
    }
    out.stream = true;
    providers::StreamOptions options;
    options.model_group = std::string(model_group);
    options.input_tokens_estimate = reply.usage.prompt_tokens;
    auto relay = providers::make_stream_relay(api, providers::Api::openai_chat, options);
    for (const auto& event : openai_stream(completion, true)) {
      // event is "data: <payload>\n\n"
      providers::SseEvent e{"", event.substr(6, event.size() - 8)};
      auto bytes = relay->on_event(e);
      if (!bytes.empty()) out.events.push_back(std::move(bytes));
    }
    return out;
  }
  if (stream && api == providers::Api::openai_chat) {
    out.stream = true;
    out.events = openai_stream(completion, providers::wants_stream_usage(request));
    return out;
  }
  out.body = api == providers::Api::openai_completion ? providers::text_completion_body(completion)
                                                      : providers::chat_completion_body(completion);
  return out;
}

}  // namespace tollgate::proxy
