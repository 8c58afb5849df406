#include "providers/azure/azure_provider.h"

#include "core/azure_api_version.h"
#include "core/url_split.h"
#include "providers/openai/openai_provider.h"
#include "providers/written_output_limit.h"

namespace tollgate::providers {
namespace {

class AzureProvider : public Provider {
 public:
  Api upstream_api(Api client_api) const override { return openai_wire_api_for(client_api); }
  bool speaks_responses_api() const override { return true; }

  std::optional<std::int64_t> max_tokens_added(const config::Deployment& d) const override {
    return openai_wire_limit_added(d);
  }

  core::Result<UpstreamRequest> build_request(const config::Deployment& d, Api client_api,
                                              const rapidjson::Document& request, std::string_view raw_body,
                                              std::chrono::system_clock::time_point) const override {
    // Azure's Responses API is not under the deployment's path: the deployment is the body's model.
    const bool responses = client_api == Api::openai_responses;
    auto shape = openai_wire_shape(
        d, client_api, request,
        core::base_path(d.api_base) + (responses ? "/openai" : "/openai/deployments/" + d.upstream_model));
    if (!shape) return std::move(shape).error();
    shape->target += "?api-version=" + d.api_version;
    if (!d.api_key.empty()) shape->headers.emplace_back("api-key", d.api_key);
    shape->model_in_url = !responses;
    shape->stream_usage = core::azure_accepts_stream_options(d.api_version);
    return json_upstream_request(d, client_api, request, raw_body, std::move(shape).value());
  }

  core::Result<UpstreamRequest> stored_response_request(const config::Deployment& d, std::string_view id,
                                                        std::string_view suffix,
                                                        std::string_view query) const override {
    auto request = stored_response_shape(core::base_path(d.api_base) + "/openai/responses", id, suffix,
                                         "api-version=" + d.api_version, query);
    if (!d.api_key.empty()) request.headers.emplace_back("api-key", d.api_key);
    return request;
  }
};

}  // namespace

const Provider& azure_provider() {
  static const AzureProvider provider;
  return provider;
}

}  // namespace tollgate::providers
