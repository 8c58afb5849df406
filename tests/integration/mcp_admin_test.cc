// /v1/mcp/server over real loopback HTTP against a real store: proxy_admin only (401 / 403 /
// 200), the SSRF policy at registration (400 ssrf_blocked for every spelling of an internal
// address and for a host name that resolves to one), 409 for a duplicate name, credentials
// never answered, object_permission on keys and teams; and the outbound client's guard
// refusing at connect time a name that resolved to a public address when it was registered.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <atomic>
#include <future>
#include <map>
#include <mutex>

#include "core/secret_box.h"
#include "http/client.h"
#include "http/io_threads.h"
#include "http/router.h"
#include "http/server.h"
#include "persistence/store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const char* kConfig = R"(
model_list:
  - model_name: m
    litellm_params: {model: mock/m}
general_settings:
  salt_key: mcp-admin-test-salt
)";

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

std::string str(const rapidjson::Value& v) { return v.IsString() ? v.GetString() : "<not a string>"; }

// Answers some names from memory, each with a list of answers given in turn (the last one
// repeats), as a rebinding DNS server would; an answer is one or more comma-separated
// addresses. Other names go to the system resolver.
class ScriptedResolver final : public http::HostResolver {
 public:
  explicit ScriptedResolver(std::map<std::string, std::vector<std::string>> answers) : answers_(std::move(answers)) {}
  http::Resolution resolve(const std::string& host) const override {
    std::lock_guard lock(mutex_);
    const auto it = answers_.find(host);
    if (it == answers_.end()) return http::system_resolver()->resolve(host);
    auto& count = lookups_[host];
    const auto& list = it->second;
    const std::string& answer = list[std::min(count, list.size() - 1)];
    ++count;
    http::Resolution resolution;
    std::size_t start = 0;
    while (start <= answer.size()) {
      const auto comma = std::min(answer.find(',', start), answer.size());
      resolution.addresses.push_back(*core::parse_ip(answer.substr(start, comma - start)));
      start = comma + 1;
    }
    return resolution;
  }
  std::size_t lookups(const std::string& host) const {
    std::lock_guard lock(mutex_);
    const auto it = lookups_.find(host);
    return it == lookups_.end() ? 0 : it->second;
  }

 private:
  std::map<std::string, std::vector<std::string>> answers_;
  mutable std::map<std::string, std::size_t> lookups_;
  mutable std::mutex mutex_;
};

std::shared_ptr<ScriptedResolver> test_resolver() {
  return std::make_shared<ScriptedResolver>(std::map<std::string, std::vector<std::string>>{
      {"public.test", {"93.184.216.34"}},
      {"loopback.test", {"127.0.0.1"}},
      {"mixed.test", {"93.184.216.34,10.1.2.3"}},
      {"rebind.test", {"93.184.216.34", "127.0.0.1"}},
  });
}

struct Admin {
  explicit Admin(const std::string& extra_config = "", std::shared_ptr<ScriptedResolver> r = test_resolver())
      : resolver(std::move(r)), gw(std::string(kConfig) + extra_config, {}, resolver) {}

  HttpReply send(const std::string& method, const std::string& path, const std::string& body,
                 const std::string& key) const {
    return http_request(gw.port(), method, path, body, key.empty() ? HeaderList{} : bearer(key));
  }
  HttpReply register_url(const std::string& name, const std::string& url) const {
    return send("POST", "/v1/mcp/server", R"({"server_name":")" + name + R"(","url":")" + url + R"("})",
                gw.master_key());
  }
  // A user of `role` made by the master key; returns its key.
  std::string user_key(const std::string& user_id, const std::string& role) const {
    const auto reply =
        send("POST", "/user/new", R"({"user_id":")" + user_id + R"(","user_role":")" + role + R"("})", gw.master_key());
    REQUIRE(reply.status == 200);
    const auto key = str(parse(reply.body)["key"]);
    register_secret(key);
    return key;
  }

  std::shared_ptr<ScriptedResolver> resolver;
  TestGateway gw;
};

