// The MCP gateway over real loopback HTTP: /mcp in front of fake MCP upstreams (one that
// works, one that never answers, one that answers garbage, one that is down).
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include <rapidjson/document.h>

#include "tests/store/store_fixture.h"
#include "tests/support/fake_mcp_server.h"
#include "tests/support/http_client.h"
#include "tests/support/metrics_text.h"
#include "tests/support/spawn.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

rapidjson::Document json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  return d;
}

struct McpWorld {
  TestDatabase db{"sqlite"};
  FakeMcpServer fake;
  FakeMcpServer silent{FakeMcpServer::Mode::silent};
  FakeMcpServer garbage{FakeMcpServer::Mode::garbage};
  std::uint16_t down_port = free_port();
  std::unique_ptr<TestGateway> gw;

  McpWorld() {
    const std::string yaml =
        "mcp_servers:\n"
        "  fake:\n"
        "    url: " +
        fake.url() +
        "\n"
        "    static_headers: {X-Upstream-Token: os.environ/FAKE_MCP_TOKEN}\n"
        "    timeout: 2\n"
        "    access_groups: [dev]\n"
        "    mcp_info: {mcp_server_cost_info: {default_cost_per_query: 0.001, tool_name_to_cost_per_query: {add: "
        "0.25}}}\n"
        "  narrow:\n"
        "    url: " +
        fake.url() +
        "\n"
        "    allowed_tools: [add]\n"
        "  silent:\n"
        "    url: " +
        silent.url() +
        "\n"
        "    timeout: 1\n"
        "  garbage:\n"
        "    url: " +
        garbage.url() +
        "\n"
        "    timeout: 2\n"
        "  down:\n"
        "    url: http://127.0.0.1:" +
        std::to_string(down_port) +
        "/mcp\n"
        "    timeout: 2\n"
        "general_settings:\n"
        "  max_auth_failures_per_minute: 100000\n" +
        db.gateway_settings();
    auto env = db.gateway_env();
    env["FAKE_MCP_TOKEN"] = "upstream-secret-token";
    register_secret("upstream-secret-token");
    gw = std::make_unique<TestGateway>(yaml, env);
    // The registry lists every server at start: wait until each has answered or failed.
    for (int i = 0; i < 250; ++i) {
      const auto ready = json(http_request(gw->port(), "GET", "/health/readiness").body);
      bool settled = true;
      for (const auto& s : ready["mcp_servers"].GetArray()) {
        settled = settled && std::string(s["status"].GetString()) != "pending";
      }
      if (settled) break;
      std::this_thread::sleep_for(20ms);
    }
  }

  HeaderList headers(const std::string& key, const std::string& session = "") const {
    HeaderList h = bearer(key);
    h.push_back({"Accept", "application/json, text/event-stream"});
    if (!session.empty()) h.push_back({"Mcp-Session-Id", session});
    return h;
  }

  std::string initialize(const std::string& key, const std::string& path = "/mcp") const {
    const auto reply = http_request(
        gw->port(), "POST", path,
        R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
        headers(key));
    REQUIRE(reply.status == 200);
    return reply.header("mcp-session-id");
  }

  HttpReply rpc(const std::string& key, const std::string& session, const std::string& body,
                const std::string& path = "/mcp") const {
    return http_request(gw->port(), "POST", path, body, headers(key, session));
  }

  std::string generate_key(const std::string& body = "{}") const {
    const auto reply = http_request(gw->port(), "POST", "/key/generate", body, bearer(gw->master_key()));
    REQUIRE(reply.status == 200);
    const std::string key = json(reply.body)["key"].GetString();
    register_secret(key);
    return key;
  }
};

std::vector<std::string> tool_names(const McpWorld& w, const std::string& key) {
  const auto session = w.initialize(key);
  const auto list = json(w.rpc(key, session, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})").body);
  std::vector<std::string> names;
  for (const auto& tool : list["result"]["tools"].GetArray()) names.push_back(tool["name"].GetString());
  return names;
}

using Names = std::vector<std::string>;

std::string call_body(const std::string& name, const std::string& arguments, int id = 2) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"tools/call","params":{"name":")" + name +
         R"(","arguments":)" + arguments + "}}";
}

}  // namespace

