#include "api/management/work_answer.h"

#include "api/management/http_error.h"
#include "persistence/errors.h"
#include "telemetry/log.h"

namespace tollgate::api {
namespace {

const char* const kStoreUnavailable = "The store is unavailable; nothing was changed.";

http::Response unexpected(const std::string& request_id, const char* cause) {
  // The log line carries the cause (through the redactor); the client only the request id.
  telemetry::log_error("management_unexpected_error", {{"request_id", request_id}, {"error", cause}});
  return http::error_response(core::unexpected_error(request_id));
}

}  // namespace

http::Response answer_management_work(const std::string& request_id, const std::function<http::Response()>& work) {
  try {
    return work();
  } catch (const HttpError& e) {
    return http::error_response(e.error());
  } catch (const persistence::DuplicateError& e) {
    return http::error_response(core::bad_request(std::string("Already exists: ") + e.what()));
  } catch (const persistence::ConflictError& e) {
    return http::error_response(core::conflict(e.what()));
  } catch (const persistence::StoreError& e) {
    telemetry::log_error("management_store_error", {{"request_id", request_id}, {"error", e.what()}});
    return http::error_response(core::service_unavailable(kStoreUnavailable));
  } catch (const std::exception& e) {
    return unexpected(request_id, e.what());
  } catch (...) {
    return unexpected(request_id, "an exception that is not a std::exception");
  }
}

core::ApiError store_job_error(persistence::JobFailure why, const std::string& request_id) {
  switch (why) {
    case persistence::JobFailure::overloaded: return core::store_overloaded();
    case persistence::JobFailure::threw: return core::unexpected_error(request_id);
    case persistence::JobFailure::unreachable:
    case persistence::JobFailure::stopped: break;
  }
  return core::service_unavailable(kStoreUnavailable);
}

}  // namespace tollgate::api
