#pragma once
// A key's row in a SQLite store, for actor tests whose budgets must exist (or exist again) in
// the store: an entity whose row is missing counts as deleted (actors/owner_retirement.h).
#include <string>

namespace tollgate::testing {

// Migrates the database at `sqlite_path` if needed and inserts a key with `token_hash`.
void insert_key_row(const std::string& sqlite_path, const std::string& token_hash);

}  // namespace tollgate::testing
