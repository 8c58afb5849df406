#include "mcp/sse_upstream.h"

#include <atomic>
#include <map>
#include <mutex>
#include <vector>

#include "http/client.h"
#include "http/upstream_url.h"
#include "mcp/upstream_messages.h"
#include "providers/sse_parser.h"

namespace tollgate::mcp {
namespace {

// The stream stays open as long as the upstream keeps it: no idle limit of ours ends it.
constexpr std::chrono::milliseconds kStreamIdle = std::chrono::hours(24);

class SseUpstream;

class StreamSink : public http::ResponseSink {
 public:
  StreamSink(std::shared_ptr<SseUpstream> upstream, std::uint64_t generation)
      : upstream_(std::move(upstream)), generation_(generation) {}
  void on_head(int status, const http::Headers& headers) override;
  void on_data(std::string_view bytes) override;
  void on_complete() override;
  void on_error(http::ClientErrorKind kind, const std::string& message) override;

 private:
  std::shared_ptr<SseUpstream> upstream_;
  std::uint64_t generation_;
  int status_ = 0;
  providers::SseParser parser_;
  std::vector<providers::SseEvent> events_;
};

// The POST's own answer: 2xx acknowledges; anything else fails the call at once.
class AckSink : public http::ResponseSink {
 public:
  AckSink(std::shared_ptr<PendingCall> call, std::string server) : call_(std::move(call)), server_(std::move(server)) {}
  void on_head(int status, const http::Headers&) override { status_ = status; }
  void on_data(std::string_view) override {}
  void on_complete() override {
    if (status_ < 200 || status_ >= 300) {
      call_->fail(rpc::kUpstreamError, "MCP server '" + server_ + "' refused the message: HTTP " + std::to_string(status_));
    }
  }
  void on_error(http::ClientErrorKind kind, const std::string& message) override {
    const int code = kind == http::ClientErrorKind::timeout ? rpc::kRequestTimeout : rpc::kUpstreamError;
    call_->fail(code, "MCP server '" + server_ + "' unreachable: " + message);
  }

 private:
  std::shared_ptr<PendingCall> call_;
  std::string server_;
  int status_ = 0;
};

class SseUpstream : public Upstream, public std::enable_shared_from_this<SseUpstream> {
 public:
  SseUpstream(std::shared_ptr<const config::McpServerConfig> server, http::UpstreamUrl url, http::HttpClient& client,
              std::function<void()> on_tools_changed)
      : server_(std::move(server)), url_(std::move(url)), client_(client), on_tools_changed_(std::move(on_tools_changed)) {}

  std::shared_ptr<CallHandle> call(UpstreamCall call) override {
    auto pending = std::make_shared<PendingCall>(std::move(call), next_id());
    pending->arm_deadline(client_, server_->timeout, server_->name);
    bool send_now = false;
    bool connect = false;
    {
      std::lock_guard lock(mutex_);
      if (state_ == State::ready) {
        send_now = true;
      } else {
        waiting_.push_back(pending);
        connect = state_ == State::fresh;
        if (connect) state_ = State::connecting;
      }
    }
    if (send_now) post(pending);
    if (connect) open_stream();
    return pending;
  }

  void close() override {
    std::shared_ptr<http::OutboundCall> stream;
    {
      std::lock_guard lock(mutex_);
      stream = std::move(stream_);
      ++generation_;
      state_ = State::fresh;
    }
    if (stream) stream->cancel();
  }

  // ---- from the stream ----
  const config::McpServerConfig& server() const { return *server_; }

