// The metadata checks the stores run before writing: a full parse for metadata from the
// management API, a shape check for the spend log's, which only the gateway serializes.
#include <rapidjson/document.h>
#include <catch2/catch.hpp>

#include "api/spend_log_metadata.h"
#include "persistence/errors.h"
#include "persistence/json_columns.h"

using namespace tollgate;
using persistence::checked_json_object;
using persistence::own_json_object;

TEST_CASE("json columns: metadata objects, full check and shape check", "[persistence][json]") {
  struct Row {
    std::string json;
    bool full_ok;
    bool shape_ok;
  };
  const Row rows[] = {
      {"", true, true},  // stored as {}
      {"{}", true, true},         {R"({"a":[1,{"b":"}"}]})", true, true},
      {"not json", false, false}, {"[1]", false, false},
      {R"("{}")", false, false},  {"{", false, false},
      {"}", false, false},        {"{not json}", false, true},  // the shape check trusts our writer for the grammar
      {" {}", true, false},  // our writer emits no whitespace; the shape check wants the exact bytes
  };
  for (const auto& row : rows) {
    INFO(row.json);
    if (row.full_ok) {
      CHECK(checked_json_object(row.json, "metadata") == (row.json.empty() ? "{}" : row.json));
    } else {
      CHECK_THROWS_AS(checked_json_object(row.json, "metadata"), persistence::StoreError);
    }
    if (row.shape_ok) {
      CHECK(own_json_object(row.json, "metadata") == (row.json.empty() ? "{}" : row.json));
    } else {
      CHECK_THROWS_AS(own_json_object(row.json, "metadata"), persistence::StoreError);
    }
  }
}

// The shape check is enough only because the spend log's metadata is serialized, never copied:
// request values (end user, x-request-id) and stored names go in as escaped strings.
TEST_CASE("json columns: spend log metadata with hostile request values is still one JSON object",
          "[persistence][json]") {
  const std::string hostile = "\"}, \"x\": 1, {\\\n\t\x01]\"";
  identity::KeyIdentity identity;
  identity.key.token_hash = hostile;
  identity.key.key_alias = hostile;
  api::SpendLogIds ids;
  ids.call_id = hostile;
  ids.x_request_id = hostile;
  ids.end_user = hostile;
  ids.interrupted_stream = true;
  for (const auto* who :
       {static_cast<const identity::KeyIdentity*>(&identity), static_cast<const identity::KeyIdentity*>(nullptr)}) {
    for (const bool success : {true, false}) {
      const auto json = api::spend_log_metadata(who, ids, success);
      INFO(json);
      CHECK_NOTHROW(checked_json_object(json, "metadata"));
      CHECK(own_json_object(json, "metadata") == json);
      rapidjson::Document document;
      document.Parse(json.data(), json.size());
      REQUIRE_FALSE(document.HasParseError());
      CHECK(std::string(document["user_api_key_end_user_id"].GetString()) == hostile);
      CHECK(std::string(document["x_request_id"].GetString()) == hostile);
    }
  }
}
