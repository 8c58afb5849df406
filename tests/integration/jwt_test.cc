// JWT authentication end to end: a real gateway, a real JWKS / discovery server on loopback,
// keys generated with OpenSSL at test time. What a token may do is read back from the gateway's
// answers and the store.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <atomic>
#include <functional>
#include <thread>

#include "persistence/store.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/jwt_fixture.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const std::string kSecret = "hs256-test-secret-that-is-32-bytes-or-longer";
const std::string kChat = R"({"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]})";

rapidjson::Document json(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.c_str());
  return doc;
}

struct Options {
  Options(std::string u, std::string e = "", int t = 600) : urls(std::move(u)), extra(std::move(e)), ttl(t) {}
  std::string urls;   // public_key_url
  std::string extra;  // more litellm_jwtauth lines, indented by 4
  int ttl;
};

std::string config_for(const TestDatabase& db, const Options& o) {
  register_secret(kSecret);  // scripts/test's log check: the HMAC secret never reaches a log
  return "model_list:\n"
         "  - model_name: gpt-4o-mini\n"
         "    litellm_params: {model: mock/gpt-4o-mini}\n"
         "    model_info: {input_cost_per_token: 0.00000015, output_cost_per_token: 0.0000006}\n"
         "  - model_name: other-model\n"
         "    litellm_params: {model: mock/other-model}\n"
         "general_settings:\n"
         "  max_auth_failures_per_minute: 100000\n" +
         db.gateway_settings() +
         "  enable_jwt_auth: true\n"
         "  litellm_jwtauth:\n"
         "    public_key_url: \"" +
         o.urls +
         "\"\n"
         "    audience: tollgate-test\n"
         "    issuer: https://idp.test\n"
         "    leeway: 30\n"
         "    public_key_ttl: " +
         std::to_string(o.ttl) +
         "\n"
         "    jwks_refetch_interval: 0.2\n"
         "    hmac_secret: " +
         kSecret +
         "\n"
         "    team_id_jwt_field: client_id\n"
         "    user_id_jwt_field: sub\n"
         "    org_id_jwt_field: org\n"
         "    end_user_id_jwt_field: customer\n"
         "    roles_jwt_field: resource_access.tollgate.roles\n"
         "    role_mappings:\n"
         "      - {role: gw-admins, internal_role: proxy_admin}\n"
         "      - {role: gw-viewers, internal_role: proxy_admin_viewer}\n"
         "      - {role: gw-users, internal_role: internal_user}\n" +
         o.extra;
}

std::atomic<int> token_counter{0};

// Valid claims, with `extra` members appended ("\"client_id\":\"team-a\"").
std::string claims(const std::string& extra, std::int64_t exp_offset = 600) {
  const auto now = unix_now();
  std::string out = "{\"iss\":\"https://idp.test\",\"aud\":\"tollgate-test\",\"iat\":" + std::to_string(now) +
                    ",\"exp\":" + std::to_string(now + exp_offset) + ",\"jti\":\"t" + std::to_string(token_counter++) +
                    "\"";
  if (!extra.empty()) out += "," + extra;
  return out + "}";
}

std::string header(const std::string& alg, const std::string& kid) {
  return "{\"alg\":\"" + alg + "\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}";
}

struct Keys {
  TestKey rsa{TestKey::Kind::rsa2048};
  TestKey ps{TestKey::Kind::rsa2048};  // published with alg PS256: nothing else may use it
  TestKey ec256{TestKey::Kind::ec_p256};
  TestKey ec384{TestKey::Kind::ec_p384};
  TestKey ed{TestKey::Kind::ed25519};
  TestKey small{TestKey::Kind::rsa1024};     // published, but too small to be accepted
  TestKey attacker{TestKey::Kind::rsa2048};  // never published

  std::string jwks() const {
    return jwks_of({rsa.jwk("rsa-1"), ps.jwk("rsa-ps", "PS256"), ec256.jwk("ec-256"), ec384.jwk("ec-384"),
                    ed.jwk("ed-1"), small.jwk("rsa-small")});
  }
};

Keys& keys() {
  static Keys k;  // RSA key generation is slow: once per test process
  return k;
}

