#include "config/load_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>

#include "config/config_error.h"
#include "config/unsupported_keys.h"
#include "core/bedrock_model.h"
#include "core/key_hash.h"
#include "core/node_address.h"
#include "core/search_context_size.h"
#include "core/starts_with.h"

namespace tollgate::config {
namespace {

constexpr std::string_view kEnvPrefix = "os.environ/";
constexpr std::string_view kRefusal =
    "; Tollgate refuses to start rather than run without it (remove the key to accept that)";

using Keys = std::initializer_list<std::string_view>;

std::string join_path(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

// Walks the YAML tree with the current file and environment, reporting errors by key path.
class Reader {
 public:
  Reader(std::string source, const Environment& env) : source_(std::move(source)), env_(env) {}

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw ConfigError(source_, path, problem);
  }

  void warn(const std::string& message) { warnings_.push_back(source_ + ": " + message); }
  std::vector<std::string> take_warnings() { return std::move(warnings_); }

  void set_overlay(std::map<std::string, std::string> overlay) { overlay_ = std::move(overlay); }

  std::optional<std::string> env(const std::string& name) const {
    if (auto value = env_(name)) {
      return value;
    }
    if (auto it = overlay_.find(name); it != overlay_.end()) {
      return it->second;
    }
    return std::nullopt;
  }

  // Keys of `node` that are not in `known`: refused or warned about per unsupported_keys.h,
  // else warned about as unknown. `section` names the node's kind for that table.
  void check_keys(const YAML::Node& node, const std::string& path, std::string_view section, Keys known,
                  Keys also_known = {}, Keys more_known = {}) {
    for (const auto& entry : node) {
      // YAML allows a list, a map or null as a key (`? [a]`, `{[a]: 1}`); no key of ours is one.
      if (!entry.first.IsScalar())
        fail(path.empty() ? "(top level)" : path, "a key must be text, not a list, a map or null");
      const auto key = entry.first.as<std::string>();
      auto listed = [&key](Keys keys) { return std::find(keys.begin(), keys.end(), key) != keys.end(); };
      if (listed(known) || listed(also_known) || listed(more_known)) {
        continue;
      }
      const auto key_path = join_path(path, key);
      const auto unsupported = find_unsupported_key(section, key);
      if (!unsupported) {
        warn(key_path + ": unknown or unsupported key, ignored");
      } else if (unsupported->treatment == KeyTreatment::warn) {
        warn(key_path + ": " + std::string(unsupported->why) + "; ignored");
      } else if (is_off(entry.second, key_path)) {
        warn(key_path + ": " + std::string(unsupported->why) + "; it is off here, so nothing is lost: ignored");
      } else {
        fail(key_path, std::string(unsupported->why) + std::string(kRefusal));
      }
    }
  }

  // Null or false: a refused key that turns nothing on.
  bool is_off(const YAML::Node& node, const std::string& path) const {
    if (node.IsNull()) return true;
    if (!node.IsScalar()) return false;
    const auto value = text(node, path);
    return value == "false" || value == "False" || value == "no" || value == "0" || value.empty();
  }

  void require_map(const YAML::Node& node, const std::string& path) const {
    if (!node.IsMap()) {
      fail(path, "expected a mapping of keys to values");
    }
  }

  // A scalar's text with `os.environ/NAME` resolved.
  std::string text(const YAML::Node& node, const std::string& path) const {
    if (!node.IsScalar()) {
      fail(path, "expected a single value, got a list or mapping");
    }
    const auto& raw = node.Scalar();
    if (raw.compare(0, kEnvPrefix.size(), kEnvPrefix) == 0) {
      const std::string name = raw.substr(kEnvPrefix.size());
      if (name.empty()) {
        fail(path, "os.environ/ needs a variable name");
      }
      auto value = env(name);
      if (!value) {
        fail(path, "environment variable " + name + " is not set");
      }
      return *value;
    }
    return raw;
  }

  std::int64_t integer(const YAML::Node& node, const std::string& path, std::int64_t min, std::int64_t max) const {
    const auto value = text(node, path);
    std::size_t used = 0;
    long long parsed = 0;
    try {
      parsed = std::stoll(value, &used);
    } catch (const std::exception&) {
      fail(path, "expected an integer, got '" + value + "'");
    }
    if (used != value.size()) {
      fail(path, "expected an integer, got '" + value + "'");
    }
    if (parsed < min || parsed > max) {
      fail(path, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + value);
    }
    return parsed;
  }

  double number(const YAML::Node& node, const std::string& path, double min) const {
    const auto value = text(node, path);
    std::size_t used = 0;
    double parsed = 0;
    try {
      parsed = std::stod(value, &used);
    } catch (const std::exception&) {
      fail(path, "expected a number, got '" + value + "'");
    }
    if (used != value.size() || !std::isfinite(parsed)) {
      fail(path, "expected a number, got '" + value + "'");
    }
    if (parsed < min) {
      std::ostringstream bound;
      bound << min;
      fail(path, "must be at least " + bound.str() + ", got " + value);
    }
    return parsed;
  }

  bool boolean(const YAML::Node& node, const std::string& path) const {
    const auto value = text(node, path);
    if (value == "true" || value == "True" || value == "yes" || value == "1") {
      return true;
    }
    if (value == "false" || value == "False" || value == "no" || value == "0") {
      return false;
    }
    fail(path, "expected true or false, got '" + value + "'");
  }

  // Seconds (possibly fractional) as milliseconds; must be positive.
  std::chrono::milliseconds seconds(const YAML::Node& node, const std::string& path) const {
    const double value = number(node, path, 0.0);
    if (value <= 0) {
      fail(path, "must be a positive number of seconds");
    }
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(value * 1000)));
  }

  std::vector<std::string> string_list(const YAML::Node& node, const std::string& path) const {
    std::vector<std::string> out;
    if (node.IsScalar()) {
      out.push_back(text(node, path));
      return out;
    }
    if (!node.IsSequence()) {
      fail(path, "expected a list of strings");
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
      out.push_back(text(node[i], index_path(path, i)));
    }
    return out;
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
  const Environment& env_;
  std::map<std::string, std::string> overlay_;
  std::vector<std::string> warnings_;
};

std::string stable_deployment_id(const Deployment& d, std::size_t index) {
  // FNV-1a over the fields that identify the deployment: stable across restarts and nodes.
  std::uint64_t hash = 1469598103934665603ULL;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) {
      hash = (hash ^ c) * 1099511628211ULL;
    }
    hash = (hash ^ 0xff) * 1099511628211ULL;
  };
  mix(d.model_name);
  mix(d.litellm_model);
  mix(d.api_base);
  mix(std::to_string(index));
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
  return buffer;
}

