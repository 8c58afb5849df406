// The snapshot cell: readers see what was published, a reader's copy refreshes only on change.
#include <catch2/catch.hpp>

#include <string>

#include "cluster/snapshot_cell.h"

using tollgate::cluster::SnapshotCell;

TEST_CASE("a reader sees each published snapshot and keeps its copy between publications", "[unit][cluster]") {
  SnapshotCell<std::string> cell(std::make_shared<const std::string>("first"));
  SnapshotCell<std::string>::Reader reader(cell);
  const auto& first = reader.get();
  CHECK(first == "first");
  CHECK(&reader.get() == &first);  // no publication: the same object, no reload

  const auto before = cell.version();
  cell.publish(std::make_shared<const std::string>("second"));
  CHECK(cell.version() == before + 1);
  CHECK(*cell.load() == "second");
  CHECK(reader.get() == "second");

  // A snapshot a reader holds stays valid after the cell moved on.
  const auto held = cell.load();
  cell.publish(std::make_shared<const std::string>("third"));
  CHECK(*held == "second");
  CHECK(reader.get() == "third");
}
