#include "cluster/change_message.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <array>
#include <cstdio>

namespace tollgate::cluster {
namespace {

using persistence::ChangeKind;

constexpr int kVersion = 1;

constexpr std::array<std::pair<ChangeKind, std::string_view>, 8> kKindNames{{
    {ChangeKind::key, "key"},
    {ChangeKind::user, "user"},
    {ChangeKind::team, "team"},
    {ChangeKind::organization, "organization"},
    {ChangeKind::budget, "budget"},
    {ChangeKind::mcp_server, "mcp_server"},
    {ChangeKind::model, "model"},
    {ChangeKind::end_user, "end_user"},
}};

std::string_view kind_name(ChangeKind kind) {
  for (const auto& [k, name] : kKindNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<ChangeKind> kind_named(std::string_view name) {
  for (const auto& [k, n] : kKindNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

// The instance travels as hex text: JSON numbers past 2^53 do not survive every parser.
std::string hex(std::uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

std::optional<std::uint64_t> from_hex(std::string_view text) {
  if (text.empty() || text.size() > 16) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return std::nullopt;
    value = value * 16 + static_cast<std::uint64_t>(digit);
  }
  return value;
}

std::optional<persistence::Change> decode_change(const rapidjson::Value& value) {
  if (!value.IsObject() || !value.HasMember("kind") || !value["kind"].IsString() || !value.HasMember("ids") ||
      !value["ids"].IsArray()) {
    return std::nullopt;
  }
  const auto kind = kind_named(std::string_view(value["kind"].GetString(), value["kind"].GetStringLength()));
  if (!kind) return std::nullopt;
  persistence::Change change;
  change.kind = *kind;
  for (const auto& id : value["ids"].GetArray()) {
    if (!id.IsString()) return std::nullopt;
    change.ids.emplace_back(id.GetString(), id.GetStringLength());
  }
  return change;
}

}  // namespace

std::string encode(const ChangeMessage& message) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("v");
  w.Int(kVersion);
  w.Key("node");
  w.String(message.node_id.data(), static_cast<rapidjson::SizeType>(message.node_id.size()));
  w.Key("instance");
  const auto instance = hex(message.instance);
  w.String(instance.data(), static_cast<rapidjson::SizeType>(instance.size()));
  w.Key("seq");
  w.Uint64(message.sequence);
  w.Key("at_us");
  w.Int64(message.committed_at_us);
  w.Key("changes");
  w.StartArray();
  for (const auto& change : message.changes) {
    w.StartObject();
    w.Key("kind");
    const auto name = kind_name(change.kind);
    w.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    w.Key("ids");
    w.StartArray();
    for (const auto& id : change.ids) w.String(id.data(), static_cast<rapidjson::SizeType>(id.size()));
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<ChangeMessage> decode(std::string_view text) {
  rapidjson::Document d;
  d.Parse(text.data(), text.size());
  if (d.HasParseError() || !d.IsObject()) return std::nullopt;
  const auto member = [&d](const char* name) -> const rapidjson::Value* {
    const auto it = d.FindMember(name);
    return it == d.MemberEnd() ? nullptr : &it->value;
  };
  const auto* version = member("v");
  const auto* node = member("node");
  const auto* instance = member("instance");
  const auto* sequence = member("seq");
  const auto* at = member("at_us");
  const auto* changes = member("changes");
  if (!version || !version->IsInt() || version->GetInt() != kVersion || !node || !node->IsString() || !instance ||
      !instance->IsString() || !sequence || !sequence->IsUint64() || !at || !at->IsInt64() || !changes ||
      !changes->IsArray()) {
    return std::nullopt;
  }
  ChangeMessage message;
  message.node_id.assign(node->GetString(), node->GetStringLength());
  const auto id = from_hex(std::string_view(instance->GetString(), instance->GetStringLength()));
  if (!id) return std::nullopt;
  message.instance = *id;
  message.sequence = sequence->GetUint64();
  message.committed_at_us = at->GetInt64();
  for (const auto& value : changes->GetArray()) {
    auto change = decode_change(value);
    if (!change) return std::nullopt;
    message.changes.push_back(std::move(*change));
  }
  return message;
}

}  // namespace tollgate::cluster
