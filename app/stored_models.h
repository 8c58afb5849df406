#pragma once
// The models stored through /model/new as deployments: each row's provider key opened with
// the salt key, the row parsed and validated as a config file entry. A row that cannot be
// used (its key does not open under this salt key, or it no longer validates) is left out and
// logged by id, never with its parameters; the others load.
#include <vector>

#include "config/config.h"
#include "config/environment.h"
#include "core/secret_box.h"

namespace tollgate::persistence {
class Store;
}

namespace tollgate::app {

std::vector<config::Deployment> load_stored_models(persistence::Store& store, const core::SecretBox& secrets,
                                                   const config::Environment& environment);

}  // namespace tollgate::app
