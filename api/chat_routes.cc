// POST /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/messages: validate, pick the
// model group, hand the request to the data plane.
#include "api/end_user_admission.h"
#include "api/inference_accounting.h"
#include "api/json_body.h"
#include "api/requested_model.h"
#include "api/responses_fields.h"
#include "api/routes.h"
#include "api/stored_responses.h"
#include "core/json_document.h"
#include "core/request_id.h"
#include "http/url.h"
#include "mcp/inference_tools.h"
#include "providers/openai_request.h"
#include "providers/prompt_tally.h"

namespace tollgate::api {
namespace {

using providers::Api;

// Sent on without them, the model would answer as if it had no tools (docs/mcp.md).
core::Status refuse_mcp_tools(const rapidjson::Document& request) {
  if (auto mcp_tool = mcp::mcp_tool_in_request(request)) {
    return core::bad_request(
        "MCP tools (type \"mcp\") are not run inside inference requests here: list and call them through /mcp",
        *mcp_tool);
  }
  return {};
}

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
      if (auto refused = refuse_mcp_tools(request); !refused) return refused;
      break;
    }
    case Api::openai_completion:
      if (!request.HasMember("prompt")) return core::bad_request("'prompt' is required", "prompt");
      break;
    case Api::openai_embedding:
      if (!request.HasMember("input")) return core::bad_request("'input' is required", "input");
      break;
    case Api::openai_responses:
      if (auto refused = refuse_mcp_tools(request); !refused) return refused;
      if (auto valid = validate_responses_fields(request); !valid) return valid;
      break;
    case Api::bedrock_converse:
    case Api::gemini_generate_content: break;  // spoken to providers only, never by a client
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
    case Api::openai_responses: return "aresponses";
    case Api::gemini_generate_content: return "generateContent";
  }
  return "acompletion";
}

// Azure OpenAI's routes name the deployment in the path (`{model}`, percent-decoded): it is the
// model group called, over any `model` in the body, as on LiteLLM's proxy.
core::Status name_model_from_path(const http::Exchange& exchange, rapidjson::Document& request) {
  std::string segment;  // a path keeps '+' as written: only a query spells a space so
  for (const char c : exchange.param("model")) {
    if (c == '+') {
      segment += "%2B";
    } else {
      segment += c;
    }
  }
  const auto model = http::url_decode(segment);
  if (!model) return core::bad_request("The deployment in the path is not validly percent-encoded", "model");
  rapidjson::Value value(model->data(), static_cast<rapidjson::SizeType>(model->size()), request.GetAllocator());
  if (const auto field = request.FindMember("model"); field != request.MemberEnd()) {
    field->value = std::move(value);
  } else {
    request.AddMember("model", std::move(value), request.GetAllocator());
  }
  return {};
}

// `model_in_path`: the route is Azure-shaped (/openai/deployments/{model}/…).
void handle_inference(const GatewayContext& context, const http::ExchangePtr& exchange, Api api,
                      bool model_in_path = false) {
  with_caller(context, exchange, [&context, exchange, api, model_in_path](const identity::Caller& caller) {
    auto request = std::make_shared<core::JsonDocument>();
    if (auto parsed = parse_json_object(exchange->body(), *request, context.max_json_depth()); !parsed) {
      http::respond_error(exchange, parsed.error());
      return;
    }
    if (model_in_path) {
      if (auto named = name_model_from_path(*exchange, *request); !named) {
        http::respond_error(exchange, named.error());
        return;
      }
    }
    if (auto valid = validate_fields(*request, api); !valid) {
      http::respond_error(exchange, valid.error());
      return;
    }
    const auto model = *providers::requested_model(*request);
    auto models = context.model_snapshot();
    auto identity = caller.identity;
    auto callable = callable_model(models->models(), identity.get(), model);
    if (!callable) {
      http::respond_error(exchange, callable.error());
      return;
    }
    const auto* group = callable->group;
    auto wildcard_capture = std::move(callable->wildcard_capture);
    auto end_user =
        tollgate::identity::end_user_id(exchange->header("x-litellm-end-user-id"), requested_end_user(*request),
                                        identity ? identity->end_user_id : std::nullopt);
    if (!end_user) {
      http::respond_error(exchange, end_user.error());
      return;
    }
    CallRecord record{exchange->request_id(), core::generate_time_ordered_id(),
                      call_type(api),         group->name,
                      unix_ms_now(),          *end_user};
    std::optional<core::SearchContextSize> search_size;  // only a chat completion names one
    if (api == Api::openai_chat) {
      auto asked = providers::requested_search_context_size(*request);
      if (!asked) {
        http::respond_error(exchange, asked.error());
        return;
      }
      search_size = *asked;
    }
    const auto tally = providers::tally_prompt(*request, api, exchange->body().size());
    const auto pricing = models->router->pricing(*group, wildcard_capture);
    if (auto bounded = refuse_unbounded_tools(tally, pricing); !bounded) {
      http::respond_error(exchange, bounded.error());
      return;
    }
    const auto tokens = request_tokens(tally, pricing, *request, search_size);
    // The rest waits for the owner of a previous_response_id (Responses API) when there is one.
    auto proceed = [&context, exchange, api, models = std::move(models), group, identity, record, tokens,
                    end_user_id = *end_user, request,
                    wildcard_capture = std::move(wildcard_capture)](const config::Deployment* pinned) mutable {
      auto start = [&context, exchange, api, models = std::move(models), group, identity, record, tokens, pinned,
                    request, wildcard_capture = std::move(wildcard_capture)](
                       std::shared_ptr<actors::AdmissionGrant> grant, http::Headers headers) {
        proxy::ProxyRequest call;
        call.models = models;
        call.api = api;
        call.body = request;
        call.group = group;
        call.pinned_deployment = pinned;
        call.wildcard_capture = wildcard_capture;
        call.prompt_tokens_estimate = tokens.typical_prompt;
        call.prompt_tokens_bound = tokens.prompt_bound;
        call.completion_tokens_bound = tokens.completion_bound;
        call.web_searches_bound = tokens.web_searches;
        call.search_context_size = tokens.search_context_size;
        call.received = exchange->received_at();
        call.extra_headers = std::move(headers);
        call.extra_headers.push_back({"x-litellm-call-id", record.call_id});
        call.on_finished = [&context, api, identity, grant, record](const proxy::CallOutcome& outcome) {
          if (api == Api::openai_responses)
            remember_response_owner(context, identity.get(), outcome, record.model_group);
          record_outcome(context, identity, grant.get(), outcome, record);
        };
        proxy::start_proxy_call(*context.client, exchange, std::move(call));
      };
      admit_with_end_user(context, exchange, identity, *group, tokens, end_user_id, std::move(start));
    };
    if (api != Api::openai_responses) {
      proceed(nullptr);
      return;
    }
    with_previous_response(
        context, exchange, caller, *request, *group,
        [exchange, proceed = std::move(proceed)](core::Result<const config::Deployment*> holder) mutable {
          if (!holder) {
            http::respond_error(exchange, holder.error());
            return;
          }
          proceed(*holder);
        });
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

void handle_azure_chat_completions(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Api::openai_chat, true);
}

void handle_azure_completions(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Api::openai_completion, true);
}

void handle_azure_embeddings(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Api::openai_embedding, true);
}

void handle_anthropic_messages(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Api::anthropic_messages);
}

void handle_responses(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_inference(context, exchange, Api::openai_responses);
}

}  // namespace tollgate::api
