// The spend journal against real stores: every record is in the journal's file when record()
// returns, a journal a killed process left is replayed into the store at the next start, and
// nothing is counted twice — not when the crash came between a batch's commit and its file's
// deletion, not when the journal is replayed again, not for a record torn by the crash.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "persistence/store.h"
#include "spend/journal_codec.h"
#include "spend/spend_journal.h"
#include "spend/spend_writer.h"
#include "tests/store/spend_test_world.h"
#include "tests/store/store_fixture.h"
#include "tests/store/store_test_data.h"
#include "tests/support/test_env.h"

using namespace tollgate;
using persistence::EntityKind;
using spend::SpendJournal;
using spend::SpendWriter;
using testing::log_rows;
using testing::store_with_team;
using testing::team_spend;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr double kAmount = 0.125;  // sums of multiples of 1/8 are exact

persistence::SpendLogRow team_log(int request) { return testing::team_log(request, kAmount); }

const std::vector<persistence::SpendIncrement> kTeamIncrement = {{EntityKind::team, "team-1", kAmount}};

std::string spend_record(int request) {
  std::string out;
  spend::encode_spend_record(team_log(request), kTeamIncrement, out);
  return out;
}

std::string reset_record() {
  std::string out;
  spend::encode_reset_record({EntityKind::team, "team-1", std::nullopt}, out);
  return out;
}

// A journal as a process killed after appending `records` leaves it; returns its id.
std::string crashed_journal(const std::string& dir, const std::vector<std::string>& records) {
  SpendJournal journal(dir);
  for (const auto& r : records) REQUIRE(journal.append(r) > 0);
  return journal.id();  // the destructor closes the files and deletes none, as a kill would
}

std::vector<std::string> spend_records(int from, int count) {
  std::vector<std::string> out;
  for (int i = from; i < from + count; ++i) out.push_back(spend_record(i));
  return out;
}

std::vector<fs::path> journal_files(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".journal") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

SpendWriter::Options journaled(const std::string& dir) {
  SpendWriter::Options o;
  o.flush_interval = 1h;  // explicit flushes only
  o.journal_dir = dir;
  return o;
}

// Starts a writer on the directory, as the gateway does at start-up, and waits for its replay.
void restart_on(const testing::TestDatabase& db, const std::string& dir) {
  SpendWriter writer(db.url(), db.sqlite_path(), journaled(dir));
  REQUIRE(writer.wait_for_replay(20s));
}

}  // namespace

TEST_CASE("spend journal: records get consecutive sequence numbers across files, one process per directory",
          "[store][journal]") {
  const auto dir = testing::temp_dir() + "/journal";
  std::string first_id;
  {
    SpendJournal journal(dir);
    first_id = journal.id();
    CHECK(journal.dir() == dir);
    {
      SpendJournal beside(dir);  // the directory is held: the next one is taken, never shared
      CHECK(beside.dir() == dir + ".1");
    }
    CHECK(journal.append(spend_record(1)) == 1);
    CHECK(journal.append(spend_record(2)) == 2);
    const int closed = journal.rotate();
    REQUIRE(closed >= 0);
    ::close(closed);
    CHECK(journal.rotate() == -1);  // an empty file is not rotated
    CHECK(journal.append(reset_record()) == 3);
    CHECK(journal_files(dir).size() == 2);
    journal.remove_committed(1);  // the first file ends at 2: not yet
    CHECK(journal_files(dir).size() == 2);
  }
  SpendJournal next(dir);
  CHECK(next.id() > first_id);  // time-ordered: replayed oldest first
  REQUIRE(next.leftovers().size() == 1);
  const auto& left = next.leftovers().front();
  CHECK(left.journal_id == first_id);
  REQUIRE(left.paths.size() == 2);
  const auto first = spend::decode_journal(read_bytes(left.paths[0]));
  const auto second = spend::decode_journal(read_bytes(left.paths[1]));
  REQUIRE(first.records.size() == 2);
  CHECK(first.records[1].seq == 2);
  REQUIRE(second.records.size() == 1);
  CHECK(second.records[0].seq == 3);
  CHECK(std::holds_alternative<persistence::SpendReset>(second.records[0].entry));
}

