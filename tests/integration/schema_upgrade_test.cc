// Upgrades: a database an earlier release wrote through its API, migrated by this one.
//
// tests/fixtures/schema-v<N>.json holds every row a gateway at schema version N wrote while
// serving the API calls of fill_through_api() (organizations, teams, users, memberships, keys,
// budgets, spend logs, the audit log, MCP servers, stored models). The test loads those rows into
// a database at version N, starts this gateway on it — which migrates it to the latest version —
// and checks that every row still holds every value it held, and that the API still reads and
// writes them (a fixture key still authenticates and is charged).
//
// When a release changes the schema, keep the old fixture, write the new one with
//   TOLLGATE_WRITE_SCHEMA_FIXTURE=$PWD/tests/fixtures/schema-vN.json build/tests/tollgate_integration_tests
//   "[.schema-fixture]"
// (one command line) and add N to the versions the upgrade test loads.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include "persistence/migrations.h"
#include "persistence/sql.h"
#include "persistence/transaction.h"
#include "tests/store/store_fixture.h"
#include "tests/support/http_client.h"
#include "tests/support/test_env.h"
#include "tests/support/test_gateway.h"

using namespace tollgate;
using namespace tollgate::testing;
using namespace std::chrono_literals;
using persistence::SqlValue;

namespace {

// A key with a value chosen by the fixture (LiteLLM's /key/generate `key`): after the upgrade it
// must still authenticate. Test data, not a credential of anything.
const std::string kFixtureKey = "sk-schema-fixture-team-key-0001";
const std::string kSaltKey = "schema-fixture-salt";

std::string gateway_config(const TestDatabase& db) {
  return "model_list:\n"
         "  - model_name: m\n"
         "    litellm_params: {model: mock/m}\n"
         "    model_info: {input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}\n"
         "general_settings:\n"
         "  store_model_in_db: true\n"
         "  salt_key: " +
         kSaltKey +
         "\n"
         "  proxy_batch_write_at: 1\n" +
         db.gateway_settings();
}

std::string fixture_path(int version) {
  return std::string(TOLLGATE_SOURCE_DIR) + "/tests/fixtures/schema-v" + std::to_string(version) + ".json";
}

HttpReply call(const TestGateway& gw, const std::string& method, const std::string& path, const std::string& body,
               const std::string& key) {
  auto reply = http_request(gw.port(), method, path, body, bearer(key));
  INFO(method << " " << path << " -> " << reply.status << " " << reply.body);
  REQUIRE(reply.status == 200);
  return reply;
}

// The API calls whose rows the fixture holds: one of each thing an operator creates.
void fill_through_api(const TestGateway& gw) {
  const auto& master = gw.master_key();
  call(gw, "POST", "/budget/new", R"({"budget_id":"fixture-budget","max_budget":12.5,"rpm_limit":30})", master);
  call(gw, "POST", "/organization/new",
       R"({"organization_id":"fixture-org","organization_alias":"Fixture Org","max_budget":100,"models":["m"]})",
       master);
  call(gw, "POST", "/team/new",
       R"({"team_id":"fixture-team","team_alias":"Fixture Team","organization_id":"fixture-org",)"
       R"("max_budget":50,"tpm_limit":100000,"budget_duration":"30d","metadata":{"cost_center":"42"}})",
       master);
  call(gw, "POST", "/user/new",
       R"({"user_id":"fixture-user","user_email":"fixture@example.com","user_role":"internal_user",)"
       R"("max_budget":20,"auto_create_key":false})",
       master);
  call(gw, "POST", "/team/member_add",
       R"({"team_id":"fixture-team","member":{"user_id":"fixture-user","role":"user"}})", master);
  call(gw, "POST", "/organization/member_add",
       R"({"organization_id":"fixture-org","member":{"user_id":"fixture-user","role":"internal_user"}})", master);
  call(gw, "POST", "/key/generate",
       R"({"key":")" + kFixtureKey +
           R"(","team_id":"fixture-team","user_id":"fixture-user","key_alias":"fixture-key","max_budget":5,)"
           R"("rpm_limit":600,"models":["m"],"metadata":{"purpose":"upgrade-test"},"budget_duration":"1d"})",
       master);
  call(gw, "POST", "/key/generate", R"({"key_alias":"fixture-blocked","budget_id":"fixture-budget"})", master);
  call(gw, "POST", "/model/new",
       R"({"model_name":"stored","litellm_params":{"model":"openai/up-1","api_base":"http://127.0.0.1:9/v1",)"
       R"("api_key":"sk-upstream-fixture-provider-key"},"model_info":{"id":"fixture-model"}})",
       master);
  call(gw, "POST", "/v1/mcp/server",
       R"({"server_id":"fixture-mcp","server_name":"fixture_mcp","url":"https://93.184.216.34/mcp",)"
       R"("transport":"http","auth_type":"bearer_token","auth_value":"fixture-mcp-credential",)"
       R"("mcp_access_groups":["dev"]})",
       master);
  for (int i = 0; i < 3; ++i) {
    call(gw, "POST", "/v1/chat/completions",
         R"({"model":"m","messages":[{"role":"user","content":"hello number )" + std::to_string(i) + R"("}]})",
         kFixtureKey);
  }
}