  void on_event(std::uint64_t generation, const providers::SseEvent& event) {
    if (event.event == "endpoint") {
      on_endpoint(generation, event.data);
      return;
    }
    if (event.data.empty() || (!event.event.empty() && event.event != "message")) return;
    std::weak_ptr<SseUpstream> weak = shared_from_this();
    UpstreamRouting routing;
    routing.find = [weak](const std::string& id) -> std::shared_ptr<PendingCall> {
      auto self = weak.lock();
      return self ? self->take(id) : nullptr;
    };
    routing.find_by_progress = [weak](const std::string& token) -> std::shared_ptr<PendingCall> {
      auto self = weak.lock();
      return self ? self->by_progress(token) : nullptr;
    };
    routing.on_tools_changed = on_tools_changed_;
    route_upstream_message(event.data, routing);
  }

  // The stream ended or never opened: every call waiting on it fails now.
  void on_stream_end(std::uint64_t generation, const std::string& why) {
    std::vector<std::shared_ptr<PendingCall>> failed;
    {
      std::lock_guard lock(mutex_);
      if (generation != generation_) return;
      ++generation_;
      state_ = State::fresh;
      stream_.reset();
      endpoint_.clear();
      failed.swap(waiting_);
      for (auto& [id, call] : in_flight_) failed.push_back(call);
      in_flight_.clear();
    }
    for (auto& call : failed) call->fail(rpc::kUpstreamError, "MCP server '" + server_->name + "': " + why);
  }

 private:
  enum class State { fresh, connecting, ready };

  std::string next_id() { return std::to_string(ids_.fetch_add(1, std::memory_order_relaxed)); }

  void open_stream() {
    std::uint64_t generation = 0;
    {
      std::lock_guard lock(mutex_);
      generation = generation_;
    }
    http::OutboundRequest request;
    request.method = http::Method::get;
    request.target = url_.base_path.empty() ? "/" : url_.base_path;
    for (const auto& [name, value] : server_->headers) request.headers.push_back({name, value});
    request.headers.push_back({"accept", "text/event-stream"});
    request.first_byte_timeout = server_->timeout;
    request.idle_timeout = kStreamIdle;
    auto stream = client_.send(url_, std::move(request), std::make_shared<StreamSink>(shared_from_this(), generation));
    std::lock_guard lock(mutex_);
    if (generation == generation_) stream_ = std::move(stream);
  }

  // The endpoint event: where to POST, relative to the stream's URL. Then the session starts
  // with initialize, sent like any call.
  void on_endpoint(std::uint64_t generation, const std::string& data) {
    std::string target;
    if (data.rfind("http://", 0) == 0 || data.rfind("https://", 0) == 0) {
      auto parsed = http::parse_upstream_url(data.substr(0, data.find('?')));
      if (!parsed || parsed->host != url_.host || parsed->port != url_.port) {
        on_stream_end(generation, "its endpoint event names another origin");
        return;
      }
      const auto query = data.find('?');
      target = parsed->base_path + (query == std::string::npos ? "" : data.substr(query));
    } else if (!data.empty() && data.front() == '/') {
      target = data;
    } else {
      const auto slash = url_.base_path.rfind('/');
      target = url_.base_path.substr(0, slash == std::string::npos ? 0 : slash) + "/" + data;
    }
    {
      std::lock_guard lock(mutex_);
      if (generation != generation_ || state_ != State::connecting) return;
      endpoint_ = target;
    }
    UpstreamCall init;
    init.method = "initialize";
    init.params = client_initialize_params();
    std::weak_ptr<SseUpstream> weak = shared_from_this();
    init.on_reply = [weak, generation](UpstreamReply reply) {
      if (auto self = weak.lock()) self->initialized(generation, std::move(reply));
    };
    auto pending = std::make_shared<PendingCall>(std::move(init), next_id());
    pending->arm_deadline(client_, server_->timeout, server_->name);
    post(pending);
  }

  void initialized(std::uint64_t generation, UpstreamReply reply) {
    if (reply.error) {
      on_stream_end(generation, "initialize failed: " + reply.error->message);
      return;
    }
    std::vector<std::shared_ptr<PendingCall>> waiting;
    {
      std::lock_guard lock(mutex_);
      if (generation != generation_) return;
      state_ = State::ready;
      waiting.swap(waiting_);
    }
    send_body(notification_message("notifications/initialized", ""), nullptr);
    for (auto& call : waiting) {
      if (!call->finished()) post(call);
    }
  }

