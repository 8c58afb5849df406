#pragma once
// What a received change message means for the node's cache, from the sequence numbers seen
// so far: each sender instance numbers its messages 1, 2, 3…; a jump means one was lost on the
// way (the sender's queue was full, or it could not be decoded) and the receiver cannot know
// what it said. Pure.
#include <cstdint>
#include <unordered_map>

namespace tollgate::cluster {

enum class Arrival {
  own,    // this node's own message: it invalidated its cache when it committed
  apply,  // in order (or a repeat): drop what it names
  gap,    // something before it was lost: drop everything
};

class ChangeStreams {
 public:
  explicit ChangeStreams(std::uint64_t own_instance) : own_(own_instance) {}

  Arrival arrive(std::uint64_t instance, std::uint64_t sequence);
  // After (re)subscribing, when the cache was emptied: no sender's earlier numbers matter.
  void reset() { last_.clear(); }

 private:
  std::uint64_t own_;
  std::unordered_map<std::uint64_t, std::uint64_t> last_;  // instance → last sequence seen
};

}  // namespace tollgate::cluster
