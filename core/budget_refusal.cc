#include "core/budget_refusal.h"

#include <string>

#include "core/number_text.h"

namespace tollgate::core {
namespace {

std::string usd(double value) { return general_text(value, 10); }

ApiError rate_error(const Refusal& r, const RefusingEntity& who) {
  const bool requests = r.limit == RefusedBy::rpm || r.limit == RefusedBy::model_rpm;
  const std::string limit = std::to_string(r.limit_value);
  auto e = too_many_requests("Rate limit exceeded for " + std::string(who.entity) + ": " + std::string(who.label) +
                                 ". Limit type: " + (requests ? "requests" : "tokens") + ". Current limit: " + limit +
                                 ", Remaining: 0. Retry after " + std::to_string(r.retry_after) + " s.",
                             r.retry_after);
  e.headers.emplace_back(requests ? "x-ratelimit-limit-requests" : "x-ratelimit-limit-tokens", limit);
  e.headers.emplace_back(requests ? "x-ratelimit-remaining-requests" : "x-ratelimit-remaining-tokens", "0");
  if (who.is_key) {
    e.headers.emplace_back(requests ? "x-litellm-key-remaining-requests" : "x-litellm-key-remaining-tokens", "0");
  }
  return e;
}

}  // namespace

ApiError refusal_error(const Refusal& r, const RefusingEntity& who) {
  switch (r.limit) {
    case RefusedBy::max_parallel_requests:
      return too_many_requests("Max parallel request limit reached for " + std::string(who.entity) + ": " +
                                   std::string(who.label) + ". Limit: " + std::to_string(r.limit_value),
                               1);
    case RefusedBy::budget:
      return ApiError{429,
                      "Budget has been exceeded! " + std::string(who.entity) + "=" + std::string(who.label) +
                          " Current cost: " + usd(r.spend) + ", Reserved by requests in flight: " + usd(r.reserved) +
                          ", Estimated request cost: " + usd(r.cost) + ", Max budget: " + usd(r.max_budget),
                      "budget_exceeded",
                      {},
                      {},
                      {}};
    case RefusedBy::rpm:
    case RefusedBy::model_rpm:
    case RefusedBy::tpm:
    case RefusedBy::model_tpm: return rate_error(r, who);
  }
  return rate_error(r, who);
}

const char* refusal_reason(RefusedBy limit) {
  switch (limit) {
    case RefusedBy::max_parallel_requests: return "max_parallel_requests";
    case RefusedBy::rpm: return "rpm";
    case RefusedBy::model_rpm: return "model_rpm";
    case RefusedBy::tpm: return "tpm";
    case RefusedBy::model_tpm: return "model_tpm";
    case RefusedBy::budget: return "budget";
  }
  return "budget";
}

}  // namespace tollgate::core
