#include "tests/authz/matrix.h"

#define CATCH_CONFIG_EXTERNAL_INTERFACES  // TestEventListenerBase, for the cell count
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tollgate::authz {
namespace {

struct Counters {
  std::size_t checked = 0;
  std::map<std::string, std::size_t> per_group;
  std::map<std::string, std::set<std::string>> skipped;  // "METHOD path" → rows skipped
};

Counters& counters() {
  static Counters c;
  return c;
}

}  // namespace

std::string Row::name() const {
  std::ostringstream out;
  out << method << " " << endpoint;
  if (!variant.empty()) out << " [" << variant << "]";
  out << " as " << actor << " on " << shape << " -> " << expected;
  return out.str();
}

int Grid::at(const std::string& actor, const std::string& shape) const {
  const auto row = rows.find(actor);
  if (row == rows.end()) throw std::logic_error("grid has no line for actor " + actor);
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (shapes[i] == shape) return row->second.at(i);
  }
  throw std::logic_error("grid has no column for shape " + shape);
}

void add_rows(std::vector<Row>& rows, const std::string& method, const std::string& endpoint,
              const std::string& variant, const Grid& grid, bool read_only,
              const std::function<Prepare(const std::string& shape)>& make) {
  for (const auto& [actor, line] : grid.rows) {
    if (line.size() != grid.shapes.size()) throw std::logic_error("grid line of " + actor + " has the wrong width");
  }
  for (const auto& actor : actor_names()) {
    for (const auto& shape : grid.shapes) {
      const int expected = grid.at(actor, shape);  // throws when an actor is missing
      if (expected == NA) continue;
      rows.push_back(Row{method, endpoint, variant, actor, shape, expected, read_only, make(shape), {}});
    }
  }
}

void run_rows(const std::string& group, const std::vector<Row>& rows) {
  World& world = World::get();
  for (const auto& row : rows) {
    if (!world.has_route(row.method, row.endpoint)) {
      counters().skipped[row.method + " " + row.endpoint].insert(row.name());
      continue;
    }
    DYNAMIC_SECTION(row.name()) {
      const Actor& actor = world.actor(row.prepare_as.empty() ? row.actor : row.prepare_as);
      const Cell cell = row.prepare(world, actor);
      const auto audit_before = world.last_audit_id();
      const auto reply = world.call(cell.method, cell.target, cell.body, cell.credential);
      INFO("reply " << reply.status << ": " << redact(reply.body));
      CHECK(reply.status == row.expected);
      if (reply.status != 200) check_error_envelope(reply);
      if (row.read_only || reply.status != 200) {
        INFO("a denied call, or a read, must write nothing (audit log)");
        CHECK(world.last_audit_id() == audit_before);
      }
      if (cell.verify) cell.verify(world, reply);
      ++counters().checked;
      ++counters().per_group[group];
    }
  }
}

std::vector<Row> all_rows() {
  std::vector<Row> out;
  for (auto part : {key_rows(), team_rows(), user_rows(), organization_rows(), budget_rows(), spend_rows(),
                    control_plane_rows(), customer_rows()}) {
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

Cell request(const Actor& caller, const std::string& method, const std::string& target, const std::string& body) {
  Cell c;
  c.credential = caller.key.cleartext;
  c.method = method;
  c.target = target;
  c.body = body;
  return c;
}

void check_exact_change(const std::set<std::string>& changed, const std::set<std::string>& required) {
  std::string changed_text, required_text;
  for (const auto& f : changed) changed_text += f + " ";
  for (const auto& f : required) required_text += f + " ";
  INFO("a 200 write changes exactly what it asked for: changed { " << changed_text << "}, asked { " << required_text
                                                                   << "}");
  for (const auto& f : required) CHECK(changed.count(f) == 1);
  for (const auto& f : changed) CHECK((required.count(f) == 1 || f == "updated_at" || f == "updated_by"));
}

void check_no_change(const std::set<std::string>& changed) {
  std::string text;
  for (const auto& f : changed) text += f + " ";
  INFO("a call that did not succeed must leave the row as it was; changed: { " << text << "}");
  CHECK(changed.empty());
}

bool lists(const std::string& body, const std::string& array_field, const std::string& id_field,
           const std::string& id) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  const rapidjson::Value* array = &d;
  if (!array_field.empty()) {
    REQUIRE(d.IsObject());
    REQUIRE(d.HasMember(array_field.c_str()));
    array = &d[array_field.c_str()];
  }
  REQUIRE(array->IsArray());
  for (const auto& item : array->GetArray()) {
    if (!item.IsObject()) continue;
    const auto it = item.FindMember(id_field.c_str());
    if (it != item.MemberEnd() && it->value.IsString() && id == it->value.GetString()) return true;
  }
  return false;
}

std::string redact(const std::string& text) {
  static const std::regex kKey("sk-[A-Za-z0-9_-]{4,}");
  return std::regex_replace(text, kKey, "sk-<redacted>");
}

std::string json_string(const std::string& body, const char* field) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (!d.IsObject()) return "";
  const auto it = d.FindMember(field);
  if (it == d.MemberEnd() || !it->value.IsString()) return "";
  return it->value.GetString();
}

void check_error_envelope(const testing::HttpReply& reply) {
  rapidjson::Document d;
  d.Parse(reply.body.c_str());
  INFO("an error answers in the OpenAI envelope");
  REQUIRE(d.IsObject());
  REQUIRE(d.HasMember("error"));
  CHECK(d["error"].IsObject());
  CHECK((d["error"].HasMember("message") && d["error"]["message"].IsString()));
  CHECK(d["error"].HasMember("code"));
}

std::string url_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Prints the cells checked (and rows skipped because their route does not exist) when the
// run ends, and tears the world down while the rest of the process is still alive.
struct MatrixListener : Catch::TestEventListenerBase {
  using TestEventListenerBase::TestEventListenerBase;
  void testRunEnded(const Catch::TestRunStats&) override {
    auto& c = counters();
    if (c.checked > 0 || !c.skipped.empty()) {
      std::cout << "authz matrix: " << c.checked << " cells checked";
      for (const auto& [group, n] : c.per_group) std::cout << "; " << group << " " << n;
      std::cout << "\n";
      for (const auto& [route, names] : c.skipped) {
        std::cout << "authz matrix: " << names.size() << " rows skipped, route not registered: " << route << "\n";
      }
    }
    World::tear_down();
  }
};
CATCH_REGISTER_LISTENER(MatrixListener)

}  // namespace tollgate::authz
