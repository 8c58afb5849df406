#pragma once
// The in-process answer of a `mock/` deployment in the client's API, whole or as stream events.
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "config/config.h"
#include "core/usage.h"
#include "providers/upstream_request.h"

namespace tollgate::proxy {

struct MockAnswer {
  bool stream = false;
  std::string body;                 // when !stream
  std::vector<std::string> events;  // when stream: complete SSE events, in order
  core::Usage usage;
};

MockAnswer mock_answer(const config::Deployment& deployment, providers::Api api, const rapidjson::Document& request,
                       std::string_view model_group);

}  // namespace tollgate::proxy
