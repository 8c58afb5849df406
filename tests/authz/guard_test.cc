// The guard: every management route the gateway registers has rows in the matrix (and so 401
// rows too); and the 401 rows: no key, a wrong key, an expired key and a blocked key answer
// 401 on every endpoint and change nothing.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "tests/authz/matrix.h"

namespace tollgate::authz {
namespace {

// Per endpoint, the row whose preparation the 401 rows reuse: the master key's first allowed
// cell (so the request is one that would succeed with a valid credential).
std::vector<Row> templates() {
  std::map<std::pair<std::string, std::string>, Row> chosen;
  for (const auto& row : all_rows()) {
    if (row.actor != "master") continue;
    const auto key = std::make_pair(row.method, row.endpoint);
    const auto it = chosen.find(key);
    if (it == chosen.end() || (it->second.expected != 200 && row.expected == 200)) chosen[key] = row;
  }
  std::vector<Row> out;
  for (const auto& [key, row] : chosen) out.push_back(row);
  return out;
}

std::vector<Row> unauthenticated_rows() {
  using Credential = std::function<std::string(World&)>;
  const std::vector<std::pair<std::string, Credential>> credentials = {
      {"no key", [](World&) { return std::string(); }},
      {"wrong key", [](World& w) { return w.wrong_key(); }},
      {"expired key", [](World& w) { return w.expired_key().cleartext; }},
      {"blocked key", [](World& w) { return w.blocked_key().cleartext; }},
  };
  std::vector<Row> rows;
  for (const auto& t : templates()) {
    for (const auto& [label, credential] : credentials) {
      Row row = t;
      row.actor = label;
      row.prepare_as = "master";
      row.expected = 401;
      row.prepare = [prepare = t.prepare, credential = credential](World& w, const Actor& a) {
        Cell c = prepare(w, a);
        c.credential = credential(w);
        return c;
      };
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace
}  // namespace tollgate::authz

using namespace tollgate::authz;

TEST_CASE("authz guard: every management route has rows in the matrix", "[authz][guard]") {
  std::set<std::pair<std::string, std::string>> covered;
  for (const auto& row : all_rows()) covered.insert({row.method, row.endpoint});
  const auto routes = registered_management_routes();
  REQUIRE_FALSE(routes.empty());
  for (const auto& route : routes) {
    INFO(route.first << " " << route.second << " is registered but the matrix has no row for it: add its rows "
                     << "(tests/authz/*_matrix_test.cc) from docs/authz.md");
    CHECK(covered.count(route) == 1);
  }
}

TEST_CASE("authz matrix: 401 on every endpoint without a valid credential", "[authz][unauthenticated]") {
  run_rows("401", unauthenticated_rows());
}
