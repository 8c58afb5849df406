#include "providers/provider.h"

#include "providers/stream_text.h"

namespace tollgate::providers {

std::int64_t Provider::stream_event_text_tokens(Api upstream_api, const SseEvent& event) const {
  return providers::stream_event_text_tokens(upstream_api, event.data);
}

core::Result<UpstreamRequest> Provider::stored_response_request(const config::Deployment& deployment, std::string_view,
                                                                std::string_view, std::string_view) const {
  return unsupported_api(deployment, Api::openai_responses);
}

}  // namespace tollgate::providers
