// The spend writer's encoded rows: read back in order, field for field, in chunks of any size,
// across the buffer's blocks (a row larger than a block included) and after absorbing another.
#include <catch2/catch.hpp>

#include "spend/spend_log_buffer.h"

using namespace tollgate;
using persistence::SpendLogRow;
using spend::SpendLogBuffer;

namespace {

SpendLogRow row_of(int i) {
  SpendLogRow row;
  row.request_id = "req-" + std::to_string(i);
  row.response_id = i % 3 == 0 ? "" : "chatcmpl-" + std::to_string(i);
  row.call_type = "acompletion";
  row.api_key = std::string(64, static_cast<char>('a' + i % 6));
  row.spend = 0.125 * i;
  row.prompt_tokens = i;
  row.completion_tokens = 2 * i;
  row.total_tokens = 3 * i;
  row.start_time = 1'700'000'000'000 + i;
  row.end_time = 1'700'000'000'100 + i;
  row.model = "gpt-x";
  row.model_group = "group";
  row.model_id = "dep-" + std::to_string(i % 4);
  row.provider = "openai";
  if (i % 2 == 0) row.user_id = "user-" + std::to_string(i);
  if (i % 5 == 0) row.team_id = "team-1";
  if (i % 7 == 0) row.end_user = std::string("nul\0inside", 10);
  row.status = i % 11 == 0 ? "failure" : "success";
  // Row 40 is larger than a block (16 KiB): it gets a block of its own.
  row.metadata = i == 40 ? std::string(40'000, 'm') : "{\"i\":" + std::to_string(i) + "}";
  return row;
}

void check_same(const SpendLogRow& got, const SpendLogRow& want) {
  CHECK(got.request_id == want.request_id);
  CHECK(got.response_id == want.response_id);
  CHECK(got.call_type == want.call_type);
  CHECK(got.api_key == want.api_key);
  CHECK(got.spend == want.spend);
  CHECK(got.prompt_tokens == want.prompt_tokens);
  CHECK(got.completion_tokens == want.completion_tokens);
  CHECK(got.total_tokens == want.total_tokens);
  CHECK(got.start_time == want.start_time);
  CHECK(got.end_time == want.end_time);
  CHECK(got.model == want.model);
  CHECK(got.model_group == want.model_group);
  CHECK(got.model_id == want.model_id);
  CHECK(got.provider == want.provider);
  CHECK(got.user_id == want.user_id);
  CHECK(got.team_id == want.team_id);
  CHECK(got.organization_id == want.organization_id);
  CHECK(got.end_user == want.end_user);
  CHECK(got.status == want.status);
  CHECK(got.metadata == want.metadata);
}

// Every row of the buffer, read `chunk_size` at a time.
std::vector<SpendLogRow> read_all(const SpendLogBuffer& buffer, std::size_t chunk_size) {
  std::vector<SpendLogRow> all;
  std::vector<SpendLogRow> chunk;
  SpendLogBuffer::Reader reader(buffer);
  while (reader.next(chunk_size, chunk)) {
    CHECK(chunk.size() <= chunk_size);
    all.insert(all.end(), chunk.begin(), chunk.end());
  }
  CHECK_FALSE(reader.next(chunk_size, chunk));  // stays at the end
  return all;
}

}  // namespace

TEST_CASE("spend log buffer: rows read back in order, whole, in chunks of any size", "[spend]") {
  SpendLogBuffer buffer;
  for (int i = 0; i < 300; ++i) buffer.push(row_of(i));
  REQUIRE(buffer.size() == 300);
  for (std::size_t chunk_size : {std::size_t{1}, std::size_t{7}, std::size_t{200}, std::size_t{1000}}) {
    const auto rows = read_all(buffer, chunk_size);
    REQUIRE(rows.size() == 300);
    for (int i = 0; i < 300; ++i) check_same(rows[static_cast<std::size_t>(i)], row_of(i));
  }
}

TEST_CASE("spend log buffer: an empty buffer yields nothing, absorb keeps the order and empties the other", "[spend]") {
  SpendLogBuffer empty;
  CHECK(empty.empty());
  CHECK(read_all(empty, 5).empty());

  SpendLogBuffer first;
  SpendLogBuffer later;
  for (int i = 0; i < 90; ++i) first.push(row_of(i));
  for (int i = 90; i < 130; ++i) later.push(row_of(i));
  first.absorb(std::move(later));
  CHECK(later.empty());
  first.push(row_of(130));  // appended after the absorbed rows
  const auto rows = read_all(first, 33);
  REQUIRE(rows.size() == 131);
  for (int i = 0; i < 131; ++i) check_same(rows[static_cast<std::size_t>(i)], row_of(i));
}
