#pragma once
// The bookkeeping every upstream call shares (chat in proxy/proxy_call.cc, media in
// api/media_call.cc): which deployment the next attempt goes to, and what a failed attempt
// does to its metrics, failure count and cooldown.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/retry_policy.h"
#include "proxy/model_router.h"

namespace tollgate::telemetry {
class ModelMetrics;
}

namespace tollgate::proxy {

// A deployment of `group` for the next attempt, skipping `excluded` (this request's failed
// ones) unless only they are left and none cools down: then `excluded` is cleared, so a retry
// may go back to a deployment that already failed. nullopt: every deployment cools down (or
// the group is empty); `all_cooling` tells which.
std::optional<RoutedDeployment> choose_for_attempt(ModelRouter& router, const config::ModelGroup& group,
                                                   std::vector<std::size_t>& excluded, bool& all_cooling);

// A failed attempt of `deployment` (of `group`) that started at `attempt_start`: its duration
// and error class in the metrics, its failure counted, and a cooldown when the router's rules
// say so (logged with the request id).
void note_failed_attempt(ModelRouter& router, telemetry::ModelMetrics& metrics, const RoutedDeployment& deployment,
                         const config::ModelGroup& group, core::FailureClass failure,
                         std::chrono::steady_clock::time_point attempt_start, const std::string& request_id);

}  // namespace tollgate::proxy
