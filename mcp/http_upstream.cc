#include "mcp/http_upstream.h"

#include <atomic>
#include <mutex>
#include <vector>

#include "core/ascii_case.h"
#include "http/client.h"
#include "http/upstream_url.h"
#include "mcp/upstream_messages.h"
#include "providers/sse_parser.h"

namespace tollgate::mcp {
namespace {

class HttpUpstream;

// The answer to one POST: JSON, or SSE events each holding one JSON-RPC message.
class PostSink : public http::ResponseSink {
 public:
  PostSink(std::shared_ptr<HttpUpstream> upstream, std::shared_ptr<PendingCall> call, bool initialize, bool retry)
      : upstream_(std::move(upstream)), call_(std::move(call)), initialize_(initialize), retry_(retry) {}

  void on_head(int status, const http::Headers& headers) override;
  void on_data(std::string_view bytes) override;
  void on_complete() override;
  void on_error(http::ClientErrorKind kind, const std::string& message) override;

 private:
  void deliver(std::string_view json);

  std::shared_ptr<HttpUpstream> upstream_;
  std::shared_ptr<PendingCall> call_;
  bool initialize_;
  bool retry_;  // this is the second attempt
  int status_ = 0;
  bool sse_ = false;
  std::string body_;
  providers::SseParser parser_;
  std::vector<providers::SseEvent> events_;
};

class HttpUpstream : public Upstream, public std::enable_shared_from_this<HttpUpstream> {
 public:
  HttpUpstream(UpstreamContext context, http::UpstreamUrl url)
      : server_(std::move(context.server)),
        url_(std::move(url)),
        client_(*context.client),
        on_tools_changed_(std::move(context.on_tools_changed)),
        guard_(std::move(context.guard)) {}

  std::shared_ptr<CallHandle> call(UpstreamCall call) override {
    return begin_call(
        gate_, client_, *server_, std::move(call), next_id(),
        [this](const std::shared_ptr<PendingCall>& call) { post(call, false); },
        [this](std::uint64_t epoch) { initialize(epoch); });
  }

  void close() override {
    fail_all(gate_.close(), *server_, "was closed");
    std::string session;
    {
      std::lock_guard lock(mutex_);
      session = std::move(session_id_);
    }
    if (session.empty()) return;
    http::OutboundRequest request;
    request.guard = guard_;
    request.method = http::Method::delete_;
    request.target = target();
    request.headers = post_headers(*server_);
    request.headers.push_back({"mcp-session-id", session});
    request.first_byte_timeout = std::chrono::milliseconds(2000);
    request.idle_timeout = std::chrono::milliseconds(2000);
    client_.send(url_, std::move(request), std::make_shared<IgnoreSink>());
  }

  // ---- from the sinks ----
  void repost(const std::shared_ptr<PendingCall>& pending, bool initialize) { post(pending, initialize, true); }

  const config::McpServerConfig& server() const { return *server_; }
  const std::function<void()>& on_tools_changed() const { return on_tools_changed_; }

  void adopt_session(std::string_view session) {
    std::lock_guard lock(mutex_);
    session_id_ = std::string(session);
  }

  // The upstream answered 404 to our session id: it ended it. The next call starts another.
  void session_lost() {
    if (!gate_.ready()) return;
    fail_all(gate_.close(), *server_, "lost its session");
    std::lock_guard lock(mutex_);
    session_id_.clear();
  }

 private:
  struct IgnoreSink : http::ResponseSink {
    void on_head(int, const http::Headers&) override {}
    void on_data(std::string_view) override {}
    void on_complete() override {}
    void on_error(http::ClientErrorKind, const std::string&) override {}
  };

  std::string next_id() { return std::to_string(ids_.fetch_add(1, std::memory_order_relaxed)); }

  std::string target() const { return url_.base_path.empty() ? "/" : url_.base_path; }

  http::OutboundRequest request_for(std::string body) {
    http::OutboundRequest request;
    request.guard = guard_;
    request.method = http::Method::post;
    request.target = target();
    request.headers = post_headers(*server_);
    {
      std::lock_guard lock(mutex_);
      if (!session_id_.empty()) request.headers.push_back({"mcp-session-id", session_id_});
      if (!protocol_version_.empty()) request.headers.push_back({"mcp-protocol-version", protocol_version_});
    }
    request.body = std::move(body);
    request.first_byte_timeout = server_->timeout;
    request.idle_timeout = server_->timeout;
    return request;
  }

  void post(const std::shared_ptr<PendingCall>& pending, bool initialize, bool retry = false) {
    auto request = request_for(pending->request_json());
    auto sink = std::make_shared<PostSink>(shared_from_this(), pending, initialize, retry);
    pending->set_outbound(client_.send(url_, std::move(request), std::move(sink)));
  }

  void initialize(std::uint64_t epoch) {
    std::weak_ptr<HttpUpstream> weak = shared_from_this();
    auto call = initialize_call(*server_, client_, next_id(), [weak, epoch](UpstreamReply reply) {
      if (auto self = weak.lock()) self->initialized(epoch, std::move(reply));
    });
    post(call, true);
  }

