#pragma once
// The bookkeeping every upstream call shares (chat in proxy/proxy_call.cc, media in
// api/media_call.cc): which deployment the next attempt goes to, what a failed attempt does to
// its metrics, failure count and cooldown, whether the call retries or falls back, and what it
// tells the client of its route and of why it gave up.
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

// Where a call's attempts go: the model group it asked for and the one of its current attempt
// (that group, or a fallback), the deployments of it that failed this request, and the retries
// and fallbacks taken, which every answer tells (append_routing_headers).
struct Route {
  explicit Route(const config::ModelGroup* requested_group) : requested(requested_group), group(requested_group) {}
  const config::ModelGroup* requested;
  const config::ModelGroup* group;
  std::vector<std::size_t> excluded;  // of `group`
  int attempts_in_group = 0;
  int retries = 0;
  int fallbacks = 0;
  std::size_t fallback_position = 0;  // in the requested group's fallback list (next_fallback)
};

// A deployment of route.group for the next attempt, skipping route.excluded (this request's
// failed ones) unless only they are left and none cools down: then they are cleared, so a retry
// may go back to a deployment that already failed. nullopt: every deployment cools down (or
// the group is empty); `all_cooling` tells which.
std::optional<RoutedDeployment> choose_for_attempt(ModelRouter& router, Route& route, bool& all_cooling);

// After a failed attempt of deployment `failed` of route.group, which is excluded from the next
// choice: whether the call tries its group again (the failure is retryable and the group's
// num_retries are not spent), counted as a retry.
bool retry_in_group(const ModelRouter& router, telemetry::ModelMetrics& metrics, core::FailureClass failure,
                    std::size_t failed, Route& route);

// Moves `route` on to the next group its requested group falls back to after `failure`
// (next_fallback), counted in the metrics; false when none is left, or for a malformed request,
// which fails the same way everywhere.
bool fall_back(const ModelRouter& router, telemetry::ModelMetrics& metrics, core::FailureClass failure, Route& route);

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
void append_routing_headers(http::Headers& headers, const Route& route);

// The error a call answers when every deployment of `group` cools down: 429, retry after the
// router's cooldown.
core::ApiError all_deployments_cooling(const ModelRouter& router, const config::ModelGroup& group);

// What a call that gave up on `group` tells the client: its last attempt's failure, upstream
// status (0: none) and message; for a refused credential, that (not the provider's words).
std::string gave_up_message(const config::ModelGroup& group, core::FailureClass failure, int status,
                            const std::string& upstream_message);

// The upstream's retry-after header in seconds, when it is a number (an HTTP date is ignored:
// the backoff falls back to the retry policy's own).
std::optional<double> retry_after_of(const http::Headers& headers);

// The error a call that gave up on `group` answers, chat and media alike: the status a client
// sees for its last attempt's failure (client_status_for), gave_up_message's text, and for a
// rate limit the upstream's retry-after (1 second when it gave none).
core::ApiError gave_up_error(const config::ModelGroup& group, core::FailureClass failure, int status,
                             const std::string& upstream_message, std::optional<double> retry_after);

// The status a client sees for an upstream failure it cannot fix by itself: a timeout 504, a
// missing model 404, a rate limit 429, a refused request its own 4xx (400 when none), a server
// error its own 5xx, a refused credential or a broken connection 502.
int client_status_for(core::FailureClass failure, int upstream_status);

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
