// POST /v1/messages/count_tokens (Anthropic's token counting). For a model group with an
// Anthropic deployment, Anthropic's own count (api/provider_token_count.h: its tokenizer, free);
// otherwise, or when Anthropic cannot answer, the prompt's typical token count estimated in the
// gateway from the walk that sizes budget reservations (providers/prompt_tally.h). Nothing is
// spent either way. `x-tollgate-token-count` says which one answered.
#include "api/json_body.h"
#include "api/provider_token_count.h"
#include "api/requested_model.h"
#include "api/routes.h"
#include "providers/openai_request.h"
#include "providers/prompt_tally.h"

namespace tollgate::api {
namespace {

void respond_count(const http::ExchangePtr& exchange, std::int64_t tokens, std::string_view source) {
  auto response = http::json_response(200, "{\"input_tokens\":" + std::to_string(tokens) + "}");
  response.headers.push_back({"x-tollgate-token-count", std::string(source)});
  exchange->respond(std::move(response));
}

}  // namespace

void handle_count_tokens(const GatewayContext& context, const http::ExchangePtr& exchange) {
  with_caller(context, exchange, [&context, exchange](const identity::Caller& caller) {
    rapidjson::Document request;
    if (auto parsed = parse_json_object(exchange->body(), request, context.max_json_depth()); !parsed) {
      http::respond_error(exchange, parsed.error());
      return;
    }
    const auto model = providers::requested_model(request);
    if (!model) {
      http::respond_error(exchange, core::bad_request("'model' is required and must be a string", "model"));
      return;
    }
    const auto messages = request.FindMember("messages");
    if (messages == request.MemberEnd() || !messages->value.IsArray()) {
      http::respond_error(exchange, core::bad_request("'messages' must be an array", "messages"));
      return;
    }
    const auto models = context.model_snapshot();
    const auto callable = callable_group(models->models(), caller.identity.get(), *model);
    if (!callable) {
      http::respond_error(exchange, callable.error());
      return;
    }
    const auto estimate =
        providers::tally_prompt(request, providers::Api::anthropic_messages, exchange->body().size()).typical_tokens;
    const auto* counter = token_counting_deployment(callable.value()->deployments);
    if (!counter || !context.client) {
      respond_count(exchange, estimate, "estimate");
      return;
    }
    count_tokens_upstream(*context.client, exchange, *counter, request,
                          [exchange, estimate](std::optional<std::int64_t> counted) {
                            if (counted) {
                              respond_count(exchange, *counted, "provider");
                            } else {
                              respond_count(exchange, estimate, "estimate");
                            }
                          });
  });
}

}  // namespace tollgate::api
