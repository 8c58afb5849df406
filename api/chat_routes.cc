// POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/messages: validate, pick the
// model group, hand the request to the data plane.
#include "api/inference_accounting.h"
#include "api/json_body.h"
#include "api/requested_model.h"
#include "api/routes.h"
#include "core/request_id.h"
#include "mcp/inference_tools.h"
#include "providers/openai_request.h"
#include "providers/prompt_tally.h"

namespace tollgate::api {
namespace {

using providers::Api;

core::Status validate_fields(const rapidjson::Document& request, Api api) {
  const auto model = providers::requested_model(request);
  if (!model) {
    return core::bad_request("'model' is required and must be a string", "model");
  }
  if (auto refused = refuse_nul(*model, "model"); !refused) return refused;
  switch (api) {
    case Api::openai_chat:
    case Api::anthropic_messages: {
      const auto messages = request.FindMember("messages");
      if (messages == request.MemberEnd() || !messages->value.IsArray() || messages->value.Empty()) {
        return core::bad_request("'messages' must be a non-empty array", "messages");
      }
      // Sent on without them, the model would answer as if it had no tools (docs/mcp.md).
      if (auto mcp_tool = mcp::mcp_tool_in_request(request)) {
        return core::bad_request(
            "MCP tools (type \"mcp\") are not run inside inference requests here: list and call them through /mcp",
            *mcp_tool);
      }
      break;
    }
    case Api::openai_completion:
      if (!request.HasMember("prompt")) return core::bad_request("'prompt' is required", "prompt");
      break;
    case Api::openai_embedding:
      if (!request.HasMember("input")) return core::bad_request("'input' is required", "input");
      break;
    case Api::bedrock_converse: break;  // spoken to providers only, never by a client
  }
  if (const auto stream = request.FindMember("stream"); stream != request.MemberEnd() && !stream->value.IsBool()) {
    return core::bad_request("'stream' must be a boolean", "stream");
  }
  return {};
}

std::string call_type(Api api) {
  switch (api) {
    case Api::openai_chat: return "acompletion";
    case Api::openai_completion: return "atext_completion";
    case Api::openai_embedding: return "aembedding";
    case Api::anthropic_messages: return "anthropic_messages";
    case Api::bedrock_converse: return "converse";
  }
  return "acompletion";
}

core::ApiError unknown_model(std::string_view model) {
  auto error = core::not_found("The model '" + std::string(model) + "' does not exist or you do not have access to it");
  error.code = "model_not_found";
  error.param = "model";
  return error;
}

void handle_inference(const GatewayContext& context, const http::ExchangePtr& exchange, Api api) {
  with_caller(context, exchange, [&context, exchange, api](const identity::Caller& caller) {
    auto request = std::make_shared<rapidjson::Document>();
    if (auto parsed = parse_json_object(exchange->body(), *request, context.max_json_depth()); !parsed) {
      http::respond_error(exchange, parsed.error());
      return;
    }
    if (auto valid = validate_fields(*request, api); !valid) {
      http::respond_error(exchange, valid.error());
      return;
    }
    const auto model = *providers::requested_model(*request);
    auto models = context.model_snapshot();
    auto identity = caller.identity;
    const auto requested = find_requested_model(models->models(), identity.get(), model);
    const auto* group = requested.group;
    if (group == nullptr) {
      http::respond_error(exchange, unknown_model(model));
      return;
    }
    if (identity && !requested_model_allowed(*identity, requested)) {
      http::respond_error(exchange,
                          core::forbidden("This key is not allowed to use the model '" + std::string(model) + "'"));
      return;
    }
    CallRecord record{exchange->request_id(), core::generate_time_ordered_id(), call_type(api), group->name,
                      unix_ms_now()};
    const auto tokens = request_tokens(providers::tally_prompt(*request, api, exchange->body().size()),
                                       models->router->pricing(*group), *request);
    auto start = [&context, exchange, api, models = std::move(models), group, identity, record, tokens](
                     std::shared_ptr<rapidjson::Document> body, std::shared_ptr<actors::AdmissionGrant> grant,
                     http::Headers headers) {
      proxy::ProxyRequest call;
      call.models = models;
      call.api = api;
      call.body = std::move(body);
      call.group = group;
      call.prompt_tokens_estimate = tokens.typical_prompt;
      call.completion_tokens_bound = tokens.completion_bound;
      call.received = exchange->received_at();
      call.extra_headers = std::move(headers);
      call.extra_headers.push_back({"x-litellm-call-id", record.call_id});
      call.on_finished = [&context, identity, grant, record](const proxy::CallOutcome& outcome) {
        record_outcome(context, identity, grant.get(), outcome, record);
      };
      proxy::start_proxy_call(*context.client, exchange, std::move(call));
    };
    if (!identity) {  // the master key: no budgets or limits, spend still recorded
      start(std::move(request), nullptr, {});
      return;
    }
    auto admission = admission_for(*identity, *group, tokens);
    admission.abandoned = [exchange] { return exchange->client_gone(); };
    // A budget still loading answers from an actor thread: resume on the exchange's executor.
    auto admitted = [&context, exchange, start, request](actors::AdmissionResult result) mutable {
      if (!result) {
        http::respond_error(exchange, result.error());
        return;
      }
      if (exchange->client_gone()) {  // hung up while its budget was loading
        context.admission->release(*result);
        return;
      }
      auto grant = std::make_shared<actors::AdmissionGrant>(std::move(result).value());
      auto headers = rate_headers(grant->headers);
      start(std::move(request), std::move(grant), std::move(headers));
    };
    context.admission->admit(std::move(admission), http::bind_executor(exchange, std::move(admitted)));
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
