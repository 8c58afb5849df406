#include "tests/support/key_rows.h"

#include "persistence/store.h"

namespace tollgate::testing {

void insert_key_row(const std::string& sqlite_path, const std::string& token_hash) {
  auto store = persistence::Store::open("", sqlite_path);
  store->migrate();
  persistence::KeyRecord key;
  key.token_hash = token_hash;
  key.key_name = "sk-..." + token_hash;
  store->insert_key(key, persistence::AuditEntry{"t", "created", "", "", "", ""});
}

}  // namespace tollgate::testing
