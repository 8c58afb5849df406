#include "providers/sse_parser.h"

namespace tollgate::providers {

void SseParser::feed(std::string_view bytes, std::vector<SseEvent>& out) {
  for (char c : bytes) {
    if (c == '\n' && last_was_cr_) {
      last_was_cr_ = false;  // the second half of "\r\n": the line already ended
      continue;
    }
    last_was_cr_ = c == '\r';
    if (c == '\r' || c == '\n') {
      on_line(line_, out);
      line_.clear();
    } else {
      line_.push_back(c);
    }
  }
}

void SseParser::finish(std::vector<SseEvent>& out) {
  if (!line_.empty()) {
    on_line(line_, out);
    line_.clear();
  }
  dispatch(out);
}

void SseParser::on_line(std::string_view line, std::vector<SseEvent>& out) {
  if (line.empty()) {
    dispatch(out);
    return;
  }
  if (line.front() == ':') return;  // comment
  const auto colon = line.find(':');
  const std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data.push_back('\n');
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event.assign(value);
  }
  // id and retry are not needed by the gateway.
}

void SseParser::dispatch(std::vector<SseEvent>& out) {
  if (has_data_) {
    out.push_back(std::move(current_));
  }
  current_ = SseEvent{};
  has_data_ = false;
}

}  // namespace tollgate::providers
