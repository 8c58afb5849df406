#include "app/gateway.h"

#include <algorithm>
#include <thread>

#include "actors/admission.h"
#include "api/routes.h"
#include "http/client.h"
#include "http/io_threads.h"
#include "http/router.h"
#include "http/server.h"
#include "identity/authenticator.h"
#include "identity/key_changes.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "proxy/model_router.h"
#include "spend/spend_writer.h"
#include "telemetry/http_metrics.h"
#include "telemetry/log.h"
#include "telemetry/model_metrics.h"
#include "telemetry/spend_metrics.h"

namespace tollgate::app {
namespace {

int thread_count(int configured) {
  if (configured > 0) return configured;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

http::ServerOptions server_options(const config::GeneralSettings& g) {
  http::ServerOptions o;
  o.host = g.host;
  o.port = g.port;
  o.io_threads = thread_count(g.io_threads);
  o.max_body_bytes = g.max_request_body_bytes;
  o.header_timeout = g.header_timeout;
  o.idle_timeout = g.idle_timeout;
  o.max_connections = g.max_connections;
  return o;
}

http::ClientOptions client_options(const config::GeneralSettings& g) {
  http::ClientOptions o;
  o.max_idle_per_upstream = g.upstream_pool_size;
  o.pool_idle_timeout = g.upstream_pool_idle_timeout;
  o.connect_timeout = g.upstream_connect_timeout;
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

std::vector<telemetry::DeploymentLabels> deployment_labels(const config::Config& c) {
  std::vector<telemetry::DeploymentLabels> out;
  for (const auto& d : c.model_list) {
    out.push_back({d.model_name, d.info.id, d.provider_prefix});
  }
  return out;
}

spend::SpendWriter::Options spend_writer_options(const config::GeneralSettings& g) {
  spend::SpendWriter::Options o;
  o.flush_interval = g.spend_flush_interval;
  o.journal_dir = g.spend_journal_dir();
  return o;
}

// Brings the schema up to date before serving when the database is reachable; when it is
// not, the gateway starts anyway (readiness reports it, store threads keep retrying). Every
// change committed through the pool goes to `changes`.
std::unique_ptr<persistence::StorePool> open_store(const config::GeneralSettings& g, prometheus::Registry& metrics,
                                                   persistence::ChangeListener& changes) {
  try {
    auto store = persistence::Store::open(g.database_url, g.sqlite_path);
    const auto result = store->migrate();
    telemetry::log_info(
        "store_ready",
        {{"backend", store->backend()}, {"schema_version", result.to_version}, {"applied", result.applied}});
  } catch (const std::exception& e) {
    telemetry::log_error("store_unavailable", {{"error", e.what()}});
  }
  const int threads = g.store_threads > 0 ? g.store_threads : (g.database_url.empty() ? 2 : 4);
  return std::make_unique<persistence::StorePool>(g.database_url, g.sqlite_path, threads, g.store_queue_limit, &metrics,
                                                  &changes);
}

}  // namespace

struct Gateway::Impl {
  explicit Impl(config::Config cfg)
      : config(std::make_shared<const config::Config>(std::move(cfg))),
        http_metrics(metrics.registry()),
        key_changes(key_cache),
        store(open_store(config->general, metrics.registry(), key_changes)),
        auth_limiter(config->general.max_auth_failures_per_minute, std::chrono::seconds(60)),
        auth(config->general.master_key, key_cache, store.get(), auth_limiter),
        health(api::HealthTargets{config->general.database_url, config->general.sqlite_path, config->general.redis_url},
               std::chrono::seconds(5)),
        io(thread_count(config->general.io_threads)),
        client(io, client_options(config->general)),
        model_metrics(metrics.registry(), deployment_labels(*config)),
        spend_metrics(metrics.registry()),
        spend_writer(config->general.database_url, config->general.sqlite_path, spend_writer_options(config->general),
                     &metrics.registry()),
        admission(*store, spend_writer, metrics.registry(), actors::Admission::Options{},
                  actors::scheduler_config(actor_threads(config->general))),
        router(&http_metrics) {
    telemetry::register_build_info(metrics, TOLLGATE_VERSION);
    context.catalog = std::make_shared<const config::ModelCatalog>(config);
    model_router = std::make_unique<proxy::ModelRouter>(context.catalog);
    context.proxy = proxy::ProxyServices{model_router.get(), &client, &model_metrics};
    context.general = &config->general;
    context.metrics = &metrics;
    context.auth = &auth;
    context.store = store.get();
    context.admission = &admission;
    context.spend = &spend_writer;
    context.spend_metrics = &spend_metrics;
    context.health = &health;
    api::register_routes(router, context);
    server = std::make_unique<http::Server>(server_options(config->general), router, &http_metrics, io);
  }

  std::shared_ptr<const config::Config> config;
  telemetry::Metrics metrics;
  telemetry::HttpMetrics http_metrics;
  identity::KeyCache key_cache;
  identity::KeyCacheInvalidator key_changes;  // the store's changes reach the cache before the response
  std::unique_ptr<persistence::StorePool> store;
  identity::AuthFailureLimiter auth_limiter;
  identity::Authenticator auth;
  api::HealthMonitor health;
  http::IoThreads io;
  http::HttpClient client;
  telemetry::ModelMetrics model_metrics;
  telemetry::SpendMetrics spend_metrics;
  spend::SpendWriter spend_writer;
  actors::Admission admission;
  std::unique_ptr<proxy::ModelRouter> model_router;
  http::Router router;
  api::GatewayContext context;
  std::unique_ptr<http::Server> server;
};

Gateway::Gateway(config::Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Gateway::~Gateway() = default;

void Gateway::start() {
  // The spend a killed predecessor journaled reaches the store before any budget loads its
  // spend. A store that is down holds the replay back (the writer keeps trying); serving starts
  // anyway, as it does without a store (docs/budgets.md).
  if (!impl_->spend_writer.wait_for_replay(std::chrono::seconds(10))) {
    telemetry::log_warn("spend_journal_replay_pending", {});
  }
  impl_->health.start();
  impl_->server->start();
  impl_->io.start();
  const auto& g = impl_->config->general;
  telemetry::log_info("listening", {{"host", g.host},
                                    {"port", static_cast<int>(impl_->server->port())},
                                    {"io_threads", impl_->io.size()},
                                    {"models", impl_->config->model_list.size()}});
}

std::uint16_t Gateway::port() const { return impl_->server->port(); }

bool Gateway::shutdown() {
  const auto grace = impl_->config->general.shutdown_grace;
  telemetry::log_info("shutdown_started", {{"in_flight", impl_->server->in_flight_requests()},
                                           {"grace_ms", static_cast<long long>(grace.count())}});
  const bool clean = impl_->server->drain(std::chrono::steady_clock::now() + grace);
  impl_->io.stop();
  impl_->admission.stop();
  impl_->spend_writer.stop();  // flushes buffered spend: none is lost on a graceful stop
  impl_->store->stop();        // finishes queued store work before exit
  impl_->health.stop();
  telemetry::log_info("shutdown_complete", {{"clean", clean}});
  telemetry::Logger::instance().flush();
  return clean;
}

}  // namespace tollgate::app