void check_blocked(const HttpReply& reply, const std::string& expected_in_reason) {
  INFO(reply.body);
  CHECK(reply.status == 400);
  const auto d = parse(reply.body);
  REQUIRE(d.IsObject());
  REQUIRE(d.HasMember("error"));
  CHECK(str(d["error"]["type"]) == "ssrf_blocked");
  CHECK(str(d["error"]["param"]) == "url");
  CHECK_THAT(str(d["error"]["message"]), Catch::Contains(expected_in_reason));
}

}  // namespace

TEST_CASE("mcp admin API: the master key and proxy_admins only, viewers read", "[integration][mcp]") {
  Admin a;
  const auto user = a.user_key("plain-user", "internal_user");
  const auto viewer = a.user_key("viewer", "proxy_admin_viewer");
  const auto admin_user = a.user_key("second-admin", "proxy_admin");
  const std::string body = R"({"server_name":"files","url":"https://public.test/mcp"})";

  CHECK(a.send("POST", "/v1/mcp/server", body, "").status == 401);
  CHECK(a.send("GET", "/v1/mcp/server", "", "").status == 401);
  CHECK(a.send("POST", "/v1/mcp/server", body, "sk-not-a-real-key-000000").status == 401);
  CHECK(a.send("POST", "/v1/mcp/server", body, user).status == 403);
  CHECK(a.send("GET", "/v1/mcp/server", "", user).status == 403);
  CHECK(a.send("POST", "/v1/mcp/server", body, viewer).status == 403);

  const auto created = a.send("POST", "/v1/mcp/server", body, a.gw.master_key());
  INFO(created.body);
  REQUIRE(created.status == 200);
  const auto id = str(parse(created.body)["server_id"]);
  CHECK(a.send("GET", "/v1/mcp/server", "", viewer).status == 200);
  CHECK(a.send("GET", "/v1/mcp/server/" + id, "", viewer).status == 200);
  CHECK(a.send("GET", "/v1/mcp/server/" + id, "", user).status == 403);
  CHECK(a.send("DELETE", "/v1/mcp/server/" + id, "", user).status == 403);
  CHECK(a.send("DELETE", "/v1/mcp/server/" + id, "", viewer).status == 403);
  CHECK(a.send("PUT", "/v1/mcp/server", R"({"server_id":")" + id + R"(","description":"x"})", user).status == 403);
  // A proxy_admin user's key is an admin here too.
  CHECK(a.send("PUT", "/v1/mcp/server", R"({"server_id":")" + id + R"(","description":"x"})", admin_user).status ==
        200);
  CHECK(a.send("DELETE", "/v1/mcp/server/" + id, "", admin_user).status == 200);
}

TEST_CASE("mcp admin API: internal addresses are refused at registration", "[integration][mcp][ssrf]") {
  Admin a;
  const std::pair<const char*, const char*> cases[] = {
      {"http://127.0.0.1:3001/mcp", "loopback"},
      {"http://10.0.0.1/mcp", "RFC 1918"},
      {"http://192.168.1.1/mcp", "RFC 1918"},
      {"http://169.254.169.254/latest/meta-data/", "metadata"},
      {"http://[::ffff:127.0.0.1]/mcp", "IPv4-mapped"},
      {"http://0x7f.1/mcp", "127.0.0.1"},
      {"http://2130706433/mcp", "127.0.0.1"},
      {"http://loopback.test:3001/mcp", "loopback.test resolves to 127.0.0.1"},
      {"http://mixed.test/mcp", "10.1.2.3"},  // one internal address among public ones is enough
      {"http://localhost:3001/mcp", "loopback"},
      {"http://user@public.test/mcp", "user@host"},
      {"file:///etc/passwd", "http and https"},
      {"http://does-not-exist.invalid/mcp", "does not resolve"},
      {"http://public.test#.127.0.0.1/mcp", "fragment"},  // a reader splitting at '/' only sees 127.0.0.1
  };
  for (const auto& [url, reason] : cases) {
    INFO(url);
    check_blocked(a.register_url("blocked", url), reason);
  }
  CHECK(a.resolver->lookups("loopback.test") == 1);
  const auto list = a.send("GET", "/v1/mcp/server", "", a.gw.master_key());
  REQUIRE(list.status == 200);
  CHECK(list.body == "[]");  // nothing was registered
}