void parse_model_info(Reader& r, const YAML::Node& node, const std::string& path, ModelInfo& info) {
  r.require_map(node, path);
  // Free-form in LiteLLM (UI metadata, capabilities): what Tollgate does not use is warned about.
  r.check_keys(node, path, "model_info",
               {"id",
                "mode",
                "input_cost_per_token",
                "output_cost_per_token",
                "cache_read_input_token_cost",
                "cache_creation_input_token_cost",
                "max_tokens",
                "max_input_tokens",
                "max_output_tokens",
                "access_groups",
                "output_cost_per_reasoning_token",
                "input_cost_per_audio_token",
                "output_cost_per_audio_token",
                "output_cost_per_image",
                "input_cost_per_image",
                "input_cost_per_character",
                "input_cost_per_second",
                "output_cost_per_second",
                "input_cost_per_query",
                "input_cost_per_image_token",
                "output_cost_per_image_token",
                "search_context_cost_per_query"});
  if (auto v = node["id"]) info.id = r.text(v, join_path(path, "id"));
  if (auto v = node["mode"]) info.mode = r.text(v, join_path(path, "mode"));
  if (auto v = node["input_cost_per_token"])
    info.input_cost_per_token = r.number(v, join_path(path, "input_cost_per_token"), 0.0);
  if (auto v = node["output_cost_per_token"])
    info.output_cost_per_token = r.number(v, join_path(path, "output_cost_per_token"), 0.0);
  if (auto v = node["cache_read_input_token_cost"])
    info.cache_read_input_token_cost = r.number(v, join_path(path, "cache_read_input_token_cost"), 0.0);
  if (auto v = node["cache_creation_input_token_cost"])
    info.cache_creation_input_token_cost = r.number(v, join_path(path, "cache_creation_input_token_cost"), 0.0);
  const std::pair<const char*, std::optional<double>*> unit_prices[] = {
      {"output_cost_per_reasoning_token", &info.output_cost_per_reasoning_token},
      {"input_cost_per_audio_token", &info.input_cost_per_audio_token},
      {"output_cost_per_audio_token", &info.output_cost_per_audio_token},
      {"output_cost_per_image", &info.output_cost_per_image},
      {"input_cost_per_image", &info.input_cost_per_image},
      {"input_cost_per_character", &info.input_cost_per_character},
      {"input_cost_per_second", &info.input_cost_per_second},
      {"output_cost_per_second", &info.output_cost_per_second},
      {"input_cost_per_query", &info.input_cost_per_query},
      {"input_cost_per_image_token", &info.input_cost_per_image_token},
      {"output_cost_per_image_token", &info.output_cost_per_image_token},
  };
  for (const auto& [name, field] : unit_prices) {
    if (auto v = node[name]) *field = r.number(v, join_path(path, name), 0.0);
  }
  if (auto v = node["search_context_cost_per_query"]) {
    // LiteLLM writes a map of search_context_size_low/medium/high (OpenAI's search models bill by
    // the size a request asks for); a number prices every size. A size the map leaves out costs
    // its highest: never less than the provider may charge.
    const auto field = join_path(path, "search_context_cost_per_query");
    if (v.IsMap()) {
      std::array<std::optional<double>, 3> given;
      for (const auto& entry : v) {
        const auto key = entry.first.Scalar();
        constexpr std::string_view kPrefix = "search_context_size_";
        const auto size = core::starts_with(key, kPrefix)
                              ? core::search_context_size_named(std::string_view(key).substr(kPrefix.size()))
                              : std::nullopt;
        if (!size) {
          r.fail(join_path(field, key),
                 "must be search_context_size_low, search_context_size_medium or search_context_size_high");
        }
        given[static_cast<std::size_t>(*size)] = r.number(entry.second, join_path(field, key), 0.0);
      }
      double highest = 0;
      for (const auto& fee : given) highest = std::max(highest, fee.value_or(0));
      std::array<double, 3> fees{};
      for (std::size_t i = 0; i < fees.size(); ++i) fees[i] = given[i].value_or(highest);
      info.search_context_cost_per_query = fees;
    } else {
      const double fee = r.number(v, field, 0.0);
      info.search_context_cost_per_query = std::array<double, 3>{fee, fee, fee};
    }
  }
  if (auto v = node["max_tokens"]) info.max_tokens = r.integer(v, join_path(path, "max_tokens"), 1, 100'000'000);
  if (auto v = node["max_input_tokens"])
    info.max_input_tokens = r.integer(v, join_path(path, "max_input_tokens"), 1, 100'000'000);
  if (auto v = node["max_output_tokens"])
    info.max_output_tokens = r.integer(v, join_path(path, "max_output_tokens"), 1, 100'000'000);
  if (auto v = node["access_groups"]) info.access_groups = r.string_list(v, join_path(path, "access_groups"));
  static constexpr std::string_view kModes[] = {"chat",         "embedding",           "completion", "image_generation",
                                                "audio_speech", "audio_transcription", "rerank",     "moderation"};
  if (!info.mode.empty() && std::find(std::begin(kModes), std::end(kModes), info.mode) == std::end(kModes)) {
    r.fail(join_path(path, "mode"),
           "must be chat, embedding, completion, image_generation, audio_speech, audio_transcription, rerank or "
           "moderation, got '" +
               info.mode + "'");
  }
}

void split_provider(Reader& r, const std::string& path, Deployment& d) {
  const auto slash = d.litellm_model.find('/');
  if (slash == std::string::npos) {
    // LiteLLM infers the provider from a bare model name.
    d.provider_prefix = d.litellm_model.rfind("claude", 0) == 0 ? "anthropic" : "openai";
    d.upstream_model = d.litellm_model;
  } else {
    d.provider_prefix = d.litellm_model.substr(0, slash);
    d.upstream_model = d.litellm_model.substr(slash + 1);
  }
  const auto prefix = core::parse_provider_prefix(d.provider_prefix);
  if (!prefix) {
    r.fail(path, "unknown provider '" + d.provider_prefix +
                     "' (supported: openai, azure, anthropic, bedrock, gemini, vertex_ai, mock, and OpenAI-compatible "
                     "prefixes such as hosted_vllm, ollama, groq, together_ai, deepseek, "
                     "mistral, openrouter)");
  }
  if (d.upstream_model.empty()) {
    r.fail(path, "model name after '" + d.provider_prefix + "/' is empty");
  }
  d.provider = prefix->kind;
  if (d.api_base.empty()) {
    d.api_base = std::string(prefix->default_api_base);
  }
}

// Bedrock: what litellm_params leaves out comes from the standard AWS environment variables
// (as the AWS SDKs and LiteLLM read them); the endpoint from the region.
void complete_aws_settings(Reader& r, const std::string& lp, Deployment& d) {
  // LiteLLM's bedrock/invoke/ sends InvokeModel, whose body is each model family's own: Tollgate
  // speaks Anthropic's (and the embedding models'); any other, taken on, would fail every call.
  if (core::bedrock_model(d.upstream_model).route == core::BedrockRoute::invoke_unsupported) {
    r.fail(join_path(lp, "model"),
           "bedrock/invoke/ (InvokeModel) is supported for Anthropic models (ids with \"anthropic.\") only: use "
           "bedrock/converse/<model id> or bedrock/<model id> for other chat models, which Tollgate sends "
           "through the Converse API");
  }
  auto& aws = d.aws;
  if (aws.access_key_id.empty() && aws.secret_access_key.empty()) {
    aws.access_key_id = r.env("AWS_ACCESS_KEY_ID").value_or("");
    aws.secret_access_key = r.env("AWS_SECRET_ACCESS_KEY").value_or("");
    if (aws.session_token.empty()) aws.session_token = r.env("AWS_SESSION_TOKEN").value_or("");
  }
  if (aws.region_name.empty()) aws.region_name = r.env("AWS_REGION").value_or(r.env("AWS_DEFAULT_REGION").value_or(""));
  if (aws.access_key_id.empty() || aws.secret_access_key.empty()) {
    r.fail(join_path(lp, "aws_access_key_id"),
           "bedrock/ deployments need aws_access_key_id and aws_secret_access_key (or AWS_ACCESS_KEY_ID and "
           "AWS_SECRET_ACCESS_KEY in the environment)");
  }
  if (aws.region_name.empty()) {
    r.fail(join_path(lp, "aws_region_name"), "bedrock/ deployments need a region (or AWS_REGION in the environment)");
  }
  if (d.api_base.empty()) d.api_base = "https://bedrock-runtime." + aws.region_name + ".amazonaws.com";
}

// Gemini API: the key from litellm_params, else GEMINI_API_KEY (as LiteLLM reads it).
void complete_gemini_key(Reader& r, const std::string& lp, Deployment& d) {
  if (d.api_key.empty()) d.api_key = r.env("GEMINI_API_KEY").value_or("");
  if (d.api_key.empty()) {
    r.fail(join_path(lp, "api_key"), "gemini/ deployments need an api_key (or GEMINI_API_KEY in the environment)");
  }
}

// A service-account key given inline (JSON, as LiteLLM takes it) or as a file path. Checked
// here so that a broken key stops start-up; the messages never quote the key. JSON is YAML.
std::string vertex_credentials_json(Reader& r, const std::string& path, const std::string& value) {
  std::string text = value;
  if (value.find('{') == std::string::npos) {
    std::ifstream in(value);
    if (!in) r.fail(path, "cannot read the service-account key file '" + value + "'");
    std::stringstream content;
    content << in.rdbuf();
    text = content.str();
  }
  YAML::Node key;
  try {
    key = YAML::Load(text);
  } catch (const YAML::Exception&) {
    r.fail(path, "is not a service-account key (JSON)");
  }
  if (!key.IsMap() || !key["type"] || !key["type"].IsScalar() || key["type"].Scalar() != "service_account" ||
      !key["client_email"] || !key["private_key"]) {
    r.fail(path, "must be a service-account key: \"type\": \"service_account\" with client_email and private_key");
  }
  return text;
}

