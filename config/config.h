#pragma once
// The gateway's configuration: an immutable snapshot built from the YAML file and the
// environment. Field names follow LiteLLM's config.yaml for what Tollgate supports.
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/cluster_settings.h"
#include "config/jwt_settings.h"
#include "config/mcp_server_config.h"
#include "core/json_limits.h"
#include "core/metric_names.h"
#include "core/provider_kind.h"
#include "core/ssrf_policy.h"

namespace tollgate::config {

struct ModelInfo {
  std::string id;    // unique deployment id; generated from the entry when absent
  std::string mode;  // chat (default), embedding, completion
  std::optional<double> input_cost_per_token;
  std::optional<double> output_cost_per_token;
  std::optional<double> cache_read_input_token_cost;
  std::optional<double> cache_creation_input_token_cost;
  // LiteLLM's unit prices (core/cost_map.h): reasoning and audio tokens, media units.
  std::optional<double> output_cost_per_reasoning_token;
  std::optional<double> input_cost_per_audio_token;
  std::optional<double> output_cost_per_audio_token;
  std::optional<double> output_cost_per_image;
  std::optional<double> input_cost_per_image;
  std::optional<double> input_cost_per_character;
  std::optional<double> input_cost_per_second;
  std::optional<double> output_cost_per_second;
  std::optional<double> input_cost_per_query;
  std::optional<double> input_cost_per_image_token;   // gpt-image: image tokens in
  std::optional<double> output_cost_per_image_token;  // gpt-image: image tokens out
  // Each web search by search context size low, medium, high (LiteLLM's map; a number: every size).
  std::optional<std::array<double, 3>> search_context_cost_per_query;
  std::optional<std::int64_t> max_tokens;
  std::optional<std::int64_t> max_input_tokens;
  std::optional<std::int64_t> max_output_tokens;
  std::vector<std::string> access_groups;  // names a key's or team's `models` may use for this group
};

// bedrock/ deployments: litellm_params aws_*, else the standard AWS environment variables.
struct AwsSettings {
  std::string access_key_id;
  std::string secret_access_key;  // a secret: never logged
  std::string session_token;      // a secret; "" for long-term credentials
  std::string region_name;
};

// vertex_ai/ deployments: litellm_params vertex_*, else GOOGLE_APPLICATION_CREDENTIALS,
// VERTEXAI_PROJECT and VERTEXAI_LOCATION (as LiteLLM reads them).
struct VertexSettings {
  std::string credentials;  // the service-account key file's JSON: a secret, never logged
  std::string project;
  std::string location;  // "us-central1", "global", ...
};

// One entry of model_list: a deployment serving the model group `model_name`.
struct Deployment {
  std::string model_name;     // the model group clients ask for
  std::string litellm_model;  // litellm_params.model as written ("openai/gpt-4o")
  core::ProviderKind provider = core::ProviderKind::openai;
  std::string provider_prefix;  // "openai", "groq", "mock", ...
  std::string upstream_model;   // the model name sent to the provider ("gpt-4o")
  std::string api_base;
  std::string api_key;      // a secret: never logged
  std::string api_version;  // Azure
  std::optional<std::int64_t> rpm;
  std::optional<std::int64_t> tpm;
  double weight = 1.0;
  std::optional<std::chrono::milliseconds> timeout;
  std::optional<std::chrono::milliseconds> stream_timeout;
  std::string mock_response;  // mock/: fixed reply text (litellm_params.mock_response)
  AwsSettings aws;            // bedrock/
  VertexSettings vertex;      // vertex_ai/
  ModelInfo info;
  bool from_store = false;  // added through /model/new (store_model_in_db), not the config file
};

struct Fallback {
  std::string model_group;
  std::vector<std::string> fallbacks;
};

struct RouterSettings {
  std::string routing_strategy = "simple-shuffle";
  int num_retries = 0;
  std::optional<std::chrono::milliseconds> timeout;
  std::vector<Fallback> fallbacks;
  std::vector<Fallback> context_window_fallbacks;
  int allowed_fails = 3;
  std::chrono::milliseconds cooldown_time{5000};
  bool disable_cooldowns = false;
};

struct GeneralSettings {
  std::string master_key;    // a secret: never logged
  std::string database_url;  // empty → embedded SQLite
  std::string sqlite_path = "tollgate.db";
  std::string redis_url;
  std::string host = "127.0.0.1";
  std::uint16_t port = 4000;
  int io_threads = 0;     // 0 → number of cores
  int actor_threads = 0;  // 0 → cores / 4, between 1 and 4
  std::size_t max_request_body_bytes = 4 * 1024 * 1024;
  int max_json_depth = core::kDefaultMaxJsonDepth;  // nesting levels of a JSON body (root = 1)
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::size_t max_connections = 10'000;
  // Requests handled at once (streams included); past it a request gets 503 gateway_overloaded
  // with retry-after at once. 0: bounded by max_connections only. Set it near capacity × the
  // latency to keep, so that an overload is shed rather than queued (docs/config.md).
  std::size_t max_in_flight_requests = 0;
  // The delay an I/O thread may run its work behind; past it the thread refuses a growing share of
  // new requests with 503 gateway_overloaded and retry-after until the delay holds (docs/config.md).
  // Fractions of a millisecond allowed. 0: off.
  std::chrono::microseconds max_event_loop_delay{0};
  // The fraction of the time an I/O thread may be busy (running or waiting for a CPU); past it,
  // as past the delay, a growing share of new requests is refused. 0: off.
  double max_event_loop_utilization = 0;
  // How long an I/O thread keeps polling for work after handling some before it sleeps in epoll
  // (http/polling_loop.h): a request arriving meanwhile skips the wake-up. 0: off.
  std::chrono::microseconds event_loop_poll{0};
  // New upstream connections being opened at once (keep-alive reuse does not count); past it a
  // call fails at once with 503 gateway_overloaded instead of piling connects on the upstream.
  std::size_t max_pending_upstream_connects = 1024;
  // Pass-through routes (/openai/*, …): what a call whose cost the gateway cannot bound from
  // its body (an endpoint other than the inference ones, or a model without a known price)
  // reserves from the caller's budgets, in USD (docs/api.md "Pass-through routes").
  double pass_through_reservation = 0.10;
  std::chrono::milliseconds shutdown_grace{30'000};
  bool require_auth_for_metrics_endpoint = false;
  // litellm_settings.prometheus_metric_names: Tollgate's, LiteLLM's or both (docs/metrics.md).
  // Read at start-up only.
  core::MetricNames prometheus_metric_names = core::MetricNames::tollgate;
  // Authentication failures allowed per client address and minute before it gets 429s.
  int max_auth_failures_per_minute = 60;
  int store_threads = 0;  // 0 → 4 for PostgreSQL, 2 for SQLite
  // Store jobs (key lookups, budget loads, management calls) allowed to wait for a store
  // thread; past it requests get 503 store_overloaded at once. Equal to the default
  // max_connections, so a load paced by its clients stays below it; a store that slows down
  // while requests keep arriving reaches it, and callers get an answer instead of a growing wait.
  std::size_t store_queue_limit = 10'000;
  // Bounds on what memory holds per key and per budget entity (docs/budgets.md): resolved keys
  // (least recently used evicted first) and budget owners (idle ones retire early past it).
  // 0: no bound.
  std::size_t key_cache_max_size = 100'000;
  std::size_t max_budget_owners = 100'000;
  // Outbound (provider) connections.
  std::string upstream_ca_file;     // PEM added to the system CAs (litellm_settings.ssl_certificate)
  bool upstream_verify_tls = true;  // litellm_settings.ssl_verify
  // Idle keep-alive connections kept per upstream and I/O thread. Below the concurrency a
  // deployment sees, every release closes one and the next request connects anew (c256 churn).
  std::size_t upstream_pool_size = 512;
  std::chrono::milliseconds upstream_pool_idle_timeout{60'000};
  std::chrono::milliseconds upstream_connect_timeout{5'000};
  std::string log_level = "info";
  std::string log_file;  // empty → stderr
  // The spend writer's batch interval (LiteLLM's proxy_batch_write_at, in seconds there).
  std::chrono::milliseconds spend_flush_interval{1000};
  // This node's spend journal directory; unset → spend_journal_dir()'s default, "" → none.
  std::optional<std::string> spend_journal_path;
  // Models managed at run time through /model/new ... (docs/control-plane.md); requires a
  // salt key, which encrypts their provider keys at rest (general_settings.salt_key or
  // LITELLM_SALT_KEY / TOLLGATE_SALT_KEY). A secret: never logged.
  bool store_model_in_db = false;
  std::string salt_key;
  // admin_listen: a second listener for the management and control-plane routes, which the
  // public listener then answers 404 (unset: one listener serves everything).
  std::optional<std::string> admin_host;
  std::uint16_t admin_port = 0;
  JwtAuthSettings jwt;  // enable_jwt_auth + litellm_jwtauth
  // Budget of an end user (the request's `user`) without one of its own: the limits of the
  // /budget/new row litellm_settings.max_end_user_budget_id names, then
  // litellm_settings.max_end_user_budget as its max_budget (docs/budgets.md).
  std::optional<double> max_end_user_budget;
  std::optional<std::string> max_end_user_budget_id;

  // This user's state directory, from the environment: `$XDG_STATE_HOME/tollgate`, else
  // `$HOME/.local/state/tollgate`; empty when neither is set.
  std::string state_dir;

  // The journal directory to use: the configured one, else `<sqlite_path>-spend-journal` next
  // to the SQLite file, or, with PostgreSQL, `<state_dir>/spend-journal-<port>` (in the working
  // directory when there is no state_dir).
  // Empty: no journal.
  std::string spend_journal_dir() const;
};

// The pass-through routes' credentials when no deployment of that provider gives them:
// LiteLLM's environment variables, read when the config is loaded (proxy/passthrough_upstreams.h).
struct PassThroughEnvironment {
  std::string openai_api_key;  // secrets: never logged
  std::string openai_api_base;
  std::string anthropic_api_key;
  std::string anthropic_api_base;
  std::string gemini_api_key;
  AwsSettings aws;  // AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION(_NAME)
};

struct Config {
  std::string source;  // file name, for messages
  GeneralSettings general;
  std::vector<Deployment> model_list;
  RouterSettings router;
  ClusterSettings cluster;
  std::vector<McpServerConfig> mcp_servers;  // mcp_servers:, in file order
  // Networks admin-registered MCP servers may be reached in, past the SSRF policy's default
  // refusals (core/ssrf_policy.h); empty = only public addresses.
  std::vector<core::Cidr> mcp_allowed_networks;
  std::vector<std::string> warnings;  // unknown keys and similar, reported at start-up
  PassThroughEnvironment pass_through_env;
  // The file's sections a reload cannot apply, as text per top-level key: everything but
  // model_list, router_settings and the router keys of litellm_settings. A reload whose file
  // changes one of them is refused, naming it (docs/control-plane.md).
  std::map<std::string, std::string> restart_sections;

  // Every secret the config holds (master key, provider keys), for the log redactor.
  std::vector<std::string> secrets() const;
};

}  // namespace tollgate::config
