#pragma once
// The OAuth2 access token of one Google service account, shared by every Vertex AI deployment
// with that key: fetched from the key's token_uri (providers/vertex/service_account.h) over
// the gateway's HTTP client, cached, and refreshed before it expires without a request ever
// blocking a thread on it.
//
// A request takes the cached token when it has more than kRefreshMarginSeconds left. Once it
// has less than kEagerRefreshSeconds left, the first request to see it starts a refresh in the
// background and still goes out with the current token, so under steady traffic no request
// waits. A request that finds no usable token (the first one, or after a quiet spell) is
// queued: it resumes on its own executor when the refresh ends, with the token or the error.
// Errors name what failed, never the key or a token.
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/result.h"
#include "providers/vertex/service_account.h"

namespace tollgate::http {
class HttpClient;
}

namespace tollgate::providers::vertex {

class AccessTokenSource : public std::enable_shared_from_this<AccessTokenSource> {
 public:
  using Done = std::function<void(core::Result<std::string>)>;  // the token, or why there is none

  // `credentials`: the service-account key file's JSON (config::VertexSettings::credentials).
  explicit AccessTokenSource(std::string credentials);

  // The token when one is usable now (and a background refresh started when it is due).
  // Otherwise nullopt, and `done` is posted to `executor` once a refresh has ended.
  std::optional<std::string> token_or_wait(http::HttpClient& client, boost::asio::any_io_executor executor, Done done,
                                           std::int64_t now_seconds);

  // Called by the token request when it ends (public for its sink only).
  void refreshed(core::Result<AccessToken> result);

 private:
  struct Waiter {
    boost::asio::any_io_executor executor;
    Done done;
  };

  void start_refresh(http::HttpClient& client, std::int64_t now_seconds);

  const std::string credentials_;  // a secret
  std::mutex mutex_;
  AccessToken token_;
  bool refreshing_ = false;
  std::vector<Waiter> waiters_;
};

// One source per distinct key for the whole process, so a config reload keeps the tokens of
// the keys it keeps. Sources no snapshot holds any more are dropped.
std::shared_ptr<AccessTokenSource> shared_token_source(const std::string& credentials);

}  // namespace tollgate::providers::vertex
