#include "app/gateway.h"

#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "actors/admission.h"
#include "actors/lease_admission.h"
#include "actors/owner_retirement.h"
#include "api/recent_response_owners.h"
#include "api/routes.h"
#include "app/model_refresher.h"
#include "app/stored_models.h"
#include "cluster/change_fanout.h"
#include "cluster/exposure_log.h"
#include "cluster/membership.h"
#include "cluster/peer_link.h"
#include "cluster/peer_link_options.h"
#include "cluster/ring_lease_network.h"
#include "config/config_error.h"
#include "config/load_config.h"
#include "config/model_merge.h"
#include "config/reload_check.h"
#include "http/client.h"
#include "http/io_threads.h"
#include "http/router.h"
#include "http/server.h"
#include "identity/authenticator.h"
#include "identity/end_user_cache.h"
#include "identity/jwt/jwt_authenticator.h"
#include "identity/key_changes.h"
#include "mcp/endpoint.h"
#include "mcp/mcp_metrics.h"
#include "mcp/registry.h"
#include "mcp/sessions.h"
#include "mcp/store_servers.h"
#include "persistence/errors.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "proxy/model_snapshot.h"
#include "spend/spend_writer.h"
#include "telemetry/cache_metrics.h"
#include "telemetry/http_metrics.h"
#include "telemetry/litellm_metrics.h"
#include "telemetry/log.h"
#include "telemetry/overload_metrics.h"
#include "telemetry/spend_metrics.h"

