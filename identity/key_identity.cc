#include "identity/key_identity.h"

namespace tollgate::identity {

bool KeyIdentity::usable(std::chrono::system_clock::time_point now) const {
  if (key.blocked) return false;
  if (team && team->blocked) return false;
  if (key.expires_at) {
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    if (*key.expires_at <= now_ms) return false;
  }
  return true;
}

}  // namespace tollgate::identity
