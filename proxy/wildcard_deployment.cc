#include "proxy/wildcard_deployment.h"

#include "core/wildcard_model.h"

namespace tollgate::proxy {

bool is_wildcard_deployment(const config::Deployment& d) { return core::is_wildcard_pattern(d.upstream_model); }

config::Deployment concrete_deployment(const config::Deployment& d, std::string_view captured) {
  config::Deployment out = d;
  out.upstream_model = core::fill_wildcard(d.upstream_model, captured);
  out.litellm_model = core::fill_wildcard(d.litellm_model, captured);
  return out;
}

}  // namespace tollgate::proxy