namespace tollgate::app {
namespace {

int thread_count(int configured) {
  if (configured > 0) return configured;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

http::ServerOptions server_options(const config::GeneralSettings& g, telemetry::OverloadMetrics* overload) {
  http::ServerOptions o;
  o.overload = overload;
  o.host = g.host;
  o.port = g.port;
  o.io_threads = thread_count(g.io_threads);
  o.max_body_bytes = g.max_request_body_bytes;
  o.header_timeout = g.header_timeout;
  o.idle_timeout = g.idle_timeout;
  o.max_connections = g.max_connections;
  o.max_in_flight_requests = g.max_in_flight_requests;
  o.max_event_loop_delay = g.max_event_loop_delay;
  o.max_event_loop_utilization = g.max_event_loop_utilization;
  return o;
}

// admin_listen: the same limits on another address.
http::ServerOptions admin_server_options(const config::GeneralSettings& g, telemetry::OverloadMetrics* overload) {
  auto o = server_options(g, overload);
  o.host = *g.admin_host;
  o.port = g.admin_port;
  return o;
}

http::ClientOptions client_options(const config::GeneralSettings& g, telemetry::OverloadMetrics* overload) {
  http::ClientOptions o;
  o.overload = overload;
  o.max_idle_per_upstream = g.upstream_pool_size;
  o.pool_idle_timeout = g.upstream_pool_idle_timeout;
  o.connect_timeout = g.upstream_connect_timeout;
  o.max_pending_connects = g.max_pending_upstream_connects;
  o.extra_ca_file = g.upstream_ca_file;
  o.verify_tls = g.upstream_verify_tls;
  return o;
}

// A budget actor's work is microseconds of arithmetic, so one scheduler thread admits well over
// 100k requests/s. Each extra thread mostly adds sleeping workers that every enqueue must wake
// with a futex: on 2 cores, 1 thread instead of 2 measured +20% throughput (bench/results).
int default_actor_threads() { return static_cast<int>(std::clamp(std::thread::hardware_concurrency() / 4, 1u, 4u)); }

int actor_threads(const config::GeneralSettings& g) {
  return g.actor_threads > 0 ? g.actor_threads : default_actor_threads();
}

spend::SpendWriter::Options spend_writer_options(const config::GeneralSettings& g) {
  spend::SpendWriter::Options o;
  o.flush_interval = g.spend_flush_interval;
  o.journal_dir = g.spend_journal_dir();
  return o;
}

// Brings the schema up to date before serving when the database is reachable; when it is
// not, the gateway starts anyway (readiness reports it, store threads keep retrying). A schema
// newer than this binary's stops start-up (no downgrades). Every change committed through the
// pool goes to `changes`.
std::unique_ptr<persistence::StorePool> open_store(const config::GeneralSettings& g, prometheus::Registry& metrics,
                                                   persistence::ChangeListener& changes) {
  try {
    auto store = persistence::Store::open(g.database_url, g.sqlite_path);
    const auto result = store->migrate();
    telemetry::log_info(
        "store_ready",
        {{"backend", store->backend()}, {"schema_version", result.to_version}, {"applied", result.applied}});
  } catch (const persistence::SchemaTooNewError&) {
    throw;
  } catch (const std::exception& e) {
    telemetry::log_error("store_unavailable", {{"error", e.what()}});
  }
  const int threads = g.store_threads > 0 ? g.store_threads : (g.database_url.empty() ? 2 : 4);
  return std::make_unique<persistence::StorePool>(g.database_url, g.sqlite_path, threads, g.store_queue_limit, &metrics,
                                                  &changes);
}

std::string default_node_id() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + "-" + std::to_string(getpid());
}

// Cluster mode: the store's changes go to the local cache and to the other nodes.
std::unique_ptr<cluster::ChangeFanout> change_fanout(const config::Config& c, identity::KeyCacheInvalidator& local,
                                                     prometheus::Registry& metrics) {
  const auto& membership = c.cluster.membership;
  if (!membership.enabled || c.general.redis_url.empty()) return nullptr;  // see config validation
  // Built before the listener is bound, so the default names no port: the id is only for logs.
  const auto node_id = membership.node_id.empty() ? default_node_id() : membership.node_id;
  return std::make_unique<cluster::ChangeFanout>(
      cluster::ChangeFanout::Options{c.general.redis_url, c.cluster.changes.channel, node_id}, local, metrics);
}

mcp::Registry::Options mcp_registry_options(mcp::McpMetrics& metrics, std::function<void()> poll_store) {
  mcp::Registry::Options o;
  o.on_publish = [&metrics](const mcp::Catalog& catalog) { metrics.servers(catalog); };
  o.poll_store = std::move(poll_store);
  return o;
}

// New provider keys are secrets from the moment they are loaded.
void add_secrets_to_redactor(const config::Config& c) {
  auto& logger = telemetry::Logger::instance();
  const auto current = logger.redactor();
  auto next = current ? std::make_shared<core::Redactor>(*current) : std::make_shared<core::Redactor>();
  for (auto& secret : c.secrets()) next->add_secret(std::move(secret));
  logger.set_redactor(std::move(next));
}

// The credentials the store keeps (stored models' provider keys, MCP servers' auth values) are
// sealed under the salt key; without one nothing may store a credential.
std::optional<core::SecretBox> store_secrets(const config::GeneralSettings& g) {
  if (g.salt_key.empty()) return std::nullopt;
  return core::SecretBox(g.salt_key);
}

identity::KeyCache::Options key_cache_options(const config::GeneralSettings& g, telemetry::CacheMetrics& metrics) {
  identity::KeyCache::Options o;
  o.max_entries = g.key_cache_max_size;
  o.metrics = &metrics;
  return o;
}

actors::Admission::Options admission_options(const config::GeneralSettings& g) {
  actors::Admission::Options o;
  o.max_owners = g.max_budget_owners;
  return o;
}

// After a model write the handler waits this long for its node's snapshot to hold it.
constexpr std::chrono::seconds kStoredModelsWait{5};

}  // namespace

struct Gateway::Impl {
  Impl(config::Config cfg, config::Environment environment)
      : config(std::make_shared<const config::Config>(std::move(cfg))),
        reload_environment(std::move(environment)),
        http_metrics(metrics.registry()),
        key_cache_metrics(metrics.registry(), "keys", config->general.key_cache_max_size),
        overload_metrics(metrics.registry()),
        key_cache(key_cache_options(config->general, key_cache_metrics)),
        key_changes(key_cache),
        file_config(config),
        store_secrets(app::store_secrets(config->general)),
        refresher(model_refresher()),
        fanout(change_fanout(*config, key_changes, metrics.registry())),
        mcp_changes(follow_mcp_server_changes()),
        end_users(follow_end_user_changes()),
        owner_retirement(follow_deleted_entities()),
        store(open_store(config->general, metrics.registry(), change_listener())),
        auth_limiter(config->general.max_auth_failures_per_minute, std::chrono::seconds(60)),
        auth(config->general.master_key, key_cache, store.get(), auth_limiter),
        health(api::HealthTargets{config->general.database_url, config->general.sqlite_path, config->general.redis_url},
               std::chrono::seconds(5)),
        io(thread_count(config->general.io_threads), config->general.event_loop_poll),
        client(io, client_options(config->general, &overload_metrics)),
        models(proxy::make_model_snapshot(config, metrics.registry()), io),
        spend_metrics(metrics.registry()),
        spend_writer(config->general.database_url, config->general.sqlite_path, spend_writer_options(config->general),
                     &metrics.registry()),
        admission(*store, spend_writer, metrics.registry(), admission_options(config->general),
                  actors::scheduler_config(actor_threads(config->general))),
        mcp_metrics(metrics.registry()),
        mcp_registry(config->mcp_servers, client,
                     mcp_registry_options(mcp_metrics, [this] { load_mcp_store_servers(); })),
        mcp_endpoint(mcp::EndpointServices{&mcp_registry, &mcp_sessions, &mcp_metrics, &spend_writer,
                                           config->general.max_json_depth, TOLLGATE_VERSION}),
        router(&http_metrics) {
    telemetry::register_build_info(metrics, TOLLGATE_VERSION);
    serve_litellm_metrics();
    context.models = &models;
    context.client = &client;
    context.general = &config->general;
    context.metrics = &metrics;
    if (config->general.jwt.enabled) {
      jwt = std::make_unique<identity::jwt::JwtAuthenticator>(config->general.jwt, client, key_cache, store.get());
      auth.enable_jwt(jwt.get());
    }
    context.auth = &auth;
    context.end_users = end_users.get();
    context.store = store.get();
    context.admission = &admission;
    owner_retirement->attach(admission, *store);
    context.spend = &spend_writer;
    context.spend_metrics = &spend_metrics;
    context.health = &health;
    context.mcp_ssrf_policy.allowed_networks = config->mcp_allowed_networks;
    context.mcp = &mcp_endpoint;
    context.mcp_registry = &mcp_registry;
    context.response_owners = &response_owners;
    if (store_secrets) context.store_secrets = &*store_secrets;
    if (refresher) {
      context.model_environment = stored_model_environment();
      context.await_stored_models = [this] {
        return refresher->wait_applied(refresher->requested(), kStoredModelsWait);
      };
    }
    if (config->general.admin_host) {
      api::register_routes(router, context, api::Listener::public_only);
      api::register_routes(admin_router, context, api::Listener::admin_only);
      admin_server = std::make_unique<http::Server>(admin_server_options(config->general, &overload_metrics),
                                                    admin_router, &http_metrics, io);
    } else {
      api::register_routes(router, context, api::Listener::all);
    }
    server =
        std::make_unique<http::Server>(server_options(config->general, &overload_metrics), router, &http_metrics, io);
  }

