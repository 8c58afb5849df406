// POST /v1/messages/count_tokens (Anthropic's token counting). For a model group with an
// Anthropic deployment, Anthropic's own count (api/provider_token_count.h: its tokenizer, free);
// otherwise, or when Anthropic cannot answer, the prompt's typical token count estimated in the
// gateway from the walk that sizes budget reservations (providers/prompt_tally.h). Nothing is
// spent either way, but each call is one request of the key, its team (or user) and its
// organization against their rpm limits: Anthropic's count is made with the gateway's
// credential, so a key must not make it without end. `x-tollgate-token-count` says which one
// answered.
#include "api/gateway_context.h"
#include "api/inference_accounting.h"
#include "api/json_body.h"
#include "api/provider_token_count.h"
#include "api/requested_model.h"
#include "api/routes.h"
#include "core/json_document.h"
#include "providers/openai_request.h"
#include "providers/prompt_tally.h"

namespace tollgate::api {
namespace {

void respond_count(const http::ExchangePtr& exchange, std::int64_t tokens, std::string_view source,
                   http::Headers headers) {
  auto response = http::json_response(200, "{\"input_tokens\":" + std::to_string(tokens) + "}");
  response.headers = std::move(headers);
  response.headers.push_back({"x-tollgate-token-count", std::string(source)});
  exchange->respond(std::move(response));
}

// The count, from Anthropic when the group has a deployment of it, else the estimate.
void count(const GatewayContext& context, const http::ExchangePtr& exchange, const config::ModelGroup& group,
           const rapidjson::Document& request, std::int64_t estimate, http::Headers headers) {
  const auto* counter = token_counting_deployment(group.deployments);
  if (!counter || !context.client) {
    respond_count(exchange, estimate, "estimate", std::move(headers));
    return;
  }
  count_tokens_upstream(
      *context.client, exchange, *counter, request,
      [exchange, estimate, headers = std::move(headers)](std::optional<std::int64_t> counted) mutable {
        if (counted) {
          respond_count(exchange, *counted, "provider", std::move(headers));
        } else {
          respond_count(exchange, estimate, "estimate", std::move(headers));
        }
      });
}

}  // namespace

void handle_count_tokens(const GatewayContext& context, const http::ExchangePtr& exchange) {
  with_caller(context, exchange, [&context, exchange](const identity::Caller& caller) {
    auto request = std::make_shared<core::JsonDocument>();
    if (auto parsed = parse_json_object(exchange->body(), *request, context.max_json_depth()); !parsed) {
      http::respond_error(exchange, parsed.error());
      return;
    }
    const auto model = providers::requested_model(*request);
    if (!model) {
      http::respond_error(exchange, core::bad_request("'model' is required and must be a string", "model"));
      return;
    }
    const auto messages = request->FindMember("messages");
    if (messages == request->MemberEnd() || !messages->value.IsArray()) {
      http::respond_error(exchange, core::bad_request("'messages' must be an array", "messages"));
      return;
    }
    auto models = context.model_snapshot();
    const auto callable = callable_group(models->models(), caller.identity.get(), *model);
    if (!callable) {
      http::respond_error(exchange, callable.error());
      return;
    }
    const auto* group = callable.value();
    const auto estimate =
        providers::tally_prompt(*request, providers::Api::anthropic_messages, exchange->body().size()).typical_tokens;
    if (!caller.identity) {  // the master key: no limits
      count(context, exchange, *group, *request, estimate, {});
      return;
    }
    // A request of no cost and no tokens: admission counts it against rpm (and refuses it at a
    // limit, or when a budget is already spent); settled at once with nothing, so it holds no
    // reservation or parallel slot while Anthropic counts.
    admit_then(context, exchange, admission_for(*caller.identity, *group, RequestTokens{}),
               [&context, exchange, models, group, request, estimate](std::shared_ptr<actors::AdmissionGrant> grant) {
                 context.admission->settle(*grant, 0.0, 0);
                 count(context, exchange, *group, *request, estimate, rate_headers(grant->headers));
               });
  });
}

}  // namespace tollgate::api