STORE_TEST_CASE(
    "spend journal: record() has written its record to the file when it returns, a committed batch "
    "deletes its file and a clean stop deletes the rest and the mark",
    "[store][journal]") {
  testing::TestDatabase db(TestType::name);
  auto store = store_with_team(db);
  const auto dir = testing::temp_dir() + "/journal";
  std::string journal_id;
  {
    SpendWriter writer(db.url(), db.sqlite_path(), journaled(dir));
    REQUIRE(writer.wait_for_replay(20s));
    for (int i = 0; i < 3; ++i) writer.record(team_log(i), kTeamIncrement);
    auto files = journal_files(dir);
    REQUIRE(files.size() == 1);
    journal_id = files[0].filename().string().substr(0, files[0].filename().string().find('.'));
    const auto on_disk = spend::decode_journal(read_bytes(files[0]));
    REQUIRE(on_disk.records.size() == 3);  // without any flush: the kernel has them
    CHECK(std::get<spend::JournaledSpend>(on_disk.records[2].entry).row.request_id == "req-2");
    CHECK(team_spend(*store) == 0);

    REQUIRE(writer.flush());
    CHECK(team_spend(*store) == 3 * kAmount);
    CHECK(store->journal_committed_seq(journal_id) == 3);
    files = journal_files(dir);
    REQUIRE(files.size() == 1);  // the next file, empty; the committed one is gone
    CHECK(spend::decode_journal(read_bytes(files[0])).records.empty());

    writer.record(team_log(3), kTeamIncrement);
  }  // a clean stop: flushed, then every file and the mark removed
  CHECK(team_spend(*store) == 4 * kAmount);
  CHECK(journal_files(dir).empty());
  CHECK(store->journal_committed_seq(journal_id) == 0);
}

STORE_TEST_CASE("spend journal: a killed process's journal is replayed at the next start, in order, and only once",
                "[store][journal]") {
  testing::TestDatabase db(TestType::name);
  auto store = store_with_team(db);
  const auto dir = testing::temp_dir() + "/journal";
  auto records = spend_records(0, 4);
  records.push_back(reset_record());  // the budget window reset after the first four
  for (auto& r : spend_records(4, 6)) records.push_back(std::move(r));
  const auto id = crashed_journal(dir, records);

  restart_on(db, dir);
  CHECK(team_spend(*store) == 6 * kAmount);
  CHECK(log_rows(*store) == 10);
  CHECK(store->journal_committed_seq(id) == 0);  // replayed, its files and its mark gone

  restart_on(db, dir);  // nothing left to replay
  CHECK(team_spend(*store) == 6 * kAmount);
  CHECK(log_rows(*store) == 10);
  CHECK(journal_files(dir).empty());
}

STORE_TEST_CASE("spend journal: what was committed before the crash is not counted again", "[store][journal]") {
  // The crash came after a batch's commit and before its file's deletion: the store holds the
  // batch and its mark, the journal still holds its records.
  testing::TestDatabase db(TestType::name);
  auto store = store_with_team(db);
  const auto dir = testing::temp_dir() + "/journal";
  const auto id = crashed_journal(dir, spend_records(0, 10));
  std::vector<persistence::SpendLogRow> committed;
  for (int i = 0; i < 6; ++i) committed.push_back(team_log(i));
  const persistence::Store::JournalMark mark{id, 6};
  const std::vector<persistence::SpendIncrement> six = {{EntityKind::team, "team-1", 6 * kAmount}};
  CHECK(store->commit_spend_batch(committed, six, {}, mark).written);
  CHECK_FALSE(store->commit_spend_batch(committed, six, {}, mark).written);  // a retry adds nothing
  CHECK(team_spend(*store) == 6 * kAmount);

  restart_on(db, dir);
  CHECK(team_spend(*store) == 10 * kAmount);
  CHECK(log_rows(*store) == 10);
}

STORE_TEST_CASE("spend journal: a record torn by the crash is ignored, the whole ones before it are replayed",
                "[store][journal]") {
  testing::TestDatabase db(TestType::name);
  auto store = store_with_team(db);
  const auto dir = testing::temp_dir() + "/journal";
  crashed_journal(dir, spend_records(0, 5));
  const auto files = journal_files(dir);
  REQUIRE(files.size() == 1);
  const auto torn = spend_record(5);
  std::ofstream(files[0], std::ios::binary | std::ios::app).write(torn.data(), static_cast<long>(torn.size() / 2));

  restart_on(db, dir);
  CHECK(team_spend(*store) == 5 * kAmount);
  CHECK(log_rows(*store) == 5);
  CHECK(journal_files(dir).empty());
}

TEST_CASE("spend journal: a process started beside a live one takes over the directory a dead one left",
          "[store][journal]") {
  const auto dir = testing::temp_dir() + "/journal";
  SpendJournal live(dir);
  std::string dead_id;
  {
    SpendJournal dead(dir);  // takes dir.1; its process "dies": files stay, the lock goes
    dead_id = dead.id();
    REQUIRE(dead.append(spend_record(1)) == 1);
  }
  SpendJournal restarted(dir);
  CHECK(restarted.dir() == dir + ".1");
  REQUIRE(restarted.leftovers().size() == 1);
  CHECK(restarted.leftovers()[0].journal_id == dead_id);
}
