// POST /v1/images/generations, /v1/audio/speech, /v1/audio/transcriptions, /v1/moderations and
// /v1/rerank: authenticate, check model access, reserve the most the call can cost (its unit
// bound at the group's highest unit price), call an OpenAI-wire deployment (api/media_call.h),
// settle the real cost and log the spend.
#include "api/inference_accounting.h"
#include "api/media_call.h"
#include "api/media_fields.h"
#include "api/requested_model.h"
#include "api/routes.h"
#include "core/request_id.h"

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

// The most a call to `group` can cost: its unit bound at the highest unit price of the
// group's deployments (media calls do not fall back to other groups).
double worst_case_cost(proxy::ModelRouter& router, const config::ModelGroup& group, MediaKind kind,
                       const core::MediaUnits& units) {
  double highest = 0;
  for (const auto* d : group.deployments) {
    const auto& price = *router.at(router.index_of(*d)).price;
    if (price) highest = std::max(highest, core::media_unit_price(kind, *price));
  }
  return units.bound * highest;
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
    MediaRequest request;
    request.group = group;
    request.kind = kind;
    request.path = std::string(upstream_path(kind));
    request.content_type = std::move(body->content_type);
    request.body_for = std::move(body->body_for);
    request.units = body->units;
    request.received = exchange->received_at();
    const double worst_case = worst_case_cost(*models->router, *group, kind, body->units);
    request.models = std::move(models);
    CallRecord record{exchange->request_id(),
                      core::generate_time_ordered_id(),
                      std::string(core::media_call_type(kind)),
                      group->name,
                      unix_ms_now(),
                      std::nullopt};
    request.extra_headers.push_back({"x-litellm-call-id", record.call_id});
    if (!identity) {  // the master key: no budgets or limits, spend still recorded
      start_call(context, exchange, std::move(request), identity, nullptr, std::move(record));
      return;
    }
    RequestTokens tokens;
    tokens.worst_case_cost = worst_case;
    admit_then(context, exchange, admission_for(*identity, *group, tokens),
               [&context, exchange, identity, request = std::move(request),
                record = std::move(record)](std::shared_ptr<actors::AdmissionGrant> grant) mutable {
                 for (auto& h : rate_headers(grant->headers)) request.extra_headers.push_back(std::move(h));
                 start_call(context, exchange, std::move(request), identity, std::move(grant), std::move(record));
               });
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
