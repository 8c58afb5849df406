#pragma once
// One JSON object per line on stderr (or a file), written by a background thread so request
// threads never wait on the terminal or the disk. Every string value passes the redactor.
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "core/redaction.h"

namespace tollgate::telemetry {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

// Parses "debug" | "info" | "warn" | "warning" | "error" (case-insensitive).
bool parse_log_level(std::string_view text, LogLevel& out);

struct LogField {
  using Value = std::variant<std::string_view, std::int64_t, double, bool>;
  std::string_view key;
  Value value;

  LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
  LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  LogField(std::string_view k, int v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, unsigned v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, long v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, unsigned long v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, long long v) : key(k), value(static_cast<std::int64_t>(v)) {}
  LogField(std::string_view k, double v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v) {}
};

// Process-wide logger. Configure once at start-up; safe to call from any thread afterwards.
class Logger {
 public:
  static Logger& instance();

  void set_level(LogLevel level);
  bool enabled(LogLevel level) const;
  // Replaces the redactor used for every following line (secrets known after config load).
  void set_redactor(std::shared_ptr<const core::Redactor> redactor);
  std::shared_ptr<const core::Redactor> redactor() const;
  // Appends lines to `path` instead of stderr; empty → stderr.
  bool set_output_file(const std::string& path);

  void write(LogLevel level, std::string_view event, std::initializer_list<LogField> fields);
  // Blocks until every line written so far reached the sink.
  void flush();

  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;
  ~Logger();

 private:
  Logger();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

inline void log_debug(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Logger::instance().write(LogLevel::debug, event, fields);
}
inline void log_info(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Logger::instance().write(LogLevel::info, event, fields);
}
inline void log_warn(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Logger::instance().write(LogLevel::warn, event, fields);
}
inline void log_error(std::string_view event, std::initializer_list<LogField> fields = {}) {
  Logger::instance().write(LogLevel::error, event, fields);
}

}  // namespace tollgate::telemetry
