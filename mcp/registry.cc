#include "mcp/registry.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/send.hpp>
#include <caf/typed_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/actor_config.h"
#include "cluster/snapshot_cell.h"
#include "core/json_escape.h"
#include "http/outbound_guard.h"
#include "telemetry/log.h"

namespace tollgate::mcp {

// What the actor is told: a server's tool listing finished, or a new set of servers.
struct ToolListing {
  std::string server;
  std::uint64_t generation = 0;  // of the server's upstream: a listing of a replaced one is dropped
  bool ok = false;
  std::string error;
  std::vector<ToolEntry> tools;
};
struct ServerList {
  std::vector<config::McpServerConfig> servers;
};

// A value handed to the actor in a message. CAF's mailbox orders the hand-off, but its atomics
// live in libcaf_core.so, which ThreadSanitizer cannot see: a lock, taken by the sender after
// building the value and by the actor before reading it, makes that order visible too. One
// static mutex for all (not one per value: TSan would see the mutex's own memory, allocated by
// the sender, read by the actor before any order exists); it is taken twice per hand-off.
inline std::mutex& handoff_mutex() {
  static std::mutex mutex;
  return mutex;
}

template <class T>
class Handoff {
 public:
  explicit Handoff(T value) {
    std::lock_guard lock(handoff_mutex());
    value_ = std::move(value);
  }
  T take() {
    std::lock_guard lock(handoff_mutex());
    return std::move(value_);
  }

 private:
  T value_;
};
using ToolListingHandoff = std::shared_ptr<Handoff<ToolListing>>;
using ServerListHandoff = std::shared_ptr<Handoff<ServerList>>;

}  // namespace tollgate::mcp

// Local messages only (the registry is never remote).
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tollgate::mcp::ToolListingHandoff)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(tollgate::mcp::ServerListHandoff)

namespace tollgate::mcp {
namespace {

using refresh_atom = caf::atom_constant<caf::atom("mcp_refr")>;
using listed_atom = caf::atom_constant<caf::atom("mcp_listed")>;
using servers_atom = caf::atom_constant<caf::atom("mcp_srvs")>;
using tick_atom = caf::atom_constant<caf::atom("mcp_tick")>;
using poll_atom = caf::atom_constant<caf::atom("mcp_poll")>;

using RegistryActor =
    caf::typed_actor<caf::reacts_to<refresh_atom, std::string>, caf::reacts_to<listed_atom, ToolListingHandoff>,
                     caf::reacts_to<servers_atom, ServerListHandoff>, caf::reacts_to<tick_atom>,
                     caf::reacts_to<poll_atom>>;

constexpr int kMaxToolPages = 100;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Two configs reach the upstream the same way: its session and tools can be kept.
bool same_connection(const config::McpServerConfig& a, const config::McpServerConfig& b) {
  return a.url == b.url && a.transport == b.transport && a.headers == b.headers && a.command == b.command &&
         a.args == b.args && a.env == b.env && a.timeout == b.timeout && a.admin_registered == b.admin_registered;
}

}  // namespace

struct Registry::Impl {
  Impl(http::HttpClient& http, Options opts)
      : client(http),
        options(opts),
        config(actors::scheduler_config(1)),
        cell(std::make_shared<const Catalog>()),
        system(*config) {}

  http::HttpClient& client;
  Options options;
  actors::ActorConfig config;
  cluster::SnapshotCell<Catalog> cell;
  std::vector<config::McpServerConfig> config_servers;  // set before start(), never changed
  std::shared_ptr<const http::OutboundGuard> admin_guard;
  caf::actor_system system;  // after what its actors use: its destructor waits for them
  // Set by start(), cleared by stop(); store threads send to it meanwhile.
  mutable std::mutex actor_mutex;
  RegistryActor actor;

  RegistryActor running() const {
    std::lock_guard lock(actor_mutex);
    return actor;
  }
};

namespace {

struct RegistryState {
  std::vector<ServerState> servers;  // in config order
  std::map<std::string, std::uint64_t> generation;
  std::map<std::string, bool> listing;  // a tools/list is under way
  std::uint64_t next_generation = 1;
  static inline const char* name = "mcp_registry";