// -- rows as JSON: integers, reals, text and null keep their types ------------------------

void write_value(rapidjson::Writer<rapidjson::StringBuffer>& w, const SqlValue& v) {
  if (std::holds_alternative<std::monostate>(v)) {
    w.Null();
  } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
    w.Int64(*i);
  } else if (const auto* d = std::get_if<double>(&v)) {
    w.Double(*d);
  } else {
    const auto& s = std::get<std::string>(v);
    w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  }
}

SqlValue read_value(const rapidjson::Value& v) {
  if (v.IsNull()) return persistence::sql_null();
  if (v.IsInt64()) return SqlValue(v.GetInt64());
  if (v.IsNumber()) return SqlValue(v.GetDouble());
  return SqlValue(std::string(v.GetString(), v.GetStringLength()));
}

bool skipped_table(const std::string& table) { return table == "schema_migrations" || table.rfind("sqlite_", 0) == 0; }

std::string dump_rows(persistence::SqlConnection& connection) {
  rapidjson::StringBuffer out;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(out);
  w.StartObject();
  w.Key("schema_version");
  w.Int(persistence::schema_version(connection));
  w.Key("tables");
  w.StartObject();
  for (const auto& table : table_names(connection)) {
    if (skipped_table(table)) continue;
    const auto columns = column_names(connection, table);
    w.Key(table.c_str());
    w.StartObject();
    w.Key("columns");
    w.StartArray();
    for (const auto& c : columns) w.String(c.c_str());
    w.EndArray();
    w.Key("rows");
    w.StartArray();
    for (const auto& row : connection.query("SELECT * FROM " + table + " ORDER BY 1", {})) {
      w.StartArray();
      for (const auto& v : row.values) write_value(w, v);
      w.EndArray();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  return out.GetString();
}

struct FixtureTable {
  std::string name;
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
};

struct Fixture {
  int schema_version = 0;
  std::vector<FixtureTable> tables;
};

Fixture read_fixture(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document d;
  d.Parse(text.str().c_str());
  REQUIRE(d.IsObject());
  Fixture f;
  f.schema_version = d["schema_version"].GetInt();
  for (const auto& t : d["tables"].GetObject()) {
    FixtureTable table;
    table.name = t.name.GetString();
    for (const auto& c : t.value["columns"].GetArray()) table.columns.push_back(c.GetString());
    for (const auto& r : t.value["rows"].GetArray()) {
      std::vector<SqlValue> row;
      for (const auto& v : r.GetArray()) row.push_back(read_value(v));
      table.rows.push_back(std::move(row));
    }
    f.tables.push_back(std::move(table));
  }
  return f;
}

std::vector<persistence::Migration> migrations_up_to(int version) {
  std::vector<persistence::Migration> out;
  for (const auto& m : persistence::embedded_migrations()) {
    if (m.version <= version) out.push_back(m);
  }
  return out;
}

void insert_rows(persistence::SqlConnection& connection, const FixtureTable& table) {
  std::string sql = "INSERT INTO " + table.name + " (";
  std::string values;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    sql += (i ? ", " : "") + table.columns[i];
    values += (i ? ", $" : "$") + std::to_string(i + 1);
  }
  sql += ") VALUES (" + values + ")";
  for (const auto& row : table.rows) connection.execute(sql, row);
}

// The fixture's rows written into a database at the fixture's version, parents before children:
// a table whose rows a foreign key refuses waits for the next pass.
void load_fixture(persistence::SqlConnection& connection, const Fixture& fixture) {
  REQUIRE(persistence::migrate(connection, migrations_up_to(fixture.schema_version)).to_version ==
          fixture.schema_version);
  std::vector<const FixtureTable*> pending;
  for (const auto& t : fixture.tables) pending.push_back(&t);
  for (int pass = 0; pass < 5 && !pending.empty(); ++pass) {
    std::vector<const FixtureTable*> refused;
    for (const auto* table : pending) {
      try {
        persistence::Transaction tx(connection);
        insert_rows(connection, *table);
        tx.commit();
      } catch (const std::exception&) {
        refused.push_back(table);
      }
    }
    pending = std::move(refused);
  }
  REQUIRE(pending.empty());
  if (connection.backend() == "postgresql") {
    // Rows inserted with their ids leave a serial column's sequence behind them.
    connection.execute("SELECT setval(pg_get_serial_sequence('audit_log', 'id'), (SELECT MAX(id) FROM audit_log))", {});
  }
}

// One value as the fixture's type reads it, so that a real stored as 1.0 or sent as numeric text
// compares equal to itself.
std::string canonical(const persistence::SqlRow& row, std::size_t i, const SqlValue& like) {
  if (row.is_null(i)) return "null";
  if (std::holds_alternative<std::int64_t>(like)) return "i:" + std::to_string(row.int64(i));
  if (std::holds_alternative<double>(like)) return "r:" + persistence::real_to_text(row.real(i));
  return "t:" + row.text(i);
}

std::string canonical(const SqlValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return "null";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return "i:" + std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return "r:" + persistence::real_to_text(*d);
  return "t:" + std::get<std::string>(v);
}

// Every fixture row, restricted to the fixture's columns, is in the upgraded table exactly as
// many times as in the fixture.
void check_rows_intact(persistence::SqlConnection& connection, const FixtureTable& table) {
  INFO("table " << table.name);
  std::string select = "SELECT ";
  for (std::size_t i = 0; i < table.columns.size(); ++i) select += (i ? ", " : "") + table.columns[i];
  select += " FROM " + table.name;
  const auto stored = connection.query(select, {});
  CHECK(stored.size() >= table.rows.size());
  std::multiset<std::vector<std::string>> now;
  for (const auto& row : stored) {
    if (table.rows.empty()) break;
    std::vector<std::string> values;
    for (std::size_t i = 0; i < table.columns.size(); ++i) values.push_back(canonical(row, i, table.rows[0][i]));
    now.insert(std::move(values));
  }
  for (const auto& row : table.rows) {
    std::vector<std::string> values;
    for (const auto& v : row) values.push_back(canonical(v));
    const auto found = now.find(values);
    INFO("row " << values[0]);
    CHECK(found != now.end());
    if (found != now.end()) now.erase(found);
  }
}

template <typename Predicate>
void wait_until(Predicate done) {
  for (int i = 0; i < 200 && !done(); ++i) std::this_thread::sleep_for(25ms);
}

std::int64_t spend_log_rows(persistence::SqlConnection& connection) {
  return connection.query("SELECT COUNT(*) FROM spend_logs", {}).front().int64(0);
}

}  // namespace

