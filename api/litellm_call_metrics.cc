#include "api/litellm_call_metrics.h"

namespace tollgate::api {
namespace {

telemetry::LitellmCallLabels call_labels(const identity::KeyIdentity* identity, const proxy::CallOutcome& outcome,
                                         const CallRecord& record) {
  telemetry::LitellmCallLabels l;
  l.requested_model = record.model_group;
  if (const auto* d = outcome.deployment) {
    l.model = d->upstream_model;
    l.model_id = d->info.id;
    l.api_provider = d->provider_prefix;
  }
  if (identity == nullptr) return l;
  const auto& key = identity->key;
  if (!identity->jwt_role) {  // a JWT is no stored key: no key labels
    l.hashed_api_key = key.token_hash;
    l.api_key_alias = key.key_alias.value_or("");
  }
  if (identity->team) {
    l.team = identity->team->team_id;
    l.team_alias = identity->team->team_alias.value_or("");
  }
  if (identity->user) {
    l.user = identity->user->user_id;
    l.user_email = identity->user->user_email.value_or("");
  }
  l.end_user = identity->end_user_id.value_or("");
  return l;
}

}  // namespace

void count_litellm_call(telemetry::LitellmMetrics& metrics, const identity::KeyIdentity* identity,
                        const proxy::CallOutcome& outcome, const CallRecord& record, double cost) {
  telemetry::LitellmCallFigures f;
  f.success = outcome.success;
  f.status = outcome.status != 0 ? outcome.status : (outcome.success ? 200 : 500);
  f.spend = cost;
  f.input_tokens = outcome.usage.prompt_tokens;
  f.output_tokens = outcome.usage.completion_tokens;
  f.seconds = static_cast<double>(unix_ms_now() - record.start_ms) / 1000.0;
  metrics.call_finished(call_labels(identity, outcome, record), f);
}

}  // namespace tollgate::api