TEST_CASE("mcp admin API: a credential is stored sealed under the salt key, and refused without one",
          "[integration][mcp]") {
  const std::string secret = "mcp-upstream-secret-sealed-9b1e";
  register_secret(secret);
  for (const std::string backend : {"sqlite", "postgresql"}) {
    INFO(backend);
    TestDatabase db(backend);
    TestGateway gw(std::string(kConfig) + db.gateway_settings(), db.gateway_env(), test_resolver());
    const auto created = http_request(gw.port(), "POST", "/v1/mcp/server",
                                      R"({"server_id":"srv-s","server_name":"sealed","url":"https://public.test/mcp",)"
                                      R"("transport":"http","auth_type":"bearer_token","auth_value":")" +
                                          secret + R"("})",
                                      bearer(gw.master_key()));
    INFO(created.body);
    REQUIRE(created.status == 200);
    const auto row = db.open_store()->find_mcp_server("srv-s");
    REQUIRE(row);
    REQUIRE(row->auth_value_sealed);
    CHECK(row->auth_value_sealed->rfind("v1:", 0) == 0);
    CHECK(row->auth_value_sealed->find(secret) == std::string::npos);
    CHECK(core::SecretBox("mcp-admin-test-salt").open(*row->auth_value_sealed) == std::optional<std::string>(secret));
  }

  // No salt key: a server without a credential registers; one with a credential is refused.
  TestGateway unsalted("model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n", {}, test_resolver());
  const auto plain = http_request(unsalted.port(), "POST", "/v1/mcp/server",
                                  R"({"server_name":"open","url":"https://public.test/mcp","transport":"http"})",
                                  bearer(unsalted.master_key()));
  CHECK(plain.status == 200);
  const auto refused = http_request(unsalted.port(), "POST", "/v1/mcp/server",
                                    R"({"server_name":"closed","url":"https://public.test/mcp","transport":"http",)"
                                    R"("auth_type":"bearer_token","auth_value":")" +
                                        secret + R"("})",
                                    bearer(unsalted.master_key()));
  INFO(refused.body);
  CHECK(refused.status == 400);
  CHECK_THAT(refused.body, Catch::Contains("salt_key"));
  CHECK(refused.body.find(secret) == std::string::npos);
}