  // litellm_settings.prometheus_metric_names (docs/metrics.md): LiteLLM's request and budget
  // families are built, and fed, only when they are served.
  void serve_litellm_metrics() {
    metrics.serve(config->general.prometheus_metric_names);
    if (!core::serves_litellm_names(config->general.prometheus_metric_names)) return;
    litellm_metrics = std::make_unique<telemetry::LitellmMetrics>(metrics.registry());
    context.litellm_metrics = litellm_metrics.get();
    admission.observe_budgets([m = litellm_metrics.get()](persistence::EntityKind kind, const std::string& id,
                                                          const std::string& label, double max_budget, double spend) {
      if (kind == persistence::EntityKind::team) {
        m->team_budget(id, label == id ? std::string() : label, max_budget, spend);  // a team's label: alias, else id
      } else {
        m->key_budget(id, label, max_budget, spend);
      }
    });
  }

  std::shared_ptr<const config::Config> config;  // as started: the general settings stay these
  config::Environment reload_environment;
  std::mutex reload_mutex;
  telemetry::Metrics metrics;
  telemetry::HttpMetrics http_metrics;
  telemetry::CacheMetrics key_cache_metrics;
  telemetry::OverloadMetrics overload_metrics;
  identity::KeyCache key_cache;
  identity::KeyCacheInvalidator key_changes;  // the store's changes reach the cache before the response
  // The model list from the config file (as last reloaded) and from the store; the snapshot
  // routes with both merged (rebuild_models).
  std::shared_ptr<const config::Config> file_config;
  std::optional<core::SecretBox> store_secrets;  // when a salt key is set
  std::unique_ptr<ModelRefresher> refresher;
  std::mutex models_mutex;
  std::vector<config::Deployment> stored_models;
  std::unique_ptr<cluster::ChangeFanout> fanout;              // cluster mode only: also to and from the other nodes
  std::unique_ptr<mcp::ServerChangeListener> mcp_changes;     // the MCP registry re-reads the store's servers
  std::unique_ptr<identity::EndUserCache> end_users;          // drops what the store's changes name
  std::unique_ptr<actors::OwnerRetirement> owner_retirement;  // a deleted entity's budget owner goes at once
  std::unique_ptr<persistence::StorePool> store;
  identity::AuthFailureLimiter auth_limiter;
  identity::Authenticator auth;
  api::HealthMonitor health;
  http::IoThreads io;
  http::HttpClient client;
  std::unique_ptr<identity::jwt::JwtAuthenticator> jwt;  // enable_jwt_auth only; fetches keys with `client`
  proxy::ModelSnapshots models;
  telemetry::SpendMetrics spend_metrics;
  std::unique_ptr<telemetry::LitellmMetrics> litellm_metrics;  // prometheus_metric_names: litellm | both
  spend::SpendWriter spend_writer;
  actors::Admission admission;
  mcp::McpMetrics mcp_metrics;
  mcp::Registry mcp_registry;
  mcp::SessionTable mcp_sessions;
  mcp::Endpoint mcp_endpoint;
  api::RecentResponseOwners response_owners;
  http::Router router;
  api::GatewayContext context;
  std::unique_ptr<http::Server> server;
  http::Router admin_router;  // admin_listen only, as admin_server
  std::unique_ptr<http::Server> admin_server;
  std::unique_ptr<cluster::Membership> membership;  // cluster.enabled only, as the three below
  std::unique_ptr<cluster::ExposureLog> exposures;  // with Redis
  std::unique_ptr<cluster::PeerLink> peer_link;
  std::unique_ptr<cluster::RingLeaseNetwork> lease_network;

