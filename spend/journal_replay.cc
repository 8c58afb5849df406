#include "spend/journal_replay.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "persistence/store.h"
#include "spend/journal_codec.h"
#include "spend/spend_segment.h"
#include "telemetry/log.h"

namespace tollgate::spend {
namespace {

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The journal's records after `committed_seq`, cut into segments as the writer cuts them.
std::vector<SpendSegment> segments_after(const LeftoverJournal& journal, std::int64_t committed_seq,
                                         std::size_t batch_rows, ReplayResult& result) {
  std::vector<SpendSegment> segments;
  const auto open_segment = [&]() -> SpendSegment& {
    if (segments.empty() || !segments.back().open() || segments.back().logs.size() >= batch_rows) {
      segments.emplace_back();
    }
    return segments.back();
  };
  for (const auto& path : journal.paths) {
    auto decoded = decode_journal(read_whole_file(path));
    if (decoded.ignored_bytes > 0) {
      telemetry::log_warn("spend_journal_torn_tail", {{"file", path}, {"ignored_bytes", decoded.ignored_bytes}});
    }
    result.ignored_bytes += decoded.ignored_bytes;
    for (auto& record : decoded.records) {
      if (record.seq <= committed_seq) {
        ++result.already_saved;
        continue;
      }
      auto& segment = open_segment();
      if (auto* spend = std::get_if<JournaledSpend>(&record.entry)) {
        segment.logs.push(spend->row);
        segment.add_increments(spend->increments);
      } else {
        segment.resets.push_back(std::get<persistence::SpendReset>(std::move(record.entry)));
      }
      segment.last_seq = record.seq;
      ++result.records;
    }
  }
  return segments;
}

}  // namespace

ReplayResult replay_journals(persistence::Store& store, const std::vector<LeftoverJournal>& journals,
                             std::size_t batch_rows) {
  ReplayResult result;
  for (const auto& journal : journals) {
    const std::int64_t committed = store.journal_committed_seq(journal.journal_id);
    for (const auto& segment : segments_after(journal, committed, batch_rows, result)) {
      SpendLogBuffer::Reader logs(segment.logs);
      store.commit_spend_batch(logs, segment.increment_list(), segment.resets,
                               persistence::Store::JournalMark{journal.journal_id, segment.last_seq});
    }
    // Files first, then the mark: a crash in between leaves a mark without files (harmless),
    // never files without their mark (which would replay them again).
    for (const auto& path : journal.paths) ::unlink(path.c_str());
    store.forget_journal(journal.journal_id);
  }
  if (!journals.empty()) {
    telemetry::log_info("spend_journal_replayed", {{"journals", journals.size()},
                                                   {"records", result.records},
                                                   {"already_saved", result.already_saved},
                                                   {"ignored_bytes", result.ignored_bytes}});
  }
  return result;
}

}  // namespace tollgate::spend
