#pragma once
// An Exchange without a socket: tests call the router or a handler directly and read back
// what it answered (Seastar-style handler tests).
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "http/exchange.h"

namespace tollgate::testing {

class FakeExchange : public http::Exchange {
 public:
  FakeExchange(http::Method method, std::string target, std::string body = "",
               std::map<std::string, std::string> headers = {});

  std::string_view header(std::string_view name) const override;
  // No event loop: the calling thread counts as the executor, and posted work runs at once.
  bool running_on_executor() const override { return true; }
  void post(std::function<void()> fn) override { fn(); }
  bool client_gone() const override { return gone_; }

  // Waits (up to 5 s) until a response or a finished stream exists.
  bool wait_done();
  int status() const { return response_.status; }
  const http::Response& response() const { return response_; }
  const std::vector<std::string>& chunks() const { return chunks_; }
  int responses() const { return responses_; }
  bool aborted() const { return aborted_; }
  void disconnect();

 protected:
  void respond_here(http::Response response) override;
  void start_stream_here(int status, http::Headers headers, std::string content_type) override;
  void send_chunk_here(std::string data) override;
  void finish_stream_here() override;
  void abort_stream_here() override;
  void on_client_gone_here(std::function<void()> callback) override { on_gone_ = std::move(callback); }

 private:
  std::map<std::string, std::string> headers_;  // lower-case names
  mutable std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  bool aborted_ = false;  // the stream ended incomplete (abort_stream)
  bool gone_ = false;
  int responses_ = 0;
  http::Response response_;
  std::vector<std::string> chunks_;
  std::function<void()> on_gone_;
};

}  // namespace tollgate::testing
