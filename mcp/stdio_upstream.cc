#include "mcp/stdio_upstream.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "mcp/upstream_messages.h"
#include "telemetry/log.h"

extern char** environ;

namespace tollgate::mcp {
namespace {

class StdioUpstream : public Upstream, public std::enable_shared_from_this<StdioUpstream> {
 public:
  StdioUpstream(std::shared_ptr<const config::McpServerConfig> server, http::HttpClient& client,
                std::function<void()> on_tools_changed)
      : server_(std::move(server)), client_(client), on_tools_changed_(std::move(on_tools_changed)) {}

  ~StdioUpstream() override { close(); }

  std::shared_ptr<CallHandle> call(UpstreamCall call) override {
    auto pending = std::make_shared<PendingCall>(std::move(call), next_id());
    pending->arm_deadline(client_, server_->timeout, server_->name);
    bool send_now = false;
    bool spawn_now = false;
    {
      std::lock_guard lock(mutex_);
      if (state_ == State::ready) {
        send_now = true;
      } else {
        waiting_.push_back(pending);
        spawn_now = state_ == State::fresh;
        if (spawn_now) state_ = State::starting;
      }
    }
    if (send_now) send(pending);
    if (spawn_now) start();
    return pending;
  }

  void close() override {
    std::unique_lock lock(mutex_);
    stop_locked(lock, "was closed");
  }

 private:
  enum class State { fresh, starting, ready };

  std::string next_id() { return std::to_string(ids_.fetch_add(1, std::memory_order_relaxed)); }

  void start() {
    int in[2] = {-1, -1};
    int out[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
      for (int fd : {in[0], in[1], out[0], out[1]}) {
        if (fd >= 0) ::close(fd);
      }
      fail_start("cannot create pipes");
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
      fail_start("cannot start '" + server_->command + "': " + std::strerror(rc));
      return;
    }
    std::uint64_t generation = 0;
    {
      std::lock_guard lock(mutex_);
      pid_ = pid;
      stdin_fd_ = in[1];
      generation = ++generation_;
      writer_stop_ = false;
    }
    auto self = shared_from_this();
    reader_ = std::thread([self, fd = out[0], generation] { self->read_loop(fd, generation); });
    writer_ = std::thread([self] { self->write_loop(); });
    // The session starts with initialize, then notifications/initialized.
    UpstreamCall init;
    init.method = "initialize";
    init.params = client_initialize_params();
    std::weak_ptr<StdioUpstream> weak = self;
    init.on_reply = [weak, generation](UpstreamReply reply) {
      if (auto s = weak.lock()) s->initialized(generation, std::move(reply));
    };
    auto pending = std::make_shared<PendingCall>(std::move(init), next_id());
    pending->arm_deadline(client_, server_->timeout, server_->name);
    send(pending);
  }

  void fail_start(const std::string& why) {
    std::vector<std::shared_ptr<PendingCall>> failed;
    {
      std::lock_guard lock(mutex_);
      state_ = State::fresh;
      failed.swap(waiting_);
    }
    for (auto& call : failed) call->fail(rpc::kUpstreamError, "MCP server '" + server_->name + "': " + why);
  }

  void initialized(std::uint64_t generation, UpstreamReply reply) {
    if (reply.error) {
      std::unique_lock lock(mutex_);
      if (generation == generation_) stop_locked(lock, "failed to initialize: " + reply.error->message);
      return;
    }
    std::vector<std::shared_ptr<PendingCall>> waiting;
    {
      std::lock_guard lock(mutex_);
      if (generation != generation_) return;
      state_ = State::ready;
      waiting.swap(waiting_);
      outbox_.push_back(notification_message("notifications/initialized", ""));
    }
    writer_wake_.notify_one();
    for (auto& call : waiting) {
      if (!call->finished()) send(call);
    }
  }

  void send(const std::shared_ptr<PendingCall>& call) {
    {
      std::lock_guard lock(mutex_);
      for (auto it = in_flight_.begin(); it != in_flight_.end();) {
        it = it->second->finished() ? in_flight_.erase(it) : std::next(it);
      }
      in_flight_[call->upstream_id()] = call;
      outbox_.push_back(call->request_json());
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

  void read_loop(int fd, std::uint64_t generation) {
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
    std::unique_lock lock(mutex_);
    if (generation == generation_) stop_locked(lock, "exited");
  }

  void on_line(std::string_view line) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) return;
    std::weak_ptr<StdioUpstream> weak = shared_from_this();
    UpstreamRouting routing;
    routing.find = [weak](const std::string& id) -> std::shared_ptr<PendingCall> {
      auto self = weak.lock();
      if (!self) return nullptr;
      std::lock_guard lock(self->mutex_);
      auto it = self->in_flight_.find(id);
      if (it == self->in_flight_.end()) return nullptr;
      auto call = it->second;
      self->in_flight_.erase(it);
      return call;
    };
    routing.find_by_progress = [weak](const std::string& token) -> std::shared_ptr<PendingCall> {
      auto self = weak.lock();
      if (!self) return nullptr;
      std::lock_guard lock(self->mutex_);
      for (auto& [id, call] : self->in_flight_) {
        if (call->call().progress_token == token) return call;
      }
      return nullptr;
    };
    routing.on_tools_changed = on_tools_changed_;
    route_upstream_message(line, routing);
  }

  // Ends the subprocess and fails whatever waited on it. Called with the lock held; releases it
  // to join the threads (the reader itself may be the caller: it is detached then).
  void stop_locked(std::unique_lock<std::mutex>& lock, const std::string& why) {
    std::vector<std::shared_ptr<PendingCall>> failed;
    failed.swap(waiting_);
    for (auto& [id, call] : in_flight_) failed.push_back(call);
    in_flight_.clear();
    outbox_.clear();
    ++generation_;
    state_ = State::fresh;
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
    for (auto& call : failed) call->fail(rpc::kUpstreamError, "MCP server '" + server_->name + "' " + why);
    lock.lock();
  }

  std::shared_ptr<const config::McpServerConfig> server_;
  http::HttpClient& client_;
  std::function<void()> on_tools_changed_;
  std::atomic<std::int64_t> ids_{1};
  std::mutex mutex_;
  std::condition_variable writer_wake_;
  State state_ = State::fresh;
  std::uint64_t generation_ = 0;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  bool writer_stop_ = false;
  std::deque<std::string> outbox_;
  std::thread reader_;
  std::thread writer_;
  std::vector<std::shared_ptr<PendingCall>> waiting_;
  std::map<std::string, std::shared_ptr<PendingCall>> in_flight_;
};

}  // namespace

std::shared_ptr<Upstream> make_stdio_upstream(std::shared_ptr<const config::McpServerConfig> server,
                                              http::HttpClient& client, std::function<void()> on_tools_changed) {
  if (server->command.empty()) return nullptr;
  return std::make_shared<StdioUpstream>(std::move(server), client, std::move(on_tools_changed));
}

}  // namespace tollgate::mcp
