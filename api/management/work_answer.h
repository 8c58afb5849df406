#pragma once
// Turns whatever a management call's work does — return or throw — into the one response its
// client gets. Kept apart from run_management so that tests can call it with a throwing work
// item directly.
#include <functional>
#include <string>

#include "core/api_error.h"
#include "http/response.h"
#include "persistence/store_pool.h"

namespace tollgate::api {

// Runs `work` and returns its response, or: HttpError → its envelope; DuplicateError → 400;
// ConflictError → 409; StoreError → 503 (logged); any other exception → 500 naming the
// request id, the cause logged under the same id.
http::Response answer_management_work(const std::string& request_id, const std::function<http::Response()>& work);

// The answer when the store pool failed the work instead of running it: 503 (store_overloaded
// when its queue was full), or the 500 above when the work threw past the answer.
core::ApiError store_job_error(persistence::JobFailure why, const std::string& request_id);

}  // namespace tollgate::api
