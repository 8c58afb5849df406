#include "cluster/ring_lease_network.h"

#include <algorithm>

#include "cluster/exposure_log.h"
#include "cluster/membership.h"
#include "cluster/peer_link.h"

namespace tollgate::cluster {

RingLeaseNetwork::RingLeaseNetwork(const Membership& membership, PeerLink& link, ExposureLog* exposures)
    : membership_(membership), link_(link), exposures_(exposures) {}

actors::LeaseNetwork::Node RingLeaseNetwork::owner_of(std::string_view entity) const {
  const auto view = membership_.view();
  const auto& self = membership_.self();
  const auto owner = view ? view->ring.owner_of(entity) : std::string_view{};
  // An empty ring (no view yet) cannot happen once membership started: this node is in its
  // own view. Owning everything alone is the safe answer if it ever did.
  if (owner.empty() || owner == self.node_id) return {self.node_id, ""};
  const auto it = std::lower_bound(view->nodes.begin(), view->nodes.end(), owner,
                                   [](const NodeRecord& n, std::string_view id) { return n.node_id < id; });
  return {std::string(owner), it != view->nodes.end() && it->node_id == owner ? it->endpoint : ""};
}

std::vector<actors::LeaseNetwork::Node> RingLeaseNetwork::peers() const {
  std::vector<Node> out;
  const auto view = membership_.view();
  if (!view) return out;
  for (const auto& n : view->nodes) {
    if (n.node_id != membership_.self().node_id) out.push_back({n.node_id, n.endpoint});
  }
  return out;
}

void RingLeaseNetwork::request_lease(const Node& owner, core::LeaseRequest request,
                                     std::function<void(core::Result<core::LeaseGrant>)> done) {
  link_.request_lease(owner.endpoint, std::move(request), std::move(done));
}

void RingLeaseNetwork::request_handover(const Node& peer, core::HandoverQuery query,
                                        std::function<void(core::Result<core::HandoverAnswer>)> done) {
  link_.request_handover(peer.endpoint, std::move(query), std::move(done));
}

void RingLeaseNetwork::record_exposure(const std::string& entity, const std::string& node,
                                       const core::Exposure& exposure, std::function<void()> then) {
  if (!exposures_) {
    then();
    return;
  }
  exposures_->record(entity, node, exposure, std::move(then));
}

void RingLeaseNetwork::read_exposure(const std::string& entity, std::function<void(ExposureRecords)> done) {
  if (!exposures_) {
    done({});
    return;
  }
  exposures_->read(entity, std::move(done));
}

}  // namespace tollgate::cluster
