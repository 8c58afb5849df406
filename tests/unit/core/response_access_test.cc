// core/response_access: which caller may read, delete or chain onto a stored response.
#include <catch2/catch.hpp>

#include <string>

#include "core/response_access.h"

using tollgate::core::Actor;
using tollgate::core::is_forwardable_response_id;
using tollgate::core::may_use_stored_response;
using tollgate::core::Role;
using tollgate::core::StoredResponseUse;

namespace {

Actor actor(Role role, const std::string& key_hash) {
  Actor a;
  a.role = role;
  a.key_hash = key_hash;
  return a;
}

}  // namespace

TEST_CASE("stored responses: a key uses its own, admins any, viewers only read", "[unit][core]") {
  struct Case {
    Role role;
    const char* caller_hash;
    const char* owner_hash;
    StoredResponseUse use;
    bool allowed;
  };
  const Case cases[] = {
      {Role::internal_user, "h-a", "h-a", StoredResponseUse::read, true},
      {Role::internal_user, "h-a", "h-a", StoredResponseUse::remove, true},
      {Role::internal_user, "h-a", "h-a", StoredResponseUse::chain, true},
      {Role::internal_user, "h-b", "h-a", StoredResponseUse::read, false},
      {Role::internal_user, "h-b", "h-a", StoredResponseUse::remove, false},
      {Role::internal_user, "h-b", "h-a", StoredResponseUse::chain, false},
      {Role::internal_user, "", "", StoredResponseUse::read, false},  // the master key's: no key matches ""
      {Role::org_admin, "h-b", "h-a", StoredResponseUse::read, false},
      {Role::internal_user_viewer, "h-b", "h-a", StoredResponseUse::read, false},
      {Role::proxy_admin, "", "h-a", StoredResponseUse::read, true},  // the master key
      {Role::proxy_admin, "h-admin", "h-a", StoredResponseUse::remove, true},
      {Role::proxy_admin, "h-admin", "", StoredResponseUse::chain, true},
      {Role::proxy_admin_viewer, "h-v", "h-a", StoredResponseUse::read, true},
      {Role::proxy_admin_viewer, "h-v", "h-a", StoredResponseUse::remove, false},
      {Role::proxy_admin_viewer, "h-v", "h-a", StoredResponseUse::chain, false},
  };
  for (const auto& c : cases) {
    INFO(c.caller_hash << " on " << c.owner_hash << " use " << static_cast<int>(c.use));
    CHECK(may_use_stored_response(actor(c.role, c.caller_hash), c.owner_hash, c.use) == c.allowed);
  }
}

TEST_CASE("stored responses: only plain ids reach an upstream path", "[unit][core]") {
  CHECK(is_forwardable_response_id("resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b"));
  CHECK(is_forwardable_response_id("resp_mock_0_12"));
  CHECK(is_forwardable_response_id("chatcmpl-abc"));
  CHECK_FALSE(is_forwardable_response_id(""));
  CHECK_FALSE(is_forwardable_response_id("../models"));
  CHECK_FALSE(is_forwardable_response_id("resp_1/input_items"));
  CHECK_FALSE(is_forwardable_response_id("resp_1?x=1"));
  CHECK_FALSE(is_forwardable_response_id("resp%2F1"));
  CHECK_FALSE(is_forwardable_response_id(std::string(257, 'a')));
  CHECK(is_forwardable_response_id(std::string(256, 'a')));
}
