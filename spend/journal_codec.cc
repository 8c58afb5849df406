#include "spend/journal_codec.h"

#include <array>
#include <cstring>

namespace tollgate::spend {
namespace {

using persistence::EntityKind;
using persistence::SpendIncrement;
using persistence::SpendLogRow;
using persistence::SpendReset;

constexpr std::string_view kMagic = "TGSPJNL1";
constexpr std::size_t kFrameBytes = 8;  // length + checksum
// A record is a few hundred bytes; a length past this is a torn or foreign frame, not a record.
constexpr std::uint32_t kMaxPayloadBytes = 64u << 20;

enum class RecordType : std::uint8_t { spend = 1, reset = 2 };

std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

// Appends little-endian fields to a string.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void real(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
  }
  void text(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
  }
  void optional_text(const std::optional<std::string>& s) {
    u8(s ? 1 : 0);
    if (s) text(*s);
  }

 private:
  std::string& out_;
};

// Reads fields back; any read past the end marks the reader failed (and returns zeros).
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  bool at_end() const { return at_ == in_.size(); }
  std::uint8_t u8() { return static_cast<std::uint8_t>(bytes(1)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(bytes(4)); }
  std::uint64_t u64() { return bytes(8); }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  double real() {
    const std::uint64_t bits = u64();
    double v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
  }
  std::string text() {
    const std::uint32_t size = u32();
    if (!ok_ || in_.size() - at_ < size) return fail<std::string>();
    std::string s(in_.substr(at_, size));
    at_ += size;
    return s;
  }
  std::optional<std::string> optional_text() {
    if (u8() == 0) return std::nullopt;
    return text();
  }

 private:
  std::uint64_t bytes(std::size_t n) {
    if (!ok_ || in_.size() - at_ < n) return fail<std::uint64_t>();
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{static_cast<unsigned char>(in_[at_ + i])} << (8 * i);
    at_ += n;
    return v;
  }
  template <typename T>
  T fail() {
    ok_ = false;
    return T{};
  }

  std::string_view in_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

// Starts a frame in `out` (cleared, capacity kept); finish_frame fills in length and checksum.
void start_frame(std::string& out, RecordType type) {
  out.clear();
  out.append(kFrameBytes, '\0');
  out.push_back(static_cast<char>(type));
}

void finish_frame(std::string& out) {
  const std::string_view payload(out.data() + kFrameBytes, out.size() - kFrameBytes);
  std::string header;
  Writer w(header);
  w.u32(static_cast<std::uint32_t>(payload.size()));
  w.u32(crc32(payload));
  out.replace(0, kFrameBytes, header);
}

void write_row(Writer& w, const SpendLogRow& row) {
  w.text(row.request_id);
  w.text(row.call_type);
  w.text(row.api_key);
  w.real(row.spend);
  w.i64(row.prompt_tokens);
  w.i64(row.completion_tokens);
  w.i64(row.total_tokens);
  w.i64(row.start_time);
  w.i64(row.end_time);
  w.text(row.model);
  w.text(row.model_group);
  w.text(row.model_id);
  w.text(row.provider);
  w.optional_text(row.user_id);
  w.optional_text(row.team_id);
  w.optional_text(row.organization_id);
  w.optional_text(row.end_user);
  w.text(row.status);
  w.text(row.metadata);
}

SpendLogRow read_row(Reader& r) {
  SpendLogRow row;
  row.request_id = r.text();
  row.call_type = r.text();
  row.api_key = r.text();
  row.spend = r.real();
  row.prompt_tokens = r.i64();
  row.completion_tokens = r.i64();
  row.total_tokens = r.i64();
  row.start_time = r.i64();
  row.end_time = r.i64();
  row.model = r.text();
  row.model_group = r.text();
  row.model_id = r.text();
  row.provider = r.text();
  row.user_id = r.optional_text();
  row.team_id = r.optional_text();
  row.organization_id = r.optional_text();
  row.end_user = r.optional_text();
  row.status = r.text();
  row.metadata = r.text();
  return row;
}

bool valid_kind(std::uint8_t kind) { return kind <= static_cast<std::uint8_t>(EntityKind::organization); }

std::optional<JournalEntry> decode_payload(std::string_view payload) {
  Reader r(payload);
  const auto type = static_cast<RecordType>(r.u8());
  if (type == RecordType::spend) {
    JournaledSpend spend;
    spend.row = read_row(r);
    const std::uint32_t count = r.u32();
    for (std::uint32_t i = 0; r.ok() && i < count; ++i) {
      const std::uint8_t kind = r.u8();
      if (!valid_kind(kind)) return std::nullopt;
      SpendIncrement inc;
      inc.kind = static_cast<EntityKind>(kind);
      inc.id = r.text();
      inc.amount = r.real();
      spend.increments.push_back(std::move(inc));
    }
    if (!r.ok() || !r.at_end()) return std::nullopt;
    return JournalEntry(std::move(spend));
  }
  if (type == RecordType::reset) {
    SpendReset reset;
    const std::uint8_t kind = r.u8();
    if (!valid_kind(kind)) return std::nullopt;
    reset.kind = static_cast<EntityKind>(kind);
    reset.id = r.text();
    if (r.u8() != 0) reset.next_reset_at = r.i64();
    if (!r.ok() || !r.at_end()) return std::nullopt;
    return JournalEntry(std::move(reset));
  }
  return std::nullopt;
}

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
  static const auto table = make_crc_table();
  std::uint32_t c = 0xFFFFFFFFu;
  for (const char ch : bytes) c = table[(c ^ static_cast<unsigned char>(ch)) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

void encode_spend_record(const SpendLogRow& row, const std::vector<SpendIncrement>& increments, std::string& out) {
  start_frame(out, RecordType::spend);
  Writer w(out);
  write_row(w, row);
  w.u32(static_cast<std::uint32_t>(increments.size()));
  for (const auto& inc : increments) {
    w.u8(static_cast<std::uint8_t>(inc.kind));
    w.text(inc.id);
    w.real(inc.amount);
  }
  finish_frame(out);
}

void encode_reset_record(const SpendReset& reset, std::string& out) {
  start_frame(out, RecordType::reset);
  Writer w(out);
  w.u8(static_cast<std::uint8_t>(reset.kind));
  w.text(reset.id);
  w.u8(reset.next_reset_at ? 1 : 0);
  if (reset.next_reset_at) w.i64(*reset.next_reset_at);
  finish_frame(out);
}

std::string encode_journal_header(std::int64_t first_seq) {
  std::string out(kMagic);
  Writer(out).i64(first_seq);
  return out;
}

DecodedJournal decode_journal(std::string_view file) {
  DecodedJournal decoded;
  if (file.size() < kJournalHeaderBytes || file.substr(0, kMagic.size()) != kMagic) {
    decoded.ignored_bytes = file.size();
    return decoded;
  }
  Reader header(file.substr(kMagic.size(), 8));
  std::int64_t seq = header.i64();
  std::size_t at = kJournalHeaderBytes;
  while (file.size() - at >= kFrameBytes) {
    Reader frame(file.substr(at, kFrameBytes));
    const std::uint32_t size = frame.u32();
    const std::uint32_t checksum = frame.u32();
    if (size > kMaxPayloadBytes || file.size() - at - kFrameBytes < size) break;
    const std::string_view payload = file.substr(at + kFrameBytes, size);
    if (crc32(payload) != checksum) break;
    auto entry = decode_payload(payload);
    if (!entry) break;
    decoded.records.push_back(JournalRecord{seq++, std::move(*entry)});
    at += kFrameBytes + size;
  }
  decoded.ignored_bytes = file.size() - at;
  return decoded;
}

}  // namespace tollgate::spend
