// POST /v1/chat/completions, /v1/completions, /v1/embeddings
#include <chrono>

#include "api/json_body.h"
#include "api/routes.h"
#include "core/request_id.h"
#include "providers/mock_provider.h"
#include "providers/openai_format.h"
#include "providers/openai_request.h"

namespace tollgate::api {
namespace {

enum class Endpoint { chat, completion, embedding };

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Validates the fields every endpoint needs; returns the model group or answers an error.
const config::ModelGroup* resolve_group(const GatewayContext& context,
                                        const http::ExchangePtr& exchange,
                                        const rapidjson::Document& request, Endpoint endpoint) {
  const auto model = providers::requested_model(request);
  if (!model) {
    http::respond_error(exchange, core::bad_request("'model' is required and must be a string", "model"));
    return nullptr;
  }
  if (endpoint == Endpoint::chat) {
    const auto messages = request.FindMember("messages");
    if (messages == request.MemberEnd() || !messages->value.IsArray() || messages->value.Empty()) {
      http::respond_error(exchange,
                          core::bad_request("'messages' must be a non-empty array", "messages"));
      return nullptr;
    }
  }
  if (endpoint == Endpoint::completion && !request.HasMember("prompt")) {
    http::respond_error(exchange, core::bad_request("'prompt' is required", "prompt"));
    return nullptr;
  }
  if (endpoint == Endpoint::embedding && !request.HasMember("input")) {
    http::respond_error(exchange, core::bad_request("'input' is required", "input"));
    return nullptr;
  }
  const auto* group = context.models().find(*model);
  if (group == nullptr) {
    auto error = core::not_found("The model '" + std::string(*model) +
                                 "' does not exist or you do not have access to it");
    error.code = "model_not_found";
    error.param = "model";
    http::respond_error(exchange, error);
    return nullptr;
  }
  return group;
}

http::Headers routing_headers(const config::Deployment& deployment) {
  return {{"x-litellm-model-id", deployment.info.id},
          {"x-litellm-model-group", deployment.model_name},
          {"x-litellm-attempted-retries", "0"},
          {"x-litellm-attempted-fallbacks", "0"}};
}

void answer_with_mock(const http::ExchangePtr& exchange, const config::Deployment& deployment,
                      const rapidjson::Document& request, Endpoint endpoint) {
  auto headers = routing_headers(deployment);
  if (endpoint == Endpoint::embedding) {
    core::Usage usage;
    const auto vectors = providers::mock_embeddings(request, usage);
    http::Response response = http::json_response(200, providers::embeddings_body(deployment.model_name, vectors, usage));
    response.headers = std::move(headers);
    exchange->respond(std::move(response));
    return;
  }
  const auto reply = providers::mock_chat_reply(deployment, request);
  providers::ChatCompletion completion;
  completion.id = (endpoint == Endpoint::chat ? "chatcmpl-" : "cmpl-") + core::generate_request_id();
  completion.model = deployment.model_name;
  completion.created = unix_now();
  completion.content = reply.content;
  completion.finish_reason = reply.finish_reason;
  completion.usage = reply.usage;

  if (endpoint == Endpoint::chat && providers::wants_stream(request)) {
    exchange->start_stream(200, std::move(headers), "text/event-stream");
    const auto pieces = providers::mock_stream_pieces(completion.content);
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      providers::ChatChunk chunk;
      chunk.id = completion.id;
      chunk.model = completion.model;
      chunk.created = completion.created;
      chunk.first = i == 0;
      chunk.delta_content = pieces[i];
      exchange->send_chunk(providers::chat_chunk_event(chunk));
    }
    providers::ChatChunk last;
    last.id = completion.id;
    last.model = completion.model;
    last.created = completion.created;
    last.finish_reason = completion.finish_reason;
    exchange->send_chunk(providers::chat_chunk_event(last));
    if (providers::wants_stream_usage(request)) {
      providers::ChatChunk usage;
      usage.id = completion.id;
      usage.model = completion.model;
      usage.created = completion.created;
      usage.usage = completion.usage;
      exchange->send_chunk(providers::chat_chunk_event(usage));
    }
    exchange->send_chunk(std::string(providers::kDoneEvent));
    exchange->finish_stream();
    return;
  }
  http::Response response = http::json_response(
      200, endpoint == Endpoint::chat ? providers::chat_completion_body(completion)
                                      : providers::text_completion_body(completion));
  response.headers = std::move(headers);
  exchange->respond(std::move(response));
}

void handle_inference(const GatewayContext& context, const http::ExchangePtr& exchange,
                      Endpoint endpoint) {
  with_caller(context, exchange, [&context, exchange, endpoint](const Caller&) {
    rapidjson::Document request;
    if (auto error = parse_json_object(exchange->body(), request)) {
      http::respond_error(exchange, *error);
      return;
    }
    const auto* group = resolve_group(context, exchange, request, endpoint);
    if (group == nullptr) {
      return;
    }
    const config::Deployment& deployment = *group->deployments.front();
    if (deployment.provider != core::ProviderKind::mock) {
      http::respond_error(exchange, core::ApiError{501,
                                                   "Provider '" + deployment.provider_prefix +
                                                       "' is not available in this build yet",
                                                   "not_implemented", {}, {}, {}});
      return;
    }
    answer_with_mock(exchange, deployment, request, endpoint);
  });
}

}  // namespace

void handle_chat_completions(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Endpoint::chat);
}

void handle_completions(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Endpoint::completion);
}

void handle_embeddings(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Endpoint::embedding);
}

}  // namespace tollgate::api