  config::Environment stored_model_environment() const {
    return reload_environment ? reload_environment : config::process_environment();
  }

  // Hears model changes through the key cache's invalidator, which every change reaches: this
  // node's commits and, in cluster mode, the other nodes' (cluster/change_fanout.h).
  std::unique_ptr<ModelRefresher> model_refresher() {
    const auto& g = config->general;
    if (!g.store_model_in_db) return nullptr;  // config validation refuses it without a salt key
    auto load = [this](persistence::Store& s) {
      return load_stored_models(s, *store_secrets, stored_model_environment());
    };
    auto apply = [this](std::vector<config::Deployment> models) {
      std::scoped_lock lock(models_mutex);
      stored_models = std::move(models);
      rebuild_models();
    };
    auto made = std::make_unique<ModelRefresher>(g.database_url, g.sqlite_path, load, apply);
    key_changes.also_notify(made.get());
    return made;
  }

  // The file's models and the store's, merged (config/model_merge.h), become what new requests
  // route with; calls in flight keep their snapshot. Under models_mutex.
  void rebuild_models() {
    auto merged = config::merge_stored_models(*file_config, stored_models);
    for (const auto& line : merged.skipped) telemetry::log_warn("stored_model_skipped", {{"reason", line}});
    add_secrets_to_redactor(merged.config);
    models.replace(proxy::make_model_snapshot(std::make_shared<const config::Config>(std::move(merged.config)),
                                              metrics.registry()));
  }

