#pragma once
// One finished inference call in LiteLLM's metric families (telemetry/litellm_metrics.h).
#include "api/inference_accounting.h"
#include "telemetry/litellm_metrics.h"

namespace tollgate::api {

// `identity` is null for the master key.
void count_litellm_call(telemetry::LitellmMetrics& metrics, const identity::KeyIdentity* identity,
                        const proxy::CallOutcome& outcome, const CallRecord& record, double cost);

}  // namespace tollgate::api
