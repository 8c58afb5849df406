#include "mcp/stdio_upstream.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "mcp/session_gate.h"
#include "mcp/upstream_messages.h"
#include "telemetry/log.h"

extern char** environ;

namespace tollgate::mcp {
namespace {

class StdioUpstream : public Upstream, public std::enable_shared_from_this<StdioUpstream> {
 public:
  explicit StdioUpstream(UpstreamContext context)
      : server_(std::move(context.server)),
        client_(*context.client),
        on_tools_changed_(std::move(context.on_tools_changed)) {}

  ~StdioUpstream() override { close(); }

  std::shared_ptr<CallHandle> call(UpstreamCall call) override {
    return begin_call(
        gate_, client_, *server_, std::move(call), next_id(),
        [this](const std::shared_ptr<PendingCall>& call) { send(call); },
        [this](std::uint64_t epoch) { start(epoch); });
  }

  void close() override { stop(0, "was closed"); }

 private:
  std::string next_id() { return std::to_string(ids_.fetch_add(1, std::memory_order_relaxed)); }

  void start(std::uint64_t epoch) {
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
      for (int fd : {in[0], in[1], out[0], out[1]}) {
        if (fd >= 0) ::close(fd);
      }
      fail_all(gate_.close(epoch), *server_, "cannot create pipes");
      return;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<std::string> argv_text{server_->command};
    argv_text.insert(argv_text.end(), server_->args.begin(), server_->args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The gateway's environment (PATH, HOME) with the server's env on top.
    std::vector<std::string> env_text;
    for (char** e = environ; e && *e; ++e) {
      const std::string entry(*e);
      const auto name = entry.substr(0, entry.find('='));
      if (server_->env.count(name) == 0) env_text.push_back(entry);
    }
    for (const auto& [name, value] : server_->env) env_text.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& e : env_text) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, server_->command.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    if (rc != 0) {
      ::close(in[1]);
      ::close(out[0]);
      fail_all(gate_.close(epoch), *server_, "cannot start '" + server_->command + "': " + std::strerror(rc));
      return;
    }
    {
      std::lock_guard lock(mutex_);
      pid_ = pid;
      stdin_fd_ = in[1];
      process_epoch_ = epoch;
      writer_stop_ = false;
    }
    auto self = shared_from_this();
    reader_ = std::thread([self, fd = out[0], epoch] { self->read_loop(fd, epoch); });
    writer_ = std::thread([self] { self->write_loop(); });
    // The session starts with initialize, then notifications/initialized.
    std::weak_ptr<StdioUpstream> weak = self;
    send(initialize_call(*server_, client_, next_id(), [weak, epoch](UpstreamReply reply) {
      if (auto s = weak.lock()) s->initialized(epoch, std::move(reply));
    }));
  }

  void initialized(std::uint64_t epoch, UpstreamReply reply) {
    if (reply.error) {
      stop(epoch, "failed to initialize: " + reply.error->message);
      return;
    }
    write(notification_message("notifications/initialized", ""));
    for (auto& call : gate_.open(epoch)) {
      if (!call->finished()) send(call);
    }
  }

  void send(const std::shared_ptr<PendingCall>& call) {
    in_flight_.add(call);
    write(call->request_json());
  }

  void write(std::string line) {
    {
      std::lock_guard lock(mutex_);
      outbox_.push_back(std::move(line));
    }
    writer_wake_.notify_one();
  }

  void write_loop() {
    // A child that closed its stdin makes write() fail with EPIPE instead of signalling the process.
    sigset_t pipe_signal;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
    std::unique_lock lock(mutex_);
    while (true) {
      writer_wake_.wait(lock, [this] { return writer_stop_ || !outbox_.empty(); });
      if (writer_stop_) return;
      std::string line = std::move(outbox_.front());
      outbox_.pop_front();
      line.push_back('\n');
      const int fd = stdin_fd_;
      lock.unlock();
      std::size_t written = 0;
      while (written < line.size()) {
        const auto n = ::write(fd, line.data() + written, line.size() - written);
        if (n <= 0) break;
        written += static_cast<std::size_t>(n);
      }
      lock.lock();
    }
  }

  void read_loop(int fd, std::uint64_t epoch) {
    std::string buffer;
    char chunk[65536];
    while (true) {
      const auto n = ::read(fd, chunk, sizeof chunk);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      std::size_t start = 0;
      for (auto end = buffer.find('\n'); end != std::string::npos; end = buffer.find('\n', start)) {
        on_line(std::string_view(buffer).substr(start, end - start));
        start = end + 1;
      }
      buffer.erase(0, start);
      if (buffer.size() > kMaxUpstreamMessageBytes) break;
    }
    ::close(fd);
    stop(epoch, "exited");
  }

  void on_line(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (!line.empty()) route_upstream_message(line, shared_channel_routing(in_flight_, on_tools_changed_));
  }

  // Ends the subprocess of `epoch` (0: whichever runs) and fails whatever waited on it. The
  // reader thread may be the caller: it is detached then, not joined.
  void stop(std::uint64_t epoch, const std::string& why) {
    std::unique_lock lock(mutex_);
    if (epoch != 0 && epoch != process_epoch_) return;
    process_epoch_ = 0;
    outbox_.clear();
    const pid_t pid = pid_;
    pid_ = -1;
    const int fd = stdin_fd_;
    stdin_fd_ = -1;
    writer_stop_ = true;
    auto reader = std::move(reader_);
    auto writer = std::move(writer_);
    lock.unlock();
    writer_wake_.notify_all();
    if (writer.joinable()) writer.join();
    if (fd >= 0) ::close(fd);
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
    if (reader.joinable()) {
      if (reader.get_id() == std::this_thread::get_id()) {
        reader.detach();
      } else {
        reader.join();
      }
    }
    auto failed = gate_.close(epoch);
    auto sent = in_flight_.drain();
    failed.insert(failed.end(), sent.begin(), sent.end());
    fail_all(failed, *server_, why);
  }

  std::shared_ptr<const config::McpServerConfig> server_;
  http::HttpClient& client_;
  std::function<void()> on_tools_changed_;
  std::atomic<std::int64_t> ids_{1};
  SessionGate gate_;
  InFlight in_flight_;
  std::mutex mutex_;  // the process and the writer's queue below
  std::condition_variable writer_wake_;
  std::uint64_t process_epoch_ = 0;  // the session the running process belongs to
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  bool writer_stop_ = false;
  std::deque<std::string> outbox_;
  std::thread reader_;
  std::thread writer_;
};

}  // namespace

std::shared_ptr<Upstream> make_stdio_upstream(UpstreamContext context) {
  if (context.server->command.empty()) return nullptr;
  return std::make_shared<StdioUpstream>(std::move(context));
}

}  // namespace tollgate::mcp