HttpReply call(const TestGateway& gw, const std::string& token, const std::string& method = "POST",
               const std::string& path = "/v1/chat/completions", const std::string& body = kChat) {
  return http_request(gw.port(), method, path, method == "GET" ? std::string() : body, bearer(token));
}

void create_team(const TestGateway& gw, const std::string& body) {
  const auto reply = http_request(gw.port(), "POST", "/team/new", body, bearer(gw.master_key()));
  REQUIRE(reply.status == 200);
}

std::string team_token(const std::string& team, const std::string& more = "") {
  return sign_jwt(header("RS256", "rsa-1"), claims("\"client_id\":\"" + team + "\"" + more), keys().rsa, "RS256");
}

// A gateway on SQLite trusting every key `idp` publishes at /jwks, with the team "team-a".
struct JwtWorld {
  explicit JwtWorld(const std::string& extra = "", int ttl = 600) {
    idp.serve("/jwks", keys().jwks());
    gateway = std::make_unique<TestGateway>(config_for(db, {idp.url("/jwks"), extra, ttl}));
    create_team(*gateway, R"({"team_id":"team-a"})");
  }
  TestDatabase db{"sqlite"};
  JwksServer idp;
  std::unique_ptr<TestGateway> gateway;
};

}  // namespace

TEST_CASE("JWT: every algorithm the key type allows verifies, on a real JWKS", "[integration][jwt]") {
  JwtWorld world;
  auto& idp = world.idp;
  const auto& gw = *world.gateway;
  const std::string team = "\"client_id\":\"team-a\"";
  struct Case {
    std::string alg, kid;
    const TestKey* key;
  };
  const std::vector<Case> cases = {
      {"RS256", "rsa-1", &keys().rsa},    {"RS384", "rsa-1", &keys().rsa}, {"RS512", "rsa-1", &keys().rsa},
      {"PS256", "rsa-1", &keys().rsa},    {"PS256", "rsa-ps", &keys().ps}, {"ES256", "ec-256", &keys().ec256},
      {"ES384", "ec-384", &keys().ec384}, {"EdDSA", "ed-1", &keys().ed},
  };
  for (const auto& c : cases) {
    INFO(c.alg << " with " << c.kid);
    const auto token = sign_jwt(header(c.alg, c.kid), claims(team), *c.key, c.alg);
    CHECK(call(gw, token).status == 200);
  }
  INFO("HS256 with the configured secret");
  CHECK(call(gw, sign_jwt_hmac(R"({"alg":"HS256","typ":"JWT"})", claims(team), kSecret)).status == 200);
  CHECK(idp.requests("/jwks") == 1);  // one fetch served every key
}

