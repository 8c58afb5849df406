#include "providers/mock/mock_plugin.h"

namespace tollgate::providers {
namespace {

class MockPlugin : public Provider {
 public:
  bool answers_in_process() const override { return true; }
  Api upstream_api(Api client_api) const override { return client_api; }
  core::Result<UpstreamRequest> build_request(const config::Deployment&, Api, const rapidjson::Document&,
                                              std::string_view, std::chrono::system_clock::time_point) const override {
    return core::internal_error("mock/ deployments answer in process");
  }
};

}  // namespace

const Provider& mock_plugin() {
  static const MockPlugin provider;
  return provider;
}

}  // namespace tollgate::providers
