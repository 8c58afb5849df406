#include "tools/mock/handler.h"

#include <algorithm>
#include <ctime>
#include <optional>

#include "tools/mock/azure.h"
#include "tools/mock/bedrock.h"
#include "tools/mock/bedrock_invoke.h"
#include "tools/mock/config_json.h"
#include "tools/mock/gemini.h"
#include "tools/mock/google_token.h"
#include "tools/mock/http_out.h"
#include "tools/mock/json_out.h"
#include "tools/mock/live_config.h"
#include "tools/mock/media.h"
#include "tools/mock/openai_responses.h"
#include "tools/mock/prng.h"
#include "tools/mock/reply_text.h"
#include "tools/mock/responses.h"
#include "tools/mock/stats.h"
#include "tools/mock/stored_responses.h"
#include "tools/mock/vertex.h"

namespace tollgate::mock {

namespace {

// With no pacing, a reset-mid-stream still waits this long before the RST: an RST drops
// whatever the client has not read yet, and the test wants the two chunks to arrive.
constexpr int kResetGraceMs = 20;

constexpr std::string_view kDefaultModel = "mock-model";

std::string_view view(boost::beast::string_view s) { return {s.data(), s.size()}; }

BodyKind body_kind(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::messages:
    case Endpoint::count_tokens: return BodyKind::anthropic;
    case Endpoint::bedrock_converse: return BodyKind::converse;
    case Endpoint::bedrock_invoke: return BodyKind::anthropic;  // embedding bodies are read by read_invoke_call
    case Endpoint::gemini_generate: return BodyKind::gemini;
    case Endpoint::completions: return BodyKind::completion;
    case Endpoint::embeddings: return BodyKind::embedding;
    case Endpoint::responses: return BodyKind::responses;
    default: return BodyKind::chat;
  }
}

std::string failure_message(int status) {
  if (status == 429) {
    return "tollgate-mock: simulated rate limit (HTTP 429)";
  }
  return "tollgate-mock: simulated upstream error (HTTP " + std::to_string(status) + ")";
}

}  // namespace

Handler::Handler(Stats& stats, StatsShard& shard, LiveConfig& config, int worker, std::string azure_api_key)
    : stats_(stats), shard_(shard), config_(config), worker_(worker), azure_api_key_(std::move(azure_api_key)) {}

int Handler::keep_alive_ms() const { return config_.load().keep_alive_ms; }

