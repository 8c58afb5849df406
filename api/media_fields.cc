#include "api/media_fields.h"

#include <algorithm>
#include <memory>

#include "api/end_user_admission.h"
#include "api/json_body.h"
#include "core/multipart.h"
#include "providers/json_util.h"

namespace tollgate::api {
namespace {

using core::MediaKind;

constexpr std::int64_t kMaxImagesPerRequest = 10;  // OpenAI's limit for n

std::string_view text_of(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

core::Status require_text(const rapidjson::Document& body, const char* field) {
  const auto it = body.FindMember(field);
  if (it == body.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0) {
    return core::bad_request(std::string("'") + field + "' is required and must be a non-empty string", field);
  }
  return {};
}

// The JSON body with `model` set to the deployment's name; the client's bytes when unchanged.
std::function<std::string(const std::string&)> json_body_for(const http::ExchangePtr& exchange,
                                                             std::shared_ptr<rapidjson::Document> body) {
  return [exchange, body](const std::string& upstream_model) {
    if (text_of((*body)["model"]) == upstream_model) return std::string(exchange->body());
    rapidjson::Document copy;
    copy.CopyFrom(*body, copy.GetAllocator());  // depth bounded by the edge's parse
    copy["model"] = providers::json::string_value(upstream_model, copy.GetAllocator());
    return providers::json::serialize(copy);
  };
}

std::string_view optional_text(const rapidjson::Document& body, const char* field) {
  const auto it = body.FindMember(field);
  return it != body.MemberEnd() && it->value.IsString() ? text_of(it->value) : std::string_view();
}

core::Result<core::MediaRequestFacts> json_facts(MediaKind kind, const rapidjson::Document& body) {
  core::MediaRequestFacts facts;
  facts.kind = kind;
  switch (kind) {
    case MediaKind::image_generation: {
      if (auto ok = require_text(body, "prompt"); !ok) return ok.error();
      std::int64_t n = 1;
      if (const auto it = body.FindMember("n"); it != body.MemberEnd() && !it->value.IsNull()) {
        if (!it->value.IsInt64() || it->value.GetInt64() < 1 || it->value.GetInt64() > kMaxImagesPerRequest) {
          return core::bad_request("'n' must be an integer from 1 to " + std::to_string(kMaxImagesPerRequest), "n");
        }
        n = it->value.GetInt64();
      }
      for (const char* field : {"size", "quality"}) {  // they set the price: a string, or absent
        const auto it = body.FindMember(field);
        if (it != body.MemberEnd() && !it->value.IsNull() && !it->value.IsString()) {
          return core::bad_request(std::string("'") + field + "' must be a string", field);
        }
      }
      facts.image_size = std::string(optional_text(body, "size"));
      facts.image_quality = std::string(optional_text(body, "quality"));
      facts.units = {static_cast<double>(n), static_cast<double>(n)};
      facts.text_bytes = static_cast<std::int64_t>(optional_text(body, "prompt").size());
      facts.images = n;
      facts.output_tokens_per_image =
          core::image_output_token_bound(optional_text(body, "size"), optional_text(body, "quality"));
      return facts;
    }
    case MediaKind::speech: {
      if (auto ok = require_text(body, "input"); !ok) return ok.error();
      const auto input = optional_text(body, "input");
      facts.characters = core::utf8_characters(input);
      facts.units = {static_cast<double>(facts.characters), static_cast<double>(facts.characters)};
      // gpt-4o-mini-tts reads its `instructions` too.
      facts.text_bytes = static_cast<std::int64_t>(input.size() + optional_text(body, "instructions").size());
      return facts;
    }
    case MediaKind::moderation:
      if (!body.HasMember("input")) return core::bad_request("'input' is required", "input");
      return facts;
    case MediaKind::rerank: {
      if (auto ok = require_text(body, "query"); !ok) return ok.error();
      const auto docs = body.FindMember("documents");
      if (docs == body.MemberEnd() || !docs->value.IsArray() || docs->value.Empty()) {
        return core::bad_request("'documents' must be a non-empty array", "documents");
      }
      std::vector<std::size_t> sizes;
      for (const auto& doc : docs->value.GetArray()) {
        // Cohere takes strings, or objects whose text it reads: their whole JSON bounds it.
        sizes.push_back(doc.IsString() ? doc.GetStringLength() : providers::json::serialize(doc).size());
      }
      facts.units = core::rerank_units(sizes);
      return facts;
    }
    case MediaKind::transcription: break;
  }
  return core::internal_error("not a JSON media request");
}

core::Result<MediaBody> read_json(MediaKind kind, const http::ExchangePtr& exchange, int max_json_depth) {
  auto body = std::make_shared<rapidjson::Document>();
  if (auto parsed = parse_json_object(exchange->body(), *body, max_json_depth); !parsed) return parsed.error();
  const auto model = body->FindMember("model");
  if (model == body->MemberEnd() || !model->value.IsString()) {
    return core::bad_request("'model' is required and must be a string", "model");
  }
  MediaBody out;
  out.model = std::string(text_of(model->value));
  auto facts = json_facts(kind, *body);
  if (!facts) return facts.error();
  out.facts = *facts;
  out.end_user = requested_end_user(*body);
  out.content_type = "application/json";
  out.body_for = json_body_for(exchange, std::move(body));
  return out;
}

// A field the gateway reads, sent twice, would be read as the first here and as the last by a
// provider's multidict: a tiny first file would bound the reservation and the charge of a long
// second one. Other fields may repeat (timestamp_granularities[]).
core::Status refuse_repeated_fields(const core::FormData& form) {
  for (const char* name : {"model", "file", "prompt", "user"}) {
    const auto named = [name](const core::FormPart& part) { return part.name == name; };
    if (std::count_if(form.parts.begin(), form.parts.end(), named) > 1) {
      return core::bad_request(std::string("'") + name + "' must be sent once", name);
    }
  }
  return {};
}

core::Result<MediaBody> read_form(const http::ExchangePtr& exchange) {
  auto parsed = core::parse_form_data(exchange->header("content-type"), exchange->body());
  if (!parsed) return parsed.error();
  auto form = std::make_shared<core::FormData>(std::move(parsed).value());
  if (auto refused = refuse_repeated_fields(*form); !refused) return refused.error();
  const auto* model = form->find("model");
  if (model == nullptr || model->filename) return core::bad_request("'model' is a required form field", "model");
  const auto* file = form->find("file");
  if (file == nullptr || !file->filename) return core::bad_request("'file' is a required file field", "file");
  MediaBody out;
  out.model = std::string(model->value);
  // The longest audio the upload can hold is the bound; a WAV's header says exactly.
  out.facts.kind = MediaKind::transcription;
  out.facts.units.bound = core::audio_seconds_bound(file->value.size());
  out.facts.units.fallback = core::wav_duration_seconds(file->value).value_or(out.facts.units.bound);
  out.facts.audio_seconds = out.facts.units.bound;
  if (const auto* prompt = form->find("prompt"); prompt != nullptr && !prompt->filename) {
    out.facts.text_bytes = static_cast<std::int64_t>(prompt->value.size());
  }
  if (const auto* user = form->find("user"); user != nullptr && !user->filename)
    out.end_user = std::string(user->value);
  out.content_type = "multipart/form-data; boundary=" + form->boundary;
  out.body_for = [exchange, form](const std::string& upstream_model) {
    // The form's parts are views into the exchange's body, which `exchange` keeps alive.
    return core::write_form_data(*form, "model", upstream_model);
  };
  return out;
}

}  // namespace

core::Result<MediaBody> read_media_body(MediaKind kind, const http::ExchangePtr& exchange, int max_json_depth) {
  auto body = kind == MediaKind::transcription ? read_form(exchange) : read_json(kind, exchange, max_json_depth);
  if (!body) return body;
  if (auto refused = refuse_nul(body->model, "model"); !refused) return refused.error();
  return body;
}

}  // namespace tollgate::api
