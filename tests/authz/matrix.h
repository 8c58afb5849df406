#pragma once
// The behavior matrix as data. Each row is one cell: endpoint × body variant × actor × target
// shape, with the status docs/authz.md gives and a check of the database effect. One driver
// (run_rows) runs every row as its own Catch2 DYNAMIC_SECTION named after the cell, so a
// failure names the cell.
//
// Statuses come from docs/authz.md, written out as grids (actor × target shape) next to the
// rows that use them — never computed by core::decide, so the gateway cannot agree with
// itself by construction.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/authz/world.h"
#include "tests/support/http_client.h"

namespace tollgate::authz {

// A grid entry for a shape that means nothing for the actor (the master key has no "own"
// user, a service account no "own" team): no row.
inline constexpr int NA = 0;

// What a row's preparation produces: the request to send and the check of its effect.
struct Cell {
  std::string credential;  // the caller's key ("" = none)
  std::string method;
  std::string target;  // path and query
  std::string body;
  // Runs after the call with its reply: the database (read through the Store) and the
  // credentials involved must show exactly the effect the reply claims.
  std::function<void(World&, const testing::HttpReply&)> verify;
};

// Builds a cell for an actor: creates fresh targets when the call mutates.
using Prepare = std::function<Cell(World&, const Actor&)>;

struct Row {
  std::string method;    // "GET" | "POST"
  std::string endpoint;  // the route pattern, as registered ("/key/{key}/regenerate")
  std::string variant;   // what the body asks ("alias", "limits", "team_id=alpha", …)
  std::string actor;
  std::string shape;  // the target shape (see each resource's file)
  int expected = 0;
  bool read_only = false;  // nothing may be written whatever the status
  Prepare prepare;
  // The actor whose view prepares the cell, when `actor` names a bare credential (the 401
  // rows: "no key", "wrong key", …); empty = `actor`.
  std::string prepare_as;

  std::string name() const;
};

// Expected statuses: one line per actor (every actor of actor_names() must appear), one
// column per shape.
struct Grid {
  std::vector<std::string> shapes;
  std::map<std::string, std::vector<int>> rows;
  int at(const std::string& actor, const std::string& shape) const;
};

// Adds one row per actor × shape of `grid` (NA entries skipped); `make(shape)` gives the
// preparation for that shape.
void add_rows(std::vector<Row>& rows, const std::string& method, const std::string& endpoint,
              const std::string& variant, const Grid& grid, bool read_only,
              const std::function<Prepare(const std::string& shape)>& make);

// The driver: one DYNAMIC_SECTION per row. Rows whose route the gateway does not register
// (yet) are counted as skipped and reported.
void run_rows(const std::string& group, const std::vector<Row>& rows);

// The rows of every resource, for the route guard and the 401 rows.
std::vector<Row> key_rows();
std::vector<Row> team_rows();
std::vector<Row> user_rows();
std::vector<Row> organization_rows();
std::vector<Row> budget_rows();
std::vector<Row> spend_rows();
std::vector<Row> control_plane_rows();
std::vector<Row> customer_rows();
std::vector<Row> all_rows();

// Helpers shared by the resource files.
// A fresh key of one of the key shapes (tests/authz/key_matrix_test.cc) for this actor.
Key make_key_of_shape(World& w, const Actor& a, const std::string& shape);
Cell request(const Actor& caller, const std::string& method, const std::string& target, const std::string& body);
// A successful write changed exactly `required` (plus updated_at/updated_by); a failed one
// changed nothing.
void check_exact_change(const std::set<std::string>& changed, const std::set<std::string>& required);
void check_no_change(const std::set<std::string>& changed);
// Whether a JSON reply lists an object whose `id_field` is `id`: in the top-level array when
// `array_field` is empty, else in that member's array.
bool lists(const std::string& body, const std::string& array_field, const std::string& id_field, const std::string& id);
std::string redact(const std::string& text);                          // sk-… cleartexts out of failure messages
std::string json_string(const std::string& body, const char* field);  // "" when absent
void check_error_envelope(const testing::HttpReply& reply);
std::string url_encode(const std::string& text);

}  // namespace tollgate::authz
