#pragma once
// The client's body of a media request (JSON, or multipart/form-data for transcriptions):
// validated once at the edge, with the units it may be charged for (core/media_cost.h) and the
// upstream body for a deployment's model name.
#include <functional>
#include <optional>
#include <string>

#include "core/media_cost.h"
#include "core/result.h"
#include "http/exchange.h"

namespace tollgate::api {

struct MediaBody {
  std::string model;  // the model group asked for
  core::MediaRequestFacts facts;
  std::optional<std::string> end_user;  // the body's `user` (JSON, or the form's field)
  std::string content_type;             // of the upstream body
  // The client's body with `model` set to the deployment's name (keeps the exchange alive).
  std::function<std::string(const std::string& upstream_model)> body_for;
};

// A 400 naming the field when the body is not a valid request of `kind`.
core::Result<MediaBody> read_media_body(core::MediaKind kind, const http::ExchangePtr& exchange, int max_json_depth);

}  // namespace tollgate::api
