#include "tools/mock/stats.h"

#include <chrono>

#include "tools/mock/json_out.h"

namespace tollgate::mock {

namespace {

// Distinct paths and models counted; beyond that a scanner or a test generating names would
// only grow memory.
constexpr std::size_t kMaxDistinctKeys = 10'000;

void count(std::map<std::string, std::uint64_t, std::less<>>& counts, std::string_view key, std::uint64_t n = 1) {
  if (const auto it = counts.find(key); it != counts.end()) {
    it->second += n;
  } else if (counts.size() < kMaxDistinctKeys) {
    counts.emplace(std::string(key), n);
  }
}

void append_counts(std::string& out, const std::map<std::string, std::uint64_t, std::less<>>& counts) {
  out += '{';
  bool first = true;
  for (const auto& [key, n] : counts) {
    if (!first) {
      out += ',';
    }
    first = false;
    append_json_string(out, key);
    out += ':';
    append_uint(out, n);
  }
  out += '}';
}

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

void StatsShard::record(std::string_view path, std::string_view model, Request& request) {
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  std::lock_guard lock(mutex_);
  ++requests_;
  count(by_path_, path);
  if (!model.empty()) {
    count(by_model_, model);
  }
  std::swap(last_, request);
  last_at_ = now;
}

Stats::Stats(int shards) {
  for (int i = 0; i < shards; ++i) {
    shards_.push_back(std::make_unique<StatsShard>());
  }
}

std::string Stats::snapshot_json() {
  std::uint64_t requests = 0;
  std::uint64_t aborts = 0;
  std::int64_t open = 0;
  StatsShard::Counts by_path;
  StatsShard::Counts by_model;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex_);
    requests += shard->requests_;
    for (const auto& [key, n] : shard->by_path_) count(by_path, key, n);
    for (const auto& [key, n] : shard->by_model_) count(by_model, key, n);
    aborts += shard->client_aborts_.load(std::memory_order_relaxed);
    open += shard->open_connections_.load(std::memory_order_relaxed);
  }
  std::string out = R"({"requests":)";
  append_uint(out, requests);
  out += R"(,"by_path":)";
  append_counts(out, by_path);
  out += R"(,"by_model":)";
  append_counts(out, by_model);
  out += R"(,"client_aborts":)";
  append_uint(out, aborts);
  out += R"(,"open_connections":)";
  append_int(out, open);
  out += '}';
  return out;
}

void Stats::reset() {
  for (const auto& shard : shards_) {
    Request forgotten;
    std::lock_guard lock(shard->mutex_);
    shard->requests_ = 0;
    shard->by_path_.clear();
    shard->by_model_.clear();
    shard->client_aborts_.store(0, std::memory_order_relaxed);
    std::swap(shard->last_, forgotten);
    shard->last_at_ = 0;
  }
}

bool Stats::last_json(std::string& out) {
  StatsShard* newest = nullptr;
  std::int64_t newest_at = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex_);
    if (shard->last_at_ > newest_at) {
      newest_at = shard->last_at_;
      newest = shard.get();
    }
  }
  if (newest == nullptr) {
    return false;
  }
  std::lock_guard lock(newest->mutex_);
  if (newest->last_at_ == 0) {
    return false;  // reset in between
  }
  const Request& request = newest->last_;
  // Repeated headers are joined with ", " as HTTP allows; names are lowercased.
  std::map<std::string, std::string> headers;
  for (const auto& field : request) {
    std::string name(view(field.name_string()));
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') {
        c = static_cast<char>(c - 'A' + 'a');
      }
    }
    auto& value = headers[name];
    if (!value.empty()) {
      value += ", ";
    }
    value += view(field.value());
  }
  out += R"({"method":)";
  append_json_string(out, view(request.method_string()));
  out += R"(,"path":)";
  append_json_string(out, view(request.target()));
  out += R"(,"headers":{)";
  bool first = true;
  for (const auto& [name, value] : headers) {
    if (!first) {
      out += ',';
    }
    first = false;
    append_json_string(out, name);
    out += ':';
    append_json_string(out, value);
  }
  out += R"(},"body":)";
  append_json_string(out, request.body());
  out += '}';
  return true;
}

}  // namespace tollgate::mock