  persistence::ChangeListener& change_listener() {
    if (fanout) return *fanout;
    return key_changes;
  }

  // Every node's MCP server changes reach this node's registry through the key cache's
  // invalidator, as the model refresher's do (the registry's poll stays as a safety net).
  std::unique_ptr<mcp::ServerChangeListener> follow_mcp_server_changes() {
    auto made = std::make_unique<mcp::ServerChangeListener>([this] { load_mcp_store_servers(); });
    key_changes.also_notify(made.get());
    return made;
  }

  // Every node's end-user and budget changes reach the end-user cache the same way.
  std::unique_ptr<identity::EndUserCache> follow_end_user_changes() {
    auto made = std::make_unique<identity::EndUserCache>();
    key_changes.also_notify(made.get());
    return made;
  }

  // Every node's deletions of keys, teams, users and organizations retire their budget owners.
  std::unique_ptr<actors::OwnerRetirement> follow_deleted_entities() {
    auto made = std::make_unique<actors::OwnerRetirement>();
    key_changes.also_notify(made.get());
    return made;
  }

  // The servers registered through /v1/mcp/server, read on a store thread and handed to the
  // registry: at start, after every local change to one, and every few seconds (changes made
  // through other nodes). A store that cannot answer leaves the registry's set as it was.
  void load_mcp_store_servers() {
    auto* registry = &mcp_registry;
    const core::SecretBox* secrets = store_secrets ? &*store_secrets : nullptr;
    store->submit(
        [registry, secrets](persistence::Store& s) {
          std::vector<config::McpServerConfig> servers;
          for (const auto& record : s.list_mcp_servers()) servers.push_back(mcp::server_from_record(record, secrets));
          registry->set_store_servers(std::move(servers));
        },
        [](persistence::JobFailure, const std::string& error) {
          telemetry::log_warn("mcp_store_servers_unread", {{"error", error}});
        });
  }

  // Whatever shutdown() did not stop: the cluster admission's timers call the lease network and
  // the peer link calls the admission, so both stop before the members below them go.
  ~Impl() {
    if (refresher) refresher->stop();
    if (peer_link) peer_link->stop();
    owner_retirement->detach();
    admission.stop();
    if (exposures) exposures->stop();
  }
};

Gateway::Gateway(config::Config config, config::Environment reload_environment,
                 std::shared_ptr<const http::HostResolver> resolver)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(reload_environment))) {
  impl_->context.host_resolver = std::move(resolver);
  if (impl_->reload_environment) impl_->context.reload_config = [this] { return reload_config(); };
}