TEST_CASE("JWT: an attack table of forged and malformed tokens all get the same 401", "[integration][jwt]") {
  JwtWorld world;
  auto& idp = world.idp;
  const auto& gw = *world.gateway;
  auto& k = keys();
  const std::string team = "\"client_id\":\"team-a\"";
  const auto good = claims(team);
  const auto now = unix_now();
  auto rs = [&](const std::string& h, const std::string& payload) { return sign_jwt(h, payload, k.rsa, "RS256"); };
  auto unsigned_token = [](const std::string& h, const std::string& payload, const std::string& sig) {
    return b64url(h) + "." + b64url(payload) + "." + sig;
  };
  const auto valid = rs(header("RS256", "rsa-1"), good);
  register_secret(valid);                  // nor does a token, accepted or refused
  REQUIRE(call(gw, valid).status == 200);  // the baseline every row below departs from
  auto flip_last = [](std::string token) {
    token.back() = token.back() == 'A' ? 'B' : 'A';
    return token;
  };
  std::string deep = "1";
  for (int i = 0; i < 40; ++i) deep = "{\"a\":" + deep + "}";

  const std::vector<std::pair<std::string, std::string>> attacks = {
      {"alg none, empty signature", unsigned_token(R"({"alg":"none","typ":"JWT"})", good, "")},
      {"alg none with a signature", unsigned_token(R"({"alg":"none"})", good, b64url("sig"))},
      {"alg None (case)", unsigned_token(R"({"alg":"None","kid":"rsa-1"})", good, b64url("sig"))},
      {"HS256 keyed with the RSA public key PEM (HS/RS confusion)",
       sign_jwt_hmac(header("HS256", "rsa-1"), good, k.rsa.public_pem())},
      {"HS256 keyed with the JWK text", sign_jwt_hmac(header("HS256", "rsa-1"), good, k.rsa.jwk("rsa-1"))},
      {"HS256 with a wrong secret", sign_jwt_hmac(R"({"alg":"HS256"})", good, kSecret + "x")},
      {"RS256 with a flipped signature", flip_last(valid)},
      {"RS256 signed by an unpublished key under a known kid", sign_jwt(header("RS256", "rsa-1"), good, k.attacker, "RS256")},
      {"unknown kid", sign_jwt(header("RS256", "no-such-kid"), good, k.attacker, "RS256")},
      {"ES256 under the RSA key's kid (wrong key type)", sign_jwt(header("ES256", "rsa-1"), good, k.ec256, "ES256")},
      {"RS256 under the EC key's kid (wrong key type)", sign_jwt(header("RS256", "ec-256"), good, k.rsa, "RS256")},
      {"EdDSA under the RSA key's kid", sign_jwt(header("EdDSA", "rsa-1"), good, k.ed, "EdDSA")},
      {"ES384 under the P-256 key's kid", sign_jwt(header("ES384", "ec-256"), good, k.ec384, "ES384")},
      {"RS256 with a key pinned to PS256", sign_jwt(header("RS256", "rsa-ps"), good, k.ps, "RS256")},
      {"RS256 with a 1024-bit key", sign_jwt(header("RS256", "rsa-small"), good, k.small, "RS256")},
      {"embedded jwk header with the attacker's key",
       sign_jwt(R"({"alg":"RS256","kid":"rsa-1","jwk":)" + k.attacker.jwk("rsa-1") + "}", good, k.attacker, "RS256")},
      {"jku header pointing elsewhere",
       sign_jwt(R"({"alg":"RS256","kid":"evil","jku":")" + idp.url("/evil") + "\"}", good, k.attacker, "RS256")},
      {"x5u header", sign_jwt(R"({"alg":"RS256","kid":"rsa-1","x5u":"http://127.0.0.1:1/x"})", good, k.rsa, "RS256")},
      {"x5c header", sign_jwt(R"({"alg":"RS256","kid":"rsa-1","x5c":["MIIB"]})", good, k.rsa, "RS256")},
      {"crit header", sign_jwt(R"({"alg":"RS256","kid":"rsa-1","crit":["exp"],"exp":1})", good, k.rsa, "RS256")},
      {"duplicate alg members", rs(R"({"alg":"RS256","kid":"rsa-1","alg":"none"})", good)},
      {"typ JWE", rs(R"({"alg":"RS256","kid":"rsa-1","typ":"JWE"})", good)},
      {"expired beyond the leeway", rs(header("RS256", "rsa-1"), claims(team, -120))},
      {"nbf in the future", rs(header("RS256", "rsa-1"), claims(team + ",\"nbf\":" + std::to_string(now + 600)))},
      {"iat in the future",
       rs(header("RS256", "rsa-1"),
          "{\"iss\":\"https://idp.test\",\"aud\":\"tollgate-test\",\"iat\":" + std::to_string(now + 600) +
              ",\"exp\":" + std::to_string(now + 900) + "," + team + "}")},
      {"no exp", rs(header("RS256", "rsa-1"), "{\"iss\":\"https://idp.test\",\"aud\":\"tollgate-test\"," + team + "}")},
      {"exp as a string",
       rs(header("RS256", "rsa-1"),
          "{\"iss\":\"https://idp.test\",\"aud\":\"tollgate-test\",\"exp\":\"9999999999\"," + team + "}")},
      {"wrong issuer",
       rs(header("RS256", "rsa-1"), "{\"iss\":\"https://evil.test\",\"aud\":\"tollgate-test\",\"exp\":" +
                                        std::to_string(now + 600) + "," + team + "}")},
      {"wrong audience",
       rs(header("RS256", "rsa-1"),
          "{\"iss\":\"https://idp.test\",\"aud\":[\"other\"],\"exp\":" + std::to_string(now + 600) + "," + team + "}")},
      {"no audience",
       rs(header("RS256", "rsa-1"), "{\"iss\":\"https://idp.test\",\"exp\":" + std::to_string(now + 600) + "," + team + "}")},
      {"padded base64 signature", valid + "="},
      {"non-base64url character in the payload", b64url(header("RS256", "rsa-1")) + ".e*J9." + b64url("x")},
      {"header that is a JSON array", unsigned_token("[\"RS256\"]", good, b64url("x"))},
      {"payload that is not JSON", rs(header("RS256", "rsa-1"), "not json")},
      {"payload nested 41 levels", rs(header("RS256", "rsa-1"), "{\"exp\":" + std::to_string(now + 600) + ",\"d\":" + deep + "}")},
      {"ES256 signature in DER instead of raw r||s",
       [&] {
         const auto input = b64url(header("ES256", "ec-256")) + "." + b64url(good);
         const auto raw = k.ec256.sign("ES256", input);
         // A DER-shaped 70-byte blob: wrong length for JOSE
         return input + "." + b64url(std::string("\x30\x44\x02\x20", 4) + raw.substr(0, 32) + std::string("\x02\x20", 2) + raw.substr(32));
       }()},
      {"PS256 without a kid while two published keys allow PS256", sign_jwt(R"({"alg":"PS256"})", good, k.rsa, "PS256")},
      {"token over 8 KiB", rs(header("RS256", "rsa-1"), claims(team + ",\"pad\":\"" + std::string(9000, 'a') + "\""))},
      {"four segments", valid + ".extra"},
      {"empty signature segment", valid.substr(0, valid.rfind('.') + 1)},
  };
  REQUIRE(attacks.size() >= 25);
  std::string first_body;
  int unauthorized = 0;
  for (const auto& [name, token] : attacks) {
    INFO(name);
    const auto reply = call(gw, token);
    CHECK(reply.status == 401);
    if (first_body.empty()) first_body = reply.body;
    CHECK(reply.body == first_body);
    if (reply.status == 401 && reply.body == first_body) ++unauthorized;
  }
  CHECK(json(first_body)["error"]["type"] == "auth_error");
  WARN("JWT attack table: " << unauthorized << " of " << attacks.size() << " answered 401 with one body");
  CHECK(call(gw, valid).status == 200);  // and the genuine token still works
}

TEST_CASE("JWT: role mapping decides the routes a token may call", "[integration][jwt]") {
  JwtWorld world;
  const auto& gw = *world.gateway;
  {
    const auto user = http_request(gw.port(), "POST", "/user/new", R"({"user_id":"alice"})", bearer(gw.master_key()));
    REQUIRE(user.status == 200);
  }
  auto token = [](const std::string& extra) {
    return sign_jwt(header("RS256", "rsa-1"), claims(extra), keys().rsa, "RS256");
  };
  auto roles = [](const std::string& role) {
    return "\"resource_access\":{\"tollgate\":{\"roles\":[\"" + role + "\"]}}";
  };
  struct Row {
    std::string who, claims, method, path;
    int status;
  };
  const std::vector<Row> matrix = {
      {"admin scope", "\"scope\":\"openid litellm_proxy_admin\"", "GET", "/team/list", 200},
      {"admin scope", "\"scope\":\"openid litellm_proxy_admin\"", "POST", "/team/new", 200},
      {"admin scope", "\"scope\":\"openid litellm_proxy_admin\"", "POST", "/v1/chat/completions", 403},
      {"admin scope in scp", "\"scp\":[\"litellm_proxy_admin\"]", "GET", "/key/list", 200},
      {"mapped admin role", roles("gw-admins"), "GET", "/user/list", 200},
      {"mapped viewer role", roles("gw-viewers"), "GET", "/team/list", 200},
      {"mapped viewer role", roles("gw-viewers"), "POST", "/team/new", 403},
      {"team token", "\"client_id\":\"team-a\"", "POST", "/v1/chat/completions", 200},
      {"team token", "\"client_id\":\"team-a\"", "GET", "/v1/models", 200},
      {"team token", "\"client_id\":\"team-a\"", "GET", "/team/list", 403},
      {"team token", "\"client_id\":\"team-a\"", "POST", "/key/generate", 403},
      {"team token with an unmapped role", "\"client_id\":\"team-a\"," + roles("gw-nobody"), "POST",
       "/v1/chat/completions", 200},
      {"mapped user role", "\"sub\":\"alice\"," + roles("gw-users"), "POST", "/v1/chat/completions", 200},
      {"mapped user role", "\"sub\":\"alice\"," + roles("gw-users"), "GET", "/user/list", 403},
      {"user and admin roles: the strongest wins",
       "\"sub\":\"alice\",\"resource_access\":{\"tollgate\":{\"roles\":[\"gw-users\",\"gw-admins\"]}}", "GET",
       "/user/list", 200},
      {"token naming nobody", "\"sub\":\"nobody-known\"", "POST", "/v1/chat/completions", 403},
      {"unknown team, no upsert", "\"client_id\":\"team-zzz\"", "POST", "/v1/chat/completions", 403},
      {"unknown organization", "\"client_id\":\"team-a\",\"org\":\"org-zzz\"", "POST", "/v1/chat/completions", 403},
  };
  for (const auto& row : matrix) {
    INFO(row.who << ": " << row.method << " " << row.path);
    std::string body = row.path == "/team/new" ? R"({"team_alias":"made-by-jwt"})" : kChat;
    if (row.path == "/key/generate") body = "{}";
    CHECK(call(gw, token(row.claims), row.method, row.path, body).status == row.status);
  }
}

TEMPLATE_TEST_CASE("JWT: a token's team and user are upserted and carry their limits and spend", "[integration][jwt]",
                   Sqlite, PostgreSQL) {
  TestDatabase db(TestType::name);
  JwksServer idp;
  idp.serve("/jwks", keys().jwks());
  TestGateway gw(config_for(db, {idp.url("/jwks"), "    team_id_upsert: true\n    user_id_upsert: true\n"}),
                 db.gateway_env());
  const auto token = sign_jwt(header("ES256", "ec-256"),
                              claims("\"client_id\":\"team-new\",\"sub\":\"user-new\",\"customer\":\"cust-9\""),
                              keys().ec256, "ES256");
  REQUIRE(call(gw, token).status == 200);
  auto store = db.migrated_store();
  const auto team = store->find_team("team-new");
  REQUIRE(team);
  REQUIRE(store->find_user("user-new"));
  const auto audit = store->audit_log(std::string("team-new"), 10);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].changed_by == "jwt:user-new");
  CHECK(audit[0].action == "created");

  SECTION("spend is attributed to the team and the user, the end user logged") {
    std::vector<persistence::SpendLogRow> rows;
    for (int i = 0; i < 50 && rows.empty(); ++i) {
      std::this_thread::sleep_for(100ms);
      persistence::SpendLogFilter filter;
      filter.team_id = "team-new";
      rows = store->spend_logs(filter, 10);
    }
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].user_id == std::optional<std::string>("user-new"));
    CHECK(rows[0].end_user == std::optional<std::string>("cust-9"));
    CHECK(rows[0].spend > 0);
    std::this_thread::sleep_for(1200ms);
    CHECK(store->find_team("team-new")->spend == Approx(rows[0].spend));
    CHECK(store->find_user("user-new")->spend == Approx(rows[0].spend));
  }

  SECTION("the team's rate limit and model list apply to its tokens") {
    auto updated =
        http_request(gw.port(), "POST", "/team/update",
                     R"({"team_id":"team-new","rpm_limit":2,"models":["gpt-4o-mini"]})", bearer(gw.master_key()));
    REQUIRE(updated.status == 200);
    // A new token of the same team (the first one's identity was dropped from the cache by the change).
    const auto second = sign_jwt(header("EdDSA", "ed-1"), claims("\"client_id\":\"team-new\""), keys().ed, "EdDSA");
    CHECK(call(gw, second, "POST", "/v1/chat/completions",
               R"({"model":"other-model","messages":[{"role":"user","content":"x"}]})")
              .status == 403);
    int ok = 0, limited = 0;
    for (int i = 0; i < 4; ++i) {
      const auto status = call(gw, second).status;
      ok += status == 200;
      limited += status == 429;
    }
    CHECK(ok == 2);
    CHECK(limited == 2);
  }

  SECTION("a blocked team blocks its tokens, cached ones included") {
    REQUIRE(
        http_request(gw.port(), "POST", "/team/block", R"({"team_id":"team-new"})", bearer(gw.master_key())).status ==
        200);
    const auto reply = call(gw, token);
    CHECK(reply.status == 401);
  }
}