TEST_CASE("schema fixture: written through the API of this version", "[.schema-fixture]") {
  const char* out = std::getenv("TOLLGATE_WRITE_SCHEMA_FIXTURE");
  REQUIRE(out);
  register_secret(kFixtureKey);
  TestDatabase db("sqlite");
  {
    TestGateway gw(gateway_config(db), db.gateway_env());
    fill_through_api(gw);
    auto connection = db.open_connection();
    wait_until([&] { return spend_log_rows(*connection) == 3; });
    REQUIRE(spend_log_rows(*connection) == 3);
  }
  auto connection = db.open_connection();
  std::ofstream(out) << dump_rows(*connection) << "\n";
}

TEMPLATE_TEST_CASE("upgrades: a database an earlier release wrote through its API keeps every row",
                   "[integration][migrations][upgrade]", Sqlite, PostgreSQL) {
  register_secret(kFixtureKey);
  for (const int version : {4}) {
    INFO("fixture schema-v" << version);
    const auto fixture = read_fixture(fixture_path(version));
    REQUIRE(fixture.schema_version == version);
    TestDatabase db(TestType::name);
    {
      auto connection = db.open_connection();
      load_fixture(*connection, fixture);
    }
    TestGateway gw(gateway_config(db), db.gateway_env());
    auto connection = db.open_connection();
    CHECK(persistence::schema_version(*connection) == persistence::embedded_migrations().back().version);
    for (const auto& table : fixture.tables) check_rows_intact(*connection, table);

    // The API reads the old rows and writes beside them.
    const auto& master = gw.master_key();
    const auto team = call(gw, "GET", "/team/info?team_id=fixture-team", "", master);
    CHECK_THAT(team.body, Catch::Contains("fixture-user"));
    CHECK_THAT(team.body, Catch::Contains("Fixture Team"));
    const auto before = spend_log_rows(*connection);
    call(gw, "POST", "/v1/chat/completions", R"({"model":"m","messages":[{"role":"user","content":"after"}]})",
         kFixtureKey);
    wait_until([&] { return spend_log_rows(*connection) == before + 1; });
    CHECK(spend_log_rows(*connection) == before + 1);
    const auto info = call(gw, "GET", "/key/info?key=" + kFixtureKey, "", master);
    CHECK_THAT(info.body, Catch::Contains("fixture-key"));
    call(gw, "POST", "/team/new", R"({"team_alias":"after the upgrade"})", master);  // the audit sequence moved on
    const auto models = call(gw, "GET", "/v1/models", "", master);
    CHECK_THAT(models.body, Catch::Contains("stored"));  // the sealed provider key of v4 still opens
  }
}
