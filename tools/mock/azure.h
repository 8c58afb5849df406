#pragma once
// Azure OpenAI's data-plane routes: POST /openai/deployments/{deployment}/chat/completions,
// /completions and /embeddings, each with `?api-version=` and an `api-key` header. The bodies
// and streams are OpenAI's; the deployment in the path, not the body, names the model. Pure;
// the handler routes and answers.
#include <optional>
#include <string>
#include <string_view>

#include "tools/mock/endpoint.h"

namespace tollgate::mock {

struct AzureRoute {
  std::string_view deployment;
  Endpoint endpoint = Endpoint::not_found;  // chat_completions, completions or embeddings
};

// nullopt when `path` (without its query) is not one of Azure's deployment routes.
std::optional<AzureRoute> azure_route_of(std::string_view path);

// What Azure would refuse (status 0 when nothing), in this order: 401 without an `api-key`
// header, or with one other than `expected_key` when that is set (else any key passes); 404
// "Resource not found" without a non-empty `api-version` query parameter, as Azure answers (not
// a 400); 400 "Unrecognized request argument supplied: stream_options" for a body with
// `stream_options` on a dated api-version before 2024-09-01 (2024-08-01-preview and older),
// which `openai_shape` says is answered in OpenAI's error format, as Azure answers it.
struct AzureProblem {
  int status = 0;
  std::string message;
  bool openai_shape = false;
};
AzureProblem azure_request_problem(std::string_view target, std::string_view api_key, std::string_view expected_key,
                                   std::string_view body);

// Azure's error body: {"error":{"code":"<status>","message":…}} (no `type`, no `param`).
void append_azure_error(std::string& out, int status, std::string_view message);

}  // namespace tollgate::mock
