#pragma once
// What the store throws. Messages are safe to log and to show an administrator: they never
// contain the connection string, a password or a cleartext key.
#include <stdexcept>
#include <string>

namespace tollgate::persistence {

// Any failure of the database or of a statement (unreachable server, syntax, I/O, ...).
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The change conflicts with related rows: a referenced row is missing (foreign key) or the
// row is still referenced (deleting an organization that has teams, a budget still in use).
class ConflictError : public StoreError {
 public:
  using StoreError::StoreError;
};

// A row with the same primary key or unique column (e.g. user_email) already exists.
// The management API answers it with 400/409 rather than 500.
class DuplicateError : public StoreError {
 public:
  using StoreError::StoreError;
};

// The database is at a schema version newer than this binary's migrations: a newer Tollgate
// migrated it. Start-up stops on it (downgrades are refused; persistence/migrations.h).
class SchemaTooNewError : public StoreError {
 public:
  using StoreError::StoreError;
};

}  // namespace tollgate::persistence