  void initialized(std::uint64_t epoch, UpstreamReply reply) {
    if (reply.error) {
      {
        std::lock_guard lock(mutex_);
        session_id_.clear();
      }
      fail_all(gate_.close(epoch), *server_, "failed to initialize: " + reply.error->message, reply.error->code);
      return;
    }
    {
      std::lock_guard lock(mutex_);
      protocol_version_ = negotiated_version(reply.result);
    }
    auto note = request_for(notification_message("notifications/initialized", ""));
    client_.send(url_, std::move(note), std::make_shared<IgnoreSink>());
    for (auto& call : gate_.open(epoch)) {
      if (!call->finished()) post(call, false);
    }
  }

  static std::string negotiated_version(const std::string& result) {
    const auto at = result.find("\"protocolVersion\":\"");
    if (at == std::string::npos) return std::string(kDefaultVersion);
    const auto start = at + 19;
    const auto end = result.find('"', start);
    if (end == std::string::npos || end - start > 32) return std::string(kDefaultVersion);
    return result.substr(start, end - start);
  }
  static constexpr std::string_view kDefaultVersion = "2025-03-26";

  std::shared_ptr<const config::McpServerConfig> server_;
  http::UpstreamUrl url_;
  http::HttpClient& client_;
  std::function<void()> on_tools_changed_;
  std::shared_ptr<const http::OutboundGuard> guard_;
  std::atomic<std::int64_t> ids_{1};
  SessionGate gate_;
  std::mutex mutex_;  // the two below
  std::string session_id_;
  std::string protocol_version_;
};

void PostSink::on_head(int status, const http::Headers& headers) {
  status_ = status;
  sse_ = core::ascii_istarts_with(http::header_value(headers, "content-type").value_or(""), "text/event-stream");
  const auto session = http::header_value(headers, "mcp-session-id").value_or("");
  if (initialize_ && status >= 200 && status < 300 && !session.empty()) upstream_->adopt_session(session);
  if (status == 404 && !initialize_) upstream_->session_lost();
}

void PostSink::on_data(std::string_view bytes) {
  if (call_->finished()) return;
  if (!sse_) {
    if (body_.size() + bytes.size() > kMaxUpstreamMessageBytes) {
      call_->fail_now(rpc::kUpstreamError, "MCP server '" + upstream_->server().name + "' answered more than 16 MiB");
      return;
    }
    body_.append(bytes);
    return;
  }
  events_.clear();
  parser_.feed(bytes, events_);
  if (parser_.buffered() > kMaxUpstreamMessageBytes) {
    call_->fail_now(rpc::kUpstreamError, "MCP server '" + upstream_->server().name + "' sent an event over 16 MiB");
    return;
  }
  for (const auto& event : events_) {
    if (!event.data.empty() && (event.event.empty() || event.event == "message")) deliver(event.data);
  }
}

void PostSink::on_complete() {
  if (call_->finished()) return;
  const auto& name = upstream_->server().name;
  if (status_ < 200 || status_ >= 300) {
    call_->fail(rpc::kUpstreamError, "MCP server '" + name + "' answered HTTP " + std::to_string(status_));
    return;
  }
  if (!sse_ && !body_.empty()) deliver(body_);
  if (sse_) {
    events_.clear();
    parser_.finish(events_);
    for (const auto& event : events_) {
      if (!event.data.empty()) deliver(event.data);
    }
  }
  if (!call_->finished()) {
    call_->fail(rpc::kUpstreamError, "MCP server '" + name + "' ended its answer without a JSON-RPC response");
  }
}

void PostSink::on_error(http::ClientErrorKind kind, const std::string& message) {
  // Reset before any answer: a pooled keep-alive connection the upstream closed while idle
  // (Node closes them after 5 s), and the client's own retry may take another stale one.
  // The request was not answered, so it is sent once more, on whatever the pool gives now.
  if (kind == http::ClientErrorKind::reset && status_ == 0 && !retry_ && !call_->finished()) {
    upstream_->repost(call_, initialize_);
    return;
  }
  call_->fail(failure_code(kind), "MCP server '" + upstream_->server().name + "' " + failure_text(kind, message));
}

void PostSink::deliver(std::string_view json) {
  auto call = call_;
  UpstreamRouting routing;
  routing.find = [call](const std::string& id) { return id == call->upstream_id() ? call : nullptr; };
  routing.fallback = call;
  routing.on_tools_changed = upstream_->on_tools_changed();
  route_upstream_message(json, routing);
}

}  // namespace

std::shared_ptr<Upstream> make_http_upstream(UpstreamContext context) {
  auto url = http::parse_upstream_url(context.server->url);
  if (!url) return nullptr;
  return std::make_shared<HttpUpstream>(std::move(context), std::move(*url));
}

}  // namespace tollgate::mcp
