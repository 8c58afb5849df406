// The spend journal's format: what is written reads back field for field, and a record cut
// short or damaged by a crash ends the readable part without yielding a wrong record.
#include <catch2/catch.hpp>

#include "spend/journal_codec.h"

using namespace tollgate;
using persistence::EntityKind;
using persistence::SpendIncrement;
using persistence::SpendLogRow;
using persistence::SpendReset;
using spend::decode_journal;
using spend::JournaledSpend;

namespace {

SpendLogRow full_row(const std::string& request_id) {
  SpendLogRow row;
  row.request_id = request_id;
  row.call_type = "aembedding";
  row.api_key = "0123abcd";
  row.spend = 0.000123456789;
  row.prompt_tokens = 11;
  row.completion_tokens = 22;
  row.total_tokens = 33;
  row.start_time = 1'700'000'000'123;
  row.end_time = 1'700'000'000'456;
  row.model = "gpt-x";
  row.model_group = "group";
  row.model_id = "dep-1";
  row.provider = "openai";
  row.user_id = "user-1";
  row.team_id = std::nullopt;
  row.organization_id = "org-\xc3\xa9";  // bytes pass through as they are
  row.end_user = std::string("with\0nul", 8);
  row.status = "failure";
  row.metadata = R"({"x_request_id":"abc"})";
  row.response_id = "chatcmpl-abc";
  return row;
}

const std::vector<SpendIncrement> kIncrements = {{EntityKind::key, "0123abcd", 0.5},
                                                 {EntityKind::organization, "org-1", 0.25}};

// A journal file: its header, then `records` framed records.
std::string journal_of(const std::vector<std::string>& records, std::int64_t first_seq = 1) {
  std::string file = spend::encode_journal_header(first_seq);
  for (const auto& r : records) file += r;
  return file;
}

std::string spend_record(const std::string& request_id) {
  std::string out;
  spend::encode_spend_record(full_row(request_id), kIncrements, out);
  return out;
}

std::string reset_record(std::optional<std::int64_t> next) {
  std::string out;
  spend::encode_reset_record(SpendReset{EntityKind::team, "team-1", next}, out);
  return out;
}

}  // namespace

TEST_CASE("journal records read back field for field, with sequence numbers from the header", "[unit][journal]") {
  const auto file = journal_of({spend_record("r1"), reset_record(42), reset_record(std::nullopt)}, 7);
  const auto decoded = decode_journal(file);
  CHECK(decoded.ignored_bytes == 0);
  REQUIRE(decoded.records.size() == 3);

  CHECK(decoded.records[0].seq == 7);
  const auto& spend = std::get<JournaledSpend>(decoded.records[0].entry);
  const auto expected = full_row("r1");
  CHECK(spend.row.request_id == expected.request_id);
  CHECK(spend.row.call_type == expected.call_type);
  CHECK(spend.row.api_key == expected.api_key);
  CHECK(spend.row.spend == expected.spend);  // bit for bit
  CHECK(spend.row.prompt_tokens == 11);
  CHECK(spend.row.completion_tokens == 22);
  CHECK(spend.row.total_tokens == 33);
  CHECK(spend.row.start_time == expected.start_time);
  CHECK(spend.row.end_time == expected.end_time);
  CHECK(spend.row.model == "gpt-x");
  CHECK(spend.row.model_group == "group");
  CHECK(spend.row.model_id == "dep-1");
  CHECK(spend.row.provider == "openai");
  CHECK(spend.row.user_id == expected.user_id);
  CHECK_FALSE(spend.row.team_id.has_value());
  CHECK(spend.row.organization_id == expected.organization_id);
  CHECK(spend.row.end_user == expected.end_user);
  CHECK(spend.row.status == "failure");
  CHECK(spend.row.metadata == expected.metadata);
  CHECK(spend.row.response_id == "chatcmpl-abc");
  REQUIRE(spend.increments.size() == 2);
  CHECK(spend.increments[1].kind == EntityKind::organization);
  CHECK(spend.increments[1].id == "org-1");
  CHECK(spend.increments[1].amount == 0.25);

  CHECK(decoded.records[1].seq == 8);
  const auto& reset = std::get<SpendReset>(decoded.records[1].entry);
  CHECK(reset.kind == EntityKind::team);
  CHECK(reset.id == "team-1");
  CHECK(reset.next_reset_at == 42);
  CHECK(decoded.records[2].seq == 9);
  CHECK_FALSE(std::get<SpendReset>(decoded.records[2].entry).next_reset_at.has_value());
}

