#pragma once
// A model provider as a plug-in: how a client request becomes the request to one of its
// deployments (translation, credentials, signing), how its stream is framed, and how its
// answers become the client's (whole or streamed, with usage read on the way). One
// implementation per folder (providers/openai, providers/anthropic, providers/bedrock, ...),
// selected by the deployment's `provider/` prefix through providers/registry.h.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

#include "config/config.h"
#include "core/result.h"
#include "providers/response_relay.h"
#include "providers/stream_decoder.h"
#include "providers/upstream_request.h"

namespace tollgate::providers {

class Provider {
 public:
  virtual ~Provider() = default;

  // Answered inside the gateway (mock/), never sent over HTTP.
  virtual bool answers_in_process() const { return false; }

  // Speaks OpenAI's Responses API itself (OpenAI, Azure): /v1/responses passes through and the
  // responses it stores are read there. Every other provider serves /v1/responses through
  // chat (providers/responses_chat_request.h, providers/responses_from_chat.h).
  virtual bool speaks_responses_api() const { return false; }

  // The API the provider speaks for a client speaking `client_api`.
  virtual Api upstream_api(Api client_api) const = 0;

  // The max_tokens the gateway itself puts in a request that sets none (some APIs require
  // one); nullopt when such a request goes out without a limit.
  virtual std::optional<std::int64_t> max_tokens_added(const config::Deployment&) const { return std::nullopt; }

  // The upstream request for `deployment`, credentials and signature included. `raw_body` is
  // the client's body, forwarded byte for byte when no field needs changing; `now` dates a
  // signature. Errors are client errors (400): an API the provider cannot serve, or a request
  // the translation rejects.
  virtual core::Result<UpstreamRequest> build_request(const config::Deployment& deployment, Api client_api,
                                                      const rapidjson::Document& request, std::string_view raw_body,
                                                      std::chrono::system_clock::time_point now) const = 0;

  // The request for an answer the upstream stored through its Responses API: GET or DELETE
  // `/responses/{id}` + `suffix` ("" or "/input_items"), `query` the client's query string (""
  // when none), with the deployment's credential. `id` is a checked response id. Providers that
  // keep no responses refuse with unsupported_api (400).
  virtual core::Result<UpstreamRequest> stored_response_request(const config::Deployment& deployment,
                                                                std::string_view id, std::string_view suffix,
                                                                std::string_view query) const;

  // How the bytes of a streamed answer split into events (SSE unless the provider says otherwise).
  virtual std::unique_ptr<StreamDecoder> stream_decoder() const { return make_sse_decoder(); }

  // The client's body from a whole upstream answer, or a 502 when it cannot be understood.
  virtual core::Result<ClientBody> finish_response(Api client_api, Api upstream_api, std::string upstream_body,
                                                   std::string_view model_group) const {
    return providers::finish_response(client_api, upstream_api, std::move(upstream_body), model_group);
  }

  // finish_response for a provider that shapes its answer after the client's `request` too
  // (Bedrock embeddings: encoding_format, and the inputs whose tokens the upstream leaves
  // uncounted). The data plane calls this one.
  virtual core::Result<ClientBody> finish_response_for(const rapidjson::Document& request, Api client_api,
                                                       Api upstream_api, std::string upstream_body,
                                                       std::string_view model_group) const {
    (void)request;
    return finish_response(client_api, upstream_api, std::move(upstream_body), model_group);
  }

  virtual std::unique_ptr<StreamRelay> stream_relay(Api client_api, Api upstream_api, StreamOptions options) const {
    return make_stream_relay(client_api, upstream_api, std::move(options));
  }

  // Generated text (typical tokens) in one upstream stream event: what an interrupted stream is
  // charged for when the provider's usage never arrived (providers/stream_text.h).
  virtual std::int64_t stream_event_text_tokens(Api upstream_api, const SseEvent& event) const;

  // The model's name in the built-in price and limit table (core/cost_map.h).
  virtual std::string_view catalog_model(const config::Deployment& deployment) const {
    return deployment.upstream_model;
  }

  // The provider's error message from an error body, for the client's error and the logs.
  virtual std::string error_message(std::string_view body) const { return upstream_error_message(body); }
};

}  // namespace tollgate::providers
