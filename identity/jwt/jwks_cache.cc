#include "identity/jwt/jwks_cache.h"

#include <mutex>

#include "core/json_parse.h"
#include "http/client.h"
#include "identity/jwt/jwks_origin.h"
#include "telemetry/log.h"

namespace tollgate::identity::jwt {
namespace {

using Clock = JwksCache::Clock;

// Collects one GET's body; hands over the body of a 200 answer within the size limit, or
// nullopt with the reason.
class BodySink : public http::ResponseSink {
 public:
  using Finished = std::function<void(std::optional<std::string> body, std::string problem)>;
  BodySink(std::size_t limit, Finished finished) : limit_(limit), finished_(std::move(finished)) {}

  void on_head(int status, const http::Headers&) override { status_ = status; }
  void on_data(std::string_view bytes) override {
    if (body_.size() + bytes.size() > limit_) {
      too_large_ = true;
      return;
    }
    body_.append(bytes);
  }
  void on_complete() override {
    if (status_ != 200) return finished_(std::nullopt, "status " + std::to_string(status_));
    if (too_large_) return finished_(std::nullopt, "document larger than " + std::to_string(limit_) + " bytes");
    finished_(std::move(body_), {});
  }
  void on_error(http::ClientErrorKind kind, const std::string& message) override {
    finished_(std::nullopt, std::string(http::client_error_name(kind)) + ": " + message);
  }

 private:
  std::size_t limit_;
  Finished finished_;
  int status_ = 0;
  bool too_large_ = false;
  std::string body_;
};

struct Source {
  std::string url;
  std::optional<http::UpstreamUrl> parsed;
  KeySet keys;
  bool ever_fetched = false;
  Clock::time_point fetched_at;
};

struct Waiter {
  std::optional<std::string> kid;
  Algorithm alg;
  JwksCache::Done done;
};

// The jwks_uri of a discovery document (a JSON object without "keys"); nullopt otherwise.
std::optional<std::string> discovery_jwks_uri(const std::string& body) {
  rapidjson::Document doc;
  core::JsonParseOptions options;
  options.max_depth = 16;
  if (core::parse_json(body, doc, options) || !doc.IsObject() || doc.HasMember("keys")) return std::nullopt;
  const auto uri = doc.FindMember("jwks_uri");
  if (uri == doc.MemberEnd() || !uri->value.IsString()) return std::nullopt;
  return std::string(uri->value.GetString(), uri->value.GetStringLength());
}

}  // namespace

struct JwksCache::State : std::enable_shared_from_this<JwksCache::State> {
  State(http::HttpClient& c, Options o) : client(c), options(std::move(o)) {
    for (const auto& url : options.urls) sources.push_back(Source{url, http::parse_upstream_url(url), {}, false, {}});
  }

  http::HttpClient& client;
  const Options options;
  mutable std::mutex mutex;
  std::vector<Source> sources;  // under mutex
  std::vector<Waiter> waiters;  // under mutex
  bool in_flight = false;
  bool closed = false;
  std::optional<Clock::time_point> last_round;
  std::uint64_t rounds = 0;
  std::size_t pending = 0;  // sources of the current round not answered yet

  // Under mutex.
  std::optional<VerificationKey> lookup(const std::optional<std::string>& kid, Algorithm alg) const {
    std::optional<VerificationKey> only;
    int candidates = 0;
    for (const auto& source : sources) {
      for (const auto& key : source.keys) {
        if (!key.allows(alg)) continue;
        if (kid) {
          if (key.kid == *kid) return key;
          continue;
        }
        ++candidates;
        only = key;
      }
    }
    // Without a kid only an unambiguous key verifies: trying each would let one token pick
    // among keys meant for different uses.
    if (kid || candidates != 1) return std::nullopt;
    return only;
  }

  bool fresh(Clock::time_point now) const {
    for (const auto& source : sources) {
      if (!source.ever_fetched || now >= source.fetched_at + options.ttl) return false;
    }
    return true;
  }

  bool any_keys() const {
    for (const auto& source : sources) {
      if (!source.keys.empty()) return true;
    }
    return false;
  }

  Answer answer(const std::optional<std::string>& kid, Algorithm alg) const {
    if (auto key = lookup(kid, alg)) return Answer{Status::found, std::move(key)};
    return Answer{any_keys() ? Status::not_found : Status::unavailable, std::nullopt};
  }

  // Under mutex; the caller then calls fetch_all() without it (a fetch may fail at once, and
  // its answer takes the mutex).
  void begin_round(Clock::time_point now) {
    in_flight = true;
    last_round = now;
    ++rounds;
    pending = sources.size();
  }

  void fetch_all() {
    for (std::size_t i = 0; i < sources.size(); ++i) fetch_source(i);
  }

