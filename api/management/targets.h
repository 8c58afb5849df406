#pragma once
// Records → the authorization policy's view of them.
#include <string>

#include "core/authz.h"
#include "persistence/records.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::api {

core::Target key_target(const persistence::KeyRecord& key);
core::Target team_target(const persistence::TeamRecord& team);
core::Target user_target(persistence::Store& store, const persistence::UserRecord& user);
core::Target organization_target(const std::string& organization_id);
core::Target missing(core::Resource resource);

}  // namespace tollgate::api
