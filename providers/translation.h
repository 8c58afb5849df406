#pragma once
// The result of translating a body between provider APIs: the translated body, or the error
// the client gets. A request the gateway cannot translate is the client's to fix (400); an
// upstream response it cannot translate is the provider's fault (502).
#include <string>

#include "core/result.h"

namespace tollgate::providers {

using Translation = core::Result<std::string>;

inline core::ApiError untranslatable_request(std::string message) { return core::bad_request(std::move(message)); }
inline core::ApiError untranslatable_response(std::string message) { return core::bad_gateway(std::move(message)); }

}  // namespace tollgate::providers