TEST_CASE("JWT: keys rotate without a restart and unknown kids cannot hammer the IdP", "[integration][jwt]") {
  TestDatabase db("sqlite");
  JwksServer idp;
  TestKey next(TestKey::Kind::ec_p256);
  idp.serve("/jwks", jwks_of({keys().rsa.jwk("rsa-1")}));
  TestGateway gw(config_for(db, {idp.url("/jwks")}));
  create_team(gw, R"({"team_id":"team-a"})");
  REQUIRE(call(gw, team_token("team-a")).status == 200);
  REQUIRE(idp.requests("/jwks") == 1);

  // A flood of random kids: answered 401 at once, at most one refetch per interval.
  for (int i = 0; i < 50; ++i) {
    const auto forged = sign_jwt(header("RS256", "random-" + std::to_string(i)), claims("\"client_id\":\"team-a\""),
                                 keys().attacker, "RS256");
    CHECK(call(gw, forged).status == 401);
  }
  CHECK(idp.requests("/jwks") <= 3);

  // The IdP rotates: the old key goes, a new one comes.
  idp.serve("/jwks", jwks_of({next.jwk("ec-next")}));
  std::this_thread::sleep_for(250ms);  // past the refetch interval
  const auto rotated = sign_jwt(header("ES256", "ec-next"), claims("\"client_id\":\"team-a\""), next, "ES256");
  CHECK(call(gw, rotated).status == 200);
  std::this_thread::sleep_for(250ms);
  CHECK(call(gw, team_token("team-a")).status == 401);  // a new token under the retired key
}