TEST_CASE("/mcp: initialize opens a session bound to the key, the protocol is checked", "[integration][mcp]") {
  McpWorld w;
  const auto& master = w.gw->master_key();
  const auto reply = http_request(
      w.gw->port(), "POST", "/mcp",
      R"({"jsonrpc":"2.0","id":"init-1","method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
      w.headers(master));
  REQUIRE(reply.status == 200);
  const auto session = reply.header("mcp-session-id");
  CHECK(session.size() == 32);
  const auto init = json(reply.body);
  CHECK(std::string(init["id"].GetString()) == "init-1");  // the caller's id, as sent
  CHECK(std::string(init["result"]["protocolVersion"].GetString()) == "2025-03-26");
  CHECK(init["result"]["capabilities"].HasMember("tools"));

  // An unknown version is answered with the latest one supported.
  const auto other = http_request(
      w.gw->port(), "POST", "/mcp",
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"1999-01-01","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
      w.headers(master));
  CHECK(std::string(json(other.body)["result"]["protocolVersion"].GetString()) == "2025-06-18");

  const std::string ping = R"({"jsonrpc":"2.0","id":7,"method":"ping"})";
  CHECK(w.rpc(master, session, ping).body == R"({"jsonrpc":"2.0","id":7,"result":{}})");
  CHECK(w.rpc(master, "", ping).status == 400);                 // no session
  CHECK(w.rpc(master, "no-such-session", ping).status == 404);  // unknown session
  const auto key = w.generate_key();
  CHECK(w.rpc(key, session, ping).status == 404);  // another key's session is unknown to this one

  auto with = [&](std::pair<std::string, std::string> extra) {
    auto h = w.headers(master, session);
    h.push_back(std::move(extra));
    return http_request(w.gw->port(), "POST", "/mcp", ping, h);
  };
  CHECK(with({"MCP-Protocol-Version", "1999-01-01"}).status == 400);
  CHECK(with({"MCP-Protocol-Version", "2025-06-18"}).status == 200);
  CHECK(with({"Origin", "http://evil.example"}).status == 403);
  CHECK(with({"Origin", "http://localhost:3000"}).status == 200);

  // Notifications are accepted without a body.
  CHECK(w.rpc(master, session, R"({"jsonrpc":"2.0","method":"notifications/initialized"})").status == 202);
  // Malformed JSON, batches, unknown methods.
  const auto garbage = w.rpc(master, session, "{not json");
  CHECK(garbage.status == 400);
  CHECK(json(garbage.body)["error"]["code"].GetInt() == -32700);
  CHECK(w.rpc(master, session, "[" + ping + "]").status == 400);
  const auto unknown = json(w.rpc(master, session, R"({"jsonrpc":"2.0","id":3,"method":"foo/bar"})").body);
  CHECK(unknown["error"]["code"].GetInt() == -32601);

  // No key: 401; GET (no server-initiated stream): 405; DELETE ends the session.
  CHECK(http_request(w.gw->port(), "POST", "/mcp", ping).status == 401);
  CHECK(http_request(w.gw->port(), "GET", "/mcp", "", w.headers(master, session)).status == 405);
  CHECK(http_request(w.gw->port(), "DELETE", "/mcp", "", w.headers(master, session)).status == 200);
  CHECK(w.rpc(master, session, ping).status == 404);
}

