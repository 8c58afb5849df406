// POST /v1/images/generations, /v1/audio/speech, /v1/audio/transcriptions, /v1/moderations and
// /v1/rerank: authenticate, check model access, reserve the most the call can cost (its unit
// bound at the group's highest unit price; an image at its size and quality), call an OpenAI-wire deployment
// (api/media_call.h), settle the real cost and log the spend.
#include "api/end_user_admission.h"
#include "api/inference_accounting.h"
#include "api/media_call.h"
#include "api/media_fields.h"
#include "api/requested_model.h"
#include "api/routes.h"
#include "core/request_id.h"
#include "proxy/attempt_outcome.h"

namespace tollgate::api {
namespace {

using core::MediaKind;

std::string_view upstream_path(MediaKind kind) {
  switch (kind) {
    case MediaKind::image_generation: return "/images/generations";
    case MediaKind::speech: return "/audio/speech";
    case MediaKind::transcription: return "/audio/transcriptions";
    case MediaKind::rerank: return "/rerank";
    case MediaKind::moderation: return "/moderations";
  }
  return "/moderations";
}

// The most a call to `group` can cost: the request's bound at the dearest deployment of the
// group and of the groups it may fall back to (per unit or per token, core/media_cost.h).
double worst_case_cost(proxy::ModelRouter& router, const config::ModelGroup& group,
                       const core::MediaRequestFacts& facts, std::int64_t max_output_tokens) {
  double highest = 0;
  for (const auto* reachable : proxy::reachable_groups(router.catalog(), router.settings(), group)) {
    for (const auto* d : reachable->deployments) {
      const auto& price = *router.at(router.index_of(*d)).price;
      if (price) highest = std::max(highest, core::media_cost_bound(facts, *price, max_output_tokens));
    }
  }
  return highest;
}

// An image size or quality a deployment of `group` has no price for is one its provider refuses
// too (dall-e-3 makes no 512x512 image): the client's error, told before anything is reserved,
// never priced as some other image.
core::Status check_image_options(proxy::ModelRouter& router, const config::ModelGroup& group,
                                 const core::MediaRequestFacts& facts) {
  if (facts.kind != MediaKind::image_generation) return {};
  for (const auto* d : group.deployments) {
    const auto& price = *router.at(router.index_of(*d)).price;
    if (!price) continue;
    if (auto ok = core::check_image_options(*price, group.name, facts.image_size, facts.image_quality); !ok) {
      return ok;
    }
  }
  return {};
}

void start_call(const GatewayContext& context, const http::ExchangePtr& exchange, MediaRequest request,
                const identity::KeyIdentityPtr& identity, std::shared_ptr<actors::AdmissionGrant> grant,
                CallRecord record) {
  request.on_finished = [&context, identity, grant, record = std::move(record)](const proxy::CallOutcome& outcome) {
    record_outcome(context, identity, grant.get(), outcome, record);
  };
  start_media_call(*context.client, exchange, std::move(request));
}

void handle_media(const GatewayContext& context, const http::ExchangePtr& exchange, MediaKind kind) {
  with_caller(context, exchange, [&context, exchange, kind](const identity::Caller& caller) {
    auto body = read_media_body(kind, exchange, context.max_json_depth());
    if (!body) {
      http::respond_error(exchange, body.error());
      return;
    }
    auto models = context.model_snapshot();
    auto identity = caller.identity;
    const auto callable = callable_group(models->models(), identity.get(), body->model);
    if (!callable) {
      http::respond_error(exchange, callable.error());
      return;
    }
    const auto* group = *callable;
    if (auto ok = check_image_options(*models->router, *group, body->facts); !ok) {
      http::respond_error(exchange, ok.error());
      return;
    }
    MediaRequest request;
    request.group = group;
    request.kind = kind;
    request.path = std::string(upstream_path(kind));
    request.content_type = std::move(body->content_type);
    request.body_for = std::move(body->body_for);
    request.facts = body->facts;
    request.max_output_tokens = models->router->pricing(*group).max_output_tokens;
    request.received = exchange->received_at();
    RequestTokens tokens;
    tokens.worst_case_cost = worst_case_cost(*models->router, *group, body->facts, request.max_output_tokens);
    request.models = std::move(models);
    auto end_user = tollgate::identity::end_user_id(exchange->header("x-litellm-end-user-id"), body->end_user,
                                                    identity ? identity->end_user_id : std::nullopt);
    if (!end_user) {
      http::respond_error(exchange, end_user.error());
      return;
    }
    CallRecord record{exchange->request_id(),
                      core::generate_time_ordered_id(),
                      std::string(core::media_call_type(kind)),
                      group->name,
                      unix_ms_now(),
                      *end_user};
    request.extra_headers.push_back({"x-litellm-call-id", record.call_id});
    auto start = [&context, exchange, identity, request = std::move(request), record = std::move(record)](
                     std::shared_ptr<actors::AdmissionGrant> grant, http::Headers headers) mutable {
      for (auto& h : headers) request.extra_headers.push_back(std::move(h));
      start_call(context, exchange, std::move(request), identity, std::move(grant), std::move(record));
    };
    admit_with_end_user(context, exchange, identity, *group, tokens, *end_user, std::move(start));
  });
}

}  // namespace

void handle_image_generations(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_media(context, exchange, MediaKind::image_generation);
}

void handle_audio_speech(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_media(context, exchange, MediaKind::speech);
}

void handle_audio_transcriptions(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_media(context, exchange, MediaKind::transcription);
}

void handle_moderations(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_media(context, exchange, MediaKind::moderation);
}

void handle_rerank(const GatewayContext& context, const http::ExchangePtr& exchange) {
  handle_media(context, exchange, MediaKind::rerank);
}

}  // namespace tollgate::api
