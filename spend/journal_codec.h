#pragma once
// The spend journal's on-disk format (pure: bytes in, bytes out; no I/O).
//
// A journal file is a 16-byte header — the magic "TGSPJNL1" and the sequence number of the
// file's first record (u64, little-endian) — followed by records. A record's sequence number is
// not stored: it is the file's first one plus the record's position, since records are appended
// in sequence order. Each record is framed as
//
//   u32 payload length | u32 CRC-32 of the payload | payload
//
// so a record torn by a crash (a short tail, or bytes that never reached the disk) fails its
// length or its checksum and ends the file's readable part; nothing after it is trusted. The
// payload is a type byte (1 = spend, 2 = reset) followed by the fields, little-endian: integers
// as 8 bytes, doubles as their 8-byte IEEE bits, strings as u32 length + bytes, optional
// values as a presence byte + the value.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "persistence/records.h"

namespace tollgate::spend {

constexpr std::size_t kJournalHeaderBytes = 16;

struct JournaledSpend {
  persistence::SpendLogRow row;
  std::vector<persistence::SpendIncrement> increments;
};
using JournalEntry = std::variant<JournaledSpend, persistence::SpendReset>;

struct JournalRecord {
  std::int64_t seq = 0;
  JournalEntry entry;
};

struct DecodedJournal {
  std::vector<JournalRecord> records;
  // Bytes after the last whole record: a torn tail (or a broken header) was ignored.
  std::size_t ignored_bytes = 0;
};

// Replace `out` with one framed record. `out` keeps its capacity, so a caller that reuses its
// buffer encodes without allocating once the buffer has grown to the largest record.
void encode_spend_record(const persistence::SpendLogRow& row,
                         const std::vector<persistence::SpendIncrement>& increments, std::string& out);
void encode_reset_record(const persistence::SpendReset& reset, std::string& out);

std::string encode_journal_header(std::int64_t first_seq);

// One spend-log row as the records lay it out, unframed (no length, checksum or type), appended
// to `out`: the spend writer's compact form of the rows waiting for the store.
void append_spend_log_row(const persistence::SpendLogRow& row, std::string& out);
// Reads the row append_spend_log_row wrote at `at` in `bytes` into `row` and moves `at` past
// it; false (nothing moved) when the bytes there are not a whole row.
bool read_spend_log_row(std::string_view bytes, std::size_t& at, persistence::SpendLogRow& row);

// Every whole record of a file's bytes, in order, with its sequence number. A file shorter
// than its header or with another magic yields no records.
DecodedJournal decode_journal(std::string_view file);

std::uint32_t crc32(std::string_view bytes);

}  // namespace tollgate::spend
