// tollgate-openloop: an open-loop HTTP/1.1 load generator over keep-alive connections, for
// bench/overload (issue #15 item 3). Requests are due on a fixed schedule (constant rate, or
// Poisson arrivals) whatever the answers do; each of N keep-alive connections carries one
// request at a time (no pipelining). A request due while every connection is busy waits in the
// generator's backlog and is counted; its latency, like every request's, runs from the time it
// was due, not from when it was sent (coordinated omission corrected, as wrk2 does), so a server
// that stalls is charged for the requests it kept the generator from sending.
//
//   tollgate-openloop --port P [--host 127.0.0.1] [--path /] [--body FILE] [--header 'N: v']...
//                     [--rate R | --closed] [--seconds S] [--connections N] [--poisson]
//                     [--drain-seconds D] [--log FILE]
//
// --closed: every connection sends its next request as soon as the last is answered (capacity).
// Prints one JSON object: what was sent, the backlog, and per status the count and p50/p99/p999
// of the latency from the due time (and, for comparison, from the send). --log writes one line
// per request: due offset (µs), status (0: connection failed, -1: unanswered at the end),
// latency from due (µs), latency from send (µs).
//
// One thread, epoll and a timerfd; no dependency beyond the C++ library and Linux.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Micros = std::int64_t;

Micros micros_since(Clock::time_point start, Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t - start).count();
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "tollgate-openloop: %s\n", message.c_str());
  std::exit(2);
}

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path = "/";
  std::string body;
  bool has_body = false;
  std::vector<std::string> headers;
  double rate = 0;
  bool closed = false;
  bool poisson = false;
  double seconds = 10;
  double drain_seconds = 5;
  int connections = 64;
  std::string log_path;
};

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--host") {
      o.host = value();
    } else if (a == "--port") {
      o.port = std::atoi(value().c_str());
    } else if (a == "--path") {
      o.path = value();
    } else if (a == "--body") {
      std::ifstream f(value(), std::ios::binary);
      if (!f) die("cannot read the body file");
      std::stringstream s;
      s << f.rdbuf();
      o.body = s.str();
      o.has_body = true;
    } else if (a == "--header") {
      o.headers.push_back(value());
    } else if (a == "--rate") {
      o.rate = std::atof(value().c_str());
    } else if (a == "--closed") {
      o.closed = true;
    } else if (a == "--poisson") {
      o.poisson = true;
    } else if (a == "--seconds") {
      o.seconds = std::atof(value().c_str());
    } else if (a == "--drain-seconds") {
      o.drain_seconds = std::atof(value().c_str());
    } else if (a == "--connections") {
      o.connections = std::atoi(value().c_str());
    } else if (a == "--log") {
      o.log_path = value();
    } else {
      die("unknown argument " + a + " (see the head of bench/openloop/openloop.cc)");
    }
  }
  if (o.port <= 0) die("--port is required");
  if (!o.closed && o.rate <= 0) die("--rate R (> 0) or --closed is required");
  if (o.connections <= 0) die("--connections must be positive");
  return o;
}

std::string build_request(const Options& o) {
  std::string r = (o.has_body ? "POST " : "GET ") + o.path + " HTTP/1.1\r\nHost: " + o.host + "\r\n";
  for (const auto& h : o.headers) r += h + "\r\n";
  if (o.has_body) r += "Content-Length: " + std::to_string(o.body.size()) + "\r\n";
  r += "\r\n";
  r += o.body;
  return r;
}

// One HTTP/1.1 response read incrementally: status, then Content-Length or chunked framing.
class ResponseReader {
 public:
  enum class Result { more, done, bad };

  void reset() {
    head_done_ = false;
    status_ = 0;
    remaining_ = 0;
    chunked_ = false;
    close_ = false;
    chunk_state_ = ChunkState::size;
  }

  // Consumes from `in` what belongs to this response (leaves what follows).
  Result feed(std::string& in) {
    if (!head_done_) {
      const auto end = in.find("\r\n\r\n");
      if (end == std::string::npos) return in.size() > 65536 ? Result::bad : Result::more;
      if (!parse_head(in.substr(0, end))) return Result::bad;
      in.erase(0, end + 4);
      head_done_ = true;
    }
    if (!chunked_) {
      const auto take = std::min<std::size_t>(remaining_, in.size());
      in.erase(0, take);
      remaining_ -= take;
      return remaining_ == 0 ? Result::done : Result::more;
    }
    return feed_chunks(in);
  }