// Vertex AI: the key from litellm_params, else GOOGLE_APPLICATION_CREDENTIALS (a file); the
// project from vertex_project, VERTEXAI_PROJECT or the key's project_id; the endpoint from the
// location (LiteLLM's default us-central1; "global" has no regional host).
void complete_vertex_settings(Reader& r, const std::string& lp, Deployment& d) {
  auto& v = d.vertex;
  const std::string path = join_path(lp, "vertex_credentials");
  if (v.credentials.empty()) v.credentials = r.env("GOOGLE_APPLICATION_CREDENTIALS").value_or("");
  if (v.credentials.empty()) {
    r.fail(path,
           "vertex_ai/ deployments need vertex_credentials (or GOOGLE_APPLICATION_CREDENTIALS in the environment)");
  }
  v.credentials = vertex_credentials_json(r, path, v.credentials);
  if (v.project.empty()) v.project = r.env("VERTEXAI_PROJECT").value_or("");
  if (v.project.empty()) {
    const auto key = YAML::Load(v.credentials);
    if (key["project_id"] && key["project_id"].IsScalar()) v.project = key["project_id"].Scalar();
  }
  if (v.project.empty()) r.fail(join_path(lp, "vertex_project"), "vertex_ai/ deployments need a vertex_project");
  if (v.location.empty()) v.location = r.env("VERTEXAI_LOCATION").value_or("us-central1");
  if (d.api_base.empty()) {
    d.api_base = v.location == "global" ? "https://aiplatform.googleapis.com"
                                        : "https://" + v.location + "-aiplatform.googleapis.com";
  }
}

Deployment parse_deployment(Reader& r, const YAML::Node& node, const std::string& path, std::size_t index) {
  r.require_map(node, path);
  r.check_keys(node, path, "model_list", {"model_name", "litellm_params", "model_info"});
  Deployment d;
  if (!node["model_name"]) r.fail(join_path(path, "model_name"), "is required");
  d.model_name = r.text(node["model_name"], join_path(path, "model_name"));
  if (d.model_name.empty()) r.fail(join_path(path, "model_name"), "must not be empty");

  const std::string lp = join_path(path, "litellm_params");
  const auto params = node["litellm_params"];
  if (!params) r.fail(lp, "is required");
  r.require_map(params, lp);
  r.check_keys(params, lp, "litellm_params",
               {"model",
                "api_base",
                "base_url",
                "api_key",
                "api_version",
                "rpm",
                "tpm",
                "weight",
                "timeout",
                "stream_timeout",
                "input_cost_per_token",
                "output_cost_per_token",
                "mock_response",
                "aws_access_key_id",
                "aws_secret_access_key",
                "aws_session_token",
                "aws_region_name",
                "vertex_credentials",
                "vertex_project",
                "vertex_location"});
  if (!params["model"]) r.fail(join_path(lp, "model"), "is required (e.g. openai/gpt-4o)");
  d.litellm_model = r.text(params["model"], join_path(lp, "model"));
  if (auto v = params["api_base"]) d.api_base = r.text(v, join_path(lp, "api_base"));
  if (auto v = params["base_url"]) d.api_base = r.text(v, join_path(lp, "base_url"));
  if (auto v = params["api_key"]) d.api_key = r.text(v, join_path(lp, "api_key"));
  if (auto v = params["api_version"]) d.api_version = r.text(v, join_path(lp, "api_version"));
  if (auto v = params["rpm"]) d.rpm = r.integer(v, join_path(lp, "rpm"), 0, INT64_MAX);
  if (auto v = params["tpm"]) d.tpm = r.integer(v, join_path(lp, "tpm"), 0, INT64_MAX);
  if (auto v = params["weight"]) {
    d.weight = r.number(v, join_path(lp, "weight"), 0.0);
    if (d.weight <= 0) r.fail(join_path(lp, "weight"), "must be greater than 0");
  }
  if (auto v = params["timeout"]) d.timeout = r.seconds(v, join_path(lp, "timeout"));
  if (auto v = params["stream_timeout"]) d.stream_timeout = r.seconds(v, join_path(lp, "stream_timeout"));
  if (auto v = params["mock_response"]) d.mock_response = r.text(v, join_path(lp, "mock_response"));
  if (auto v = params["aws_access_key_id"]) d.aws.access_key_id = r.text(v, join_path(lp, "aws_access_key_id"));
  if (auto v = params["aws_secret_access_key"])
    d.aws.secret_access_key = r.text(v, join_path(lp, "aws_secret_access_key"));
  if (auto v = params["aws_session_token"]) d.aws.session_token = r.text(v, join_path(lp, "aws_session_token"));
  if (auto v = params["aws_region_name"]) d.aws.region_name = r.text(v, join_path(lp, "aws_region_name"));
  if (auto v = params["vertex_credentials"]) d.vertex.credentials = r.text(v, join_path(lp, "vertex_credentials"));
  if (auto v = params["vertex_project"]) d.vertex.project = r.text(v, join_path(lp, "vertex_project"));
  if (auto v = params["vertex_location"]) d.vertex.location = r.text(v, join_path(lp, "vertex_location"));
  split_provider(r, join_path(lp, "model"), d);
  if (d.provider == core::ProviderKind::bedrock) complete_aws_settings(r, lp, d);
  if (d.provider == core::ProviderKind::gemini) complete_gemini_key(r, lp, d);
  if (d.provider == core::ProviderKind::vertex_ai) complete_vertex_settings(r, lp, d);

  if (auto info = node["model_info"]) parse_model_info(r, info, join_path(path, "model_info"), d.info);
  // LiteLLM also accepts prices in litellm_params; model_info wins when both are given.
  if (auto v = params["input_cost_per_token"]; v && !d.info.input_cost_per_token)
    d.info.input_cost_per_token = r.number(v, join_path(lp, "input_cost_per_token"), 0.0);
  if (auto v = params["output_cost_per_token"]; v && !d.info.output_cost_per_token)
    d.info.output_cost_per_token = r.number(v, join_path(lp, "output_cost_per_token"), 0.0);

  if (d.provider == core::ProviderKind::azure) {
    if (d.api_base.empty()) r.fail(join_path(lp, "api_base"), "is required for azure/ deployments");
    if (d.api_version.empty()) r.fail(join_path(lp, "api_version"), "is required for azure/ deployments");
  }
  if (d.provider != core::ProviderKind::mock && d.api_base.empty()) {
    r.fail(join_path(lp, "api_base"), "is required for provider '" + d.provider_prefix + "' (no default endpoint)");
  }
  if (!d.api_base.empty() && d.api_base.rfind("http://", 0) != 0 && d.api_base.rfind("https://", 0) != 0) {
    r.fail(join_path(lp, "api_base"), "must start with http:// or https://");
  }
  if (d.info.id.empty()) d.info.id = stable_deployment_id(d, index);
  if (d.info.mode.empty()) d.info.mode = "chat";
  return d;
}

std::vector<Fallback> parse_fallbacks(Reader& r, const YAML::Node& node, const std::string& path) {
  // LiteLLM shape: [{"gpt-4o": ["claude-3-5"]}, ...]
  if (!node.IsSequence()) r.fail(path, "expected a list like [{\"gpt-4o\": [\"claude\"]}]");
  std::vector<Fallback> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto entry_path = index_path(path, i);
    if (!node[i].IsMap()) r.fail(entry_path, "expected {model_group: [fallback groups]}");
    for (const auto& pair : node[i]) {
      const auto group = pair.first.as<std::string>();
      out.push_back({group, r.string_list(pair.second, join_path(entry_path, group))});
    }
  }
  return out;
}

// Router keys: LiteLLM takes them in router_settings and in litellm_settings alike
// (router_settings wins: it is parsed last).
const Keys kRouterKeys = {"routing_strategy",         "num_retries",   "timeout",       "request_timeout",  "fallbacks",
                          "context_window_fallbacks", "allowed_fails", "cooldown_time", "disable_cooldowns"};

void parse_router_keys(Reader& r, const YAML::Node& node, const std::string& path, RouterSettings& s) {
  if (auto v = node["routing_strategy"]) {
    s.routing_strategy = r.text(v, join_path(path, "routing_strategy"));
    static const std::set<std::string> known{"simple-shuffle", "least-busy", "latency-based-routing",
                                             "usage-based-routing", "usage-based-routing-v2"};
    if (!known.count(s.routing_strategy)) {
      r.fail(join_path(path, "routing_strategy"),
             "must be one of simple-shuffle, least-busy, latency-based-routing, "
             "usage-based-routing; got '" +
                 s.routing_strategy + "'");
    }
  }
  if (auto v = node["num_retries"])
    s.num_retries = static_cast<int>(r.integer(v, join_path(path, "num_retries"), 0, 20));
  if (auto v = node["timeout"]) s.timeout = r.seconds(v, join_path(path, "timeout"));
  if (auto v = node["request_timeout"]) s.timeout = r.seconds(v, join_path(path, "request_timeout"));
  if (auto v = node["fallbacks"]) s.fallbacks = parse_fallbacks(r, v, join_path(path, "fallbacks"));
  if (auto v = node["context_window_fallbacks"])
    s.context_window_fallbacks = parse_fallbacks(r, v, join_path(path, "context_window_fallbacks"));
  if (auto v = node["allowed_fails"])
    s.allowed_fails = static_cast<int>(r.integer(v, join_path(path, "allowed_fails"), 0, 1'000'000));
  if (auto v = node["cooldown_time"]) s.cooldown_time = r.seconds(v, join_path(path, "cooldown_time"));
  if (auto v = node["disable_cooldowns"]) s.disable_cooldowns = r.boolean(v, join_path(path, "disable_cooldowns"));
}

