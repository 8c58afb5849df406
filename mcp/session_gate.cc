#include "mcp/session_gate.h"

namespace tollgate::mcp {

SessionGate::Step SessionGate::admit(const std::shared_ptr<PendingCall>& call) {
  std::lock_guard lock(mutex_);
  if (state_ == State::ready) return Step::send;
  waiting_.push_back(call);
  if (state_ == State::starting) return Step::wait;
  state_ = State::starting;
  ++epoch_;
  return Step::start;
}

std::uint64_t SessionGate::epoch() const {
  std::lock_guard lock(mutex_);
  return epoch_;
}

bool SessionGate::ready() const {
  std::lock_guard lock(mutex_);
  return state_ == State::ready;
}

std::vector<std::shared_ptr<PendingCall>> SessionGate::open(std::uint64_t epoch) {
  std::lock_guard lock(mutex_);
  if (epoch != epoch_ || state_ != State::starting) return {};
  state_ = State::ready;
  std::vector<std::shared_ptr<PendingCall>> out;
  out.swap(waiting_);
  return out;
}

std::vector<std::shared_ptr<PendingCall>> SessionGate::close(std::uint64_t epoch) {
  std::lock_guard lock(mutex_);
  if (epoch != 0 && epoch != epoch_) return {};
  state_ = State::fresh;
  std::vector<std::shared_ptr<PendingCall>> out;
  out.swap(waiting_);
  return out;
}

void InFlight::add(const std::shared_ptr<PendingCall>& call) {
  std::lock_guard lock(mutex_);
  // Calls that ended without an answer (deadline, cancel) leave their entries behind.
  for (auto it = calls_.begin(); it != calls_.end();) {
    it = it->second->finished() ? calls_.erase(it) : std::next(it);
  }
  calls_[call->upstream_id()] = call;
}

std::shared_ptr<PendingCall> InFlight::take(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(id);
  if (it == calls_.end()) return nullptr;
  auto call = std::move(it->second);
  calls_.erase(it);
  return call;
}

std::shared_ptr<PendingCall> InFlight::by_progress_token(const std::string& token) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, call] : calls_) {
    if (call->call().progress_token == token) return call;
  }
  return nullptr;
}

std::vector<std::shared_ptr<PendingCall>> InFlight::drain() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<PendingCall>> out;
  for (auto& [id, call] : calls_) out.push_back(std::move(call));
  calls_.clear();
  return out;
}

}  // namespace tollgate::mcp
