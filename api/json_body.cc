#include "api/json_body.h"

#include "core/json_parse.h"

namespace tollgate::api {

core::Status parse_json_object(std::string_view body, rapidjson::Document& doc, int max_depth) {
  if (body.empty()) {
    return core::bad_request("Request body is empty; expected a JSON object.");
  }
  if (auto error = core::parse_json(body, doc, core::JsonParseOptions{max_depth})) {
    return core::bad_request(std::move(error->message), std::move(error->field));
  }
  if (!doc.IsObject()) {
    return core::bad_request("Request body must be a JSON object.");
  }
  return {};
}

core::Status refuse_nul(std::string_view text, const std::string& field) {
  if (text.find('\0') == std::string_view::npos) return {};
  return core::bad_request("'" + field + "' must not contain a NUL character (\\u0000)", field);
}

}  // namespace tollgate::api
