#include "http/response.h"

#include "core/ascii_case.h"
#include "telemetry/log.h"

namespace tollgate::http {

std::optional<std::string_view> header_value(const Headers& headers, std::string_view name) {
  for (const auto& h : headers) {
    if (core::ascii_iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response text_response(int status, std::string body, std::string_view content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::string(content_type);
  return r;
}

Response error_response(const core::ApiError& error) {
  Response r;
  r.status = error.status;
  // Error text can quote client input or upstream bodies: never let a credential through.
  const auto redactor = telemetry::Logger::instance().redactor();
  if (redactor->contains_secret(error.message)) {
    core::ApiError clean = error;
    clean.message = redactor->redact(error.message);
    r.body = core::to_envelope_json(clean);
  } else {
    r.body = core::to_envelope_json(error);
  }
  for (const auto& [name, value] : error.headers) {
    r.headers.push_back({name, value});
  }
  return r;
}

}  // namespace tollgate::http
