#include "tests/support/fake_exchange.h"

#include "core/ascii_case.h"

namespace tollgate::testing {

FakeExchange::FakeExchange(http::Method method, std::string target, std::string body,
                           std::map<std::string, std::string> headers) {
  method_ = method;
  const auto question = target.find('?');
  path_ = target.substr(0, question);
  if (question != std::string::npos) query_ = target.substr(question + 1);
  body_ = std::move(body);
  request_id_ = "test-request";
  remote_address_ = "127.0.0.1";
  for (auto& [name, value] : headers) headers_[core::ascii_lower(name)] = value;
}

std::string_view FakeExchange::header(std::string_view name) const {
  const auto it = headers_.find(core::ascii_lower(name));
  return it == headers_.end() ? std::string_view() : std::string_view(it->second);
}

void FakeExchange::respond_here(http::Response response) {
  std::lock_guard lock(mutex_);
  ++responses_;
  if (done_) return;
  response_ = std::move(response);
  done_ = true;
  done_cv_.notify_all();
}

void FakeExchange::start_stream_here(int status, http::Headers headers, std::string content_type) {
  std::lock_guard lock(mutex_);
  ++responses_;
  response_.status = status;
  response_.headers = std::move(headers);
  response_.content_type = std::move(content_type);
}

void FakeExchange::send_chunk_here(std::string data) {
  std::lock_guard lock(mutex_);
  chunks_.push_back(std::move(data));
}

void FakeExchange::finish_stream_here() {
  std::lock_guard lock(mutex_);
  done_ = true;
  done_cv_.notify_all();
}

void FakeExchange::abort_stream_here() {
  std::lock_guard lock(mutex_);
  aborted_ = true;
  done_ = true;
  done_cv_.notify_all();
}

bool FakeExchange::wait_done() {
  std::unique_lock lock(mutex_);
  return done_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return done_; });
}

void FakeExchange::disconnect() {
  gone_ = true;
  if (on_gone_) on_gone_();
}

}  // namespace tollgate::testing