  void post(const std::shared_ptr<PendingCall>& call) {
    {
      std::lock_guard lock(mutex_);
      // Calls that ended without an answer (deadline, cancel) leave their entries here.
      for (auto it = in_flight_.begin(); it != in_flight_.end();) {
        it = it->second->finished() ? in_flight_.erase(it) : std::next(it);
      }
      in_flight_[call->upstream_id()] = call;
    }
    send_body(call->request_json(), call);
  }

  void send_body(std::string body, const std::shared_ptr<PendingCall>& call) {
    http::OutboundRequest request;
    request.method = http::Method::post;
    {
      std::lock_guard lock(mutex_);
      request.target = endpoint_;
    }
    request.headers = post_headers(*server_);
    request.body = std::move(body);
    request.first_byte_timeout = server_->timeout;
    request.idle_timeout = server_->timeout;
    if (!call) {
      client_.send(url_, std::move(request), std::make_shared<AckSink>(
                                                 std::make_shared<PendingCall>(UpstreamCall{}, ""), server_->name));
      return;
    }
    client_.send(url_, std::move(request), std::make_shared<AckSink>(call, server_->name));
  }

  std::shared_ptr<PendingCall> take(const std::string& id) {
    std::lock_guard lock(mutex_);
    auto it = in_flight_.find(id);
    if (it == in_flight_.end()) return nullptr;
    auto call = it->second;
    in_flight_.erase(it);
    return call;
  }

  std::shared_ptr<PendingCall> by_progress(const std::string& token) {
    std::lock_guard lock(mutex_);
    for (auto& [id, call] : in_flight_) {
      if (call->call().progress_token == token) return call;
    }
    return nullptr;
  }

  std::shared_ptr<const config::McpServerConfig> server_;
  http::UpstreamUrl url_;
  http::HttpClient& client_;
  std::function<void()> on_tools_changed_;
  std::atomic<std::int64_t> ids_{1};
  std::mutex mutex_;
  State state_ = State::fresh;
  std::uint64_t generation_ = 0;  // which stream; events of an older one are ignored
  std::shared_ptr<http::OutboundCall> stream_;
  std::string endpoint_;
  std::vector<std::shared_ptr<PendingCall>> waiting_;            // before the session is ready
  std::map<std::string, std::shared_ptr<PendingCall>> in_flight_;  // id → call, answers pending
};

void StreamSink::on_head(int status, const http::Headers&) { status_ = status; }

void StreamSink::on_data(std::string_view bytes) {
  if (status_ != 200) return;
  events_.clear();
  parser_.feed(bytes, events_);
  if (parser_.buffered() > kMaxUpstreamMessageBytes) {
    upstream_->on_stream_end(generation_, "sent an event over 16 MiB");
    return;
  }
  for (const auto& event : events_) upstream_->on_event(generation_, event);
}

void StreamSink::on_complete() {
  upstream_->on_stream_end(generation_, status_ == 200 ? "closed its event stream"
                                                       : "answered HTTP " + std::to_string(status_) + " to its stream");
}

void StreamSink::on_error(http::ClientErrorKind, const std::string& message) {
  upstream_->on_stream_end(generation_, "unreachable: " + message);
}

}  // namespace

std::shared_ptr<Upstream> make_sse_upstream(std::shared_ptr<const config::McpServerConfig> server,
                                            http::HttpClient& client, std::function<void()> on_tools_changed) {
  auto url = http::parse_upstream_url(server->url);
  if (!url) return nullptr;
  return std::make_shared<SseUpstream>(std::move(server), std::move(*url), client, std::move(on_tools_changed));
}

}  // namespace tollgate::mcp
