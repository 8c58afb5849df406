#pragma once
// LiteLLM config keys that Tollgate reads but does not implement, and what start-up does with
// each, so that no key is accepted silently:
//
// refuse — the key configures protection: authentication, authorization, network access,
//   secret storage, guardrails, or a spend or usage limit. Running without it would be weaker
//   than what the operator wrote, so start-up stops with `file: key.path: problem`.
// warn — running without the key weakens nothing (it tunes behaviour Tollgate does not have,
//   or only relaxes a rule); start-up goes on and says the key is ignored.
//
// Keys neither read by the loader nor listed here are warned about as unknown.
// docs/config.md is the table in prose; keep both in step.
#include <optional>
#include <string_view>

namespace tollgate::config {

enum class KeyTreatment { refuse, warn };

struct UnsupportedKey {
  KeyTreatment treatment;
  std::string_view why;  // "JWT authentication is not implemented"
};

// `section`: "" (top level), "general_settings", "litellm_settings", "router_settings",
// "litellm_params" or "model_info" (of a model_list entry).
std::optional<UnsupportedKey> find_unsupported_key(std::string_view section, std::string_view key);

// What a LiteLLM callback name (litellm_settings.callbacks and its kin) does:
enum class CallbackKind {
  metrics,  // "prometheus": Tollgate always serves /metrics
  logging,  // a known log or trace sink: not implemented, nothing is enforced by it
  other,    // anything else may be a guardrail or an auth hook that rejects requests
};
CallbackKind classify_callback(std::string_view name);

}  // namespace tollgate::config
