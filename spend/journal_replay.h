#pragma once
// Start-up replay of the spend journals that earlier processes left (spend/spend_journal.h):
// their records go to the store as the spend writer would have written them — segments split
// at each budget reset, at most `batch_rows` rows per transaction — each batch with its journal
// mark, so records the store already holds are skipped, never counted twice. Then the files and
// the journal's mark are deleted. Runs on the spend writer's thread, before it writes anything
// new, and throws (StoreError) when the store fails: the caller retries, and what a retry
// finds committed it skips.
#include <cstddef>
#include <vector>

#include "spend/spend_journal.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::spend {

struct ReplayResult {
  std::size_t records = 0;        // replayed into the store now
  std::size_t already_saved = 0;  // found committed before (skipped)
  std::size_t ignored_bytes = 0;  // torn tails
};

ReplayResult replay_journals(persistence::Store& store, const std::vector<LeftoverJournal>& journals,
                             std::size_t batch_rows);

}  // namespace tollgate::spend
