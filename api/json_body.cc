#include "api/json_body.h"

#include <rapidjson/error/en.h>

namespace tollgate::api {

std::optional<core::ApiError> parse_json_object(std::string_view body, rapidjson::Document& doc) {
  if (body.empty()) {
    return core::bad_request("Request body is empty; expected a JSON object.");
  }
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError()) {
    return core::bad_request(std::string("Invalid JSON in request body: ") +
                             rapidjson::GetParseError_En(doc.GetParseError()) + " (at offset " +
                             std::to_string(doc.GetErrorOffset()) + ")");
  }
  if (!doc.IsObject()) {
    return core::bad_request("Request body must be a JSON object.");
  }
  return std::nullopt;
}

}  // namespace tollgate::api
