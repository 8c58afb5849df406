#pragma once
// What the cluster's admission needs from the cluster: who owns an entity, who else is alive,
// and a way to reach them. cluster/ implements it over the ring and CAF remote actors; tests
// connect several gateways' admissions in one process.
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/lease.h"
#include "core/lease_handover.h"
#include "core/result.h"

namespace tollgate::actors {

class LeaseNetwork {
 public:
  struct Node {
    std::string id;
    std::string endpoint;  // empty for this node
  };
  virtual ~LeaseNetwork() = default;

  // The owner of an entity on the current ring.
  virtual Node owner_of(std::string_view entity) const = 0;
  // Every live member except this node.
  virtual std::vector<Node> peers() const = 0;
  // `done` runs exactly once, on any thread.
  virtual void request_lease(const Node& owner, core::LeaseRequest request,
                             std::function<void(core::Result<core::LeaseGrant>)> done) = 0;
  virtual void request_handover(const Node& peer, core::HandoverQuery query,
                                std::function<void(core::Result<core::HandoverAnswer>)> done) = 0;

  // The write-ahead record of what `node` may have spent that the store may not show
  // (cluster/exposure_log.h): `then` runs once it is kept. Without a place to keep it (a
  // cluster without Redis, tests), nothing is kept and a dead node's unflushed spend is not
  // counted by the next owner (docs/cluster.md).
  virtual void record_exposure(const std::string& entity, const std::string& node, const core::Exposure& exposure,
                               std::function<void()> then) {
    (void)entity, (void)node, (void)exposure;
    then();
  }
  using ExposureRecords = std::vector<std::pair<std::string, core::Exposure>>;
  virtual void read_exposure(const std::string& entity, std::function<void(ExposureRecords)> done) {
    (void)entity;
    done({});
  }
};

}  // namespace tollgate::actors