TEST_CASE("mcp admin API: create, read, update, delete, duplicates, credentials stay hidden", "[integration][mcp]") {
  Admin a;
  const std::string secret = "mcp-upstream-secret-7f3a9c";
  register_secret(secret);
  const auto created = a.send("POST", "/v1/mcp/server",
                              R"({"server_id":"srv-1","server_name":"files","alias":"Files","description":"d",)"
                              R"("url":"https://public.test/mcp","transport":"http","auth_type":"bearer_token",)"
                              R"("credentials":{"auth_value":")" +
                                  secret +
                                  R"("},"mcp_access_groups":["dev"],)"
                                  R"("allowed_tools":["read"],"mcp_info":{}})",
                              a.gw.master_key());
  INFO(created.body);
  REQUIRE(created.status == 200);
  CHECK(created.body.find(secret) == std::string::npos);
  const auto d = parse(created.body);
  CHECK(str(d["server_id"]) == "srv-1");
  CHECK(str(d["server_name"]) == "files");
  CHECK(str(d["transport"]) == "http");
  CHECK(str(d["auth_type"]) == "bearer_token");
  CHECK(d["has_credentials"].GetBool());
  CHECK(d["mcp_access_groups"].Size() == 1);
  CHECK(d["allowed_tools"].Size() == 1);

  const auto duplicate = a.register_url("files", "https://public.test/other");
  CHECK(duplicate.status == 409);
  CHECK(a.send("POST", "/v1/mcp/server", R"({"server_id":"srv-1","server_name":"other","url":"https://public.test/"})",
               a.gw.master_key())
            .status == 409);
  CHECK(a.register_url("bad-name", "https://public.test/").status == 400);  // '-' separates server and tool
  CHECK(a.send("POST", "/v1/mcp/server", R"({"server_name":"local","url":"https://public.test/","transport":"stdio"})",
               a.gw.master_key())
            .status == 400);
  CHECK(a.send("POST", "/v1/mcp/server",
               R"({"server_name":"x","url":"https://public.test/","disallowed_tools":["rm"]})", a.gw.master_key())
            .status == 400);  // a restriction Tollgate would not enforce
  CHECK(a.send("POST", "/v1/mcp/server", R"({"server_name":"x","url":"https://public.test/","colour":1})",
               a.gw.master_key())
            .status == 400);

  const auto second = a.register_url("db", "https://public.test/db");
  REQUIRE(second.status == 200);
  CHECK(str(parse(second.body)["transport"]) == "sse");  // LiteLLM's API default

  const auto listed = a.send("GET", "/v1/mcp/server", "", a.gw.master_key());
  REQUIRE(listed.status == 200);
  CHECK(listed.body.find(secret) == std::string::npos);
  const auto list = parse(listed.body);
  REQUIRE(list.Size() == 2);
  CHECK(str(list[0]["server_name"]) == "db");
  CHECK(str(list[1]["server_name"]) == "files");

  const auto one = a.send("GET", "/v1/mcp/server/srv-1", "", a.gw.master_key());
  REQUIRE(one.status == 200);
  CHECK(one.body.find(secret) == std::string::npos);
  CHECK(a.send("GET", "/v1/mcp/server/nope", "", a.gw.master_key()).status == 404);

  // PUT: renaming onto a taken name is 409; a new URL is checked like a new registration.
  CHECK(a.send("PUT", "/v1/mcp/server", R"({"server_id":"srv-1","server_name":"db"})", a.gw.master_key()).status ==
        409);
  check_blocked(
      a.send("PUT", "/v1/mcp/server", R"({"server_id":"srv-1","url":"http://10.0.0.1/mcp"})", a.gw.master_key()),
      "10.0.0.1");
  const auto updated =
      a.send("PUT", "/v1/mcp/server", R"({"server_id":"srv-1","description":"changed"})", a.gw.master_key());
  REQUIRE(updated.status == 200);
  CHECK(str(parse(updated.body)["description"]) == "changed");
  CHECK(str(parse(updated.body)["url"]) == "https://public.test/mcp");
  CHECK(parse(updated.body)["has_credentials"].GetBool());  // kept when not given
  CHECK(a.send("PUT", "/v1/mcp/server", R"({"server_id":"nope","description":"x"})", a.gw.master_key()).status == 404);

  // A new credential replaces the old one.
  const std::string rotated = "mcp-upstream-secret-rotated-41d2";
  register_secret(rotated);
  const auto rotated_reply =
      a.send("PUT", "/v1/mcp/server", R"({"server_id":"srv-1","auth_value":")" + rotated + R"("})", a.gw.master_key());
  REQUIRE(rotated_reply.status == 200);
  CHECK(rotated_reply.body.find(rotated) == std::string::npos);

  const auto deleted = a.send("DELETE", "/v1/mcp/server/srv-1", "", a.gw.master_key());
  CHECK(deleted.status == 200);
  CHECK(deleted.body.find(secret) == std::string::npos);
  CHECK(a.send("GET", "/v1/mcp/server/srv-1", "", a.gw.master_key()).status == 404);
  CHECK(a.send("DELETE", "/v1/mcp/server/srv-1", "", a.gw.master_key()).status == 404);
}

TEST_CASE("mcp admin API: mcp_allowed_networks admits a private network, never metadata", "[integration][mcp][ssrf]") {
  Admin a("mcp_allowed_networks: [\"127.0.0.0/8\", \"172.18.0.0/16\"]\n");
  CHECK(a.register_url("local", "http://127.0.0.1:3001/mcp").status == 200);
  CHECK(a.register_url("docker", "http://172.18.0.7:3001/mcp").status == 200);
  CHECK(a.register_url("named", "http://loopback.test:3001/mcp").status == 200);
  check_blocked(a.register_url("meta", "http://169.254.169.254/"), "metadata");
  check_blocked(a.register_url("other", "http://172.19.0.7/"), "RFC 1918");
}

TEST_CASE("object_permission on keys and teams is kept and answered", "[integration][mcp]") {
  Admin a;
  const auto& master = a.gw.master_key();
  const auto team =
      a.send("POST", "/team/new",
             R"({"team_id":"t-mcp","object_permission":{"mcp_servers":["files"],)"
             R"("mcp_access_groups":["dev"],"mcp_tool_permissions":{"files":["read"]},"vector_stores":[]}})",
             master);
  INFO(team.body);
  REQUIRE(team.status == 200);
  const auto info = parse(a.send("GET", "/team/info?team_id=t-mcp", "", master).body);
  const auto& permission = info["team_info"]["object_permission"];
  REQUIRE(permission.IsObject());
  CHECK(str(permission["mcp_servers"][0]) == "files");
  CHECK(str(permission["mcp_access_groups"][0]) == "dev");
  CHECK(str(permission["mcp_tool_permissions"]["files"][0]) == "read");

  const auto generated =
      a.send("POST", "/key/generate", R"({"team_id":"t-mcp","object_permission":{"mcp_servers":["files"]}})", master);
  REQUIRE(generated.status == 200);
  const auto key = str(parse(generated.body)["key"]);
  register_secret(key);
  auto key_info = parse(a.send("GET", "/key/info?key=" + key, "", master).body);
  CHECK(str(key_info["info"]["object_permission"]["mcp_servers"][0]) == "files");

  // null clears it; a permission that sets nothing is none (the key then has its team's).
  REQUIRE(a.send("POST", "/key/update", R"({"key":")" + key + R"(","object_permission":null})", master).status == 200);
  key_info = parse(a.send("GET", "/key/info?key=" + key, "", master).body);
  CHECK(key_info["info"]["object_permission"].IsNull());
  REQUIRE(a.send("POST", "/key/update",
                 R"({"key":")" + key + R"(","object_permission":{"mcp_servers":null,"vector_stores":[]}})", master)
              .status == 200);
  key_info = parse(a.send("GET", "/key/info?key=" + key, "", master).body);
  CHECK(key_info["info"]["object_permission"].IsNull());

  // Members Tollgate does not enforce are refused when they set something; bad types name the field.
  const auto unenforced = a.send("POST", "/key/update",
                                 R"({"key":")" + key + R"(","object_permission":{"vector_stores":["vs-1"]}})", master);
  CHECK(unenforced.status == 400);
  CHECK(unenforced.body.find("object_permission.vector_stores") != std::string::npos);
  const auto wrong =
      a.send("POST", "/team/update", R"({"team_id":"t-mcp","object_permission":{"mcp_servers":"files"}})", master);
  CHECK(wrong.status == 400);
  CHECK(wrong.body.find("object_permission.mcp_servers") != std::string::npos);

  // A plain member may not grant itself MCP servers on its own key.
  const auto user = a.user_key("member-u", "internal_user");
  const auto own = a.send("POST", "/key/generate", R"({"object_permission":{"mcp_servers":["files"]}})", user);
  INFO(own.body);
  REQUIRE(own.status == 200);
  const auto own_key = str(parse(own.body)["key"]);
  register_secret(own_key);
  CHECK(
      a.send("POST", "/key/update", R"({"key":")" + own_key + R"(","object_permission":{"mcp_servers":["db"]}})", user)
          .status == 403);
}

namespace {

// A plain HTTP server on 127.0.0.1 that counts the requests reaching it.
struct LoopbackServer {
  LoopbackServer() : io(1) {
    router.add(http::Method::get, "/mcp", [this](const http::ExchangePtr& exchange) {
      ++hits;
      exchange->respond(http::text_response(200, "reached"));
    });
    http::ServerOptions options;
    options.port = 0;
    server = std::make_unique<http::Server>(options, router, nullptr, io);
    server->start();
    io.start();
  }
  ~LoopbackServer() { io.stop(); }
  http::IoThreads io;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::atomic<int> hits{0};
};

struct Outcome {
  int status = 0;
  std::optional<http::ClientErrorKind> error;
  std::string message;
};

class PromiseSink final : public http::ResponseSink {
 public:
  void on_head(int status, const http::Headers&) override { outcome_.status = status; }
  void on_data(std::string_view) override {}
  void on_complete() override { promise_.set_value(outcome_); }
  void on_error(http::ClientErrorKind kind, const std::string& message) override {
    outcome_.error = kind;
    outcome_.message = message;
    promise_.set_value(outcome_);
  }
  std::future<Outcome> future() { return promise_.get_future(); }

 private:
  Outcome outcome_;
  std::promise<Outcome> promise_;
};

Outcome call(http::HttpClient& client, const std::string& url, std::shared_ptr<const http::OutboundGuard> guard) {
  const auto upstream = http::parse_upstream_url(url);
  REQUIRE(upstream);
  http::OutboundRequest request;
  request.method = http::Method::get;
  request.target = upstream->base_path;
  request.guard = std::move(guard);
  auto sink = std::make_shared<PromiseSink>();
  auto result = sink->future();
  client.send(*upstream, std::move(request), sink);
  REQUIRE(result.wait_for(10s) == std::future_status::ready);
  return result.get();
}

}  // namespace

TEST_CASE("mcp ssrf: a name that rebinds after registration is refused at connect time", "[integration][mcp][ssrf]") {
  LoopbackServer target;
  const std::string port = std::to_string(target.server->port());
  Admin a;
  // Registration looks rebind.test up once: a public address, so it is accepted.
  const auto registered = a.register_url("rebinding", "http://rebind.test:" + port + "/mcp");
  INFO(registered.body);
  REQUIRE(registered.status == 200);
  // (The gateway's MCP registry then connects to the new server to list its tools, through the
  // same guard and resolver: more lookups, each refused; counted below as at least one more.)
  CHECK(a.resolver->lookups("rebind.test") >= 1);
  const auto stored = parse(a.send("GET", "/v1/mcp/server", "", a.gw.master_key()).body);
  const auto url = str(stored[0]["url"]);

  // At connect time the same name answers 127.0.0.1, where a server is listening.
  http::IoThreads io(1);
  io.start();
  http::HttpClient client(io, {});
  const auto guard = std::make_shared<http::OutboundGuard>(http::OutboundGuard{{}, a.resolver});
  const auto lookups_before = a.resolver->lookups("rebind.test");
  const auto refused = call(client, url, guard);
  CHECK(refused.error == http::ClientErrorKind::blocked);
  CHECK_THAT(refused.message, Catch::Contains("127.0.0.1 is a loopback address"));
  CHECK(a.resolver->lookups("rebind.test") >= lookups_before + 1);
  CHECK(target.hits == 0);

  // Every spelling of the address is decided on the parsed address the client would use.
  for (const std::string host : {"127.0.0.1", "0x7f.1", "2130706433", "[::ffff:127.0.0.1]", "localhost"}) {
    INFO(host);
    const auto outcome = call(client, "http://" + host + ":" + port + "/mcp", guard);
    CHECK(outcome.error == http::ClientErrorKind::blocked);
  }
  CHECK(target.hits == 0);

  // The same calls with loopback allowlisted reach the server: the refusals above were the guard's.
  const auto allowing =
      std::make_shared<http::OutboundGuard>(http::OutboundGuard{{{*core::parse_cidr("127.0.0.0/8")}}, a.resolver});
  const auto reached = call(client, url, allowing);
  CHECK_FALSE(reached.error);
  CHECK(reached.status == 200);
  CHECK(call(client, "http://127.0.0.1:" + port + "/mcp", nullptr).status == 200);  // unguarded: operator upstreams
  CHECK(target.hits == 2);
  // The unguarded call left a keep-alive connection to 127.0.0.1 in the pool: a guarded call
  // must not reuse it.
  CHECK(call(client, "http://127.0.0.1:" + port + "/mcp", guard).error == http::ClientErrorKind::blocked);
  CHECK(target.hits == 2);
  io.stop();
}
