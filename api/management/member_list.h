#pragma once
// The `member` / `members_with_roles` values of team and organization membership calls:
// one {user_id | user_email, role} object or a list of them (LiteLLM accepts both).
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "core/authz.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::api {

class BodyReader;

struct MemberRequest {
  std::string user_id;  // may be empty when user_email names the user
  std::string user_email;
  std::string role;   // empty: the endpoint's default
  std::string where;  // "member", "member[2]": names the item in errors
};

// 400 naming the item and field for anything malformed, unknown or missing.
std::vector<MemberRequest> parse_members(const rapidjson::Value& value, const std::string& field);

// The member a member_update / member_delete body names at its top level (user_id or
// user_email, and role when given); 400 when it names none.
MemberRequest member_named_in(const BodyReader& body);

// The member's user id. A user_email must belong to a user the caller can see (404 otherwise,
// so emails cannot be probed); a bare user_id may name a user that does not exist yet, as in
// LiteLLM, where memberships may precede the user.
std::string member_user_id(persistence::Store& store, const core::Actor& actor, const MemberRequest& member);

}  // namespace tollgate::api