  void fetch_source(std::size_t index) {
    const auto& source = sources[index];  // url and parsed are fixed at construction
    if (!source.parsed) {
      // Refused by the config check already; kept so a bad entry can never crash a fetch.
      source_failed(index, source.url, "not an http(s) URL");
      return;
    }
    auto self = shared_from_this();
    const auto document_url = *source.parsed;
    get(document_url, [self, index, document_url](std::optional<std::string> body, std::string problem) {
      if (!body) return self->source_failed(index, self->options.urls[index], problem);
      if (auto uri = discovery_jwks_uri(*body)) return self->follow_discovery(index, document_url, *uri);
      self->source_answered(index, *body);
    });
  }

  void follow_discovery(std::size_t index, const http::UpstreamUrl& document_url, const std::string& uri) {
    const auto jwks = allowed_jwks_uri(document_url, uri, options.allowed_jwks_hosts);
    if (!jwks) {
      return source_failed(index, options.urls[index],
                           "the discovery document's jwks_uri is not on its origin nor in allowed_jwks_hosts");
    }
    auto self = shared_from_this();
    get(*jwks, [self, index](std::optional<std::string> body, std::string problem) {
      if (!body) return self->source_failed(index, self->options.urls[index], "jwks_uri: " + problem);
      self->source_answered(index, *body);
    });
  }

  void get(const http::UpstreamUrl& url, BodySink::Finished finished) {
    http::OutboundRequest request;
    request.method = http::Method::get;
    request.target = url.base_path.empty() ? "/" : url.base_path;
    request.headers.push_back({"accept", "application/json"});
    request.first_byte_timeout = options.fetch_timeout;
    request.idle_timeout = options.fetch_timeout;
    client.send(url, std::move(request), std::make_shared<BodySink>(options.max_document_bytes, std::move(finished)));
  }

  void source_answered(std::size_t index, const std::string& body) {
    auto keys = parse_jwks(body);
    if (!keys) return source_failed(index, options.urls[index], "not a JWKS document");
    const auto count = keys->size();
    {
      std::lock_guard lock(mutex);
      sources[index].keys = std::move(*keys);
      sources[index].ever_fetched = true;
      sources[index].fetched_at = Clock::now();
    }
    telemetry::log_info("jwks_fetched", {{"url", options.urls[index]}, {"keys", count}});
    source_done();
  }

  void source_failed(std::size_t, const std::string& url, const std::string& problem) {
    telemetry::log_warn("jwks_fetch_failed", {{"url", url}, {"error", problem}});
    source_done();
  }

  // The round ends when every source has answered: every waiter then gets what the cache holds.
  void source_done() {
    std::vector<Waiter> answered;
    std::vector<Answer> answers;
    {
      std::lock_guard lock(mutex);
      if (--pending > 0) return;
      in_flight = false;
      if (closed) return;
      answered.swap(waiters);
      for (const auto& w : answered) answers.push_back(answer(w.kid, w.alg));
    }
    for (std::size_t i = 0; i < answered.size(); ++i) answered[i].done(std::move(answers[i]));
  }
};

JwksCache::JwksCache(http::HttpClient& client, Options options)
    : state_(std::make_shared<State>(client, std::move(options))) {}

JwksCache::~JwksCache() {
  // Fetches still in flight hold the state; their waiters belong to requests being torn down
  // with the gateway, so they are dropped unanswered rather than called into a closing owner.
  std::lock_guard lock(state_->mutex);
  state_->closed = true;
  state_->waiters.clear();
}

void JwksCache::find(const std::optional<std::string>& kid, Algorithm alg, Done done) {
  auto& s = *state_;
  const auto now = Clock::now();
  std::optional<Answer> immediate;
  bool start = false;
  {
    std::lock_guard lock(s.mutex);
    const bool may_fetch = !s.in_flight && (!s.last_round || now - *s.last_round >= s.options.refetch_interval);
    if (auto key = s.lookup(kid, alg)) {
      // A known key answers at once; past its TTL it also starts a refresh for the next
      // tokens (so a slow or dead IdP never delays a token whose key is held).
      immediate = Answer{Status::found, std::move(key)};
      if (!s.fresh(now) && may_fetch) {
        s.begin_round(now);
        start = true;
      }
    } else if (s.in_flight || may_fetch) {
      s.waiters.push_back(Waiter{kid, alg, std::move(done)});  // an unknown kid waits for the fetch
      if (may_fetch) {
        s.begin_round(now);
        start = true;
      }
    } else {
      immediate = s.answer(kid, alg);  // fetched moments ago: the kid is unknown to the IdP
    }
  }
  if (start) s.fetch_all();  // `sources` URLs never change: read without the mutex
  if (immediate) done(std::move(*immediate));
}

std::uint64_t JwksCache::fetch_rounds() const {
  std::lock_guard lock(state_->mutex);
  return state_->rounds;
}

}  // namespace tollgate::identity::jwt