Action Handler::handle(Request&& request, std::string& out) {
  Action action;
  action.keep_alive = request.keep_alive();
  const std::string_view method = view(request.method_string());
  const std::string_view path = path_of(view(request.target()));
  const Endpoint endpoint = classify(method, path);

  if (is_control(endpoint)) {
    control(endpoint, request, action, out);
    return action;
  }
  if (is_media_path(path)) {  // images, audio, moderations, rerank (tools/mock/media.h)
    media(path, request, action, out);
    return action;
  }

  if (endpoint == Endpoint::not_found) {
    error(endpoint, 404, "tollgate-mock: no endpoint " + std::string(method) + " " + std::string(path), action, out);
    shard_.record(path, {}, request);
    return action;
  }

  if (endpoint == Endpoint::google_token) {  // a form, not JSON
    auto token = answer_token_request(request.body(), ++sequence_, requested_token_lifetime(view(request.target())));
    action.delay_ms = config_.load().latency_ms;  // a slow token endpoint, for tests that wait on a grant
    shard_.record(path, {}, request);
    body_ = std::move(token.body);
    reply(token.status, action, out);
    return action;
  }

  if (endpoint == Endpoint::stored_response) {  // no body
    body_ = stored_response_body(method, stored_response_path(path));
    shard_.record(path, {}, request);
    reply(200, action, out);
    return action;
  }

  RequestBody body;
  if (endpoint != Endpoint::models) {
    body = parse_request_body(request.body(), body_kind(endpoint));
  }
  bool unsigned_bedrock_call = false;
  if (endpoint == Endpoint::bedrock_converse) {
    body.model = bedrock_model_of(path, body.stream);  // Bedrock names the model in the path
    unsigned_bedrock_call = !looks_sigv4_signed(view(request[boost::beast::http::field::authorization]));
  }
  invoke_ = {};
  if (const auto invoke = endpoint == Endpoint::bedrock_invoke ? bedrock_invoke_route(path) : std::nullopt) {
    body.model = invoke->model;
    body.stream = invoke->stream;
    invoke_ = read_invoke_call(*invoke, request.body());
    unsigned_bedrock_call = !looks_sigv4_signed(view(request[boost::beast::http::field::authorization]));
  }
  bool unauthenticated_gemini_call = false;
  if (endpoint == Endpoint::gemini_generate) {
    body.model = std::string(gemini_model_of(path, body.stream));  // Gemini names the model in the path
    unauthenticated_gemini_call =
        request["x-goog-api-key"].empty() && request[boost::beast::http::field::authorization].empty();
  }
  VertexProblem vertex_problem;
  std::optional<std::string> vertex_prediction;     // :predict (text embeddings), answered in Vertex's shape
  if (const auto vertex = vertex_route_of(path)) {  // the model and the method are in the path
    body.model = std::string(vertex->model);
    body.stream = vertex->stream;
    vertex_problem =
        vertex_request_problem(*vertex, view(request[boost::beast::http::field::authorization]), request.body());
    if (vertex->predict) vertex_prediction = vertex_predict_answer(request.body());
  }
  AzureProblem azure_problem;
  if (const auto azure = azure_route_of(path)) {  // the deployment in the path is the model
    body.model = std::string(azure->deployment);
    azure_problem =
        azure_request_problem(view(request.target()), view(request["api-key"]), azure_api_key_, request.body());
  }
  shard_.record(path, body.model, request);
  // `request` now holds an older request (or nothing): only `body` and `endpoint` from here.
  if (unsigned_bedrock_call) {
    error(endpoint, 403, "tollgate-mock: the request is not signed with AWS Signature Version 4", action, out);
    return action;
  }
  if (azure_problem.status != 0 && azure_problem.openai_shape) {
    error(endpoint, azure_problem.status, azure_problem.message, action, out);
    return action;
  }
  if (azure_problem.status != 0) {
    body_.clear();
    append_azure_error(body_, azure_problem.status, azure_problem.message);
    reply(azure_problem.status, action, out);
    return action;
  }
  if (invoke_.problem_status != 0) {
    error(endpoint, invoke_.problem_status, invoke_.problem, action, out);
    return action;
  }
  if (vertex_problem.status != 0) {
    error(endpoint, vertex_problem.status, vertex_problem.message, action, out);
    return action;
  }
  if (vertex_prediction) {
    if (vertex_prediction->empty()) {
      error(endpoint, 400, "tollgate-mock: :predict needs instances[].content strings", action, out);
      return action;
    }
    body_ = std::move(*vertex_prediction);
    reply(200, action, out);
    return action;
  }
  if (unauthenticated_gemini_call) {
    error(endpoint, 403, "tollgate-mock: the request carries neither x-goog-api-key nor an OAuth2 bearer token", action,
          out);
    return action;
  }

  if (endpoint != Endpoint::models && !body.is_object) {
    error(endpoint, 400, "tollgate-mock: the request body must be a JSON object", action, out);
    return action;
  }
  const Plan plan = resolve_plan(parse_model_tokens(body.model), config_.load(), random_unit());
  action.delay_ms = plan.latency_ms;
  switch (plan.outcome) {
    case Outcome::reset: action.kind = Action::Kind::reset; break;
    case Outcome::hang: action.kind = Action::Kind::hang; break;
    case Outcome::fail:
      error(endpoint, plan.status,
            plan.context_exceeded ? "This model's maximum context length is 8192 tokens (context_length_exceeded)"
                                  : failure_message(plan.status),
            action, out);
      break;
    case Outcome::malformed: malformed(endpoint, body, plan, action, out); break;
    case Outcome::respond: respond(endpoint, body, plan, action, out); break;
  }
  return action;
}

