#pragma once
// The change fan-out in Prometheus: messages published, received and dropped, propagation lag
// (commit on one node → applied on another), and the times a node emptied its key cache
// because changes may have been missed.
namespace prometheus {
class Counter;
class Histogram;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace tollgate::cluster {

class ChangeMetrics {
 public:
  explicit ChangeMetrics(prometheus::Registry& registry);

  void published();
  void dropped();  // the publish queue was full
  void received(double lag_seconds);
  enum class EmptiedBecause { subscribed, sequence_gap, undecodable };
  void cache_emptied(EmptiedBecause reason);

 private:
  prometheus::Counter& published_;
  prometheus::Counter& dropped_;
  prometheus::Counter& received_;
  prometheus::Histogram& lag_;
  prometheus::Family<prometheus::Counter>& emptied_;
  prometheus::Counter& emptied_subscribed_;
  prometheus::Counter& emptied_gap_;
  prometheus::Counter& emptied_undecodable_;
};

}  // namespace tollgate::cluster