void parse_router_settings(Reader& r, const YAML::Node& node, RouterSettings& s) {
  const std::string path = "router_settings";
  r.require_map(node, path);
  r.check_keys(node, path, path, kRouterKeys);
  parse_router_keys(r, node, path, s);
}

// LiteLLM callbacks: `prometheus` is what /metrics always does, known log sinks are warned
// about, and anything else may be a hook that rejects requests (a guardrail, custom auth).
void check_callbacks(Reader& r, const YAML::Node& node, const std::string& path) {
  const auto names = r.string_list(node, path);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto entry_path = node.IsSequence() ? index_path(path, i) : path;
    switch (classify_callback(names[i])) {
      case CallbackKind::metrics: break;
      case CallbackKind::logging:
        r.warn(entry_path + ": callback '" + names[i] + "' (a log sink) is not implemented; ignored");
        break;
      case CallbackKind::other:
        r.fail(entry_path, "callback '" + names[i] +
                               "' is not implemented and may be a guardrail or an authentication hook" +
                               std::string(kRefusal));
    }
  }
}

void parse_litellm_settings(Reader& r, const YAML::Node& node, Config& c) {
  const std::string path = "litellm_settings";
  r.require_map(node, path);
  r.check_keys(node, path, path,
               {"json_logs", "require_auth_for_metrics_endpoint", "callbacks", "success_callback", "failure_callback",
                "service_callback", "service_callbacks", "ssl_verify", "ssl_certificate", "prometheus_metric_names",
                "max_end_user_budget", "max_end_user_budget_id"},
               kRouterKeys);
  auto p = [&](const char* key) { return join_path(path, key); };
  parse_router_keys(r, node, path, c.router);
  if (auto v = node["ssl_verify"]) c.general.upstream_verify_tls = r.boolean(v, p("ssl_verify"));
  if (auto v = node["ssl_certificate"]) c.general.upstream_ca_file = r.text(v, p("ssl_certificate"));
  if (auto v = node["max_end_user_budget"]) c.general.max_end_user_budget = r.number(v, p("max_end_user_budget"), 0);
  if (auto v = node["max_end_user_budget_id"])
    c.general.max_end_user_budget_id = r.text(v, p("max_end_user_budget_id"));
  if (auto v = node["require_auth_for_metrics_endpoint"])
    c.general.require_auth_for_metrics_endpoint = r.boolean(v, p("require_auth_for_metrics_endpoint"));
  if (auto v = node["prometheus_metric_names"]) {
    const auto text = r.text(v, p("prometheus_metric_names"));
    if (auto names = core::parse_metric_names(text)) {
      c.general.prometheus_metric_names = *names;
    } else {
      r.fail(p("prometheus_metric_names"), "must be tollgate, litellm or both, not '" + text + "'");
    }
  }
  // Every log line is JSON already: true asks for what happens, false cannot be had.
  if (auto v = node["json_logs"]; v && !r.boolean(v, p("json_logs")))
    r.warn(p("json_logs") + ": logs are always JSON lines; ignored");
  for (const char* key :
       {"callbacks", "success_callback", "failure_callback", "service_callback", "service_callbacks"}) {
    if (auto v = node[key]) check_callbacks(r, v, p(key));
  }
}

// general_settings.enable_jwt_auth + litellm_jwtauth (docs/jwt.md).
const Keys kJwtGeneralKeys = {"enable_jwt_auth", "litellm_jwtauth"};
const Keys kJwtAuthKeys = {"public_key_url",
                           "allowed_jwks_hosts",
                           "issuer",
                           "audience",
                           "leeway",
                           "public_key_ttl",
                           "jwks_refetch_interval",
                           "hmac_secret",
                           "user_id_jwt_field",
                           "user_email_jwt_field",
                           "team_id_jwt_field",
                           "team_ids_jwt_field",
                           "team_id_default",
                           "org_id_jwt_field",
                           "end_user_id_jwt_field",
                           "roles_jwt_field",
                           "role_mappings",
                           "admin_jwt_scope",
                           "user_id_upsert",
                           "team_id_upsert",
                           "enforce_rbac",
                           "team_allowed_routes",
                           "admin_allowed_routes"};
constexpr std::string_view kJwtRoles = "proxy_admin, proxy_admin_viewer, internal_user, internal_user_viewer, team";

// http(s)://host…: what the JWKS fetch can use (the client parses it again, strictly).
bool http_url(const std::string& url) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (url.rfind(scheme, 0) == 0 && url.size() > scheme.size() && url[scheme.size()] != '/') return true;
  }
  return false;
}

// A comma-separated list (JWT_PUBLIC_KEY_URL's form) or a YAML list.
std::vector<std::string> comma_list(Reader& r, const YAML::Node& node, const std::string& path) {
  std::vector<std::string> out;
  for (const auto& entry : r.string_list(node, path)) {
    std::size_t start = 0;
    while (start <= entry.size()) {
      auto end = entry.find(',', start);
      if (end == std::string::npos) end = entry.size();
      auto item = entry.substr(start, end - start);
      item.erase(0, item.find_first_not_of(' '));
      item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) out.push_back(item);
      start = end + 1;
    }
  }
  return out;
}

std::vector<JwtRoleMappingSetting> parse_role_mappings(Reader& r, const YAML::Node& node, const std::string& path) {
  if (!node.IsSequence()) r.fail(path, "expected a list of {role, internal_role}");
  std::vector<JwtRoleMappingSetting> out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto entry_path = index_path(path, i);
    r.require_map(node[i], entry_path);
    r.check_keys(node[i], entry_path, "litellm_jwtauth.role_mappings", {"role", "internal_role"});
    if (!node[i]["role"] || !node[i]["internal_role"]) r.fail(entry_path, "needs both role and internal_role");
    JwtRoleMappingSetting m{r.text(node[i]["role"], join_path(entry_path, "role")),
                            r.text(node[i]["internal_role"], join_path(entry_path, "internal_role"))};
    const std::string roles(kJwtRoles);
    if (roles.find(m.internal_role) == std::string::npos || m.internal_role.find(',') != std::string::npos ||
        m.internal_role.empty()) {
      r.fail(join_path(entry_path, "internal_role"), "must be one of " + roles + ", got '" + m.internal_role + "'");
    }
    out.push_back(std::move(m));
  }
  return out;
}

void parse_jwt_fields(Reader& r, const YAML::Node& node, const std::string& path, JwtAuthSettings& j) {
  r.require_map(node, path);
  r.check_keys(node, path, "general_settings.litellm_jwtauth", kJwtAuthKeys);
  auto p = [&](const char* key) { return join_path(path, key); };
  auto optional_text = [&](const char* key, std::optional<std::string>& out) {
    if (auto v = node[key]) out = r.text(v, p(key));
  };
  if (auto v = node["public_key_url"]) j.public_key_urls = comma_list(r, v, p("public_key_url"));
  if (auto v = node["allowed_jwks_hosts"]) j.allowed_jwks_hosts = r.string_list(v, p("allowed_jwks_hosts"));
  optional_text("issuer", j.issuer);
  if (auto v = node["audience"]) j.audiences = comma_list(r, v, p("audience"));
  if (auto v = node["leeway"]) j.leeway = std::chrono::seconds(r.integer(v, p("leeway"), 0, 3600));
  if (auto v = node["public_key_ttl"])
    j.public_key_ttl = std::chrono::seconds(r.integer(v, p("public_key_ttl"), 1, 7 * 86400));
  if (auto v = node["jwks_refetch_interval"]) j.jwks_refetch_interval = r.seconds(v, p("jwks_refetch_interval"));
  if (auto v = node["hmac_secret"]) {
    j.hmac_secret = r.text(v, p("hmac_secret"));
    if (j.hmac_secret.size() < 32) r.fail(p("hmac_secret"), "must be at least 32 bytes (RFC 7518 §3.2)");
  }
  optional_text("user_id_jwt_field", j.user_id_jwt_field);
  optional_text("user_email_jwt_field", j.user_email_jwt_field);
  optional_text("team_id_jwt_field", j.team_id_jwt_field);
  optional_text("team_ids_jwt_field", j.team_ids_jwt_field);
  optional_text("team_id_default", j.team_id_default);
  optional_text("org_id_jwt_field", j.org_id_jwt_field);
  optional_text("end_user_id_jwt_field", j.end_user_id_jwt_field);
  optional_text("roles_jwt_field", j.roles_jwt_field);
  if (auto v = node["role_mappings"]) j.role_mappings = parse_role_mappings(r, v, p("role_mappings"));
  if (auto v = node["admin_jwt_scope"]) j.admin_jwt_scope = r.text(v, p("admin_jwt_scope"));
  if (auto v = node["user_id_upsert"]) j.user_id_upsert = r.boolean(v, p("user_id_upsert"));
  if (auto v = node["team_id_upsert"]) j.team_id_upsert = r.boolean(v, p("team_id_upsert"));
  if (auto v = node["enforce_rbac"]) j.enforce_rbac = r.boolean(v, p("enforce_rbac"));
  if (auto v = node["team_allowed_routes"]) j.team_allowed_routes = r.string_list(v, p("team_allowed_routes"));
  if (auto v = node["admin_allowed_routes"]) j.admin_allowed_routes = r.string_list(v, p("admin_allowed_routes"));
  if (j.enforce_rbac && (!j.roles_jwt_field || j.role_mappings.empty()))
    r.fail(p("enforce_rbac"), "needs roles_jwt_field and role_mappings");
}