TEST_CASE("a spend record journaled before response ids (schema 4) still reads back", "[unit][journal]") {
  auto row = full_row("r-old");
  row.response_id.clear();
  std::string record;
  spend::encode_spend_record(row, kIncrements, record);
  // The old layout ended after the increments: drop the empty response id (a 4-byte length)
  // and frame the payload again (length, CRC-32).
  std::string payload = record.substr(8, record.size() - 8 - 4);
  std::string old_record;
  for (const std::uint32_t v : {static_cast<std::uint32_t>(payload.size()), spend::crc32(payload)}) {
    for (int i = 0; i < 4; ++i) old_record.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  old_record += payload;
  const auto decoded = decode_journal(journal_of({old_record}));
  CHECK(decoded.ignored_bytes == 0);
  REQUIRE(decoded.records.size() == 1);
  const auto& spend = std::get<JournaledSpend>(decoded.records[0].entry);
  CHECK(spend.row.request_id == "r-old");
  CHECK(spend.row.response_id.empty());
  CHECK(spend.increments.size() == 2);
}

TEST_CASE("a torn last record is ignored at every length it can be cut to", "[unit][journal]") {
  const std::string whole = journal_of({spend_record("r1"), spend_record("r2")});
  const std::size_t second_starts = journal_of({spend_record("r1")}).size();
  for (std::size_t cut = second_starts; cut < whole.size(); ++cut) {
    const auto decoded = decode_journal(std::string_view(whole).substr(0, cut));
    INFO("cut at " << cut);
    REQUIRE(decoded.records.size() == 1);
    CHECK(std::get<JournaledSpend>(decoded.records[0].entry).row.request_id == "r1");
    CHECK(decoded.ignored_bytes == cut - second_starts);
  }
  CHECK(decode_journal(whole).records.size() == 2);
}

TEST_CASE("a damaged record ends the readable part: nothing after it is trusted", "[unit][journal]") {
  const std::string first = spend_record("r1");
  const std::string header = spend::encode_journal_header(1);
  for (std::size_t byte = 0; byte < first.size(); ++byte) {
    std::string file = journal_of({first, spend_record("r2")});
    file[header.size() + byte] ^= 0x40;
    const auto decoded = decode_journal(file);
    INFO("byte " << byte);
    CHECK(decoded.records.empty());
    CHECK(decoded.ignored_bytes == file.size() - header.size());
  }
}

TEST_CASE("a file without a whole header, or with another magic, has no records", "[unit][journal]") {
  const std::string file = journal_of({spend_record("r1")});
  CHECK(decode_journal("").records.empty());
  CHECK(decode_journal(file.substr(0, 15)).records.empty());
  std::string foreign = file;
  foreign[0] = 'X';
  const auto decoded = decode_journal(foreign);
  CHECK(decoded.records.empty());
  CHECK(decoded.ignored_bytes == foreign.size());
  CHECK(decode_journal(spend::encode_journal_header(5)).records.empty());
}

TEST_CASE("encoding reuses the caller's buffer", "[unit][journal]") {
  std::string buffer;
  spend::encode_spend_record(full_row("a-long-request-id-to-grow-the-buffer"), kIncrements, buffer);
  const auto capacity = buffer.capacity();
  const char* data = buffer.data();
  spend::encode_spend_record(full_row("short"), kIncrements, buffer);
  CHECK(buffer.capacity() == capacity);
  CHECK(buffer.data() == data);
  CHECK(decode_journal(spend::encode_journal_header(1) + buffer).records.size() == 1);
}

TEST_CASE("crc32 is the IEEE checksum", "[unit][journal]") {
  CHECK(spend::crc32("123456789") == 0xCBF43926u);
  CHECK(spend::crc32("") == 0u);
}