void Handler::control(Endpoint endpoint, const Request& request, Action& action, std::string& out) {
  body_.clear();
  switch (endpoint) {
    case Endpoint::control_stats: body_ = stats_.snapshot_json(); break;
    case Endpoint::control_reset:
      stats_.reset();
      body_ = R"({"reset":true})";
      break;
    case Endpoint::control_last:
      if (!stats_.last_json(body_)) {
        error(endpoint, 404, "tollgate-mock: no request received yet", action, out);
        return;
      }
      break;
    case Endpoint::control_config:
      if (view(request.method_string()) == "POST") {
        const std::string problem = config_.apply_json(request.body());
        if (!problem.empty()) {
          error(endpoint, 400, "tollgate-mock: " + problem, action, out);
          return;
        }
      }
      append_config_json(body_, config_.load());
      break;
    default: break;
  }
  reply(200, action, out);
}

void Handler::respond(Endpoint endpoint, const RequestBody& body, const Plan& plan, Action& action, std::string& out) {
  body_.clear();
  const std::string_view model = body.model.empty() ? kDefaultModel : body.model;
  if (endpoint == Endpoint::models) {
    append_model_list(body_);
    reply(200, action, out);
    return;
  }
  const bool tokenizer = plan.token_count == TokenCount::tokenizer;
  if (endpoint == Endpoint::count_tokens) {
    const auto tokens = tokenizer ? body.prompt_token_count : prompt_tokens(body.prompt_bytes);
    body_ = "{\"input_tokens\":" + std::to_string(tokens) + "}";
    reply(200, action, out);
    return;
  }
  if (endpoint == Endpoint::embeddings) {
    append_embeddings(body_, model, body.input_hashes,
                      tokenizer ? body.prompt_token_count : prompt_tokens(body.prompt_bytes), body.base64);
    reply(200, action, out);
    return;
  }

  if (!invoke_.embedding.empty()) {  // a Bedrock embedding model
    body_ = invoke_.embedding;
    reply(200, action, out);
    return;
  }

  const std::string id = next_id(endpoint);
  Completion completion;
  completion.id = id;
  completion.model = model;
  completion.created = static_cast<std::int64_t>(std::time(nullptr));
  completion.content = reply_text(plan.echo, body.echo_text, plan.size, text_);
  if (tokenizer) {
    // As a provider: the answer stops at max_tokens, and usage counts what was returned.
    if (body.max_tokens > 0) {
      const auto kept = first_tokens(completion.content, body.max_tokens);
      completion.truncated = kept.size() < completion.content.size();
      completion.content = kept;
    }
    completion.prompt_tokens = body.prompt_token_count;
    completion.completion_tokens = count_tokens(completion.content);
  } else {
    completion.prompt_tokens = prompt_tokens(body.prompt_bytes);
    completion.completion_tokens = count_words(completion.content);
  }
  completion.without_usage = plan.no_usage;
  completion.cache_read_tokens = invoke_.cache_read;
  completion.cache_creation_tokens = invoke_.cache_creation;
  completion.web_search_requests = body.web_searches;
  completion.search_result_tokens = body.web_searches * kMockSearchResultTokens;

  if (body.stream) {
    if (endpoint == Endpoint::bedrock_converse) {
      stream(converse_stream(completion, plan.chunks), plan, action, out, kAmazonEventStream);
    } else if (endpoint == Endpoint::bedrock_invoke) {
      stream(invoke_stream(anthropic_stream(completion, plan.chunks), invoke_.exception_mid_stream), plan, action, out,
             kAmazonEventStream);
    } else if (endpoint == Endpoint::gemini_generate) {
      stream(gemini_stream(completion, plan.chunks), plan, action, out);
    } else if (endpoint == Endpoint::messages) {
      stream(anthropic_stream(completion, plan.chunks), plan, action, out);
    } else if (endpoint == Endpoint::responses) {
      stream(responses_stream(completion, plan.chunks), plan, action, out);
    } else if (endpoint == Endpoint::completions) {
      stream(completion_stream(completion, plan.chunks, body.include_usage), plan, action, out);
    } else {
      stream(chat_stream(completion, plan.chunks, body.include_usage && !plan.no_usage), plan, action, out);
    }
    return;
  }
  if (endpoint == Endpoint::bedrock_converse) {
    append_converse_response(body_, completion);
  } else if (endpoint == Endpoint::gemini_generate) {
    append_gemini_response(body_, completion);
  } else if (endpoint == Endpoint::messages || endpoint == Endpoint::bedrock_invoke) {
    append_anthropic_message(body_, completion);
  } else if (endpoint == Endpoint::responses) {
    append_response_object(body_, completion);
  } else if (endpoint == Endpoint::completions) {
    append_text_completion(body_, completion);
  } else {
    append_chat_completion(body_, completion);
  }
  // header-bytes-N: the answer carries one header line of N bytes (an upstream over the
  // gateway's header limit).
  const std::string padding =
      plan.header_bytes > 0 ? "x-mock-padding: " + std::string(plan.header_bytes, 'p') + "\r\n" : std::string();
  reply(200, action, out, padding);
}

