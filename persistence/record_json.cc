#include "persistence/record_json.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tollgate::persistence {
namespace {

// A thin writer with one overload per field shape; nullopt is written as null.
class JsonObject {
 public:
  JsonObject() : writer_(buffer_) { writer_.StartObject(); }

  JsonObject& field(const char* name, const std::string& value) {
    writer_.Key(name);
    writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
    return *this;
  }
  JsonObject& field(const char* name, const char* value) { return field(name, std::string(value)); }
  JsonObject& field(const char* name, const std::optional<std::string>& value) {
    return value ? field(name, *value) : null(name);
  }
  JsonObject& field(const char* name, std::int64_t value) {
    writer_.Key(name);
    writer_.Int64(value);
    return *this;
  }
  JsonObject& field(const char* name, const std::optional<std::int64_t>& value) {
    return value ? field(name, *value) : null(name);
  }
  JsonObject& field(const char* name, double value) {
    writer_.Key(name);
    writer_.Double(value);
    return *this;
  }
  JsonObject& field(const char* name, const std::optional<double>& value) {
    return value ? field(name, *value) : null(name);
  }
  JsonObject& field(const char* name, bool value) {
    writer_.Key(name);
    writer_.Bool(value);
    return *this;
  }
  JsonObject& field(const char* name, const std::vector<std::string>& values) {
    writer_.Key(name);
    writer_.StartArray();
    for (const auto& v : values) writer_.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
    writer_.EndArray();
    return *this;
  }
  JsonObject& field(const char* name, const std::map<std::string, std::int64_t>& values) {
    writer_.Key(name);
    writer_.StartObject();
    for (const auto& [k, v] : values) {
      writer_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
      writer_.Int64(v);
    }
    writer_.EndObject();
    return *this;
  }
  // Embeds a stored JSON object verbatim when it parses, else as a string.
  JsonObject& raw_object(const char* name, const std::string& json) {
    rapidjson::Document document;
    document.Parse(json.data(), json.size());
    if (document.HasParseError() || !document.IsObject()) return field(name, json);
    writer_.Key(name);
    writer_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  JsonObject& members(const std::vector<TeamMember>& members) {
    writer_.Key("members_with_roles");
    writer_.StartArray();
    for (const auto& m : members) {
      writer_.StartObject();
      writer_.Key("user_id");
      writer_.String(m.user_id.data(), static_cast<rapidjson::SizeType>(m.user_id.size()));
      writer_.Key("role");
      writer_.String(m.role.data(), static_cast<rapidjson::SizeType>(m.role.size()));
      writer_.EndObject();
    }
    writer_.EndArray();
    return *this;
  }

  std::string str() {
    writer_.EndObject();
    return std::string(buffer_.GetString(), buffer_.GetSize());
  }

 private:
  JsonObject& null(const char* name) {
    writer_.Key(name);
    writer_.Null();
    return *this;
  }

  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

}  // namespace

std::string to_json(const KeyRecord& k) {
  JsonObject o;
  o.field("token", k.token_hash)
      .field("key_name", k.key_name)
      .field("key_alias", k.key_alias)
      .field("user_id", k.user_id)
      .field("team_id", k.team_id)
      .field("organization_id", k.organization_id)
      .field("budget_id", k.budget_id)
      .field("models", k.models)
      .field("spend", k.spend)
      .field("max_budget", k.max_budget)
      .field("soft_budget", k.soft_budget)
      .field("budget_duration", k.budget_duration)
      .field("budget_reset_at", k.budget_reset_at)
      .field("rpm_limit", k.rpm_limit)
      .field("tpm_limit", k.tpm_limit)
      .field("max_parallel_requests", k.max_parallel_requests)
      .field("model_rpm_limit", k.model_rpm_limit)
      .field("model_tpm_limit", k.model_tpm_limit)
      .field("expires", k.expires_at)
      .field("blocked", k.blocked)
      .raw_object("metadata", k.metadata)
      .field("service_account", k.service_account)
      .field("created_by", k.created_by)
      .field("updated_by", k.updated_by)
      .field("created_at", k.created_at)
      .field("updated_at", k.updated_at);
  return o.str();
}

std::string to_json(const TeamRecord& t) {
  JsonObject o;
  o.field("team_id", t.team_id)
      .field("team_alias", t.team_alias)
      .field("organization_id", t.organization_id)
      .field("models", t.models)
      .field("spend", t.spend)
      .field("max_budget", t.max_budget)
      .field("budget_duration", t.budget_duration)
      .field("budget_reset_at", t.budget_reset_at)
      .field("rpm_limit", t.rpm_limit)
      .field("tpm_limit", t.tpm_limit)
      .field("max_parallel_requests", t.max_parallel_requests)
      .field("blocked", t.blocked)
      .field("team_member_permissions", t.team_member_permissions)
      .raw_object("metadata", t.metadata)
      .members(t.members)
      .field("created_by", t.created_by)
      .field("updated_by", t.updated_by)
      .field("created_at", t.created_at)
      .field("updated_at", t.updated_at);
  return o.str();
}

std::string to_json(const UserRecord& u) {
  JsonObject o;
  o.field("user_id", u.user_id)
      .field("user_alias", u.user_alias)
      .field("user_email", u.user_email)
      .field("user_role", u.user_role)
      .field("organization_id", u.organization_id)
      .field("models", u.models)
      .field("spend", u.spend)
      .field("max_budget", u.max_budget)
      .field("budget_duration", u.budget_duration)
      .field("budget_reset_at", u.budget_reset_at)
      .field("rpm_limit", u.rpm_limit)
      .field("tpm_limit", u.tpm_limit)
      .field("max_parallel_requests", u.max_parallel_requests)
      .raw_object("metadata", u.metadata)
      .field("created_at", u.created_at)
      .field("updated_at", u.updated_at);
  return o.str();
}

std::string to_json(const OrganizationRecord& g) {
  JsonObject o;
  o.field("organization_id", g.organization_id)
      .field("organization_alias", g.organization_alias)
      .field("budget_id", g.budget_id)
      .field("models", g.models)
      .field("spend", g.spend)
      .field("max_budget", g.max_budget)
      .field("budget_duration", g.budget_duration)
      .field("budget_reset_at", g.budget_reset_at)
      .field("rpm_limit", g.rpm_limit)
      .field("tpm_limit", g.tpm_limit)
      .field("max_parallel_requests", g.max_parallel_requests)
      .raw_object("metadata", g.metadata)
      .field("created_by", g.created_by)
      .field("updated_by", g.updated_by)
      .field("created_at", g.created_at)
      .field("updated_at", g.updated_at);
  return o.str();
}

std::string to_json(const BudgetRecord& b) {
  JsonObject o;
  o.field("budget_id", b.budget_id)
      .field("max_budget", b.max_budget)
      .field("soft_budget", b.soft_budget)
      .field("max_parallel_requests", b.max_parallel_requests)
      .field("tpm_limit", b.tpm_limit)
      .field("rpm_limit", b.rpm_limit)
      .field("budget_duration", b.budget_duration)
      .field("budget_reset_at", b.budget_reset_at)
      .field("created_by", b.created_by)
      .field("updated_by", b.updated_by)
      .field("created_at", b.created_at)
      .field("updated_at", b.updated_at);
  return o.str();
}

std::string to_json(const OrgMember& m) {
  JsonObject o;
  o.field("organization_id", m.organization_id).field("user_id", m.user_id).field("user_role", m.user_role);
  return o.str();
}

std::string to_json(const std::string& team_id, const TeamMember& m) {
  JsonObject o;
  o.field("team_id", team_id).field("user_id", m.user_id).field("role", m.role);
  return o.str();
}

}  // namespace tollgate::persistence
