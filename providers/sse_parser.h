#pragma once
// Incremental Server-Sent Events parser (the WHATWG event-stream format): bytes may arrive
// split anywhere, even inside a "\r\n" pair or a UTF-8 sequence; complete events come out as
// soon as their terminating blank line has arrived.
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::providers {

struct SseEvent {
  std::string event;  // "" when the event has no `event:` field
  std::string data;   // `data:` lines joined with "\n"
  std::string id{};   // the last `id:` seen in the stream so far (ids persist across events)
};

class SseParser {
 public:
  // Appends every event completed by `bytes` to `out`.
  void feed(std::string_view bytes, std::vector<SseEvent>& out);
  // End of stream: dispatches a last event that had no terminating blank line.
  void finish(std::vector<SseEvent>& out);
  // Bytes held for an unfinished line or event; callers cap it to bound memory.
  std::size_t buffered() const { return line_.size() + current_.data.size() + current_.event.size(); }

 private:
  void on_line(std::string_view line, std::vector<SseEvent>& out);
  void on_field(std::string_view field, std::string_view value);
  void dispatch(std::vector<SseEvent>& out);

  std::string line_;        // the start of a line whose end has not arrived yet
  bool skip_lf_ = false;    // the last chunk ended in '\r': a '\n' starting the next one ends no line
  bool first_line_ = true;  // a UTF-8 byte order mark may precede the first line
  bool has_data_ = false;
  SseEvent current_;
  std::string last_id_;
};

}  // namespace tollgate::providers
