#include "api/management/body_fields.h"

#include <string>

#include "api/management/http_error.h"
#include "api/management/limit_fields.h"

namespace tollgate::api {
namespace {

// Whether a JSON value asks for anything: false and 0 do (`"permissions": {"x": false}` denies).
bool sets_something(const rapidjson::Value& value) {
  if (value.IsNull()) return false;
  if (value.IsString()) return value.GetStringLength() > 0;
  if (value.IsArray()) {
    for (const auto& item : value.GetArray()) {
      if (sets_something(item)) return true;
    }
    return false;
  }
  if (value.IsObject()) {
    for (const auto& member : value.GetObject()) {
      if (sets_something(member.value)) return true;
    }
    return false;
  }
  return true;
}

void reject_unenforced(const BodyReader& body, std::initializer_list<std::string_view> fields) {
  for (const auto field : fields) {
    const std::string name(field);
    const auto* value = body.raw(name.c_str());
    if (value && sets_something(*value)) {
      throw_bad_request(
          "'" + name + "' sets a restriction Tollgate does not enforce; remove it (null or empty is accepted)", name);
    }
  }
}

}  // namespace

void check_body_fields(const BodyReader& body, const BodyFields& fields) {
  body.reject_unlisted({fields.used, kBudgetLimitFields, fields.ignored, fields.unenforced});
  reject_unenforced(body, fields.unenforced);
}

}  // namespace tollgate::api
