#pragma once
// The Store writes SQL with PostgreSQL's `$N` placeholders. SQLite reads `$N` as a *named*
// parameter and numbers names by first appearance, so binding by name costs a linear scan per
// parameter (quadratic for a 3,800-parameter multi-row insert: it once took half the gateway's
// CPU). `?N` is SQLite's numbered form: parameter N has index N, and binding needs no lookup.
#include <string>
#include <string_view>

namespace tollgate::persistence {

// Rewrites every `$N` outside quoted strings and identifiers as `?N`.
std::string sqlite_numbered_placeholders(std::string_view sql);

}  // namespace tollgate::persistence