void parse_jwt_auth(Reader& r, const YAML::Node& general, JwtAuthSettings& j) {
  const std::string path = "general_settings.litellm_jwtauth";
  if (auto v = general["enable_jwt_auth"]) j.enabled = r.boolean(v, "general_settings.enable_jwt_auth");
  const auto node = general["litellm_jwtauth"];
  if (node && !node.IsNull()) parse_jwt_fields(r, node, path, j);
  if (!j.enabled) {
    if (node) r.warn(path + ": enable_jwt_auth is not true, so JWTs are not accepted; ignored");
    return;
  }
  if (j.public_key_urls.empty()) {
    if (auto env = r.env("JWT_PUBLIC_KEY_URL")) {
      YAML::Node list(*env);
      j.public_key_urls = comma_list(r, list, "JWT_PUBLIC_KEY_URL");
    }
  }
  if (j.audiences.empty()) {
    if (auto env = r.env("JWT_AUDIENCE")) {
      YAML::Node list(*env);
      j.audiences = comma_list(r, list, "JWT_AUDIENCE");
    }
  }
  if (j.public_key_urls.empty() && j.hmac_secret.empty())
    r.fail(join_path(path, "public_key_url"),
           "is required with enable_jwt_auth (or JWT_PUBLIC_KEY_URL, or hmac_secret)");
  for (std::size_t i = 0; i < j.public_key_urls.size(); ++i) {
    if (!http_url(j.public_key_urls[i]))
      r.fail(index_path(join_path(path, "public_key_url"), i),
             "expected an http(s) URL, got '" + j.public_key_urls[i] + "'");
  }
  // Unlike LiteLLM, a missing audience is not "any audience": a token minted for another
  // service of the same IdP must not open the gateway.
  if (j.audiences.empty()) r.fail(join_path(path, "audience"), "is required with enable_jwt_auth (or JWT_AUDIENCE)");
}

// One `mcp_servers:` entry (LiteLLM's shape). Credentials become headers here, so the
// upstream clients only ever send what was resolved.
McpServerConfig parse_mcp_server(Reader& r, const std::string& name, const YAML::Node& node, const std::string& path) {
  r.require_map(node, path);
  r.check_keys(node, path, "mcp_servers",
               {"url", "transport", "command", "args", "env", "description", "allowed_tools", "disallowed_tools",
                "access_groups", "auth_type", "auth_value", "static_headers", "headers", "timeout", "mcp_info"},
               {"alias", "server_name"});
  McpServerConfig s;
  s.id = name;
  s.name = name;
  if (name.empty() || name.size() > 64 ||
      name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.") != std::string::npos) {
    r.fail(path, "a server name is 1-64 of A-Z a-z 0-9 _ . (it prefixes tool names as '<server>-<tool>', so no '-')");
  }
  auto p = [&path](const char* key) { return join_path(path, key); };
  if (auto t = node["transport"]) {
    const auto text = r.text(t, p("transport"));
    if (text == "http" || text == "streamable_http" || text == "streamable-http") {
      s.transport = McpTransport::http;
    } else if (text == "sse") {
      s.transport = McpTransport::sse;
    } else if (text == "stdio") {
      s.transport = McpTransport::stdio;
    } else {
      r.fail(p("transport"), "must be http, sse or stdio, got '" + text + "'");
    }
  }
  if (auto v = node["url"]) s.url = r.text(v, p("url"));
  if (auto v = node["command"]) s.command = r.text(v, p("command"));
  if (auto v = node["args"]) s.args = r.string_list(v, p("args"));
  if (auto v = node["env"]) {
    r.require_map(v, p("env"));
    for (const auto& pair : v) {
      const auto key = pair.first.as<std::string>();
      s.env[key] = r.text(pair.second, join_path(p("env"), key));
    }
  }
  if (s.transport == McpTransport::stdio) {
    if (s.command.empty()) r.fail(p("command"), "a stdio server needs a command");
  } else if (s.url.empty()) {
    r.fail(p("url"), "an http or sse server needs a url");
  } else if (s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0) {
    r.fail(p("url"), "must start with http:// or https://");
  }
  if (auto v = node["description"]) s.description = r.text(v, p("description"));
  if (auto v = node["allowed_tools"]) s.allowed_tools = r.string_list(v, p("allowed_tools"));
  if (auto v = node["disallowed_tools"]) s.disallowed_tools = r.string_list(v, p("disallowed_tools"));
  if (auto v = node["access_groups"]) s.access_groups = r.string_list(v, p("access_groups"));
  for (const char* key : {"static_headers", "headers"}) {
    if (auto v = node[key]) {
      r.require_map(v, p(key));
      for (const auto& pair : v) {
        const auto header = pair.first.as<std::string>();
        s.headers.emplace_back(header, r.text(pair.second, join_path(p(key), header)));
      }
    }
  }
  const std::string auth_type = node["auth_type"] ? r.text(node["auth_type"], p("auth_type")) : "none";
  const std::string auth_value = node["auth_value"] ? r.text(node["auth_value"], p("auth_value")) : "";
  std::optional<std::pair<std::string, std::string>> auth_header;
  if (!mcp_auth_header(auth_type, auth_value, auth_header)) {
    r.fail(p("auth_type"), "must be none, api_key, bearer_token, basic or authorization, got '" + auth_type + "'");
  }
  if (auth_header) s.headers.push_back(std::move(*auth_header));
  if (auth_type != "none" && auth_value.empty()) r.fail(p("auth_value"), "auth_type " + auth_type + " needs a value");
  if (auto v = node["timeout"]) s.timeout = r.seconds(v, p("timeout"));
  if (auto info = node["mcp_info"]) {
    r.require_map(info, p("mcp_info"));
    const auto info_path = p("mcp_info");
    r.check_keys(info, info_path, "mcp_info", {"mcp_server_cost_info"}, {"server_name", "description", "logo_url"});
    if (auto cost = info["mcp_server_cost_info"]) {
      const auto cost_path = join_path(info_path, "mcp_server_cost_info");
      r.require_map(cost, cost_path);
      r.check_keys(cost, cost_path, "mcp_server_cost_info", {"default_cost_per_query", "tool_name_to_cost_per_query"});
      if (auto v = cost["default_cost_per_query"]) {
        s.default_cost_per_query = r.number(v, join_path(cost_path, "default_cost_per_query"), 0.0);
      }
      if (auto v = cost["tool_name_to_cost_per_query"]) {
        const auto tools_path = join_path(cost_path, "tool_name_to_cost_per_query");
        r.require_map(v, tools_path);
        for (const auto& pair : v) {
          const auto tool = pair.first.as<std::string>();
          s.tool_cost_per_query[tool] = r.number(pair.second, join_path(tools_path, tool), 0.0);
        }
      }
    }
  }
  return s;
}

std::vector<McpServerConfig> parse_mcp_servers(Reader& r, const YAML::Node& node) {
  std::vector<McpServerConfig> out;
  if (node.IsNull()) return out;
  r.require_map(node, "mcp_servers");
  for (const auto& pair : node) {
    const auto name = pair.first.as<std::string>();
    out.push_back(parse_mcp_server(r, name, pair.second, join_path("mcp_servers", name)));
  }
  return out;
}

