#include "api/provider_token_count.h"

#include <string>
#include <utility>

#include "http/upstream_url.h"
#include "providers/anthropic/anthropic_provider.h"
#include "proxy/wildcard_deployment.h"
#include "telemetry/log.h"

namespace tollgate::api {
namespace {

// `{"input_tokens":N}`; anything longer is not an answer worth reading.
constexpr std::size_t kMaxAnswerBytes = 64 * 1024;
constexpr std::chrono::milliseconds kCountTimeout{30'000};

class CountSink : public http::ResponseSink {
 public:
  CountSink(http::ExchangePtr exchange, std::function<void(std::optional<std::int64_t>)> done)
      : exchange_(std::move(exchange)), done_(std::move(done)) {}

  void on_head(int status, const http::Headers&) override { status_ = status; }
  void on_data(std::string_view bytes) override {
    if (body_.size() + bytes.size() <= kMaxAnswerBytes) body_.append(bytes);
  }
  void on_complete() override { finish(read_count()); }
  void on_error(http::ClientErrorKind kind, const std::string&) override {
    telemetry::log_warn("count_tokens_upstream_failed", {{"request_id", exchange_->request_id()},
                                                         {"error", std::string(http::client_error_name(kind))}});
    finish(std::nullopt);
  }

 private:
  std::optional<std::int64_t> read_count() const {
    rapidjson::Document answer;
    answer.Parse(body_.data(), body_.size());
    if (status_ == 200 && answer.IsObject()) {
      const auto tokens = answer.FindMember("input_tokens");
      if (tokens != answer.MemberEnd() && tokens->value.IsInt64() && tokens->value.GetInt64() >= 0) {
        return tokens->value.GetInt64();
      }
    }
    telemetry::log_warn("count_tokens_upstream_refused",
                        {{"request_id", exchange_->request_id()}, {"status", std::to_string(status_)}});
    return std::nullopt;
  }

  void finish(std::optional<std::int64_t> count) {
    if (!done_ || exchange_->client_gone()) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(count);
  }

  http::ExchangePtr exchange_;
  std::function<void(std::optional<std::int64_t>)> done_;
  int status_ = 0;
  std::string body_;
};

}  // namespace

const config::Deployment* token_counting_deployment(const std::vector<const config::Deployment*>& deployments) {
  for (const auto* deployment : deployments) {
    // A wildcard deployment ("anthropic/*") names no model to count for.
    if (deployment->provider == core::ProviderKind::anthropic && !proxy::is_wildcard_deployment(*deployment)) {
      return deployment;
    }
  }
  return nullptr;
}

void count_tokens_upstream(http::HttpClient& client, const http::ExchangePtr& exchange,
                           const config::Deployment& deployment, const rapidjson::Document& request,
                           std::function<void(std::optional<std::int64_t>)> done) {
  // The Messages request the Anthropic plug-in would send (model renamed, its credential and
  // version headers), addressed to the counting endpoint next to it.
  auto built = providers::anthropic_provider().build_request(deployment, providers::Api::anthropic_messages, request,
                                                             exchange->body(), std::chrono::system_clock::now());
  const auto upstream = http::parse_upstream_url(deployment.api_base);
  if (!built || !upstream) {
    done(std::nullopt);
    return;
  }
  http::OutboundRequest outbound;
  outbound.target = built.value().target + "/count_tokens";
  for (auto& [name, value] : built.value().headers) outbound.headers.push_back({std::move(name), std::move(value)});
  outbound.body = std::move(built.value().body);
  outbound.first_byte_timeout = deployment.timeout.value_or(kCountTimeout);
  outbound.idle_timeout = outbound.first_byte_timeout;
  auto call = client.send(*upstream, std::move(outbound), std::make_shared<CountSink>(exchange, std::move(done)));
  exchange->on_client_gone([call] { call->cancel(); });
}

}  // namespace tollgate::api
