#pragma once
// Decides the answer to one request: bytes to send now, or a deferred, streamed or faulty
// answer for the connection to carry out. Knows the APIs, not the sockets. One per I/O
// thread, so its scratch buffers need no locks.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tools/mock/bedrock_invoke.h"
#include "tools/mock/behavior.h"
#include "tools/mock/endpoint.h"
#include "tools/mock/http_out.h"
#include "tools/mock/http_request.h"
#include "tools/mock/media.h"
#include "tools/mock/request_body.h"
#include "tools/mock/streams.h"

namespace tollgate::mock {

class LiveConfig;
class Stats;
class StatsShard;

struct StreamStep {
  int delay_ms = 0;   // pause before this step when paced
  std::string bytes;  // one chunk-framed event; the final step also ends the chunked body
};

struct Action {
  enum class Kind {
    reply,   // the whole answer is in the output buffer
    stream,  // the head is in the output buffer; `steps` follow
    hang,    // never answer; wait for the client to leave
    reset,   // RST without answering
  };
  Kind kind = Kind::reply;
  int delay_ms = 0;        // before the first byte (latency)
  bool keep_alive = true;  // false: close once answered
  std::vector<StreamStep> steps;
  bool paced = false;      // one write per step, honouring delays; else one write for all
  int reset_after = -1;    // >= 0: RST after this step instead of ending the stream
  int reset_delay_ms = 0;  // pause before that RST, so the client reads what was sent
};

class Handler {
 public:
  // `azure_api_key`: the only `api-key` Azure's routes accept ("" accepts any; tools/mock/azure.h).
  Handler(Stats& stats, StatsShard& shard, LiveConfig& config, int worker, std::string azure_api_key);

  // How long a keep-alive connection may stay idle between requests (0: no limit).
  int keep_alive_ms() const;

  // Appends what is to be sent first to `out` and says what follows.
  Action handle(Request&& request, std::string& out);

 private:
  void control(Endpoint endpoint, const Request& request, Action& action, std::string& out);
  void respond(Endpoint endpoint, const RequestBody& body, const Plan& plan, Action& action, std::string& out);
  // The media endpoints (tools/mock/media.h), with the model's fault tokens applied.
  void media(std::string_view path, Request& request, Action& action, std::string& out);
  // A speech answer in `plan.chunks` chunked writes `plan.pace_ms` apart (model tokens pace-MS, chunks-N).
  void paced_audio(const MediaReply& answer, const Plan& plan, Action& action, std::string& out);
  void malformed(Endpoint endpoint, const RequestBody& body, const Plan& plan, Action& action, std::string& out);
  void stream(std::vector<SseEvent> events, const Plan& plan, Action& action, std::string& out,
              std::string_view content_type = kEventStream);
  void error(Endpoint endpoint, int status, std::string_view message, Action& action, std::string& out);
  // Sends body_ as a complete JSON answer.
  void reply(int status, Action& action, std::string& out, std::string_view extra_headers = {});
  std::string next_id(Endpoint endpoint);

  Stats& stats_;
  StatsShard& shard_;
  LiveConfig& config_;
  int worker_;
  std::string azure_api_key_;
  std::uint64_t sequence_ = 0;
  std::string body_;   // scratch: the JSON body being built
  InvokeCall invoke_;  // the current request's, when it is a Bedrock InvokeModel call
  std::string text_;   // scratch: generated reply text
};

}  // namespace tollgate::mock