TEST_CASE("JWT: past public_key_ttl the held key still answers while the set is refreshed", "[integration][jwt]") {
  TestDatabase db("sqlite");
  JwksServer idp;
  TestKey next(TestKey::Kind::ed25519);
  idp.serve("/jwks", jwks_of({keys().rsa.jwk("rsa-1")}));
  TestGateway gw(config_for(db, {idp.url("/jwks"), "", 1}));
  create_team(gw, R"({"team_id":"team-a"})");
  REQUIRE(call(gw, team_token("team-a")).status == 200);
  idp.serve("/jwks", jwks_of({next.jwk("ed-next")}));   // rsa-1 withdrawn
  std::this_thread::sleep_for(1300ms);                  // past the TTL
  CHECK(call(gw, team_token("team-a")).status == 200);  // the held key, at once; a refresh starts
  for (int i = 0; i < 100 && idp.requests("/jwks") < 2; ++i) std::this_thread::sleep_for(20ms);
  CHECK(idp.requests("/jwks") == 2);
  std::this_thread::sleep_for(100ms);
  CHECK(call(gw, team_token("team-a")).status == 401);  // the refreshed set no longer has it
  CHECK(call(gw, sign_jwt(header("EdDSA", "ed-next"), claims("\"client_id\":\"team-a\""), next, "EdDSA")).status ==
        200);
}