TEST_CASE("/mcp: tools of every server as <server>-<tool>, calls routed with the bare name", "[integration][mcp]") {
  McpWorld w;
  const auto& master = w.gw->master_key();
  const auto session = w.initialize(master);
  const auto list = json(w.rpc(master, session, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})").body);
  std::vector<std::string> names;
  for (const auto& tool : list["result"]["tools"].GetArray()) names.push_back(tool["name"].GetString());
  // narrow's allowlist keeps only add; the broken servers have no tools.
  REQUIRE(names == std::vector<std::string>{"fake-echo", "fake-add", "narrow-add"});
  CHECK(std::string(list["result"]["tools"][0]["description"].GetString()) == "Echoes the message");

  const auto echo = json(w.rpc(master, session, call_body("fake-echo", R"({"message":"hello"})")).body);
  CHECK(std::string(echo["result"]["content"][0]["text"].GetString()) == "Echo: hello");
  const auto add = json(w.rpc(master, session, call_body("fake-add", R"({"a":2,"b":40})")).body);
  CHECK(std::string(add["result"]["content"][0]["text"].GetString()) == "42");

  // The upstream saw the bare name, its own credential, never the caller's key.
  bool saw_call = false;
  for (const auto& r : w.fake.received()) {
    CHECK(r.head.find(master) == std::string::npos);
    if (r.body.find("tools/call") != std::string::npos && r.body.find("\"echo\"") != std::string::npos) {
      saw_call = true;
      CHECK(r.head.find("X-Upstream-Token: upstream-secret-token") != std::string::npos);
      CHECK(r.head.find("mcp-session-id: fake-session-1") != std::string::npos);
    }
  }
  CHECK(saw_call);

  // A tool outside the server's allowlist, an unknown server, an unknown tool.
  CHECK(json(w.rpc(master, session, call_body("narrow-echo", R"({"message":"x"})")).body)["error"]["code"].GetInt() ==
        -32003);
  CHECK(json(w.rpc(master, session, call_body("nope-echo", "{}")).body)["error"]["code"].GetInt() == -32602);
  CHECK(json(w.rpc(master, session, call_body("fake-nope", "{}")).body)["error"]["code"].GetInt() == -32602);

  // /mcp/{server}: that server only; bare names accepted there.
  const auto scoped = w.initialize(master, "/mcp/fake");
  const auto one = json(w.rpc(master, scoped, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", "/mcp/fake").body);
  CHECK(one["result"]["tools"].Size() == 2);
  const auto bare = json(w.rpc(master, scoped, call_body("echo", R"({"message":"b"})"), "/mcp/fake").body);
  CHECK(std::string(bare["result"]["content"][0]["text"].GetString()) == "Echo: b");
  CHECK(w.rpc(master, scoped, R"({"jsonrpc":"2.0","id":2,"method":"ping"})", "/mcp").status == 404);  // other path
  CHECK(http_request(w.gw->port(), "POST", "/mcp/unknown", "{}", w.headers(master)).status == 404);

  // Metrics per server and tool; the calls in the spend log with the configured costs.
  const auto metrics = http_request(w.gw->port(), "GET", "/metrics").body;
  CHECK(metric_sum(metrics, "tollgate_mcp_tool_calls_total", R"(outcome="success",server="fake",tool="echo")") == 2);
  CHECK(metric_sum(metrics, "tollgate_mcp_tool_calls_total", R"(outcome="denied")") == 1);
  CHECK(metric_sum(metrics, "tollgate_mcp_server_up", R"(server="fake")") == 1);
  CHECK(metric_sum(metrics, "tollgate_mcp_server_up", R"(server="down")") == 0);
  double add_spend = -1;
  int mcp_rows = 0;
  for (int attempt = 0; attempt < 50 && mcp_rows < 3; ++attempt) {  // the spend writer's 1 s batches
    std::this_thread::sleep_for(200ms);
    const auto logs = json(http_request(w.gw->port(), "GET", "/spend/logs", "", bearer(master)).body);
    REQUIRE(logs.IsArray());
    mcp_rows = 0;
    for (const auto& row : logs.GetArray()) {
      if (std::string(row["call_type"].GetString()) != "call_mcp_tool") continue;
      ++mcp_rows;
      if (std::string(row["model"].GetString()) == "fake-add") add_spend = row["spend"].GetDouble();
    }
  }
  CHECK(mcp_rows == 3);
  CHECK(add_spend == Approx(0.25));
}

TEST_CASE("/mcp: tool calls sent under one x-request-id are each a spend log", "[integration][mcp][spend]") {
  McpWorld w;
  const auto& master = w.gw->master_key();
  const auto session = w.initialize(master);
  auto headers = w.headers(master, session);
  headers.push_back({"x-request-id", "client-reused-id"});  // a client that reuses its ids
  for (const char* message : {"one", "two"}) {
    const auto reply = http_request(w.gw->port(), "POST", "/mcp",
                                    call_body("fake-echo", std::string(R"({"message":")") + message + "\"}"), headers);
    REQUIRE(reply.status == 200);
  }
  int rows = 0;
  for (int attempt = 0; attempt < 50 && rows < 2; ++attempt) {  // the spend writer's 1 s batches
    std::this_thread::sleep_for(200ms);
    const auto logs = json(http_request(w.gw->port(), "GET", "/spend/logs", "", bearer(master)).body);
    REQUIRE(logs.IsArray());
    rows = 0;
    for (const auto& row : logs.GetArray()) {
      if (std::string(row["call_type"].GetString()) != "call_mcp_tool") continue;
      CHECK(std::string(row["metadata"]["x_request_id"].GetString()) == "client-reused-id");
      CHECK(std::string(row["request_id"].GetString()) != "client-reused-id");
      ++rows;
    }
  }
  CHECK(rows == 2);
}

TEST_CASE("/mcp: an upstream down, silent or answering garbage is a JSON-RPC error in time", "[integration][mcp]") {
  McpWorld w;
  const auto& master = w.gw->master_key();
  const auto session = w.initialize(master);
  struct Row {
    const char* tool;
    int code;
    std::chrono::milliseconds within;
  };
  // Within the configured timeout (1 s for silent, 2 s for the others), with room for a loaded machine.
  const Row rows[] = {{"silent-echo", -32001, 4000ms}, {"garbage-echo", -32000, 4000ms}, {"down-echo", -32000, 4000ms}};
  for (const auto& row : rows) {
    INFO(row.tool);
    const auto started = std::chrono::steady_clock::now();
    const auto reply = w.rpc(master, session, call_body(row.tool, R"({"message":"x"})"));
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(reply.status == 200);
    const auto body = json(reply.body);
    REQUIRE(body.HasMember("error"));
    CHECK(body["error"]["code"].GetInt() == row.code);
    CHECK(took < row.within);
    if (row.code == -32001) CHECK(took >= 900ms);  // the silent one: the deadline, not a failure
  }
  // The gateway stays healthy and the working server still answers.
  CHECK(http_request(w.gw->port(), "GET", "/health/liveliness").status == 200);
  const auto echo = json(w.rpc(master, session, call_body("fake-echo", R"({"message":"still"})")).body);
  CHECK(std::string(echo["result"]["content"][0]["text"].GetString()) == "Echo: still");
  const auto ready = json(http_request(w.gw->port(), "GET", "/health/readiness").body);
  for (const auto& s : ready["mcp_servers"].GetArray()) {
    const std::string name = s["name"].GetString();
    if (name == "down" || name == "garbage") CHECK(std::string(s["status"].GetString()) == "unhealthy");
  }
}

TEST_CASE("/mcp: a key without MCP permission sees no tools and calls none", "[integration][mcp]") {
  McpWorld w;
  const auto key = w.generate_key();
  const auto session = w.initialize(key);
  const auto list = json(w.rpc(key, session, R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})").body);
  CHECK(list["result"]["tools"].Size() == 0);
  CHECK(json(w.rpc(key, session, call_body("fake-echo", R"({"message":"x"})")).body)["error"]["code"].GetInt() ==
        -32602);
  CHECK(http_request(w.gw->port(), "POST", "/mcp/fake", "{}", w.headers(key)).status == 404);
  // /v1/mcp/tools/list: proxy admins only.
  CHECK(http_request(w.gw->port(), "GET", "/v1/mcp/tools/list").status == 401);
  CHECK(http_request(w.gw->port(), "GET", "/v1/mcp/tools/list", "", bearer(key)).status == 403);
  const auto all = http_request(w.gw->port(), "GET", "/v1/mcp/tools/list", "", bearer(w.gw->master_key()));
  REQUIRE(all.status == 200);
  CHECK(json(all.body)["tools"].Size() == 3);
  CHECK(std::string(json(all.body)["tools"][0]["mcp_info"]["server_name"].GetString()) == "fake");
}

namespace {

// The code of a tools/call's JSON-RPC error, 0 for a result.
int call_code(const McpWorld& w, const std::string& key, const std::string& tool) {
  const auto session = w.initialize(key);
  const auto reply = json(w.rpc(key, session, call_body(tool, R"({"message":"m","a":1,"b":2})")).body);
  return reply.HasMember("error") ? reply["error"]["code"].GetInt() : 0;
}

}  // namespace

TEST_CASE("/mcp permissions: key and team object_permission decide list and call, exactly", "[integration][mcp]") {
  McpWorld w;
  const auto& master = w.gw->master_key();
  REQUIRE(http_request(w.gw->port(), "POST", "/team/new",
                       R"({"team_id":"t-narrow","object_permission":{"mcp_servers":["narrow"]}})", bearer(master))
              .status == 200);
  struct Row {
    const char* what;
    std::string key_body;
    Names tools;
    int echo_code;  // fake-echo
    int add_code;   // narrow-add
  };
  const std::vector<Row> rows = {
      {"no permission", "{}", {}, -32602, -32602},
      {"one server", R"({"object_permission":{"mcp_servers":["fake"]}})", {"fake-echo", "fake-add"}, 0, -32602},
      {"one tool",
       R"({"object_permission":{"mcp_servers":["fake"],"mcp_tool_permissions":{"fake":["add"]}}})",
       {"fake-add"},
       -32003,
       -32602},
      {"an access group",
       R"({"object_permission":{"mcp_access_groups":["dev"]}})",
       {"fake-echo", "fake-add"},
       0,
       -32602},
      {"both servers, by id and name",
       R"({"object_permission":{"mcp_servers":["fake","narrow"]}})",
       {"fake-echo", "fake-add", "narrow-add"},
       0,
       0},
      // The team grants narrow only: the key's wider grant is cut to it.
      {"a team-restricted key",
       R"({"team_id":"t-narrow","object_permission":{"mcp_servers":["fake","narrow"]}})",
       {"narrow-add"},
       -32602,
       0},
      {"a team key without its own", R"({"team_id":"t-narrow"})", {"narrow-add"}, -32602, 0},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    const auto key = w.generate_key(row.key_body);
    CHECK(tool_names(w, key) == row.tools);
    CHECK(call_code(w, key, "fake-echo") == row.echo_code);
    CHECK(call_code(w, key, "narrow-add") == row.add_code);
  }
  // The master key: every server, within each server's own allowlist.
  CHECK(tool_names(w, master) == Names{"fake-echo", "fake-add", "narrow-add"});
}

TEST_CASE("/mcp permissions: a grant or revoke takes effect on the next call", "[integration][mcp]") {
  McpWorld w;
  const auto& master = w.gw->master_key();
  const auto key = w.generate_key();
  const auto session = w.initialize(key);
  const std::string list = R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})";
  CHECK(json(w.rpc(key, session, list).body)["result"]["tools"].Size() == 0);
  auto update = [&](const std::string& permission) {
    REQUIRE(http_request(w.gw->port(), "POST", "/key/update",
                         R"({"key":")" + key + R"(","object_permission":)" + permission + "}", bearer(master))
                .status == 200);
  };
  update(R"({"mcp_servers":["fake"]})");
  // The same session: the permission is read again on every request.
  CHECK(json(w.rpc(key, session, list).body)["result"]["tools"].Size() == 2);
  CHECK(
      json(w.rpc(key, session, call_body("fake-echo", R"({"message":"now"})")).body)["result"]["content"][0]["text"] ==
      "Echo: now");
  update("null");
  CHECK(json(w.rpc(key, session, list).body)["result"]["tools"].Size() == 0);
  CHECK(json(w.rpc(key, session, call_body("fake-echo", R"({"message":"x"})")).body)["error"]["code"].GetInt() ==
        -32602);
}

