#include "api/management/member_list.h"

#include "api/management/body_reader.h"
#include "api/management/http_error.h"
#include "api/management/lookups.h"

namespace tollgate::api {
namespace {

std::string member_string(const rapidjson::Value& item, const char* name, const std::string& where) {
  const auto it = item.FindMember(name);
  if (it == item.MemberEnd() || it->value.IsNull()) return {};
  return text_field(it->value, where + "." + name);
}

MemberRequest parse_member(const rapidjson::Value& item, const std::string& where) {
  if (!item.IsObject()) throw_bad_request("'" + where + "' must be an object with user_id or user_email", where);
  for (const auto& m : item.GetObject()) {
    const std::string name(m.name.GetString(), m.name.GetStringLength());
    if (name != "user_id" && name != "user_email" && name != "role") {
      throw_bad_request("unknown field '" + where + "." + name + "'", where + "." + name);
    }
  }
  MemberRequest member{member_string(item, "user_id", where), member_string(item, "user_email", where),
                       member_string(item, "role", where), where};
  if (member.user_id.empty() && member.user_email.empty()) {
    throw_bad_request("'" + where + "' needs a user_id or a user_email", where + ".user_id");
  }
  return member;
}

}  // namespace

std::vector<MemberRequest> parse_members(const rapidjson::Value& value, const std::string& field) {
  std::vector<MemberRequest> members;
  if (value.IsArray()) {
    if (value.Empty()) throw_bad_request("'" + field + "' must name at least one member", field);
    for (rapidjson::SizeType i = 0; i < value.Size(); ++i) {
      members.push_back(parse_member(value[i], field + "[" + std::to_string(i) + "]"));
    }
  } else {
    members.push_back(parse_member(value, field));
  }
  return members;
}

std::string member_user_id(persistence::Store& store, const core::Actor& actor, const MemberRequest& member) {
  if (member.user_email.empty()) return member.user_id;
  const auto user = load_visible_user_by_email(store, actor, member.user_email);
  if (!member.user_id.empty() && member.user_id != user.user_id) {
    throw_bad_request("'" + member.where + "': user_id and user_email name different users",
                      member.where + ".user_email");
  }
  return user.user_id;
}

MemberRequest member_named_in(const BodyReader& body) {
  MemberRequest member{body.string("user_id").value_or(""), body.string("user_email").value_or(""),
                       body.string("role").value_or(""), "request"};
  if (member.user_id.empty() && member.user_email.empty()) throw_bad_request("'user_id' is required", "user_id");
  return member;
}

}  // namespace tollgate::api