TEST_CASE("JWT: an unreachable IdP — cached keys keep working, no keys is a 503", "[integration][jwt]") {
  TestDatabase db("sqlite");
  SECTION("keys fetched before the IdP went away keep verifying past their TTL") {
    auto idp = std::make_unique<JwksServer>();
    idp->serve("/jwks", keys().jwks());
    TestGateway gw(config_for(db, {idp->url("/jwks"), "", 1}));
    create_team(gw, R"({"team_id":"team-a"})");
    REQUIRE(call(gw, team_token("team-a")).status == 200);
    idp.reset();                          // the IdP is gone: connections are refused
    std::this_thread::sleep_for(1300ms);  // past public_key_ttl
    CHECK(call(gw, team_token("team-a")).status == 200);
    CHECK(call(gw, team_token("team-a")).status == 200);
  }
  SECTION("with no key ever fetched the answer is 503 naming the JWKS, never a hang") {
    std::uint16_t closed_port = 0;
    {
      JwksServer gone;
      closed_port = gone.port();
    }
    TestGateway gw(config_for(db, {"http://127.0.0.1:" + std::to_string(closed_port) + "/jwks"}));
    create_team(gw, R"({"team_id":"team-a"})");
    const auto started = std::chrono::steady_clock::now();
    const auto reply = call(gw, team_token("team-a"));
    CHECK(reply.status == 503);
    CHECK(json(reply.body)["error"]["code"] == "jwks_unavailable");
    CHECK(std::chrono::steady_clock::now() - started < 6s);
    // HS256 with the configured secret does not depend on the IdP.
    CHECK(call(gw, sign_jwt_hmac(R"({"alg":"HS256"})", claims("\"client_id\":\"team-a\""), kSecret)).status == 200);
  }
}

