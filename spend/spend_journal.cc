#include "spend/spend_journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/request_id.h"
#include "spend/journal_codec.h"
#include "telemetry/log.h"

namespace tollgate::spend {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSuffix = ".journal";

std::string errno_text() { return std::strerror(errno); }

// Writes all of `bytes`, resuming after EINTR and short writes; false on any other error.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

struct ParsedName {
  std::string journal_id;
  std::int64_t index;
};

// "<journal id>.<index>.journal" → its parts; nullopt for any other name.
std::optional<ParsedName> parse_name(const std::string& name) {
  if (name.size() <= kSuffix.size() || name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0) {
    return std::nullopt;
  }
  const std::string stem = name.substr(0, name.size() - kSuffix.size());
  const auto dot = stem.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == stem.size()) return std::nullopt;
  const std::string digits = stem.substr(dot + 1);
  if (digits.size() > 18 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return ParsedName{stem.substr(0, dot), std::stoll(digits)};
}

// Journals left in `dir`, oldest first (journal ids are time-ordered UUIDs), files by index.
std::vector<LeftoverJournal> find_leftovers(const std::string& dir) {
  std::map<std::string, std::map<std::int64_t, std::string>> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    if (auto parsed = parse_name(entry.path().filename().string())) {
      found[parsed->journal_id][parsed->index] = entry.path().string();
    }
  }
  std::vector<LeftoverJournal> out;
  for (auto& [id, files] : found) {
    LeftoverJournal journal{id, {}};
    for (auto& [index, path] : files) journal.paths.push_back(std::move(path));
    out.push_back(std::move(journal));
  }
  return out;
}

// The lock of `dir` (created if needed), or -1 when a live process holds it.
int try_lock_directory(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("spend journal: cannot create " + dir + ": " + ec.message());
  const std::string path = dir + "/lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("spend journal: cannot open " + path + ": " + errno_text());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

constexpr int kDirectoryChoices = 64;

// A directory is never shared: the first of `base`, `base.1`, `base.2`, ... that no live
// process holds. Processes on one machine sharing a path (several nodes, a test or bench
// starting gateways side by side) each get their own, and a restarted process takes over a
// directory whose process died, replaying what it left (the store's journal marks make a
// replay by any process exactly-once).
std::pair<std::string, int> claim_directory(const std::string& base) {
  for (int i = 0; i < kDirectoryChoices; ++i) {
    std::string dir = i == 0 ? base : base + "." + std::to_string(i);
    if (const int fd = try_lock_directory(dir); fd >= 0) return {std::move(dir), fd};
  }
  throw std::runtime_error("spend journal: " + base + " and its " + std::to_string(kDirectoryChoices - 1) +
                           " alternatives are all in use by other processes");
}

}  // namespace

SpendJournal::SpendJournal(const std::string& dir) : id_(core::generate_time_ordered_id()) {
  std::tie(dir_, lock_fd_) = claim_directory(dir);
  leftovers_ = find_leftovers(dir_);
  fd_ = open_file(index_);
  if (fd_ < 0 || !write_all(fd_, encode_journal_header(next_seq_))) {
    const std::string error = errno_text();
    if (fd_ >= 0) ::close(fd_);
    ::close(lock_fd_);
    throw std::runtime_error("spend journal: cannot write " + path_of(index_) + ": " + error);
  }
  file_bytes_ = static_cast<std::int64_t>(kJournalHeaderBytes);
}

SpendJournal::~SpendJournal() {
  if (fd_ >= 0) ::close(fd_);
  if (next_fd_ >= 0) ::close(next_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string SpendJournal::path_of(std::int64_t index) const {
  return dir_ + "/" + id_ + "." + std::to_string(index) + std::string(kSuffix);
}

int SpendJournal::open_file(std::int64_t index) const {
  return ::open(path_of(index).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
}

std::int64_t SpendJournal::append(std::string_view record) {
  if (broken_ || fd_ < 0) return 0;
  if (!write_all(fd_, record)) {
    truncate_after_failed_write();
    return 0;
  }
  file_bytes_ += static_cast<std::int64_t>(record.size());
  ++file_records_;
  return next_seq_++;
}

void SpendJournal::truncate_after_failed_write() {
  const std::string error = errno_text();
  // A partial record would end the file's readable part: cut it off so later records count.
  if (::ftruncate(fd_, file_bytes_) != 0) broken_ = true;
  telemetry::log_error("spend_journal_write_failed", {{"error", error}, {"journal_broken", broken_}});
}

void SpendJournal::prepare_next() {
  if (next_fd_ < 0) next_fd_ = open_file(index_ + 1);
}

int SpendJournal::rotate() {
  if (file_records_ == 0 && !broken_) return -1;
  if (next_fd_ < 0) next_fd_ = open_file(index_ + 1);
  if (next_fd_ < 0 || !write_all(next_fd_, encode_journal_header(next_seq_))) {
    telemetry::log_error("spend_journal_rotate_failed", {{"error", errno_text()}});
    return -1;  // keep appending to the current file
  }
  closed_.push_back(ClosedFile{path_of(index_), next_seq_ - 1});
  const int closed = fd_;
  fd_ = next_fd_;
  next_fd_ = -1;
  ++index_;
  file_records_ = 0;
  file_bytes_ = static_cast<std::int64_t>(kJournalHeaderBytes);
  broken_ = false;
  return closed;
}

void SpendJournal::remove_committed(std::int64_t committed_seq) {
  auto end = closed_.begin();
  while (end != closed_.end() && end->last_seq <= committed_seq) {
    ::unlink(end->path.c_str());
    ++end;
  }
  closed_.erase(closed_.begin(), end);
}

void SpendJournal::remove_all() {
  remove_committed(next_seq_);
  if (next_fd_ >= 0) {
    ::close(next_fd_);
    next_fd_ = -1;
    ::unlink(path_of(index_ + 1).c_str());
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
    ::unlink(path_of(index_).c_str());
  }
}

}  // namespace tollgate::spend