core::Result<api::ConfigReloadResult> Gateway::reload_config() {
  auto& impl = *impl_;
  if (!impl.reload_environment) return core::bad_request("This gateway was not started from a config file");
  std::scoped_lock lock(impl.reload_mutex);
  const auto& running = *impl.config;
  config::Config next;
  try {
    next = config::load_config_file(running.source, impl.reload_environment);
  } catch (const config::ConfigError& e) {
    // The words `tollgate --check-config` prints for the same file.
    telemetry::log_warn("config_reload_refused", {{"reason", "invalid config"}, {"error", e.what()}});
    return core::bad_request(std::string("invalid config: ") + e.what());
  }
  if (const auto changed = config::changed_restart_sections(running, next); !changed.empty()) {
    std::string names;
    for (const auto& name : changed) names += (names.empty() ? "" : ", ") + name;
    telemetry::log_warn("config_reload_refused", {{"reason", "restart required"}, {"sections", names}});
    return core::bad_request("The config file changes " + names +
                             ": only model_list and router settings are reloaded; restart to apply the rest. "
                             "Nothing was reloaded.");
  }
  api::ConfigReloadResult result;
  result.warnings = next.warnings;
  {
    // The store's models stay: the new file's are merged with them.
    std::scoped_lock models_lock(impl.models_mutex);
    result.before_json = config::deployments_summary_json(*impl.models.current()->config);
    impl.file_config = std::make_shared<const config::Config>(std::move(next));
    impl.rebuild_models();
    const auto& now = *impl.models.current()->config;
    result.after_json = config::deployments_summary_json(now);
    result.deployments = now.model_list.size();
  }
  telemetry::log_info("config_reloaded", {{"deployments", static_cast<long long>(result.deployments)},
                                          {"warnings", static_cast<long long>(result.warnings.size())}});
  return result;
}

Gateway::~Gateway() = default;

void Gateway::start() {
  if (impl_->fanout) impl_->fanout->start();
  // The spend a killed predecessor journaled reaches the store before any budget loads its
  // spend. A store that is down holds the replay back (the writer keeps trying); serving starts
  // anyway, as it does without a store (docs/budgets.md).
  if (!impl_->spend_writer.wait_for_replay(std::chrono::seconds(10))) {
    telemetry::log_warn("spend_journal_replay_pending", {});
  }
  impl_->health.start();
  load_stored_models_at_start();
  impl_->mcp_registry.set_admin_guard(std::make_shared<const http::OutboundGuard>(
      http::OutboundGuard{impl_->context.mcp_ssrf_policy, impl_->context.host_resolver}));
  impl_->mcp_registry.start();  // lists every MCP server's tools (the I/O threads run the calls)
  impl_->server->start();
  if (impl_->admin_server) impl_->admin_server->start();
  start_membership();
  impl_->io.start();
  const auto& g = impl_->config->general;
  telemetry::log_info("listening", {{"host", g.host},
                                    {"port", static_cast<int>(impl_->server->port())},
                                    {"io_threads", impl_->io.size()},
                                    {"models", impl_->config->model_list.size()}});
  if (impl_->admin_server) {
    telemetry::log_info("admin_listening",
                        {{"host", *g.admin_host}, {"port", static_cast<int>(impl_->admin_server->port())}});
  }
}

// store_model_in_db: the stored models serve from the first request when the store answers in
// time; otherwise the refresher keeps trying and they arrive when it does.
void Gateway::load_stored_models_at_start() {
  auto& refresher = impl_->refresher;
  if (!refresher) return;
  refresher->start();
  if (!refresher->wait_applied(refresher->request(), std::chrono::seconds(10))) {
    telemetry::log_warn("stored_models_pending", {});
  }
}

// After the listener is bound (the default node id names its port), before the I/O threads run
// (they read context.membership).
void Gateway::start_membership() {
  const auto& settings = impl_->config->cluster.membership;
  if (!settings.enabled) return;
  impl_->membership = std::make_unique<cluster::Membership>(
      cluster::membership_options(settings, impl_->config->general.redis_url, impl_->server->port()),
      impl_->metrics.registry());
  // Listening before registering: a node the others see in the ring answers their handovers.
  start_peer_link();
  impl_->membership->start();
  impl_->context.membership = impl_->membership.get();
  join_cluster_admission();
}

