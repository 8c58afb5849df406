// POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/messages: validate, pick the
// model group, hand the request to the data plane.
#include "api/json_body.h"
#include "api/routes.h"
#include "providers/openai_request.h"

namespace tollgate::api {
namespace {

using providers::Api;

std::optional<core::ApiError> validate_fields(const rapidjson::Document& request, Api api) {
  const auto model = providers::requested_model(request);
  if (!model) {
    return core::bad_request("'model' is required and must be a string", "model");
  }
  switch (api) {
    case Api::openai_chat:
    case Api::anthropic_messages: {
      const auto messages = request.FindMember("messages");
      if (messages == request.MemberEnd() || !messages->value.IsArray() || messages->value.Empty()) {
        return core::bad_request("'messages' must be a non-empty array", "messages");
      }
      break;
    }
    case Api::openai_completion:
      if (!request.HasMember("prompt")) return core::bad_request("'prompt' is required", "prompt");
      break;
    case Api::openai_embedding:
      if (!request.HasMember("input")) return core::bad_request("'input' is required", "input");
      break;
  }
  if (const auto stream = request.FindMember("stream"); stream != request.MemberEnd() && !stream->value.IsBool()) {
    return core::bad_request("'stream' must be a boolean", "stream");
  }
  return std::nullopt;
}

core::ApiError unknown_model(std::string_view model) {
  auto error = core::not_found("The model '" + std::string(model) +
                               "' does not exist or you do not have access to it");
  error.code = "model_not_found";
  error.param = "model";
  return error;
}

void handle_inference(const GatewayContext& context, const http::ExchangePtr& exchange, Api api) {
  with_caller(context, exchange, [&context, exchange, api](const identity::Caller&) {
    auto request = std::make_shared<rapidjson::Document>();
    if (auto error = parse_json_object(exchange->body(), *request)) {
      http::respond_error(exchange, *error);
      return;
    }
    if (auto error = validate_fields(*request, api)) {
      http::respond_error(exchange, *error);
      return;
    }
    const auto model = *providers::requested_model(*request);
    const auto* group = context.models().find(model);
    if (group == nullptr) {
      http::respond_error(exchange, unknown_model(model));
      return;
    }
    proxy::ProxyRequest call;
    call.api = api;
    call.body = std::move(request);
    call.group = group;
    call.received = exchange->received_at();
    proxy::start_proxy_call(context.proxy, exchange, std::move(call));
  });
}

}  // namespace

void handle_chat_completions(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Api::openai_chat);
}

void handle_completions(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Api::openai_completion);
}

void handle_embeddings(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Api::openai_embedding);
}

void handle_anthropic_messages(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Api::anthropic_messages);
}

}  // namespace tollgate::api
