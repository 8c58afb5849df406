#include "providers/sse_parser.h"

namespace tollgate::providers {
namespace {

constexpr std::string_view kByteOrderMark = "\xEF\xBB\xBF";

}  // namespace

void SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  std::size_t pos = 0;
  if (skip_lf_ && !bytes.empty()) {
    skip_lf_ = false;
    if (bytes.front() == '\n') pos = 1;
  }
  while (pos < bytes.size()) {
    const auto end = bytes.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(pos));
      return;
    }
    // Most lines arrive whole: parse them in place instead of copying them into line_.
    if (line_.empty()) {
      on_line(bytes.substr(pos, end - pos), out);
    } else {
      line_.append(bytes.substr(pos, end - pos));
      on_line(line_, out);
      line_.clear();
    }
    pos = end + 1;
    if (bytes[end] == '\r') {
      if (pos == bytes.size()) {
        skip_lf_ = true;
      } else if (bytes[pos] == '\n') {
        ++pos;
      }
    }
  }
}

void SseParser::finish(std::vector<SseEvent>& out) {
  if (!line_.empty()) {
    on_line(line_, out);
    line_.clear();
  }
  skip_lf_ = false;
  dispatch(out);
}

void SseParser::on_line(std::string_view line, std::vector<SseEvent>& out) {
  if (first_line_) {
    first_line_ = false;
    if (line.substr(0, kByteOrderMark.size()) == kByteOrderMark) line.remove_prefix(kByteOrderMark.size());
  }
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line.front() == ':') return;  // a comment (servers send them as keep-alives)
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) {
    on_field(line, {});  // a field name alone has an empty value
    return;
  }
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  on_field(line.substr(0, colon), value);
}

void SseParser::on_field(std::string_view field, std::string_view value) {
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_.assign(value);
  }
  // Any other field is ignored, as the format requires; so is `retry:` (a reconnection delay),
  // since a relayed stream is never reconnected.
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  // An event without any data line is not dispatched; its event type is dropped with it.
  if (has_data_) {
    current_.id = last_id_;
    out.push_back(std::move(current_));
  }
  current_ = SseEvent{};
  has_data_ = false;
}

}  // namespace tollgate::providers