void Handler::malformed(Endpoint endpoint, const RequestBody& body, const Plan& plan, Action& action,
                        std::string& out) {
  if (body.stream && endpoint == Endpoint::bedrock_converse) {
    Completion completion;
    completion.model = body.model;
    completion.content = "corrupt";
    stream(corrupt_converse_stream(completion), plan, action, out, kAmazonEventStream);
    return;
  }
  if (body.stream && endpoint == Endpoint::bedrock_invoke) {
    Completion completion;
    completion.model = body.model;
    completion.content = "corrupt";
    stream(corrupt_invoke_stream(anthropic_stream(completion, 1)), plan, action, out, kAmazonEventStream);
    return;
  }
  const bool streamable = endpoint == Endpoint::chat_completions || endpoint == Endpoint::completions ||
                          endpoint == Endpoint::messages || endpoint == Endpoint::gemini_generate;
  if (body.stream && streamable) {
    stream(malformed_stream(is_anthropic(endpoint)), plan, action, out);
    return;
  }
  body_.assign(kMalformedJson);
  reply(200, action, out);
}

void Handler::media(std::string_view path, Request& request, Action& action, std::string& out) {
  auto answer = answer_media(path, view(request[boost::beast::http::field::content_type]), request.body(), ++sequence_);
  shard_.record(path, answer.model, request);
  const Plan plan = resolve_plan(parse_model_tokens(answer.model), config_.load(), random_unit());
  action.delay_ms = plan.latency_ms;
  switch (plan.outcome) {
    case Outcome::reset: action.kind = Action::Kind::reset; return;
    case Outcome::hang: action.kind = Action::Kind::hang; return;
    case Outcome::fail:
      error(Endpoint::chat_completions, plan.status, failure_message(plan.status), action, out);
      return;
    default: break;
  }
  if (answer.status == 200 && plan.pace_ms > 0 && answer.content_type.rfind("audio/", 0) == 0) {
    paced_audio(answer, plan, action, out);  // speech sent as it is "generated" (tools/mock/media.h)
    return;
  }
  // size-N: N spaces after the answer (still valid JSON), to test the gateway's bound.
  if (answer.status == 200) answer.body.append(plan.size, ' ');
  action.kind = Action::Kind::reply;
  append_head(out, answer.status, answer.content_type, answer.body.size(), action.keep_alive);
  out += answer.body;
}

