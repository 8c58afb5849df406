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

// Slicing-by-8 tables: table[0] is the classic byte-at-a-time table, table[k] advances a byte
// through k more zero bytes, so eight bytes are folded per step (~6× the byte-at-a-time speed:
// a record's checksum is on the request path).
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

CrcTables make_crc_tables() {
  CrcTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (std::uint32_t i = 0; i < 256; ++i) {
    for (std::size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
  }
  return t;
}

std::uint32_t load_le32(const unsigned char* p) {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
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
  std::size_t position() const { return at_; }
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

bool valid_kind(std::uint8_t kind) { return kind <= static_cast<std::uint8_t>(EntityKind::end_user); }

bool read_spend(Reader& r, JournaledSpend& spend) {
  spend.row = read_row(r);
  const std::uint32_t count = r.u32();
  for (std::uint32_t i = 0; r.ok() && i < count; ++i) {
    const std::uint8_t kind = r.u8();
    if (!valid_kind(kind)) return false;
    SpendIncrement inc;
    inc.kind = static_cast<EntityKind>(kind);
    inc.id = r.text();
    inc.amount = r.real();
    spend.increments.push_back(std::move(inc));
  }
  // Added after the increments (schema 5), so records journaled before it still decode.
  if (r.ok() && !r.at_end()) spend.row.response_id = r.text();
  return r.ok() && r.at_end();
}

bool read_reset(Reader& r, SpendReset& reset) {
  const std::uint8_t kind = r.u8();
  if (!valid_kind(kind)) return false;
  reset.kind = static_cast<EntityKind>(kind);
  reset.id = r.text();
  if (r.u8() != 0) reset.next_reset_at = r.i64();
  return r.ok() && r.at_end();
}

// Decodes one payload into a record appended to `out` (built in place); false, appending
// nothing, when the payload is not a whole record of a known type.
bool decode_payload(std::string_view payload, std::int64_t seq, std::vector<JournalRecord>& out) {
  Reader r(payload);
  const auto type = static_cast<RecordType>(r.u8());
  bool ok = false;
  if (type == RecordType::spend) {
    out.push_back(JournalRecord{seq, JournaledSpend{}});
    ok = read_spend(r, std::get<JournaledSpend>(out.back().entry));
  } else if (type == RecordType::reset) {
    out.push_back(JournalRecord{seq, SpendReset{}});
    ok = read_reset(r, std::get<SpendReset>(out.back().entry));
  } else {
    return false;
  }
  if (!ok) out.pop_back();
  return ok;
}

}  // namespace

std::uint32_t crc32(std::string_view bytes) {
  static const CrcTables t = make_crc_tables();
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  std::uint32_t c = 0xFFFFFFFFu;
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint32_t lo = load_le32(p) ^ c;
    const std::uint32_t hi = load_le32(p + 4);
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][hi & 0xFF] ^
        t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
  }
  for (; n > 0; --n, ++p) c = t[0][(c ^ *p) & 0xFF] ^ (c >> 8);
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
  w.text(row.response_id);
  finish_frame(out);
}

void append_spend_log_row(const SpendLogRow& row, std::string& out) {
  Writer w(out);
  write_row(w, row);
  w.text(row.response_id);
}

bool read_spend_log_row(std::string_view bytes, std::size_t& at, SpendLogRow& row) {
  if (at > bytes.size()) return false;
  Reader r(bytes.substr(at));
  row = read_row(r);
  row.response_id = r.text();
  if (!r.ok()) return false;
  at += r.position();
  return true;
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
    if (!decode_payload(payload, seq++, decoded.records)) break;
    at += kFrameBytes + size;
  }
  decoded.ignored_bytes = file.size() - at;
  return decoded;
}

}  // namespace tollgate::spend