// LiteLLM's variables for its pass-through routes (AWS's as the AWS SDKs read them).
PassThroughEnvironment read_pass_through_environment(Reader& r) {
  PassThroughEnvironment e;
  e.openai_api_key = r.env("OPENAI_API_KEY").value_or("");
  e.openai_api_base = r.env("OPENAI_API_BASE").value_or(r.env("OPENAI_BASE_URL").value_or(""));
  e.anthropic_api_key = r.env("ANTHROPIC_API_KEY").value_or("");
  e.anthropic_api_base = r.env("ANTHROPIC_API_BASE").value_or(r.env("ANTHROPIC_BASE_URL").value_or(""));
  e.gemini_api_key = r.env("GEMINI_API_KEY").value_or("");
  e.aws.access_key_id = r.env("AWS_ACCESS_KEY_ID").value_or("");
  e.aws.secret_access_key = r.env("AWS_SECRET_ACCESS_KEY").value_or("");
  e.aws.session_token = r.env("AWS_SESSION_TOKEN").value_or("");
  e.aws.region_name =
      r.env("AWS_REGION_NAME").value_or(r.env("AWS_REGION").value_or(r.env("AWS_DEFAULT_REGION").value_or("")));
  return e;
}

void parse_general_settings(Reader& r, const YAML::Node& node, GeneralSettings& g) {
  const std::string path = "general_settings";
  r.require_map(node, path);
  r.check_keys(node, path, path,
               {"master_key",
                "database_url",
                "sqlite_path",
                "redis_url",
                "host",
                "port",
                "io_threads",
                "actor_threads",
                "max_request_body_bytes",
                "max_request_size_mb",
                "header_timeout",
                "idle_timeout",
                "max_connections",
                "max_in_flight_requests",
                "max_event_loop_delay_ms",
                "max_event_loop_utilization",
                "event_loop_poll_us",
                "max_pending_upstream_connects",
                "shutdown_grace_period",
                "require_auth_for_metrics_endpoint",
                "log_level",
                "log_file",
                "upstream_ca_file",
                "upstream_pool_size",
                "upstream_pool_idle_timeout",
                "upstream_connect_timeout",
                "max_auth_failures_per_minute",
                "store_threads",
                "store_queue_limit",
                "key_cache_max_size",
                "max_budget_owners",
                "max_json_depth",
                "proxy_batch_write_at",
                "spend_journal_path",
                "store_model_in_db",
                "salt_key",
                "admin_listen",
                "pass_through_reservation"},
               kJwtGeneralKeys);
  auto p = [&](const char* key) { return join_path(path, key); };
  if (auto v = node["master_key"]) g.master_key = r.text(v, p("master_key"));
  if (auto v = node["database_url"]) g.database_url = r.text(v, p("database_url"));
  if (auto v = node["sqlite_path"]) g.sqlite_path = r.text(v, p("sqlite_path"));
  if (auto v = node["redis_url"]) g.redis_url = r.text(v, p("redis_url"));
  if (auto v = node["host"]) g.host = r.text(v, p("host"));
  if (auto v = node["port"]) g.port = static_cast<std::uint16_t>(r.integer(v, p("port"), 0, 65535));
  if (auto v = node["io_threads"]) g.io_threads = static_cast<int>(r.integer(v, p("io_threads"), 0, 256));
  if (auto v = node["actor_threads"]) g.actor_threads = static_cast<int>(r.integer(v, p("actor_threads"), 0, 256));
  if (auto v = node["max_request_body_bytes"])
    g.max_request_body_bytes = static_cast<std::size_t>(r.integer(v, p("max_request_body_bytes"), 1024, 1LL << 32));
  if (auto v = node["max_request_size_mb"])
    g.max_request_body_bytes = static_cast<std::size_t>(r.number(v, p("max_request_size_mb"), 0.001) * 1024 * 1024);
  if (auto v = node["max_json_depth"])
    g.max_json_depth = static_cast<int>(r.integer(v, p("max_json_depth"), 1, core::kMaxConfigurableJsonDepth));
  if (auto v = node["header_timeout"]) g.header_timeout = r.seconds(v, p("header_timeout"));
  if (auto v = node["idle_timeout"]) g.idle_timeout = r.seconds(v, p("idle_timeout"));
  if (auto v = node["max_connections"])
    g.max_connections = static_cast<std::size_t>(r.integer(v, p("max_connections"), 1, 1'000'000));
  if (auto v = node["max_in_flight_requests"])
    g.max_in_flight_requests = static_cast<std::size_t>(r.integer(v, p("max_in_flight_requests"), 0, 1'000'000));
  if (auto v = node["max_event_loop_delay_ms"]) {
    const double ms = r.number(v, p("max_event_loop_delay_ms"), 0.0);
    if (ms > 60'000) r.fail(p("max_event_loop_delay_ms"), "at most 60000 (a minute)");
    g.max_event_loop_delay = std::chrono::microseconds(static_cast<std::int64_t>(std::llround(ms * 1000)));
  }
  if (auto v = node["max_event_loop_utilization"]) {
    const double fraction = r.number(v, p("max_event_loop_utilization"), 0.0);
    if (fraction != 0 && (fraction < 0.1 || fraction > 0.99)) {
      r.fail(p("max_event_loop_utilization"), "a fraction from 0.1 to 0.99 (0: off)");
    }
    g.max_event_loop_utilization = fraction;
  }
  if (auto v = node["event_loop_poll_us"])
    g.event_loop_poll = std::chrono::microseconds(r.integer(v, p("event_loop_poll_us"), 0, 10'000));
  if (auto v = node["max_pending_upstream_connects"])
    g.max_pending_upstream_connects =
        static_cast<std::size_t>(r.integer(v, p("max_pending_upstream_connects"), 1, 1'000'000));
  if (auto v = node["pass_through_reservation"])
    g.pass_through_reservation = r.number(v, p("pass_through_reservation"), 0.0);
  if (auto v = node["shutdown_grace_period"]) g.shutdown_grace = r.seconds(v, p("shutdown_grace_period"));
  if (auto v = node["require_auth_for_metrics_endpoint"])
    g.require_auth_for_metrics_endpoint = r.boolean(v, p("require_auth_for_metrics_endpoint"));
  if (auto v = node["max_auth_failures_per_minute"])
    g.max_auth_failures_per_minute = static_cast<int>(r.integer(v, p("max_auth_failures_per_minute"), 1, 1'000'000));
  if (auto v = node["store_threads"]) g.store_threads = static_cast<int>(r.integer(v, p("store_threads"), 0, 64));
  if (auto v = node["store_queue_limit"])
    g.store_queue_limit = static_cast<std::size_t>(r.integer(v, p("store_queue_limit"), 1, 10'000'000));
  if (auto v = node["key_cache_max_size"])
    g.key_cache_max_size = static_cast<std::size_t>(r.integer(v, p("key_cache_max_size"), 0, 100'000'000));
  if (auto v = node["max_budget_owners"])
    g.max_budget_owners = static_cast<std::size_t>(r.integer(v, p("max_budget_owners"), 0, 100'000'000));
  if (auto v = node["upstream_ca_file"]) g.upstream_ca_file = r.text(v, p("upstream_ca_file"));
  if (auto v = node["upstream_pool_size"])
    g.upstream_pool_size = static_cast<std::size_t>(r.integer(v, p("upstream_pool_size"), 0, 100'000));
  if (auto v = node["upstream_pool_idle_timeout"])
    g.upstream_pool_idle_timeout = r.seconds(v, p("upstream_pool_idle_timeout"));
  if (auto v = node["upstream_connect_timeout"])
    g.upstream_connect_timeout = r.seconds(v, p("upstream_connect_timeout"));
  if (auto v = node["log_level"]) g.log_level = r.text(v, p("log_level"));
  if (auto v = node["log_file"]) g.log_file = r.text(v, p("log_file"));
  if (auto v = node["proxy_batch_write_at"]) g.spend_flush_interval = r.seconds(v, p("proxy_batch_write_at"));
  if (auto v = node["spend_journal_path"]) g.spend_journal_path = r.text(v, p("spend_journal_path"));
  if (auto v = node["store_model_in_db"]) g.store_model_in_db = r.boolean(v, p("store_model_in_db"));
  if (auto v = node["salt_key"]) g.salt_key = r.text(v, p("salt_key"));
  if (auto v = node["admin_listen"]) {
    const auto address = core::parse_host_port(r.text(v, p("admin_listen")));
    if (!address) r.fail(p("admin_listen"), "expected host:port, e.g. 127.0.0.1:4001");
    g.admin_host = address->host;
    g.admin_port = address->port;
  }
  parse_jwt_auth(r, node, g.jwt);
}

// cluster: membership and the hash ring (docs/cluster.md). Other cluster pieces keep their
// keys in lists of their own beside this one.
const Keys kClusterMembershipKeys = {"enabled",  "name", "node_id", "advertise_address", "heartbeat_interval",
                                     "node_ttl", "peers"};
const Keys kClusterChangeKeys = {"change_channel"};    // the change fan-out
const Keys kClusterTransportKeys = {"listen", "tls"};  // the node-to-node transport
const Keys kClusterTlsKeys = {"certificate", "key", "ca", "passphrase"};

std::string node_id_value(Reader& r, const YAML::Node& node, const std::string& path) {
  auto id = r.text(node, path);
  if (!core::is_valid_node_id(id)) {
    r.fail(path, "must be 1 to 200 letters, digits or . _ : @ -, got '" + id + "'");
  }
  return id;
}

std::string address_value(Reader& r, const YAML::Node& node, const std::string& path) {
  auto address = r.text(node, path);
  if (!core::is_host_port(address)) {
    r.fail(path, "expected host:port (or [v6-address]:port), got '" + address + "'");
  }
  return address;
}

std::vector<ClusterPeer> parse_cluster_peers(Reader& r, const YAML::Node& node, const std::string& path) {
  if (!node.IsSequence()) r.fail(path, "expected a list of {node_id, address}");
  std::vector<ClusterPeer> peers;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const auto entry_path = index_path(path, i);
    r.require_map(node[i], entry_path);
    r.check_keys(node[i], entry_path, "cluster.peers", {"node_id", "address"});
    if (!node[i]["node_id"]) r.fail(join_path(entry_path, "node_id"), "is required");
    ClusterPeer peer;
    peer.node_id = node_id_value(r, node[i]["node_id"], join_path(entry_path, "node_id"));
    if (auto v = node[i]["address"]) peer.address = address_value(r, v, join_path(entry_path, "address"));
    if (!ids.insert(peer.node_id).second) {
      r.fail(join_path(entry_path, "node_id"), "duplicate node id '" + peer.node_id + "'");
    }
    peers.push_back(std::move(peer));
  }
  return peers;
}

void parse_cluster_membership(Reader& r, const YAML::Node& node, const std::string& path,
                              ClusterMembershipSettings& m) {
  auto p = [&](const char* key) { return join_path(path, key); };
  if (auto v = node["enabled"]) m.enabled = r.boolean(v, p("enabled"));
  if (auto v = node["name"]) {
    m.name = r.text(v, p("name"));
    if (!core::is_valid_node_id(m.name)) r.fail(p("name"), "must be 1 to 200 letters, digits or . _ : @ -");
  }
  if (auto v = node["node_id"]) m.node_id = node_id_value(r, v, p("node_id"));
  if (auto v = node["advertise_address"]) m.advertise_address = address_value(r, v, p("advertise_address"));
  if (auto v = node["heartbeat_interval"]) m.heartbeat_interval = r.seconds(v, p("heartbeat_interval"));
  if (auto v = node["node_ttl"]) m.node_ttl = r.seconds(v, p("node_ttl"));
  if (auto v = node["peers"]) m.peers = parse_cluster_peers(r, v, p("peers"));
}

void parse_cluster_transport(Reader& r, const YAML::Node& node, const std::string& path, ClusterTransportSettings& t) {
  if (auto v = node["listen"]) t.listen = address_value(r, v, join_path(path, "listen"));
  const auto tls = node["tls"];
  if (!tls) return;
  const auto tls_path = join_path(path, "tls");
  r.require_map(tls, tls_path);
  r.check_keys(tls, tls_path, tls_path, kClusterTlsKeys);
  auto p = [&](const char* key) { return join_path(tls_path, key); };
  if (auto v = tls["certificate"]) t.tls.certificate = r.text(v, p("certificate"));
  if (auto v = tls["key"]) t.tls.key = r.text(v, p("key"));
  if (auto v = tls["ca"]) t.tls.ca = r.text(v, p("ca"));
  if (auto v = tls["passphrase"]) t.tls.passphrase = r.text(v, p("passphrase"));
}

void parse_cluster(Reader& r, const YAML::Node& node, ClusterSettings& c) {
  const std::string path = "cluster";
  r.require_map(node, path);
  r.check_keys(node, path, path, kClusterMembershipKeys, kClusterChangeKeys, kClusterTransportKeys);
  parse_cluster_membership(r, node, path, c.membership);
  if (auto v = node["change_channel"]) c.changes.channel = r.text(v, join_path(path, "change_channel"));
  parse_cluster_transport(r, node, path, c.transport);
  if (c.transport.listen.empty()) c.transport.listen = c.membership.advertise_address;
  // And the other way: a node listening on a specific address is reached there.
  const bool wildcard = c.transport.listen.rfind("0.0.0.0:", 0) == 0 || c.transport.listen.rfind("[::]:", 0) == 0;
  if (c.membership.advertise_address.empty() && !wildcard) c.membership.advertise_address = c.transport.listen;
}

// The fan-out runs over Redis: a cluster of static peers without it tells no node another's
// changes, so a key revoked on one node works on the others until their cache entry expires.
void validate_cluster_changes(Reader& r, const ClusterSettings& c, const GeneralSettings& g) {
  if (c.changes.channel.empty()) r.fail("cluster.change_channel", "must not be empty");
  if (c.membership.enabled && g.redis_url.empty()) {
    r.warn(
        "cluster.enabled: without general_settings.redis_url no node hears of another's changes: a key revoked "
        "through one node keeps working on the others until their key cache entry expires (up to 5 minutes)");
  }
}

void validate_cluster_membership(Reader& r, const ClusterMembershipSettings& m, const GeneralSettings& g) {
  if (m.node_ttl < 2 * m.heartbeat_interval) {
    r.fail("cluster.node_ttl",
           "must be at least twice cluster.heartbeat_interval (else one late heartbeat "
           "drops a live node)");
  }
  if (!m.enabled) return;
  if (m.peers.empty() && g.redis_url.empty()) {
    r.fail("cluster.enabled",
           "needs general_settings.redis_url (or REDIS_URL) to register nodes in, or a "
           "static cluster.peers list");
  }
  if (m.peers.empty()) {
    if (m.advertise_address.empty()) {
      r.fail("cluster.advertise_address",
             "is required with cluster.enabled (or a cluster.listen on a specific address): the other nodes reach "
             "the budgets this node owns at it");
    }
    return;
  }
  // Every node must build the same ring from the same list, this one included.
  if (m.node_id.empty()) r.fail("cluster.node_id", "is required with cluster.peers (it names this node in the list)");
  const bool listed =
      std::any_of(m.peers.begin(), m.peers.end(), [&](const ClusterPeer& peer) { return peer.node_id == m.node_id; });
  if (!listed) r.fail("cluster.peers", "does not list this node's node_id '" + m.node_id + "'");
}

// Nodes talk over mutual TLS only: caf::openssl without a certificate falls back to anonymous
// TLS, which lets any process that reaches the port join the cluster.
void validate_cluster_transport(Reader& r, const ClusterSettings& c) {
  if (!c.membership.enabled) return;
  if (c.transport.listen.empty()) {
    r.fail("cluster.listen",
           "is required with cluster.enabled: the host:port this node listens on for its peers (it defaults "
           "to cluster.advertise_address)");
  }
  const auto& tls = c.transport.tls;
  const std::pair<const char*, const std::string*> files[] = {
      {"certificate", &tls.certificate}, {"key", &tls.key}, {"ca", &tls.ca}};
  for (const auto& [key, value] : files) {
    if (value->empty()) {
      r.fail(std::string("cluster.tls.") + key,
             "is required with cluster.enabled: nodes talk over mutual TLS, each with a certificate and its key "
             "signed by the cluster CA (without them any process reaching the port could join the cluster)");
    }
  }
}

void apply_environment_overrides(Reader& r, GeneralSettings& g) {
  if (auto v = r.env("LITELLM_MASTER_KEY")) g.master_key = *v;
  if (auto v = r.env("TOLLGATE_MASTER_KEY")) g.master_key = *v;
  if (auto v = r.env("DATABASE_URL")) g.database_url = *v;
  if (auto v = r.env("REDIS_URL")) g.redis_url = *v;
  if (auto v = r.env("TOLLGATE_HOST")) g.host = *v;
  if (auto v = r.env("TOLLGATE_LOG_LEVEL")) g.log_level = *v;
  if (auto v = r.env("STORE_MODEL_IN_DB")) g.store_model_in_db = *v == "True" || *v == "true" || *v == "1";
  if (auto v = r.env("LITELLM_SALT_KEY")) g.salt_key = *v;
  if (auto v = r.env("TOLLGATE_SALT_KEY")) g.salt_key = *v;
  // The default spend journal's place with PostgreSQL: the XDG state directory (state to keep
  // across restarts), not the working directory, which may be anything (a test's, a checkout).
  if (auto v = r.env("XDG_STATE_HOME"); v && !v->empty()) {
    g.state_dir = *v + "/tollgate";
  } else if (auto home = r.env("HOME"); home && !home->empty()) {
    g.state_dir = *home + "/.local/state/tollgate";
  }
  if (auto v = r.env("PORT")) {
    YAML::Node node(*v);
    g.port = static_cast<std::uint16_t>(r.integer(node, "PORT (environment)", 0, 65535));
  }
}

void validate(Reader& r, Config& c) {
  const auto& levels = {"debug", "info", "warn", "warning", "error"};
  if (std::find(levels.begin(), levels.end(), c.general.log_level) == levels.end()) {
    r.fail("general_settings.log_level", "must be debug, info, warn or error");
  }
  if (!c.general.master_key.empty() && c.general.master_key.size() < 8) {
    r.fail("general_settings.master_key", "is too short (at least 8 characters)");
  }
  if (!c.general.master_key.empty() && c.general.master_key.rfind("sk-", 0) != 0) {
    r.warn("general_settings.master_key: does not start with 'sk-' (LiteLLM clients expect it)");
  }
  if (c.general.store_model_in_db && c.general.salt_key.empty()) {
    r.fail("general_settings.store_model_in_db",
           "needs a salt key to encrypt the stored provider keys: set general_settings.salt_key or "
           "LITELLM_SALT_KEY / TOLLGATE_SALT_KEY (keep it: stored keys cannot be read without it)");
  }
  if (c.general.admin_host && c.general.admin_port == c.general.port && c.general.port != 0) {
    r.fail("general_settings.admin_listen", "must use another port than the public listener");
  }
  std::set<std::string> groups;
  std::set<std::string> ids;
  for (std::size_t i = 0; i < c.model_list.size(); ++i) {
    groups.insert(c.model_list[i].model_name);
    if (!ids.insert(c.model_list[i].info.id).second) {
      r.fail(index_path("model_list", i) + ".model_info.id",
             "duplicate deployment id '" + c.model_list[i].info.id + "'");
    }
  }
  auto check_targets = [&](const std::vector<Fallback>& list, const char* path) {
    for (const auto& f : list) {
      if (!groups.count(f.model_group)) {
        r.fail(std::string(path) + "." + f.model_group, "is not a model_name in model_list");
      }
      for (const auto& target : f.fallbacks) {
        if (!groups.count(target)) {
          r.fail(std::string(path) + "." + f.model_group,
                 "fallback '" + target + "' is not a model_name in model_list");
        }
      }
    }
  };
  check_targets(c.router.fallbacks, "router_settings.fallbacks");
  check_targets(c.router.context_window_fallbacks, "router_settings.context_window_fallbacks");
  validate_cluster_membership(r, c.cluster.membership, c.general);
  validate_cluster_changes(r, c.cluster, c.general);
  validate_cluster_transport(r, c.cluster);
}

}  // namespace

std::string GeneralSettings::spend_journal_dir() const {
  if (spend_journal_path) return *spend_journal_path;
  // Nodes sharing a PostgreSQL database on one machine differ by port, so each gets its own.
  if (database_url.empty()) return sqlite_path + "-spend-journal";
  // Named for the database too: a journal is only ever replayed into the database it was
  // written for (a gateway pointed at another database, or the next test's, must not charge it
  // with spend of entities it never had). A digest: the URL may carry a password.
  const std::string name = "spend-journal-" + core::hash_key(database_url).substr(0, 12) + "-" + std::to_string(port);
  return state_dir.empty() ? "tollgate-" + name : state_dir + "/" + name;
}

std::vector<std::string> Config::secrets() const {
  std::vector<std::string> out;
  if (!general.master_key.empty()) out.push_back(general.master_key);
  if (!general.salt_key.empty()) out.push_back(general.salt_key);
  for (const auto& d : model_list) {
    if (!d.api_key.empty()) out.push_back(d.api_key);
  }
  // Connection strings carry passwords.
  if (!general.database_url.empty()) out.push_back(general.database_url);
  if (!general.redis_url.empty()) out.push_back(general.redis_url);
  if (!cluster.transport.tls.passphrase.empty()) out.push_back(cluster.transport.tls.passphrase);
  for (const auto* secret :
       {&pass_through_env.openai_api_key, &pass_through_env.anthropic_api_key, &pass_through_env.gemini_api_key,
        &pass_through_env.aws.secret_access_key, &pass_through_env.aws.session_token}) {
    if (!secret->empty()) out.push_back(*secret);
  }
  if (!general.jwt.hmac_secret.empty()) out.push_back(general.jwt.hmac_secret);
  for (const auto& server : mcp_servers) {
    for (const auto& header : server.headers) out.push_back(header.second);
    for (const auto& var : server.env) out.push_back(var.second);
  }
  return out;
}

// What restart_sections holds: each top-level section as emitted YAML, without what a reload
// applies.
static std::map<std::string, std::string> restart_sections(const YAML::Node& root) {
  std::map<std::string, std::string> out;
  for (const auto& entry : root) {
    const auto name = entry.first.as<std::string>();
    if (name == "model_list" || name == "router_settings") continue;
    YAML::Node section = YAML::Clone(entry.second);
    if (name == "litellm_settings" && section.IsMap()) {
      for (const auto key : kRouterKeys) section.remove(std::string(key));
    }
    YAML::Emitter text;
    text << section;
    out.emplace(name, text.c_str());
  }
  return out;
}

// mcp_allowed_networks: CIDRs that admin-registered MCP servers may reach (core/ssrf_policy.h).
static std::vector<core::Cidr> parse_networks(const Reader& r, const YAML::Node& node) {
  const std::string path = "mcp_allowed_networks";
  std::vector<core::Cidr> networks;
  const auto texts = r.string_list(node, path);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const auto cidr = core::parse_cidr(texts[i]);
    if (!cidr) r.fail(index_path(path, i), "expected a network such as 172.18.0.0/16 or fd00::/8");
    networks.push_back(*cidr);
  }
  return networks;
}

Config parse_config(std::string_view yaml_text, const std::string& source, const Environment& env) {
  Reader r(source, env);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    throw ConfigError(source,
                      "line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1),
                      "invalid YAML: " + e.msg);
  }
  Config c;
  c.source = source;
  if (root.IsNull()) {
    apply_environment_overrides(r, c.general);
    c.warnings = r.take_warnings();
    return c;
  }
  r.require_map(root, "");
  r.check_keys(root, "", "",
               {"model_list", "general_settings", "router_settings", "litellm_settings", "environment_variables",
                "cluster", "mcp_servers"},
               {"mcp_allowed_networks"});
  try {
    if (auto vars = root["environment_variables"]) {
      r.require_map(vars, "environment_variables");
      std::map<std::string, std::string> overlay;
      for (const auto& pair : vars) {
        const auto name = pair.first.as<std::string>();
        overlay[name] = r.text(pair.second, "environment_variables." + name);
      }
      r.set_overlay(std::move(overlay));
    }
    if (auto general = root["general_settings"]) parse_general_settings(r, general, c.general);
    if (auto litellm = root["litellm_settings"]) parse_litellm_settings(r, litellm, c);
    if (auto router = root["router_settings"]) parse_router_settings(r, router, c.router);
    if (auto cluster = root["cluster"]) parse_cluster(r, cluster, c.cluster);
    if (auto networks = root["mcp_allowed_networks"]) c.mcp_allowed_networks = parse_networks(r, networks);
    if (auto servers = root["mcp_servers"]) c.mcp_servers = parse_mcp_servers(r, servers);
    if (auto models = root["model_list"]) {
      if (!models.IsSequence() && !models.IsNull()) r.fail("model_list", "expected a list");
      for (std::size_t i = 0; i < models.size(); ++i) {
        c.model_list.push_back(parse_deployment(r, models[i], index_path("model_list", i), i));
      }
    }
  } catch (const YAML::Exception& e) {
    throw ConfigError(source, "line " + std::to_string(e.mark.line + 1), e.msg);
  }
  apply_environment_overrides(r, c.general);
  c.pass_through_env = read_pass_through_environment(r);
  validate(r, c);
  c.warnings = r.take_warnings();
  c.restart_sections = restart_sections(root);
  return c;
}

Deployment parse_model_entry(std::string_view json, const std::string& source, const std::string& path,
                             const Environment& env, std::vector<std::string>& warnings) {
  Reader r(source, env);
  YAML::Node node;
  try {
    node = YAML::Load(std::string(json));
  } catch (const YAML::Exception& e) {
    throw ConfigError(source, path, "invalid JSON: " + e.msg);
  }
  try {
    auto deployment = parse_deployment(r, node, path, 0);
    for (auto& warning : r.take_warnings()) warnings.push_back(std::move(warning));
    return deployment;
  } catch (const YAML::Exception& e) {
    throw ConfigError(source, path, e.msg);
  }
}

Config load_config_file(const std::string& path, const Environment& env) {
  std::ifstream in(path);
  if (!in) {
    throw ConfigError(path, "", "cannot open the file");
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_config(buffer.str(), path, env);
}

}  // namespace tollgate::config
