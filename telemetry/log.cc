#include "telemetry/log.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include "core/ascii_case.h"
#include "core/json_escape.h"
#include "core/number_text.h"

namespace tollgate::telemetry {
namespace {

constexpr std::size_t kFlushThresholdBytes = 64 * 1024;
constexpr auto kFlushInterval = std::chrono::milliseconds(100);

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

// "2026-11-29T22:50:14.123456Z". The date and time up to the second are formatted once per
// second per thread (gmtime_r and snprintf cost more than the rest of a log line).
void append_timestamp(std::string& out) {
  const auto now = std::chrono::system_clock::now();
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(micros / 1'000'000);
  thread_local std::time_t cached_second = -1;
  thread_local char cached_prefix[32];  // "YYYY-MM-DDTHH:MM:SS."
  thread_local int cached_length = 0;
  if (seconds != cached_second) {
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    cached_length = std::snprintf(cached_prefix, sizeof cached_prefix, "%04d-%02d-%02dT%02d:%02d:%02d.",
                                  utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached_second = seconds;
  }
  out.append(cached_prefix, static_cast<std::size_t>(cached_length));
  char fraction[7];
  auto rest = static_cast<int>(micros % 1'000'000);
  for (int i = 5; i >= 0; --i, rest /= 10) fraction[i] = static_cast<char>('0' + rest % 10);
  fraction[6] = 'Z';
  out.append(fraction, sizeof fraction);
}

}  // namespace

bool parse_log_level(std::string_view text, LogLevel& out) {
  const auto lower = core::ascii_lower(text);
  if (lower == "debug") {
    out = LogLevel::debug;
  } else if (lower == "info") {
    out = LogLevel::info;
  } else if (lower == "warn" || lower == "warning") {
    out = LogLevel::warn;
  } else if (lower == "error") {
    out = LogLevel::error;
  } else {
    return false;
  }
  return true;
}

struct Logger::Impl {
  std::atomic<int> level{static_cast<int>(LogLevel::info)};
  std::shared_ptr<const core::Redactor> redactor = std::make_shared<core::Redactor>();
  mutable std::mutex redactor_mutex;

  std::mutex mutex;
  std::condition_variable wake;
  std::condition_variable flushed;
  std::string pending;
  std::uint64_t written_seq = 0;  // lines handed to the writer
  std::uint64_t synced_seq = 0;   // lines that reached the sink
  bool stopping = false;
  std::FILE* sink = stderr;
  bool own_sink = false;
  std::thread writer;

  void run() {
    std::unique_lock lock(mutex);
    while (true) {
      wake.wait_for(lock, kFlushInterval, [&] { return stopping || pending.size() >= kFlushThresholdBytes; });
      if (!pending.empty()) {
        std::string batch;
        batch.swap(pending);
        const std::uint64_t seq = written_seq;
        std::FILE* out = sink;
        lock.unlock();
        std::fwrite(batch.data(), 1, batch.size(), out);
        std::fflush(out);
        lock.lock();
        synced_seq = seq;
        flushed.notify_all();
      } else {
        synced_seq = written_seq;
        flushed.notify_all();
      }
      if (stopping && pending.empty()) {
        return;
      }
    }
  }
};

Logger& Logger::instance() {
  static Logger logger;
  return logger;
}

Logger::Logger() : impl_(std::make_unique<Impl>()) {
  impl_->writer = std::thread([this] { impl_->run(); });
}

Logger::~Logger() {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->wake.notify_all();
  impl_->writer.join();
  if (impl_->own_sink) {
    std::fclose(impl_->sink);
  }
}

void Logger::set_level(LogLevel level) { impl_->level.store(static_cast<int>(level)); }

bool Logger::enabled(LogLevel level) const {
  return static_cast<int>(level) >= impl_->level.load(std::memory_order_relaxed);
}

void Logger::set_redactor(std::shared_ptr<const core::Redactor> redactor) {
  std::lock_guard lock(impl_->redactor_mutex);
  impl_->redactor = std::move(redactor);
}

std::shared_ptr<const core::Redactor> Logger::redactor() const {
  std::lock_guard lock(impl_->redactor_mutex);
  return impl_->redactor;
}

bool Logger::set_output_file(const std::string& path) {
  std::FILE* file = path.empty() ? stderr : std::fopen(path.c_str(), "a");
  if (file == nullptr) {
    return false;
  }
  flush();
  std::lock_guard lock(impl_->mutex);
  if (impl_->own_sink) {
    std::fclose(impl_->sink);
  }
  impl_->sink = file;
  impl_->own_sink = !path.empty();
  return true;
}

void Logger::write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
  if (!enabled(level)) {
    return;
  }
  const auto redactor = this->redactor();
  std::string line;
  line.reserve(192);
  line += R"({"time":")";
  append_timestamp(line);
  line += R"(","level":")";
  line += level_name(level);
  line += R"(","event":)";
  core::append_json_string(line, event);
  for (const auto& field : fields) {
    line.push_back(',');
    core::append_json_string(line, field.key);
    line.push_back(':');
    if (const auto* text = std::get_if<std::string_view>(&field.value)) {
      if (redactor->contains_secret(*text)) {
        core::append_json_string(line, redactor->redact(*text));
      } else {
        core::append_json_string(line, *text);
      }
    } else if (const auto* integer = std::get_if<std::int64_t>(&field.value)) {
      line += std::to_string(*integer);
    } else if (const auto* real = std::get_if<double>(&field.value)) {
      core::append_general(line, *real, 6);
    } else {
      line += std::get<bool>(field.value) ? "true" : "false";
    }
  }
  line += "}\n";
  bool wake_writer = false;
  {
    std::lock_guard lock(impl_->mutex);
    impl_->pending += line;
    ++impl_->written_seq;
    wake_writer = impl_->pending.size() >= kFlushThresholdBytes || level >= LogLevel::warn;
  }
  if (wake_writer) {
    impl_->wake.notify_one();
  }
}

void Logger::flush() {
  std::unique_lock lock(impl_->mutex);
  const std::uint64_t target = impl_->written_seq;
  impl_->wake.notify_one();
  impl_->flushed.wait(lock, [&] { return impl_->synced_seq >= target; });
}

}  // namespace tollgate::telemetry
