#include "providers/provider.h"

#include "providers/stream_text.h"

namespace tollgate::providers {

std::int64_t Provider::stream_event_text_tokens(Api upstream_api, const SseEvent& event) const {
  return providers::stream_event_text_tokens(upstream_api, event.data);
}

}  // namespace tollgate::providers
