#include "persistence/transaction.h"

#include <algorithm>

namespace tollgate::persistence {

void Transaction::changed(ChangeKind kind, const std::string& id) {
  if (!listener_ || !seen_.emplace(kind, id).second) return;
  auto change = std::find_if(changes_.begin(), changes_.end(), [kind](const Change& c) { return c.kind == kind; });
  if (change == changes_.end()) change = changes_.insert(changes_.end(), Change{kind, {}});
  change->ids.push_back(id);
}

void Transaction::changed(ChangeKind kind, const std::vector<std::string>& ids) {
  for (const auto& id : ids) changed(kind, id);
}

}  // namespace tollgate::persistence
