#pragma once
// The bookkeeping every upstream call shares (chat in proxy/proxy_call.cc, media in
// api/media_call.cc): which deployment the next attempt goes to, and what a failed attempt
// does to its metrics, failure count and cooldown.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/api_error.h"
#include "core/retry_policy.h"
#include "http/client.h"
#include "http/response.h"
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

// The attempt in progress abandoned because the client left: `call` cancelled (and reset when
// there is one), counted as cancelled rather than failed — not the deployment's fault.
void cancel_attempt(std::shared_ptr<http::OutboundCall>& call, const RoutedDeployment& attempt,
                    telemetry::ModelMetrics& metrics);

// The routing headers every answer of a call carries, success or error (LiteLLM's names): the
// model group, and the retries and fallbacks it took.
void append_routing_headers(http::Headers& headers, const std::string& group, int retries, int fallbacks);

// The error a call answers when every deployment of `group` cools down: 429, retry after the
// router's cooldown.
core::ApiError all_deployments_cooling(const ModelRouter& router, const config::ModelGroup& group);

// What a call that gave up on `group` tells the client: its last attempt's failure, upstream
// status (0: none) and message; for a refused credential, that (not the provider's words).
std::string gave_up_message(const config::ModelGroup& group, core::FailureClass failure, int status,
                            const std::string& upstream_message);

// The groups a request for `group` may reach: itself, then the model groups its fallbacks and
// context-window fallbacks name (router_settings), in that order.
std::vector<const config::ModelGroup*> reachable_groups(const config::ModelCatalog& catalog,
                                                        const config::RouterSettings& settings,
                                                        const config::ModelGroup& group);

// The model group a call for `requested`, now failing with `failure` in `current`, falls back
// to next (the context-window list for a context-window failure when it has an entry for
// `requested`), moving `position` through that list; nullptr when none is left.
const config::ModelGroup* next_fallback(const ModelRouter& router, const config::ModelGroup& requested,
                                        const config::ModelGroup& current, core::FailureClass failure,
                                        std::size_t& position);

}  // namespace tollgate::proxy