TEST_CASE("/mcp: a server registered through /v1/mcp/server is served at once, and gone when deleted",
          "[integration][mcp]") {
  FakeMcpServer upstream;
  TestDatabase db("sqlite");
  const std::string credential = "live-upstream-credential-5c0d";
  register_secret(credential);
  // The fake server listens on loopback: the SSRF policy admits it only through the allowlist.
  TestGateway gw(
      "mcp_allowed_networks: [\"127.0.0.1/32\"]\ngeneral_settings:\n  max_auth_failures_per_minute: 100000\n"
      "  salt_key: live-test-salt\n" +
          db.gateway_settings(),
      db.gateway_env());
  const auto& master = gw.master_key();
  const auto created =
      http_request(gw.port(), "POST", "/v1/mcp/server",
                   R"({"server_id":"srv-live","server_name":"live","url":")" + upstream.url() +
                       R"(","transport":"http","auth_type":"bearer_token","auth_value":")" + credential + R"("})",
                   bearer(master));
  INFO(created.body);
  REQUIRE(created.status == 200);
  HeaderList headers = bearer(master);
  headers.push_back({"Accept", "application/json, text/event-stream"});
  const auto init = http_request(
      gw.port(), "POST", "/mcp",
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})",
      headers);
  headers.push_back({"Mcp-Session-Id", init.header("mcp-session-id")});
  auto names = [&] {
    Names out;
    const auto list = json(
        http_request(gw.port(), "POST", "/mcp", R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})", headers).body);
    for (const auto& tool : list["result"]["tools"].GetArray()) out.push_back(tool["name"].GetString());
    return out;
  };
  // Listed as soon as the registry has asked the new server (no restart, no poll interval).
  Names seen;
  for (int i = 0; i < 100 && seen.empty(); ++i) {
    seen = names();
    if (seen.empty()) std::this_thread::sleep_for(20ms);
  }
  CHECK(seen == Names{"live-echo", "live-add"});
  const auto echo =
      json(http_request(gw.port(), "POST", "/mcp", call_body("live-echo", R"({"message":"stored"})"), headers).body);
  CHECK(std::string(echo["result"]["content"][0]["text"].GetString()) == "Echo: stored");
  // The sealed credential was opened into the header the upstream receives.
  bool saw_call = false;
  for (const auto& r : upstream.received()) {
    if (r.body.find("tools/call") == std::string::npos) continue;
    saw_call = true;
    CHECK(r.head.find("Authorization: Bearer " + credential) != std::string::npos);
  }
  CHECK(saw_call);
  REQUIRE(http_request(gw.port(), "DELETE", "/v1/mcp/server/srv-live", "", bearer(master)).status == 200);
  for (int i = 0; i < 100 && !seen.empty(); ++i) {
    seen = names();
    if (!seen.empty()) std::this_thread::sleep_for(20ms);
  }
  CHECK(seen.empty());
}

