#pragma once
// Incremental Server-Sent Events parser (the WHATWG event-stream format): bytes may arrive
// split anywhere, even inside a "\r\n" pair; complete events come out as soon as their
// terminating blank line has arrived.
#include <string>
#include <string_view>
#include <vector>

namespace tollgate::providers {

struct SseEvent {
  std::string event;  // "" when the event has no `event:` field
  std::string data;   // `data:` lines joined with "\n"
};

class SseParser {
 public:
  // Appends every event completed by `bytes` to `out`.
  void feed(std::string_view bytes, std::vector<SseEvent>& out);
  // End of stream: dispatches a last event that had no terminating blank line.
  void finish(std::vector<SseEvent>& out);
  std::size_t buffered() const { return line_.size() + current_.data.size(); }

 private:
  void on_line(std::string_view line, std::vector<SseEvent>& out);
  void dispatch(std::vector<SseEvent>& out);

  std::string line_;
  bool last_was_cr_ = false;
  bool has_data_ = false;
  SseEvent current_;
};

}  // namespace tollgate::providers
