// The SQLite file's disk full (issue #15, item 5), on a real small file system (a 4 MiB tmpfs;
// mounting needs root, as scripts/test runs here): readiness goes down naming the database,
// writes that cannot land fail with an error envelope, inference goes on, nothing crashes; once
// space returns readiness and writes come back (the spend kept meanwhile lands), and the
// database file passes integrity_check.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/test_gateway.h"

using namespace tollgate::testing;
using namespace std::chrono_literals;

namespace {

const std::string kChat = R"({"model":"m","messages":[{"role":"user","content":"disk full?"}]})";

// A tmpfs of `size` mounted on a fresh directory, unmounted at the end.
class SmallDisk {
 public:
  explicit SmallDisk(const std::string& size) {
    char dir[] = "/tmp/tollgate-small-disk.XXXXXX";
    path_ = ::mkdtemp(dir);
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
    ::rmdir(path_.c_str());
  }
  bool mounted() const { return mounted_; }
  const std::string& path() const { return path_; }

  // Writes a filler file until the file system refuses (ENOSPC).
  void fill() {
    std::FILE* f = std::fopen((path_ + "/filler").c_str(), "wb");
    REQUIRE(f != nullptr);
    const std::string block(4096, 'x');
    while (std::fwrite(block.data(), 1, block.size(), f) == block.size() && std::fflush(f) == 0) {
    }
    std::fclose(f);
  }
  void free_space() { std::remove((path_ + "/filler").c_str()); }

 private:
  std::string path_;
  bool mounted_ = false;
};

// Readiness polls every 5 s: waits up to 15 s for the database's status.
bool database_becomes(const TestGateway& gw, const std::string& wanted, std::string& error) {
  for (int tries = 0; tries < 150; ++tries) {
    const auto reply = http_request(gw.port(), "GET", "/health/readiness");
    rapidjson::Document d;
    d.Parse(reply.body.c_str());
    if (d.IsObject() && d.HasMember("checks") && d["checks"].HasMember("database")) {
      const auto& db = d["checks"]["database"];
      if (db["status"].GetString() == wanted) {
        error = db.HasMember("error") ? db["error"].GetString() : "";
        return true;
      }
    }
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// The first column of the rows `sql` returns, concatenated.
std::string query_text(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  std::string result;
  sqlite3_exec(
      db, sql,
      [](void* out, int, char** values, char**) {
        *static_cast<std::string*>(out) += values[0] ? values[0] : "";
        return 0;
      },
      &result, nullptr);
  sqlite3_close(db);
  return result;
}

}  // namespace

TEST_CASE("the SQLite file's disk full: readiness down, writes refused cleanly, all back when space returns",
          "[integration][faults][sqlite]") {
  SmallDisk disk("4m");
  if (!disk.mounted()) {
    WARN("cannot mount a tmpfs (not root): the disk-full test did not run");
    return;
  }
  const std::string db_path = disk.path() + "/tollgate.db";
  {
    TestGateway gw(
        "model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n"
        "general_settings: {sqlite_path: " +
        db_path + "}\n");
    std::string error;
    REQUIRE(database_becomes(gw, "ok", error));
    const auto before = issue_key(gw, R"({"max_budget": 10})");
    REQUIRE(before.rfind("sk-", 0) == 0);

    disk.fill();
    REQUIRE(database_becomes(gw, "failing", error));
    CHECK_THAT(error, Catch::Contains("disk full"));
    // A write that cannot land: an error envelope, not a crash or a hang.
    const auto refused =
        http_request(gw.port(), "POST", "/key/generate", R"({"max_budget": 10})", bearer(gw.master_key()));
    CHECK(refused.status >= 500);
    CHECK_THAT(refused.body, Catch::Contains(R"("error")"));
    // Inference needs no write on its path: served (its spend waits in memory and the journal).
    CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(before)).status == 200);

    disk.free_space();
    REQUIRE(database_becomes(gw, "ok", error));
    const auto after = issue_key(gw, R"({"max_budget": 10})");
    CHECK(after.rfind("sk-", 0) == 0);
    CHECK(http_request(gw.port(), "POST", "/v1/chat/completions", kChat, bearer(after)).status == 200);
  }
  CHECK(query_text(db_path, "PRAGMA integrity_check") == "ok");
  // The spend of the call served while the disk was full reached the store once space returned
  // (the writer kept it and retried), with the later call's: two rows.
  CHECK(query_text(db_path, "SELECT count(*) FROM spend_logs") == "2");
}
