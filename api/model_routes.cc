// GET /v1/models, GET /v1/models/{id}
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/requested_model.h"
#include "api/routes.h"

namespace tollgate::api {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr std::int64_t kCreated = 1677610602;  // fixed, like LiteLLM's proxy

void write_model(Writer& w, const std::string& name) {
  w.StartObject();
  w.Key("id");
  w.String(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
  w.Key("object");
  w.String("model");
  w.Key("created");
  w.Int64(kCreated);
  w.Key("owned_by");
  w.String("openai");
  w.EndObject();
}

}  // namespace

void handle_list_models(const GatewayContext& context, const http::ExchangePtr& exchange) {
  with_caller(context, exchange, [&context, exchange](const identity::Caller& caller) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("data");
    w.StartArray();
    const auto models = context.model_snapshot();
    for (const auto& name : callable_model_names(models->models(), caller.identity.get())) write_model(w, name);
    w.EndArray();
    w.Key("object");
    w.String("list");
    w.EndObject();
    exchange->respond(http::json_response(200, std::string(buffer.GetString(), buffer.GetSize())));
  });
}

void handle_get_model(const GatewayContext& context, const http::ExchangePtr& exchange) {
  with_caller(context, exchange, [&context, exchange](const identity::Caller& caller) {
    const std::string id(exchange->param("id"));
    const auto models = context.model_snapshot();
    const auto requested = find_requested_model(models->models(), caller.identity.get(), id);
    if (requested.group == nullptr || (caller.identity && !requested_model_allowed(*caller.identity, requested))) {
      http::respond_error(exchange, core::not_found("The model '" + id + "' does not exist"));
      return;
    }
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    write_model(w, id);
    exchange->respond(http::json_response(200, std::string(buffer.GetString(), buffer.GetSize())));
  });
}

}  // namespace tollgate::api