namespace {

// An OpenID discovery document at /.well-known/openid-configuration of `idp`, pointing at `jwks_uri`.
std::string serve_discovery(JwksServer& idp, const std::string& jwks_uri) {
  idp.serve("/.well-known/openid-configuration", "{\"issuer\":\"https://idp.test\",\"jwks_uri\":\"" + jwks_uri + "\"}");
  return idp.url("/.well-known/openid-configuration");
}

}  // namespace

TEST_CASE("JWT: discovery documents and the jwks_uri origin rule", "[integration][jwt]") {
  TestDatabase db("sqlite");
  JwksServer idp;
  JwksServer elsewhere;
  idp.serve("/jwks", keys().jwks());
  elsewhere.serve("/keys", keys().jwks());
  SECTION("a jwks_uri on the document's origin is followed") {
    TestGateway gw(config_for(db, {serve_discovery(idp, idp.url("/jwks"))}));
    create_team(gw, R"({"team_id":"team-a"})");
    CHECK(call(gw, team_token("team-a")).status == 200);
    CHECK(idp.requests("/jwks") == 1);
  }
  SECTION("a jwks_uri on another origin is refused unless its host is allowed") {
    const auto discovery = serve_discovery(idp, elsewhere.url("/keys"));
    {
      TestGateway gw(config_for(db, {discovery}));
      create_team(gw, R"({"team_id":"team-a"})");
      CHECK(call(gw, team_token("team-a")).status == 503);
      CHECK(elsewhere.requests("/keys") == 0);
    }
    TestGateway gw(config_for(
        db, {discovery, "    allowed_jwks_hosts: [\"127.0.0.1:" + std::to_string(elsewhere.port()) + "\"]\n"}));
    CHECK(call(gw, team_token("team-a")).status == 200);
    CHECK(elsewhere.requests("/keys") == 1);
  }
  SECTION("a redirect is not followed") {
    idp.serve("/moved", "{}", 302);
    TestGateway gw(config_for(db, {idp.url("/moved")}));
    create_team(gw, R"({"team_id":"team-a"})");
    CHECK(call(gw, team_token("team-a")).status == 503);
  }
}

TEST_CASE("JWT: a verified token is cached until it expires", "[integration][jwt]") {
  JwtWorld world("", 1);
  auto& idp = world.idp;
  const auto& gw = *world.gateway;
  // exp 1 s ahead with 30 s leeway: usable for about 31 s; reuse within that needs no JWKS even
  // after the key TTL (1 s) has passed, because the verified token is cached by its hash.
  const auto token = team_token("team-a");
  REQUIRE(call(gw, token).status == 200);
  std::this_thread::sleep_for(1200ms);
  for (int i = 0; i < 5; ++i) CHECK(call(gw, token).status == 200);
  CHECK(idp.requests("/jwks") == 1);
  // A token past exp + leeway is refused even from the cache.
  const auto short_lived =
      sign_jwt(header("RS256", "rsa-1"), claims("\"client_id\":\"team-a\"", -29), keys().rsa, "RS256");
  REQUIRE(call(gw, short_lived).status == 200);
  std::this_thread::sleep_for(1500ms);
  CHECK(call(gw, short_lived).status == 401);
}