TEST_CASE("/mcp: an admin-registered server is connected to through the SSRF guard", "[integration][mcp][ssrf]") {
  FakeMcpServer upstream;
  TestDatabase db("sqlite");
  // Loopback allowed while registering, then the gateway restarts without the allowlist: the
  // stored server is refused at connect time, never reached.
  {
    TestGateway gw("mcp_allowed_networks: [\"127.0.0.1/32\"]\n" + std::string("general_settings:\n") +
                       "  max_auth_failures_per_minute: 100000\n" + db.gateway_settings(),
                   db.gateway_env());
    REQUIRE(http_request(gw.port(), "POST", "/v1/mcp/server",
                         R"({"server_name":"guarded","url":")" + upstream.url() + R"(","transport":"http"})",
                         bearer(gw.master_key()))
                .status == 200);
  }
  const auto hits_before = upstream.received().size();
  TestGateway gw("general_settings:\n  max_auth_failures_per_minute: 100000\n" + db.gateway_settings(),
                 db.gateway_env());
  std::string error;
  for (int i = 0; i < 150 && error.empty(); ++i) {
    const auto ready = json(http_request(gw.port(), "GET", "/health/readiness").body);
    for (const auto& s : ready["mcp_servers"].GetArray()) {
      if (std::string(s["name"].GetString()) == "guarded" && s.HasMember("error") &&
          std::string(s["status"].GetString()) == "unhealthy") {
        error = s["error"].GetString();
      }
    }
    if (error.empty()) std::this_thread::sleep_for(20ms);
  }
  CHECK_THAT(error, Catch::Contains("ssrf_blocked"));
  CHECK(upstream.received().size() == hits_before);
}

TEST_CASE("an inference request naming MCP tools is refused, never run without them", "[integration][mcp]") {
  McpWorld w;
  for (const char* path : {"/v1/chat/completions", "/v1/messages"}) {
    INFO(path);
    const auto reply =
        http_request(w.gw->port(), "POST", path,
                     R"({"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}],)"
                     R"("tools":[{"type":"mcp","server_url":"litellm_proxy","require_approval":"never"}]})",
                     bearer(w.gw->master_key()));
    CHECK(reply.status == 400);
    CHECK(std::string(json(reply.body)["error"]["param"].GetString()) == "tools[0]");
  }
}