// The authenticated port the other nodes' syncs and handover queries arrive on.
void Gateway::start_peer_link() {
  auto& impl = *impl_;
  const auto& c = *impl.config;
  auto options = cluster::peer_link_options(c.cluster.transport);
  if (!options) throw std::runtime_error(options.error().message);
  options->metrics = &impl.metrics.registry();
  // A peer may call before join_cluster() below: with no cluster admission yet this node holds
  // nothing and owns nothing, which is what the answers say.
  auto* admission = &impl.admission;
  auto lease_service = [admission](core::LeaseRequest request, std::function<void(core::LeaseGrant)> reply) {
    if (auto* leases = admission->cluster()) return leases->serve_lease(std::move(request), std::move(reply));
    core::LeaseGrant not_yet;
    not_yet.not_owner = true;
    reply(std::move(not_yet));
  };
  auto handover_service = [admission](core::HandoverQuery query, std::function<void(core::HandoverAnswer)> reply) {
    if (auto* leases = admission->cluster()) return leases->serve_handover(std::move(query), std::move(reply));
    reply(core::HandoverAnswer{});
  };
  auto link = cluster::PeerLink::start(std::move(*options), lease_service, handover_service);
  if (!link) throw std::runtime_error("cluster peer link: " + link.error().message);
  impl.peer_link = std::move(*link);
}

// Budgets and rate limits through leases from each entity's owner on the ring, over the peer
// link (docs/cluster.md, "Owners and leases").
void Gateway::join_cluster_admission() {
  auto& impl = *impl_;
  const auto& c = *impl.config;
  if (!c.general.redis_url.empty()) {
    impl.exposures =
        std::make_unique<cluster::ExposureLog>(c.general.redis_url, c.cluster.membership.name, impl.metrics.registry());
  }
  impl.lease_network =
      std::make_unique<cluster::RingLeaseNetwork>(*impl.membership, *impl.peer_link, impl.exposures.get());
  const auto& self = impl.membership->self();
  actors::LeaseOptions leases;
  leases.node = self.node_id;
  leases.incarnation = self.node_id + "/" + std::to_string(self.started_at_ms);
  leases.endpoint = self.endpoint;
  impl.admission.join_cluster(*impl.lease_network, std::move(leases));
  telemetry::log_info("cluster_admission_joined",
                      {{"node_id", self.node_id}, {"cluster_port", static_cast<int>(impl.peer_link->port())}});
}

std::uint16_t Gateway::port() const { return impl_->server->port(); }

std::uint16_t Gateway::admin_port() const { return impl_->admin_server ? impl_->admin_server->port() : 0; }

bool Gateway::shutdown() {
  const auto grace = impl_->config->general.shutdown_grace;
  telemetry::log_info("shutdown_started", {{"in_flight", impl_->server->in_flight_requests()},
                                           {"grace_ms", static_cast<long long>(grace.count())}});
  // Leave the cluster first: the others stop counting on this node while it drains.
  if (impl_->membership) impl_->membership->stop();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  bool clean = impl_->server->drain(deadline);
  if (impl_->admin_server) clean = impl_->admin_server->drain(deadline) && clean;
  impl_->mcp_registry.stop();  // DELETEs the upstream sessions while the I/O threads still run
  impl_->io.stop();
  // The peer link answered the other nodes' handovers while this node drained; it goes before
  // the admission it calls into.
  if (impl_->peer_link) impl_->peer_link->stop();
  impl_->owner_retirement->detach();
  impl_->admission.stop();
  if (impl_->exposures) impl_->exposures->stop();
  impl_->spend_writer.stop();  // flushes buffered spend: none is lost on a graceful stop
  impl_->store->stop();        // finishes queued store work before exit
  if (impl_->refresher) impl_->refresher->stop();
  if (impl_->fanout) impl_->fanout->stop();  // after the store: its last changes are published
  impl_->health.stop();
  telemetry::log_info("shutdown_complete", {{"clean", clean}});
  telemetry::Logger::instance().flush();
  return clean;
}

}  // namespace tollgate::app
