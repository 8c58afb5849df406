#pragma once
// The model group an inference request or /v1/models names, through the caller's model
// aliases (core/model_alias.h): the key's own, else its team's.
#include <string>
#include <string_view>
#include <vector>

#include "config/model_catalog.h"
#include "core/model_alias.h"
#include "core/result.h"
#include "identity/key_identity.h"

namespace tollgate::api {

struct RequestedModel {
  const config::ModelGroup* group = nullptr;  // null: no such group (or the alias's target is missing)
  core::ResolvedModel resolved;               // views into `identity` and the requested name
  // Reached through a wildcard group ("openai/*"): what its '*' matched ("gpt-4o"); empty
  // otherwise. Model access then applies to the concrete name, not to the pattern.
  std::string_view wildcard_capture;
};

// `identity` is null for the master key, which has no aliases.
RequestedModel find_requested_model(const config::ModelCatalog& models, const identity::KeyIdentity* identity,
                                    std::string_view requested);

// The key's, team's and organization's models lists for a group reached directly or by alias
// (core/model_access.h).
bool requested_model_allowed(const identity::KeyIdentity& identity, const RequestedModel& requested);

// The group a request may call and, for a wildcard group, what its '*' matched (the proxy
// call fills the deployment's model with it: proxy/wildcard_deployment.h).
struct CallableModel {
  const config::ModelGroup* group = nullptr;
  std::string wildcard_capture;
};
core::Result<CallableModel> callable_model(const config::ModelCatalog& models, const identity::KeyIdentity* identity,
                                           std::string_view requested);

// The group a request may call: 404 (model_not_found) when there is none, 403 when the key
// may not use it. `identity` is null for the master key, which may use every group.
core::Result<const config::ModelGroup*> callable_group(const config::ModelCatalog& models,
                                                       const identity::KeyIdentity* identity,
                                                       std::string_view requested);

// What /v1/models lists for the caller: every model group it may call, then each of its
// aliases it may call whose name is not already listed.
std::vector<std::string> callable_model_names(const config::ModelCatalog& models,
                                              const identity::KeyIdentity* identity);

}  // namespace tollgate::api
