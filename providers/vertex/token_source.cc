#include "providers/vertex/token_source.h"

#include <boost/asio/post.hpp>

#include <chrono>
#include <map>

#include <rapidjson/document.h>

#include "http/client.h"
#include "telemetry/log.h"

namespace tollgate::providers::vertex {
namespace {

constexpr std::size_t kMaxTokenReply = 64 * 1024;
constexpr std::chrono::milliseconds kTokenRequestTimeout{10'000};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

core::ApiError token_failure(std::string why) { return core::bad_gateway("Vertex AI access token: " + std::move(why)); }

// The token endpoint's answer to one grant request.
class TokenReplySink : public http::ResponseSink {
 public:
  explicit TokenReplySink(std::shared_ptr<AccessTokenSource> source) : source_(std::move(source)) {}

  void on_head(int status, const http::Headers&) override { status_ = status; }

  void on_data(std::string_view bytes) override {
    if (body_.size() + bytes.size() <= kMaxTokenReply) body_.append(bytes);
  }

  void on_complete() override {
    if (status_ != 200) {
      // Google's {"error": "invalid_grant", "error_description": ...}: the code says enough, and
      // a description could quote what was sent.
      std::string code = "no error code";
      rapidjson::Document d;
      if (d.Parse(body_.data(), body_.size()).HasParseError() == false && d.IsObject() && d.HasMember("error") &&
          d["error"].IsString()) {
        code = d["error"].GetString();
      }
      source_->refreshed(token_failure("the token endpoint answered " + std::to_string(status_) + " (" + code + ")"));
      return;
    }
    auto token = parse_token_response(body_, unix_now());
    if (!token) {
      source_->refreshed(token_failure(token.error().message));
      return;
    }
    source_->refreshed(std::move(token).value());
  }

  void on_error(http::ClientErrorKind kind, const std::string& message) override {
    source_->refreshed(
        token_failure("the token endpoint failed (" + std::string(http::client_error_name(kind)) + "): " + message));
  }

 private:
  std::shared_ptr<AccessTokenSource> source_;
  int status_ = 0;
  std::string body_;
};

}  // namespace

AccessTokenSource::AccessTokenSource(std::string credentials) : credentials_(std::move(credentials)) {}

std::optional<std::string> AccessTokenSource::token_or_wait(http::HttpClient& client,
                                                            boost::asio::any_io_executor executor, Done done,
                                                            std::int64_t now) {
  bool refresh = false;
  std::optional<std::string> usable;
  {
    std::scoped_lock lock(mutex_);
    if (!needs_refresh(token_, now)) usable = token_.token;
    if (!usable) waiters_.push_back({std::move(executor), std::move(done)});
    if (refresh_due(token_, now) && !refreshing_) refreshing_ = refresh = true;
  }
  if (refresh) start_refresh(client, now);
  return usable;
}

void AccessTokenSource::start_refresh(http::HttpClient& client, std::int64_t now) {
  auto account = parse_service_account(credentials_);
  if (!account) {
    refreshed(account.error());
    return;
  }
  auto assertion = jwt_bearer_assertion(*account, kCloudPlatformScope, now);
  if (!assertion) {
    refreshed(assertion.error());
    return;
  }
  const std::string_view token_uri = account->token_uri;
  const auto query = token_uri.find('?');
  const auto url = http::parse_upstream_url(token_uri.substr(0, query));
  if (!url) {
    refreshed(core::bad_request("vertex_credentials: token_uri is not an http(s) URL"));
    return;
  }
  http::OutboundRequest request;
  request.method = http::Method::post;
  request.target = (url->base_path.empty() ? "/" : url->base_path) +
                   std::string(query == std::string_view::npos ? std::string_view() : token_uri.substr(query));
  request.headers = {{"content-type", "application/x-www-form-urlencoded"}, {"accept", "application/json"}};
  request.body = token_request_body(*assertion);
  request.first_byte_timeout = kTokenRequestTimeout;
  request.idle_timeout = kTokenRequestTimeout;
  client.send(*url, std::move(request), std::make_shared<TokenReplySink>(shared_from_this()));
}

void AccessTokenSource::refreshed(core::Result<AccessToken> result) {
  std::vector<Waiter> waiters;
  std::optional<std::string> token;
  {
    std::scoped_lock lock(mutex_);
    refreshing_ = false;
    if (result) {
      token_ = std::move(result).value();
      token = token_.token;
    }
    waiters.swap(waiters_);
  }
  if (!result) {
    // A still-valid token stays in use; the next request past the eager mark tries again.
    telemetry::log_warn("vertex_token_refresh_failed", {{"reason", result.error().message}});
  }
  for (auto& waiter : waiters) {
    core::Result<std::string> outcome = token ? core::Result<std::string>(*token) : result.error();
    boost::asio::post(waiter.executor, [done = std::move(waiter.done), outcome = std::move(outcome)]() mutable {
      done(std::move(outcome));
    });
  }
}

std::shared_ptr<AccessTokenSource> shared_token_source(const std::string& credentials) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<AccessTokenSource>> sources;
  std::scoped_lock lock(mutex);
  for (auto it = sources.begin(); it != sources.end();) {
    it = it->second.expired() ? sources.erase(it) : std::next(it);
  }
  auto& slot = sources[credentials];
  auto source = slot.lock();
  if (!source) {
    source = std::make_shared<AccessTokenSource>(credentials);
    slot = source;
  }
  return source;
}

}  // namespace tollgate::providers::vertex
