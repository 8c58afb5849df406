#include "core/response_access.h"

#include "core/response_id.h"

namespace tollgate::core {

bool may_use_stored_response(const Actor& actor, std::string_view owner_key_hash, StoredResponseUse use) {
  if (!owner_key_hash.empty() && owner_key_hash == actor.key_hash) return true;
  if (actor.role == Role::proxy_admin) return true;
  return actor.role == Role::proxy_admin_viewer && use == StoredResponseUse::read;
}

bool is_forwardable_response_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxResponseIdBytes) return false;
  for (const char c : id) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '_' && c != '-') return false;
  }
  return true;
}

}  // namespace tollgate::core
