#include "providers/anthropic_error.h"

#include "providers/json_util.h"

namespace tollgate::providers {

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503:
    case 529: return "overloaded_error";
    default: return "api_error";
  }
}

std::string anthropic_error_body(int status, std::string_view message) {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("type");
  w.String("error");
  w.Key("error");
  w.StartObject();
  w.Key("type");
  json::write_string(w, anthropic_error_type(status));
  w.Key("message");
  json::write_string(w, message);
  w.EndObject();
  w.EndObject();
  return std::string(json::written(buffer));
}

}  // namespace tollgate::providers
