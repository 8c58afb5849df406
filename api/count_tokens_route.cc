// POST /v1/messages/count_tokens (Anthropic's token counting): the prompt's typical token count,
// estimated in the gateway from the same walk over the request that sizes budget reservations
// (providers/prompt_tally.h) — no tokenizer, no upstream call, nothing spent.
#include "api/json_body.h"
#include "api/requested_model.h"
#include "api/routes.h"
#include "providers/openai_request.h"
#include "providers/prompt_tally.h"

namespace tollgate::api {

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
    if (auto callable = callable_group(models->models(), caller.identity.get(), *model); !callable) {
      http::respond_error(exchange, callable.error());
      return;
    }
    const auto tally = providers::tally_prompt(request, providers::Api::anthropic_messages, exchange->body().size());
    exchange->respond(http::json_response(200, "{\"input_tokens\":" + std::to_string(tally.typical_tokens) + "}"));
  });
}

}  // namespace tollgate::api