  int status() const { return status_; }
  bool close_after() const { return close_; }

 private:
  enum class ChunkState { size, data, data_crlf, trailer };

  static std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  bool parse_head(const std::string& head) {
    if (head.size() < 12 || head.compare(0, 5, "HTTP/") != 0) return false;
    status_ = std::atoi(head.c_str() + 9);
    std::size_t pos = head.find("\r\n");
    bool has_length = false;
    while (pos != std::string::npos) {
      const auto next = head.find("\r\n", pos + 2);
      const auto line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        const auto name = lower(line.substr(0, colon));
        auto value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        if (name == "content-length") {
          remaining_ = std::strtoull(value.c_str(), nullptr, 10);
          has_length = true;
        } else if (name == "transfer-encoding" && lower(value).find("chunked") != std::string::npos) {
          chunked_ = true;
        } else if (name == "connection" && lower(value).find("close") != std::string::npos) {
          close_ = true;
        }
      }
      pos = next;
    }
    if (!has_length && !chunked_) remaining_ = 0;  // 204/304 or a bodiless answer
    return status_ >= 100;
  }

  Result feed_chunks(std::string& in) {
    for (;;) {
      if (chunk_state_ == ChunkState::size || chunk_state_ == ChunkState::trailer ||
          chunk_state_ == ChunkState::data_crlf) {
        const auto eol = in.find("\r\n");
        if (eol == std::string::npos) return Result::more;
        const auto line = in.substr(0, eol);
        in.erase(0, eol + 2);
        if (chunk_state_ == ChunkState::data_crlf) {
          chunk_state_ = ChunkState::size;
          continue;
        }
        if (chunk_state_ == ChunkState::trailer) {
          if (line.empty()) return Result::done;
          continue;
        }
        remaining_ = std::strtoull(line.c_str(), nullptr, 16);
        chunk_state_ = remaining_ == 0 ? ChunkState::trailer : ChunkState::data;
        continue;
      }
      const auto take = std::min<std::size_t>(remaining_, in.size());
      in.erase(0, take);
      remaining_ -= take;
      if (remaining_ > 0) return Result::more;
      chunk_state_ = ChunkState::data_crlf;
    }
  }

  bool head_done_ = false;
  int status_ = 0;
  std::uint64_t remaining_ = 0;
  bool chunked_ = false;
  bool close_ = false;
  ChunkState chunk_state_ = ChunkState::size;
};

struct Record {
  Micros due;      // since the start
  int status;      // 0: the connection failed; -1: unanswered when the run ended
  Micros latency;  // from due
  Micros service;  // from send
  // From the response's arrival at the socket (the kernel's receive timestamp of its last
  // bytes) to the generator reading it: the generator's own delay on the way back, which the
  // latency includes (0 where the kernel gave no timestamp).
  Micros read_lag = 0;
};

struct Connection {
  int fd = -1;
  bool connected = false;
  bool busy = false;
  Micros due = 0;
  Clock::time_point sent_at{};
  Micros read_lag = 0;  // of the latest read
  std::size_t written = 0;
  std::uint32_t events = 0;  // what epoll watches for
  std::string in;
  ResponseReader reader;
};

