#include "api/stored_responses.h"

#include <memory>
#include <optional>
#include <string_view>

#include "api/gateway_context.h"
#include "api/inference_accounting.h"
#include "api/recent_response_owners.h"
#include "api/routes.h"
#include "core/response_access.h"
#include "http/client.h"
#include "persistence/store.h"
#include "persistence/store_pool.h"
#include "providers/json_util.h"
#include "providers/registry.h"
#include "proxy/model_router.h"
#include "proxy/model_snapshot.h"
#include "telemetry/log.h"

namespace tollgate::api {
namespace {

using core::StoredResponseUse;
using persistence::ResponseOwner;

constexpr std::size_t kMaxStoredResponseBody = 64 * 1024 * 1024;
constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr std::chrono::milliseconds kDefaultTimeout{600'000};

// The same answer for an id nobody stored, one of another key, and one that is no id at all:
// ids of others cannot be probed.
core::ApiError unknown_response(const std::string& id) {
  if (!core::is_forwardable_response_id(id)) return core::not_found("Response not found.");
  return core::not_found("Response with id '" + id + "' not found.");
}

using OwnerFound = std::function<void(core::Result<std::optional<ResponseOwner>>)>;

// This node's recent owners first; else the store, on a store thread, resuming on the
// exchange's executor.
void find_owner(const GatewayContext& context, const http::ExchangePtr& exchange, const std::string& id,
                OwnerFound done) {
  if (context.response_owners) {
    if (auto hit = context.response_owners->find(id)) {
      done(std::move(hit));
      return;
    }
  }
  if (!context.store) {
    done(std::optional<ResponseOwner>());
    return;
  }
  auto answer = std::make_shared<OwnerFound>(http::bind_executor(exchange, std::move(done)));
  context.store->submit(
      [answer, id](persistence::Store& store) { (*answer)(store.response_owner(id)); },
      [answer, request_id = exchange->request_id()](persistence::JobFailure why, const std::string& error) {
        (*answer)(identity::store_lookup_failure(why, error, request_id, "response_owner_lookup"));
      });
}

// The owner of `id` when `actor` may put it to `use`; else 404 (or the store's 503).
void with_owned_response(const GatewayContext& context, const http::ExchangePtr& exchange, core::Actor actor,
                         std::string id, StoredResponseUse use, std::function<void(core::Result<ResponseOwner>)> done) {
  if (!core::is_forwardable_response_id(id)) {
    done(unknown_response(id));
    return;
  }
  find_owner(
      context, exchange, id,
      [actor = std::move(actor), id, use, done = std::move(done)](core::Result<std::optional<ResponseOwner>> found) {
        if (!found) {
          done(found.error());
          return;
        }
        if (!*found || !core::may_use_stored_response(actor, (*found)->api_key, use)) {
          done(unknown_response(id));
          return;
        }
        done(std::move(**found));
      });
}

const config::Deployment* deployment_with_id(const proxy::ModelSnapshot& models, const std::string& id) {
  for (const auto& d : models.router->catalog().config().model_list) {
    if (d.info.id == id) return &d;
  }
  return nullptr;
}

// One GET or DELETE sent to the deployment holding the response; its answer is relayed
// (errors as the gateway's own envelope).
class StoredResponseCall : public http::ResponseSink, public std::enable_shared_from_this<StoredResponseCall> {
 public:
  using Answered = std::function<void(http::Response)>;

  StoredResponseCall(http::ExchangePtr exchange, proxy::ModelSnapshotPtr models, const config::Deployment& deployment,
                     Answered answered)
      : exchange_(std::move(exchange)),
        models_(std::move(models)),
        deployment_(deployment),
        answered_(std::move(answered)) {}

  void start(http::HttpClient& client, const http::UpstreamUrl& url, http::OutboundRequest request) {
    std::weak_ptr<StoredResponseCall> weak = shared_from_this();
    exchange_->on_client_gone([weak] {
      if (auto self = weak.lock(); self && self->call_) {
        self->call_->cancel();  // the sink hears nothing more; drop the call (and its hold on us)
        self->call_.reset();
      }
    });
    call_ = client.send(url, std::move(request), shared_from_this());
  }

  void on_head(int status, const http::Headers& headers) override {
    status_ = status;
    content_type_ = std::string(http::header_value(headers, "content-type").value_or(""));
  }

  void on_data(std::string_view bytes) override {
    const std::size_t limit = status_ >= 200 && status_ < 300 ? kMaxStoredResponseBody : kMaxErrorBody;
    if (body_.size() + bytes.size() > limit) {
      overflow_ = status_ < 300;
      return;
    }
    body_.append(bytes);
  }

  void on_complete() override {
    call_.reset();
    if (overflow_) {
      answer(http::error_response(core::bad_gateway("The upstream response is larger than the gateway accepts")));
      return;
    }
    if (status_ >= 200 && status_ < 300) {
      http::Response response;
      response.status = status_;
      response.content_type = content_type_.empty() ? std::string(http::kJson) : content_type_;
      response.body = std::move(body_);
      answer(std::move(response));
      return;
    }
    const auto message = providers::provider_of(deployment_).error_message(body_);
    if (status_ == 404) {
      answer(http::error_response(core::not_found(message)));
    } else if (status_ == 400 || status_ == 422) {
      answer(http::error_response(core::bad_request(message)));
    } else {  // the gateway's credential refused, or the upstream failed: not the caller's doing
      answer(http::error_response(core::bad_gateway("Upstream error from deployment '" + deployment_.info.id +
                                                    "' (HTTP " + std::to_string(status_) + "): " + message)));
    }
  }

  void on_error(http::ClientErrorKind kind, const std::string& message) override {
    call_.reset();
    const auto text = "The upstream call to deployment '" + deployment_.info.id + "' failed: " + message;
    answer(http::error_response(kind == http::ClientErrorKind::timeout ? core::gateway_timeout(text)
                                                                       : core::bad_gateway(text)));
  }

 private:
  void answer(http::Response response) {
    response.headers.push_back({"x-litellm-model-id", deployment_.info.id});
    auto answered = std::move(answered_);
    if (answered) answered(std::move(response));
  }

  http::ExchangePtr exchange_;
  proxy::ModelSnapshotPtr models_;  // keeps deployment_ and the upstream URL alive
  const config::Deployment& deployment_;
  Answered answered_;
  std::shared_ptr<http::OutboundCall> call_;
  int status_ = 0;
  std::string content_type_;
  std::string body_;
  bool overflow_ = false;
};

// After the upstream deleted it: nobody reaches the id any more, on this node at once and,
// before the client hears of it, in the store.
void forget_owner(const GatewayContext& context, const http::ExchangePtr& exchange, const std::string& id,
                  std::function<void()> then) {
  if (context.response_owners) context.response_owners->forget(id);
  if (!context.store) {
    then();
    return;
  }
  auto resume = std::make_shared<std::function<void()>>(http::bind_executor(exchange, std::move(then)));
  context.store->submit(
      [resume, id](persistence::Store& store) {
        store.forget_response_owner(id);
        (*resume)();
      },
      [resume, request_id = exchange->request_id()](persistence::JobFailure, const std::string& error) {
        telemetry::log_warn("response_owner_forget_failed", {{"request_id", request_id}, {"error", error}});
        (*resume)();
      });
}

void send_to_holder(const GatewayContext& context, const http::ExchangePtr& exchange, http::Method method,
                    std::string_view suffix, const ResponseOwner& owner) {
  auto models = context.model_snapshot();
  const auto* deployment = deployment_with_id(*models, owner.model_id);
  if (deployment == nullptr) {
    http::respond_error(exchange,
                        core::not_found("Response with id '" + owner.response_id + "' was stored by deployment '" +
                                        owner.model_id + "', which is no longer configured."));
    return;
  }
  const auto& provider = providers::provider_of(*deployment);
  auto built = provider.stored_response_request(*deployment, owner.response_id, suffix, exchange->query());
  const auto routed = models->router->at(models->router->index_of(*deployment));
  if (!built || routed.url == nullptr) {
    http::respond_error(
        exchange, built ? providers::unsupported_api(*deployment, providers::Api::openai_responses) : built.error());
    return;
  }
  http::OutboundRequest out;
  out.method = method;
  out.target = std::move(built->target);
  for (auto& [name, value] : built->headers) out.headers.push_back({name, value});
  const auto timeout =
      deployment->timeout ? *deployment->timeout : models->router->settings().timeout.value_or(kDefaultTimeout);
  out.first_byte_timeout = timeout;
  out.idle_timeout = timeout;
  const bool deleting = method == http::Method::delete_;
  auto answered = [&context, exchange, deleting, id = owner.response_id](http::Response response) {
    if (!deleting || response.status < 200 || response.status >= 300) {
      exchange->respond(std::move(response));
      return;
    }
    auto shared = std::make_shared<http::Response>(std::move(response));
    forget_owner(context, exchange, id, [exchange, shared] { exchange->respond(std::move(*shared)); });
  };
  auto call = std::make_shared<StoredResponseCall>(exchange, models, *deployment, std::move(answered));
  call->start(*context.client, *routed.url, std::move(out));
}

void serve_stored_response(const GatewayContext& context, const http::ExchangePtr& exchange, http::Method method,
                           std::string_view suffix, StoredResponseUse use) {
  with_caller(context, exchange, [&context, exchange, method, suffix, use](const identity::Caller& caller) {
    with_owned_response(context, exchange, caller.actor, std::string(exchange->param("id")), use,
                        [&context, exchange, method, suffix](core::Result<ResponseOwner> owner) {
                          if (!owner) {
                            http::respond_error(exchange, owner.error());
                            return;
                          }
                          send_to_holder(context, exchange, method, suffix, *owner);
                        });
  });
}

}  // namespace

void handle_get_response(const GatewayContext& context, const http::ExchangePtr& exchange) {
  serve_stored_response(context, exchange, http::Method::get, "", StoredResponseUse::read);
}

void handle_delete_response(const GatewayContext& context, const http::ExchangePtr& exchange) {
  serve_stored_response(context, exchange, http::Method::delete_, "", StoredResponseUse::remove);
}

void handle_response_input_items(const GatewayContext& context, const http::ExchangePtr& exchange) {
  serve_stored_response(context, exchange, http::Method::get, "/input_items", StoredResponseUse::read);
}

void with_previous_response(const GatewayContext& context, const http::ExchangePtr& exchange,
                            const identity::Caller& caller, const rapidjson::Document& request,
                            const config::ModelGroup& group,
                            std::function<void(core::Result<const config::Deployment*>)> done) {
  const auto* previous = providers::json::present(request, "previous_response_id");
  if (previous == nullptr || previous->IsNull()) {
    done(static_cast<const config::Deployment*>(nullptr));
    return;
  }
  if (!previous->IsString()) {
    done(core::bad_request("'previous_response_id' must be a string", "previous_response_id"));
    return;
  }
  std::string id(previous->GetString(), previous->GetStringLength());
  with_owned_response(context, exchange, caller.actor, std::move(id), StoredResponseUse::chain,
                      [&group, done = std::move(done)](core::Result<ResponseOwner> owner) {
                        if (!owner) {
                          done(owner.error());
                          return;
                        }
                        for (const auto* d : group.deployments) {
                          if (d->info.id == owner->model_id) {
                            done(d);
                            return;
                          }
                        }
                        done(static_cast<const config::Deployment*>(nullptr));
                      });
}

void remember_response_owner(const GatewayContext& context, const identity::KeyIdentity* identity,
                             const proxy::CallOutcome& outcome, const std::string& model_group) {
  if (context.response_owners == nullptr || !outcome.success || outcome.response_id.empty() ||
      outcome.deployment == nullptr) {
    return;
  }
  ResponseOwner owner;
  owner.response_id = outcome.response_id;
  if (identity) {
    owner.api_key = identity->key.token_hash;
    owner.team_id = identity->key.team_id;
  }
  owner.model_group = model_group;
  owner.model_id = outcome.deployment->info.id;
  owner.created_at = unix_ms_now();
  context.response_owners->remember(std::move(owner));
}

}  // namespace tollgate::api
