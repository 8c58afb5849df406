#include "mcp/sse_upstream.h"

#include <atomic>
#include <mutex>
#include <vector>

#include "mcp/session_gate.h"

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
  StreamSink(std::shared_ptr<SseUpstream> upstream, std::uint64_t epoch)
      : upstream_(std::move(upstream)), epoch_(epoch) {}
  void on_head(int status, const http::Headers& headers) override;
  void on_data(std::string_view bytes) override;
  void on_complete() override;
  void on_error(http::ClientErrorKind kind, const std::string& message) override;

 private:
  std::shared_ptr<SseUpstream> upstream_;
  std::uint64_t epoch_;
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
      call_->fail(rpc::kUpstreamError,
                  "MCP server '" + server_ + "' refused the message: HTTP " + std::to_string(status_));
    }
  }
  void on_error(http::ClientErrorKind kind, const std::string& message) override {
    call_->fail(failure_code(kind), "MCP server '" + server_ + "' " + failure_text(kind, message));
  }

 private:
  std::shared_ptr<PendingCall> call_;
  std::string server_;
  int status_ = 0;
};

class SseUpstream : public Upstream, public std::enable_shared_from_this<SseUpstream> {
 public:
  SseUpstream(UpstreamContext context, http::UpstreamUrl url)
      : server_(std::move(context.server)),
        url_(std::move(url)),
        client_(*context.client),
        on_tools_changed_(std::move(context.on_tools_changed)),
        guard_(std::move(context.guard)) {}

  std::shared_ptr<CallHandle> call(UpstreamCall call) override {
    return begin_call(
        gate_, client_, *server_, std::move(call), next_id(),
        [this](const std::shared_ptr<PendingCall>& call) { post(call); },
        [this](std::uint64_t epoch) { open_stream(epoch); });
  }

  void close() override { on_stream_end(0, "was closed"); }

  // ---- from the stream (epoch: the session it was opened for) ----
  void on_event(std::uint64_t epoch, const providers::SseEvent& event) {
    if (event.event == "endpoint") {
      on_endpoint(epoch, event.data);
      return;
    }
    if (event.data.empty() || (!event.event.empty() && event.event != "message")) return;
    route_upstream_message(event.data, shared_channel_routing(in_flight_, on_tools_changed_));
  }

  // The stream ended or never opened (epoch 0: whichever is open): every call waiting on it
  // fails now.
  void on_stream_end(std::uint64_t epoch, const std::string& why) {
    std::shared_ptr<http::OutboundCall> stream;
    {
      std::lock_guard lock(mutex_);
      if (epoch != 0 && epoch != stream_epoch_) return;
      stream = std::move(stream_);
      stream_epoch_ = 0;
      endpoint_.clear();
    }
    if (stream) stream->cancel();
    auto failed = gate_.close(epoch);
    auto sent = in_flight_.drain();
    failed.insert(failed.end(), sent.begin(), sent.end());
    fail_all(failed, *server_, why);
  }

 private:
  std::string next_id() { return std::to_string(ids_.fetch_add(1, std::memory_order_relaxed)); }

  void open_stream(std::uint64_t epoch) {
    {
      std::lock_guard lock(mutex_);
      stream_epoch_ = epoch;
    }
    http::OutboundRequest request;
    request.guard = guard_;
    request.method = http::Method::get;
    request.target = url_.base_path.empty() ? "/" : url_.base_path;
    for (const auto& [name, value] : server_->headers) request.headers.push_back({name, value});
    request.headers.push_back({"accept", "text/event-stream"});
    request.first_byte_timeout = server_->timeout;
    request.idle_timeout = kStreamIdle;
    auto stream = client_.send(url_, std::move(request), std::make_shared<StreamSink>(shared_from_this(), epoch));
    std::lock_guard lock(mutex_);
    if (epoch == stream_epoch_) stream_ = std::move(stream);
  }