class Generator {
 public:
  explicit Generator(Options options) : o_(std::move(options)), request_(build_request(o_)) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    timer_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epoll_ < 0 || timer_ < 0) die("epoll/timerfd: " + std::string(std::strerror(errno)));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kTimerTag;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, timer_, &ev);
    std::memset(&address_, 0, sizeof address_);
    address_.sin_family = AF_INET;
    address_.sin_port = htons(static_cast<std::uint16_t>(o_.port));
    if (inet_pton(AF_INET, o_.host.c_str(), &address_.sin_addr) != 1) die("--host must be an IPv4 address");
    connections_.resize(static_cast<std::size_t>(o_.connections));
  }

  void run() {
    reserve_records();
    for (std::size_t i = 0; i < connections_.size(); ++i) open(i);
    wait_connected();
    start_ = Clock::now();
    end_ = start_ + std::chrono::microseconds(static_cast<Micros>(o_.seconds * 1e6));
    const auto hard_end = end_ + std::chrono::microseconds(static_cast<Micros>(o_.drain_seconds * 1e6));
    next_due_ = 0;
    if (o_.closed) {
      for (std::size_t i = 0; i < connections_.size(); ++i) send_next_closed(i);
    }
    std::vector<epoll_event> events(1024);
    for (;;) {
      const auto now = Clock::now();
      if (!o_.closed) issue_due(now);
      const bool schedule_over = now >= end_;
      if (schedule_over && backlog_.empty() && busy_ == 0) break;
      if (now >= hard_end) break;
      arm_timer(now, schedule_over, hard_end);
      const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), -1);
      if (n < 0 && errno != EINTR) die("epoll_wait: " + std::string(std::strerror(errno)));
      for (int k = 0; k < n; ++k) {
        const auto tag = events[k].data.u64;
        if (tag == kTimerTag) {
          std::uint64_t expirations;
          [[maybe_unused]] auto r = ::read(timer_, &expirations, sizeof expirations);
          continue;
        }
        on_event(static_cast<std::size_t>(tag), events[k].events);
      }
    }
    finished_ = Clock::now();
    // Whatever is still owed when the drain time is over counts as unanswered.
    for (auto& c : connections_) {
      if (c.busy) records_.push_back({c.due, -1, micros_since(start_, finished_) - c.due, 0});
    }
    for (auto due : backlog_) records_.push_back({due, -1, micros_since(start_, finished_) - due, 0});
  }

  void report() const;

  // Room for every record of an open-loop run, its pages touched before the clock starts: a
  // vector doubling mid-run copies all the records before it (8 MB at 262,144 of them) and faults
  // in the new pages, which stopped this generator for up to 50 ms at each power of two and sent
  // the requests due meanwhile as one burst (bench/results/overload-2026-12-02-generator.md).
  void reserve_records() {
    if (o_.closed) return;  // a closed loop measures throughput, not latency
    const auto expected = static_cast<std::size_t>(o_.rate * o_.seconds) + connections_.size() + 1024;
    records_.resize(expected);
    records_.clear();
  }
  void write_log() const;

 private:
  static constexpr std::uint64_t kTimerTag = ~std::uint64_t{0};

  // The due time (µs since start) of request `index`: evenly spaced, or Poisson arrivals.
  Micros due_of_next() {
    if (!o_.poisson) {
      return static_cast<Micros>(static_cast<double>(issued_) * 1e6 / o_.rate);
    }
    poisson_clock_ += std::exponential_distribution<double>(o_.rate)(rng_) * 1e6;
    return static_cast<Micros>(poisson_clock_);
  }

  void issue_due(Clock::time_point now) {
    const auto now_us = micros_since(start_, now);
    const auto end_us = micros_since(start_, end_);
    while (next_due_ <= now_us && next_due_ < end_us) {
      const auto due = next_due_;
      ++issued_;
      next_due_ = due_of_next();
      if (!backlog_.empty() || !send_on_free(due, now)) {
        backlog_.push_back(due);
        ++backlogged_;
        max_backlog_ = std::max(max_backlog_, backlog_.size());
      }
    }
  }

  void arm_timer(Clock::time_point now, bool schedule_over, Clock::time_point hard_end) {
    Clock::time_point at = hard_end;
    if (!o_.closed && !schedule_over) at = std::min(at, start_ + std::chrono::microseconds(next_due_));
    if (at == timer_at_ && at > now) return;  // already armed for that time
    timer_at_ = at;
    // Absolute expiry on CLOCK_MONOTONIC, which steady_clock reads on Linux.
    const auto ns = std::max(at, now + std::chrono::microseconds(1)).time_since_epoch();
    itimerspec spec{};
    spec.it_value.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(ns).count();
    spec.it_value.tv_nsec =
        (std::chrono::duration_cast<std::chrono::nanoseconds>(ns) % std::chrono::seconds(1)).count();
    timerfd_settime(timer_, TFD_TIMER_ABSTIME, &spec, nullptr);
  }

  bool send_on_free(Micros due, Clock::time_point now) {
    while (!free_.empty()) {
      const auto i = free_.back();
      free_.pop_back();
      auto& c = connections_[i];
      if (c.connected && !c.busy) {
        send(i, due, now);
        return true;
      }
    }
    return false;
  }

  void send(std::size_t i, Micros due, Clock::time_point now) {
    auto& c = connections_[i];
    c.busy = true;
    ++busy_;
    c.due = due;
    c.sent_at = now;
    c.written = 0;
    c.reader.reset();
    ++sent_;
    write_some(i);
  }

  void write_some(std::size_t i) {
    auto& c = connections_[i];
    while (c.written < request_.size()) {
      const auto n = ::send(c.fd, request_.data() + c.written, request_.size() - c.written, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN) {
          watch(i, EPOLLIN | EPOLLOUT);
          return;
        }
        fail(i);
        return;
      }
      c.written += static_cast<std::size_t>(n);
    }
    watch(i, EPOLLIN);
  }

  void watch(std::size_t i, std::uint32_t events) {
    if (connections_[i].events == events) return;
    connections_[i].events = events;
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_MOD, connections_[i].fd, &ev);
  }

  void open(std::size_t i) {
    auto& c = connections_[i];
    c = Connection{};
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) die("socket: " + std::string(std::strerror(errno)));
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(c.fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
    const int r = connect(c.fd, reinterpret_cast<const sockaddr*>(&address_), sizeof address_);
    if (r < 0 && errno != EINPROGRESS) die("connect: " + std::string(std::strerror(errno)));
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = i;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &ev);
    c.events = EPOLLOUT;
    ++opened_;
  }

  void wait_connected() {
    std::vector<epoll_event> events(1024);
    std::size_t ready = 0;
    const auto give_up = Clock::now() + std::chrono::seconds(10);
    while (ready < connections_.size() && Clock::now() < give_up) {
      const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 100);
      for (int k = 0; k < n; ++k) {
        if (events[k].data.u64 == kTimerTag) continue;
        const auto i = static_cast<std::size_t>(events[k].data.u64);
        if (!connections_[i].connected && on_connected(i)) {
          free_.push_back(i);
          ++ready;
        }
      }
    }
    if (ready < connections_.size()) die("could not open every connection to the server");
  }

  // After EPOLLOUT on a connecting socket: connected or failed.
  bool on_connected(std::size_t i) {
    auto& c = connections_[i];
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return false;
    c.connected = true;
    watch(i, EPOLLIN);
    return true;
  }

  void on_event(std::size_t i, std::uint32_t events) {
    auto& c = connections_[i];
    if (!c.connected) {
      if (on_connected(i)) {
        on_free(i);
      } else {
        reconnect(i);
      }
      return;
    }
    if ((events & EPOLLOUT) && c.busy && c.written < request_.size()) write_some(i);
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) read_some(i);
  }

  void read_some(std::size_t i) {
    auto& c = connections_[i];
    // One recv per readiness: epoll is level-triggered and reports again while bytes wait (a
    // second recv to see EAGAIN would cost a system call per response).
    char buf[65536];
    const auto n = receive(c, buf, sizeof buf);
    if (n > 0) {
      c.in.append(buf, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EAGAIN) {
      return;
    } else {
      // closed or failed: an answer in progress is lost
      if (c.busy) complete(i, 0);
      reconnect(i);
      return;
    }
    while (c.busy && !c.in.empty()) {
      const auto r = c.reader.feed(c.in);
      if (r == ResponseReader::Result::more) return;
      if (r == ResponseReader::Result::bad) {
        complete(i, 0);
        reconnect(i);
        return;
      }
      const bool close_after = c.reader.close_after();
      complete(i, c.reader.status());
      if (close_after) {
        reconnect(i);
        return;
      }
      on_free(i);
    }
  }

  // recv, noting how long the bytes read had waited in the socket (SO_TIMESTAMPNS: the realtime
  // clock when the last of them arrived).
  ssize_t receive(Connection& c, char* buf, std::size_t size) {
    iovec iov{buf, size};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const auto n = ::recvmsg(c.fd, &msg, 0);
    if (n <= 0) return n;
    c.read_lag = 0;
    for (auto* cm = CMSG_FIRSTHDR(&msg); cm != nullptr; cm = CMSG_NXTHDR(&msg, cm)) {
      if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_TIMESTAMPNS) continue;
      timespec arrived;
      std::memcpy(&arrived, CMSG_DATA(cm), sizeof arrived);
      timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      const auto lag = (now.tv_sec - arrived.tv_sec) * 1'000'000 + (now.tv_nsec - arrived.tv_nsec) / 1000;
      c.read_lag = std::max<Micros>(0, lag);
    }
    return n;
  }

  void complete(std::size_t i, int status) {
    auto& c = connections_[i];
    const auto now = Clock::now();
    records_.push_back({c.due, status, micros_since(start_, now) - c.due,
                        std::chrono::duration_cast<std::chrono::microseconds>(now - c.sent_at).count(),
                        status > 0 ? c.read_lag : 0});
    c.busy = false;
    --busy_;
  }

  void fail(std::size_t i) {
    if (connections_[i].busy) complete(i, 0);
    reconnect(i);
  }

  void reconnect(std::size_t i) {
    auto& c = connections_[i];
    if (c.busy) complete(i, 0);
    epoll_ctl(epoll_, EPOLL_CTL_DEL, c.fd, nullptr);
    ::close(c.fd);
    ++reconnects_;
    open(i);
  }

  // A connection is free: the oldest backlogged request goes first, else it waits for the next due.
  void on_free(std::size_t i) {
    const auto now = Clock::now();
    if (o_.closed) {
      if (now < end_) send_next_closed(i);
      return;
    }
    if (!backlog_.empty()) {
      const auto due = backlog_.front();
      backlog_.pop_front();
      send(i, due, now);
      return;
    }
    free_.push_back(i);
  }

  void send_next_closed(std::size_t i) {
    const auto now = Clock::now();
    ++issued_;
    send(i, micros_since(start_, now), now);
  }

  Options o_;
  std::string request_;
  int epoll_ = -1;
  int timer_ = -1;
  sockaddr_in address_{};
  std::vector<Connection> connections_;
  std::vector<std::size_t> free_;
  std::deque<Micros> backlog_;
  std::size_t busy_ = 0;
  Clock::time_point start_{}, end_{}, finished_{}, timer_at_{};
  Micros next_due_ = 0;
  double poisson_clock_ = 0;
  std::mt19937_64 rng_{20261130};
  std::uint64_t issued_ = 0, sent_ = 0, backlogged_ = 0, opened_ = 0, reconnects_ = 0;
  std::size_t max_backlog_ = 0;
  std::vector<Record> records_;
};

