#pragma once
// The spend journal's files: an append-only record of every settled cost and budget reset,
// written with one write(2) per record before the response completes, so that a process killed
// at any moment (SIGKILL, a crash) loses nothing the kernel already holds. The spend writer
// appends under its own lock (the record is a few hundred bytes in the page cache: no disk
// wait), starts a new file each time it takes the buffered spend out to write it, and deletes
// a file once every record in it is committed to the store. At start-up the files that an
// earlier process left are replayed into the store (spend/journal_replay.h).
//
// One directory per process: a lock file (flock, released by the kernel when the process
// dies) refuses a second process on the same directory. Files are
// `<journal id>.<index>.journal`; the journal id is a time-ordered UUID new at every start, and
// the store remembers per journal id the last sequence number committed (the marker that
// makes a replay idempotent). No fsync: a machine that loses power loses what the page cache
// had not written back, see docs/budgets.md.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::spend {

// The files one earlier process left, in order.
struct LeftoverJournal {
  std::string journal_id;
  std::vector<std::string> paths;
};

class SpendJournal {
 public:
  // Takes the first of `dir`, `dir.1`, `dir.2`, ... that no live process holds (creating it
  // if needed), locks it and opens the first file of a new journal. Throws
  // std::runtime_error when that fails.
  explicit SpendJournal(const std::string& dir);
  // The directory it took.
  const std::string& dir() const { return dir_; }
  ~SpendJournal();
  SpendJournal(const SpendJournal&) = delete;
  SpendJournal& operator=(const SpendJournal&) = delete;

  const std::string& id() const { return id_; }
  // What earlier processes left in the directory when this one started, oldest first.
  const std::vector<LeftoverJournal>& leftovers() const { return leftovers_; }

  // ---- under the spend writer's lock (request threads) ----
  // Appends one framed record; returns its sequence number, or 0 when the write failed (the
  // partial record is cut off again; the caller counts it and the spend stays in memory).
  std::int64_t append(std::string_view record);
  // Closes the current file when it holds records and continues in the next one; returns the
  // closed descriptor for the caller to close outside its lock (-1 when nothing was closed).
  int rotate();

  // ---- the spend writer's thread ----
  // Opens the next file ahead of rotate(), outside the lock.
  void prepare_next();
  // Deletes every closed file whose records all have sequence numbers <= committed_seq.
  void remove_committed(std::int64_t committed_seq);
  // Deletes every file of this journal (everything it held is committed): a clean stop.
  void remove_all();

 private:
  struct ClosedFile {
    std::string path;
    std::int64_t last_seq;
  };
  std::string path_of(std::int64_t index) const;
  int open_file(std::int64_t index) const;
  void truncate_after_failed_write();

  std::string dir_;
  const std::string id_;
  int lock_fd_ = -1;
  std::vector<LeftoverJournal> leftovers_;
  // The file being appended to (the writer's lock guards these).
  int fd_ = -1;
  std::int64_t index_ = 0;
  std::int64_t file_records_ = 0;
  std::int64_t file_bytes_ = 0;
  std::int64_t next_seq_ = 1;
  bool broken_ = false;  // a failed write could not be cut off: appends wait for the next file
  // Opened ahead by prepare_next (index_ + 1), handed over by rotate.
  int next_fd_ = -1;
  // Closed files not yet deleted (the writer's thread; rotate adds under the lock).
  std::vector<ClosedFile> closed_;
};

}  // namespace tollgate::spend