void Handler::paced_audio(const MediaReply& answer, const Plan& plan, Action& action, std::string& out) {
  action.kind = Action::Kind::stream;
  action.paced = true;
  append_stream_head(out, answer.content_type, action.keep_alive);
  const auto parts = static_cast<std::size_t>(std::max(1, plan.chunks));
  const std::size_t size = (answer.body.size() + parts - 1) / parts;
  for (std::size_t at = 0; at < answer.body.size(); at += size) {
    StreamStep step;
    step.delay_ms = at == 0 ? 0 : plan.pace_ms;
    append_chunk(step.bytes, std::string_view(answer.body).substr(at, size));
    action.steps.push_back(std::move(step));
  }
  action.steps.back().bytes += kLastChunk;
}

void Handler::stream(std::vector<SseEvent> events, const Plan& plan, Action& action, std::string& out,
                     std::string_view content_type) {
  action.kind = Action::Kind::stream;
  action.paced = plan.pace_ms > 0;
  append_stream_head(out, content_type, action.keep_alive);

  // reset-mid-stream: cut after the second content event (or the last, if fewer).
  const int cut = plan.reset_mid_stream ? 2 : -1;
  int content_seen = 0;
  int last_content_step = -1;
  action.steps.reserve(events.size());
  for (const auto& event : events) {
    StreamStep step;
    if (event.content) {
      step.delay_ms = content_seen > 0 ? plan.pace_ms : 0;
      ++content_seen;
    }
    append_chunk(step.bytes, event.text);
    action.steps.push_back(std::move(step));
    if (event.content) {
      last_content_step = static_cast<int>(action.steps.size()) - 1;
      if (content_seen == cut) {
        break;
      }
    }
  }
  if (plan.reset_mid_stream && last_content_step >= 0) {
    action.reset_after = last_content_step;
    action.steps.resize(static_cast<std::size_t>(last_content_step) + 1);
    action.reset_delay_ms = std::max(plan.pace_ms, kResetGraceMs);
  } else {
    action.steps.back().bytes += kLastChunk;
  }
}

void Handler::error(Endpoint endpoint, int status, std::string_view message, Action& action, std::string& out) {
  body_.clear();
  if (endpoint == Endpoint::bedrock_converse || endpoint == Endpoint::bedrock_invoke) {
    std::string error_type;
    append_bedrock_error(body_, status, message, error_type);
    reply(status, action, out, error_type);
    return;
  }
  if (endpoint == Endpoint::gemini_generate) {
    append_gemini_error(body_, status, message);
    reply(status, action, out, status == 429 ? "retry-after: 1\r\n" : "");
    return;
  }
  if (is_anthropic(endpoint)) {
    append_anthropic_error(body_, status, message);
  } else {
    append_openai_error(body_, status, message);
  }
  reply(status, action, out, status == 429 ? "retry-after: 1\r\n" : "");
}

void Handler::reply(int status, Action& action, std::string& out, std::string_view extra_headers) {
  action.kind = Action::Kind::reply;
  append_head(out, status, kJson, body_.size(), action.keep_alive, extra_headers);
  out += body_;
}

std::string Handler::next_id(Endpoint endpoint) {
  std::string id = endpoint == Endpoint::bedrock_invoke ? "msg_bdrk_mock_"
                   : endpoint == Endpoint::messages     ? "msg_mock_"
                   : endpoint == Endpoint::responses    ? "resp_mock_"
                   : endpoint == Endpoint::completions  ? "cmpl-mock-"
                                                        : "chatcmpl-mock-";
  append_int(id, worker_);
  id += endpoint == Endpoint::messages || endpoint == Endpoint::responses || endpoint == Endpoint::bedrock_invoke ? '_'
                                                                                                                  : '-';
  append_uint(id, ++sequence_);
  return id;
}

}  // namespace tollgate::mock