  // The actor ends with the gateway: so do the upstream sessions (DELETE, streams closed).
  ~RegistryState() {
    for (auto& server : servers) {
      if (server.upstream) server.upstream->close();
    }
  }
};

using Self = RegistryActor::stateful_pointer<RegistryState>;

void publish(Registry::Impl* impl, Self self) {
  auto catalog = std::make_shared<const Catalog>(Catalog{self->state.servers});
  if (impl->options.on_publish) impl->options.on_publish(*catalog);
  impl->cell.publish(std::move(catalog));
}

// tools/list, page after page, then one listed message to the actor.
void list_tools(std::shared_ptr<Upstream> upstream, std::shared_ptr<ToolListing> listing, const std::string& cursor,
                int page, RegistryActor actor) {
  UpstreamCall call;
  call.method = "tools/list";
  if (!cursor.empty()) {
    call.params = R"({"cursor":)";
    core::append_json_string(call.params, cursor);
    call.params.push_back('}');
  }
  call.on_reply = [upstream, listing, page, actor](UpstreamReply reply) {
    if (reply.error) {
      listing->error = reply.error->message;
      caf::anon_send(actor, listed_atom::value, std::make_shared<Handoff<ToolListing>>(std::move(*listing)));
      return;
    }
    std::string next;
    if (!read_tools_page(reply.result, listing->tools, next)) {
      listing->error = "tools/list answered without a tools array";
      caf::anon_send(actor, listed_atom::value, std::make_shared<Handoff<ToolListing>>(std::move(*listing)));
      return;
    }
    if (!next.empty() && page + 1 < kMaxToolPages) {
      list_tools(upstream, listing, next, page + 1, actor);
      return;
    }
    listing->ok = true;
    caf::anon_send(actor, listed_atom::value, std::make_shared<Handoff<ToolListing>>(std::move(*listing)));
  };
  upstream->call(std::move(call));
}

void start_listing(Registry::Impl* impl, Self self, ServerState& server) {
  const auto& name = server.config->name;
  if (!server.upstream || self->state.listing[name]) return;
  self->state.listing[name] = true;
  auto listing = std::make_shared<ToolListing>();
  listing->server = name;
  listing->generation = self->state.generation[name];
  (void)impl;
  list_tools(server.upstream, listing, "", 0, caf::actor_cast<RegistryActor>(self));
}

// A client for the server, whose list_changed notifications come back here as refreshes.
std::shared_ptr<Upstream> build_upstream(Registry::Impl* impl, Self self,
                                         std::shared_ptr<const config::McpServerConfig> config) {
  caf::weak_actor_ptr weak = caf::actor_cast<caf::weak_actor_ptr>(self->ctrl());
  std::string name = config->name;
  auto on_changed = [weak, name] {
    if (auto strong = weak.lock()) caf::anon_send(caf::actor_cast<RegistryActor>(strong), refresh_atom::value, name);
  };
  std::shared_ptr<const http::OutboundGuard> guard;
  if (config->admin_registered) {
    guard = impl->admin_guard ? impl->admin_guard : std::make_shared<const http::OutboundGuard>();
  }
  return make_upstream(UpstreamContext{std::move(config), &impl->client, std::move(on_changed), std::move(guard)});
}

void apply_servers(Registry::Impl* impl, Self self, std::vector<config::McpServerConfig> configs) {
  std::vector<ServerState> next;
  std::vector<std::string> to_list;
  auto& state = self->state;
  for (auto& config : configs) {
    auto shared = std::make_shared<const config::McpServerConfig>(std::move(config));
    ServerState* old = nullptr;
    for (auto& s : state.servers) {
      if (s.config && s.config->name == shared->name) old = &s;  // a null config was taken over already
    }
    if (old && same_connection(*old->config, *shared)) {
      old->config = shared;
      next.push_back(std::move(*old));
      old->config = nullptr;
      continue;
    }
    if (old && old->upstream) old->upstream->close();
    if (old) old->config = nullptr;
    ServerState fresh;
    fresh.config = shared;
    fresh.upstream = build_upstream(impl, self, shared);
    if (!fresh.upstream) fresh.error = "its transport could not be set up (url or command)";
    state.generation[shared->name] = state.next_generation++;
    state.listing[shared->name] = false;
    to_list.push_back(shared->name);
    next.push_back(std::move(fresh));
  }
  for (auto& removed : state.servers) {
    if (removed.config && removed.upstream) removed.upstream->close();
    if (removed.config) {
      state.generation.erase(removed.config->name);
      state.listing.erase(removed.config->name);
    }
  }
  state.servers = std::move(next);
  for (auto& server : state.servers) {
    if (std::find(to_list.begin(), to_list.end(), server.config->name) != to_list.end()) {
      if (!server.upstream) server.checked_at_ms = now_ms();
      start_listing(impl, self, server);
    }
  }
  publish(impl, self);
}

RegistryActor::behavior_type registry_actor(Self self, Registry::Impl* impl) {
  self->delayed_send(self, impl->options.refresh_interval, tick_atom::value);
  if (impl->options.poll_store) self->delayed_send(self, impl->options.store_poll_interval, poll_atom::value);
  return {
      [=](refresh_atom, const std::string& name) {
        for (auto& server : self->state.servers) {
          if (name.empty() || server.config->name == name) start_listing(impl, self, server);
        }
      },
      [=](listed_atom, const ToolListingHandoff& handoff) {
        auto listing = handoff->take();
        auto& state = self->state;
        auto generation = state.generation.find(listing.server);
        if (generation == state.generation.end() || generation->second != listing.generation) return;  // replaced
        state.listing[listing.server] = false;
        for (auto& server : state.servers) {
          if (server.config->name != listing.server) continue;
          server.checked_at_ms = now_ms();
          server.healthy = listing.ok;
          if (listing.ok) {
            server.tools = std::move(listing.tools);
            server.listed = true;
            server.error.clear();
          } else {
            server.error = listing.error;
            telemetry::log_warn("mcp_server_unhealthy", {{"server", listing.server}, {"error", listing.error}});
          }
        }
        publish(impl, self);
      },
      [=](servers_atom, const ServerListHandoff& list) { apply_servers(impl, self, list->take().servers); },
      [=](tick_atom) {
        for (auto& server : self->state.servers) start_listing(impl, self, server);
        self->delayed_send(self, impl->options.refresh_interval, tick_atom::value);
      },
      [=](poll_atom) {
        impl->options.poll_store();
        self->delayed_send(self, impl->options.store_poll_interval, poll_atom::value);
      },
  };
}

}  // namespace

Registry::Registry(std::vector<config::McpServerConfig> servers, http::HttpClient& client, Options options)
    : impl_(std::make_unique<Impl>(client, options)) {
  // Until the actor has built their clients, the servers are known as configured (pending):
  // readiness lists them from the start.
  Catalog pending;
  for (const auto& server : servers) {
    ServerState state;
    state.config = std::make_shared<const config::McpServerConfig>(server);
    state.error = "not listed yet";
    pending.servers.push_back(std::move(state));
  }
  impl_->cell.publish(std::make_shared<const Catalog>(std::move(pending)));
  impl_->config_servers = std::move(servers);
}

Registry::~Registry() { stop(); }

void Registry::start() {
  {
    std::lock_guard lock(impl_->actor_mutex);
    if (impl_->actor) return;
    impl_->actor = impl_->system.spawn(registry_actor, impl_.get());
  }
  send_servers(impl_->config_servers);
  if (impl_->options.poll_store) impl_->options.poll_store();
}

void Registry::set_admin_guard(std::shared_ptr<const http::OutboundGuard> guard) {
  impl_->admin_guard = std::move(guard);
}

void Registry::set_store_servers(std::vector<config::McpServerConfig> servers) {
  auto all = impl_->config_servers;
  for (auto& server : servers) {
    const bool taken = std::any_of(all.begin(), all.end(),
                                   [&server](const config::McpServerConfig& s) { return s.name == server.name; });
    if (taken) {
      telemetry::log_warn("mcp_server_name_taken", {{"server", server.name}, {"kept", "the config file's"}});
      continue;
    }
    all.push_back(std::move(server));
  }
  send_servers(std::move(all));
}

void Registry::stop() {
  if (!impl_) return;
  RegistryActor actor;
  {
    std::lock_guard lock(impl_->actor_mutex);
    actor = std::move(impl_->actor);
    impl_->actor = nullptr;
  }
  if (actor) caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
}

CatalogPtr Registry::catalog() const { return impl_->cell.load(); }

void Registry::send_servers(std::vector<config::McpServerConfig> servers) {
  if (auto actor = impl_->running())
    caf::anon_send(actor, servers_atom::value, std::make_shared<Handoff<ServerList>>(ServerList{std::move(servers)}));
}

void Registry::refresh(const std::string& server) {
  if (auto actor = impl_->running()) caf::anon_send(actor, refresh_atom::value, server);
}

bool Registry::wait_listed(std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto catalog = impl_->cell.load();
    bool all = true;
    for (const auto& server : catalog->servers) all = all && server.checked_at_ms != 0;
    if (all && catalog->servers.size() >= impl_->config_servers.size()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace tollgate::mcp