double percentile_ms(std::vector<Micros>& v, double q) {
  if (v.empty()) return 0;
  const auto k = std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]) / 1000.0;
}

void Generator::report() const {
  std::map<int, std::pair<std::vector<Micros>, std::vector<Micros>>> by_status;
  for (const auto& r : records_) {
    by_status[r.status].first.push_back(r.latency);
    by_status[r.status].second.push_back(r.service);
  }
  // How late the generator itself sent (due → send): its own scheduling delay plus the backlog.
  // When this is high the latencies measure the generator's machine, not the server.
  std::vector<Micros> lag;
  lag.reserve(records_.size());
  for (const auto& r : records_) {
    if (r.status >= 0) lag.push_back(r.latency - r.service);
  }
  const double elapsed = std::chrono::duration<double>(finished_ - start_).count();
  std::printf("{\"mode\":\"%s\",\"rate\":%.1f,\"seconds\":%.3f,\"connections\":%d,\"issued\":%" PRIu64
              ",\"sent\":%" PRIu64 ",\"backlogged\":%" PRIu64 ",\"max_backlog\":%zu,\"reconnects\":%" PRIu64
              ",\"elapsed\":%.3f,\"send_lag_p50\":%.3f,\"send_lag_p99\":%.3f,\"statuses\":{",
              o_.closed ? "closed" : (o_.poisson ? "poisson" : "constant"), o_.rate, o_.seconds, o_.connections,
              issued_, sent_, backlogged_, max_backlog_, reconnects_, elapsed, percentile_ms(lag, 0.50),
              percentile_ms(lag, 0.99));
  bool first = true;
  for (auto& [status, pair] : by_status) {
    auto latency = pair.first;
    auto service = pair.second;
    const auto count = latency.size();
    const double max_ms =
        latency.empty() ? 0 : static_cast<double>(*std::max_element(latency.begin(), latency.end())) / 1000.0;
    std::printf(
        "%s\"%d\":{\"count\":%zu,\"p50\":%.3f,\"p99\":%.3f,\"p999\":%.3f,\"max\":%.3f,"
        "\"send_p50\":%.3f,\"send_p99\":%.3f}",
        first ? "" : ",", status, count, percentile_ms(latency, 0.50), percentile_ms(latency, 0.99),
        percentile_ms(latency, 0.999), max_ms, percentile_ms(service, 0.50), percentile_ms(service, 0.99));
    first = false;
  }
  std::printf("}}\n");
}

void Generator::write_log() const {
  if (o_.log_path.empty()) return;
  FILE* f = std::fopen(o_.log_path.c_str(), "w");
  if (!f) die("cannot write " + o_.log_path);
  for (const auto& r : records_) {
    std::fprintf(f, "%" PRId64 " %d %" PRId64 " %" PRId64 " %" PRId64 "\n", r.due, r.status, r.latency, r.service,
                 r.read_lag);
  }
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  Generator generator(parse_options(argc, argv));
  generator.run();
  generator.report();
  generator.write_log();
  return 0;
}