  // The endpoint event: where to POST, relative to the stream's URL. Then the session starts
  // with initialize, sent like any call.
  void on_endpoint(std::uint64_t epoch, const std::string& data) {
    std::string target;
    if (data.rfind("http://", 0) == 0 || data.rfind("https://", 0) == 0) {
      auto parsed = http::parse_upstream_url(data.substr(0, data.find('?')));
      if (!parsed || parsed->host != url_.host || parsed->port != url_.port) {
        on_stream_end(epoch, "named another origin in its endpoint event");
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
      if (epoch != stream_epoch_ || !endpoint_.empty()) return;
      endpoint_ = target;
    }
    std::weak_ptr<SseUpstream> weak = shared_from_this();
    post(initialize_call(*server_, client_, next_id(), [weak, epoch](UpstreamReply reply) {
      if (auto self = weak.lock()) self->initialized(epoch, std::move(reply));
    }));
  }

  void initialized(std::uint64_t epoch, UpstreamReply reply) {
    if (reply.error) {
      on_stream_end(epoch, "failed to initialize: " + reply.error->message);
      return;
    }
    auto waiting = gate_.open(epoch);
    send_body(notification_message("notifications/initialized", ""), nullptr);
    for (auto& call : waiting) {
      if (!call->finished()) post(call);
    }
  }

  void post(const std::shared_ptr<PendingCall>& call) {
    in_flight_.add(call);
    send_body(call->request_json(), call);
  }

  void send_body(std::string body, std::shared_ptr<PendingCall> call) {
    http::OutboundRequest request;
    request.guard = guard_;
    request.method = http::Method::post;
    {
      std::lock_guard lock(mutex_);
      request.target = endpoint_;
    }
    request.headers = post_headers(*server_);
    request.body = std::move(body);
    request.first_byte_timeout = server_->timeout;
    request.idle_timeout = server_->timeout;
    // A notification's acknowledgement fails nobody: it gets a call of its own to fail.
    if (!call) call = std::make_shared<PendingCall>(UpstreamCall{}, "");
    client_.send(url_, std::move(request), std::make_shared<AckSink>(std::move(call), server_->name));
  }

  std::shared_ptr<const config::McpServerConfig> server_;
  http::UpstreamUrl url_;
  http::HttpClient& client_;
  std::function<void()> on_tools_changed_;
  std::shared_ptr<const http::OutboundGuard> guard_;
  std::atomic<std::int64_t> ids_{1};
  SessionGate gate_;
  InFlight in_flight_;
  std::mutex mutex_;                // the three below
  std::uint64_t stream_epoch_ = 0;  // the session the open stream belongs to
  std::shared_ptr<http::OutboundCall> stream_;
  std::string endpoint_;
};

void StreamSink::on_head(int status, const http::Headers&) { status_ = status; }

void StreamSink::on_data(std::string_view bytes) {
  if (status_ != 200) return;
  events_.clear();
  parser_.feed(bytes, events_);
  if (parser_.buffered() > kMaxUpstreamMessageBytes) {
    upstream_->on_stream_end(epoch_, "sent an event over 16 MiB");
    return;
  }
  for (const auto& event : events_) upstream_->on_event(epoch_, event);
}

void StreamSink::on_complete() {
  upstream_->on_stream_end(epoch_, status_ == 200 ? "closed its event stream"
                                                  : "answered HTTP " + std::to_string(status_) + " to its stream");
}

void StreamSink::on_error(http::ClientErrorKind kind, const std::string& message) {
  upstream_->on_stream_end(epoch_, failure_text(kind, message));
}

}  // namespace

std::shared_ptr<Upstream> make_sse_upstream(UpstreamContext context) {
  auto url = http::parse_upstream_url(context.server->url);
  if (!url) return nullptr;
  return std::make_shared<SseUpstream>(std::move(context), std::move(*url));
}

}  // namespace tollgate::mcp
