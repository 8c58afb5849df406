#include "providers/mock_provider.h"

#include <cmath>
#include <cstdint>

#include "core/token_estimate.h"
#include "providers/openai_request.h"

namespace tollgate::providers {
namespace {

constexpr std::size_t kQuoteLimit = 200;

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    end = end == std::string_view::npos ? text.size() : end + 1;  // keep the space
    words.push_back(text.substr(start, end - start));
    start = end;
  }
  return words;
}

std::vector<float> vector_for(std::string_view text) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash = (hash ^ c) * 1099511628211ULL;
  }
  std::vector<float> v(8);
  double norm = 0;
  for (auto& x : v) {
    hash = hash * 6364136223846793005ULL + 1442695040888963407ULL;
    x = static_cast<float>(static_cast<double>(hash >> 40) / static_cast<double>(1ULL << 24)) - 0.5f;
    norm += static_cast<double>(x) * x;
  }
  norm = std::sqrt(norm);
  for (auto& x : v) {
    x = static_cast<float>(x / norm);
  }
  return v;
}

}  // namespace

MockReply mock_chat_reply(const config::Deployment& deployment, const rapidjson::Value& request) {
  MockReply reply;
  if (!deployment.mock_response.empty()) {
    reply.content = deployment.mock_response;
  } else {
    std::string quoted = last_user_text(request);
    if (quoted.empty()) {
      if (auto prompt = request.FindMember("prompt"); prompt != request.MemberEnd() && prompt->value.IsString()) {
        quoted = prompt->value.GetString();
      }
    }
    if (quoted.size() > kQuoteLimit) {
      quoted.resize(kQuoteLimit);
    }
    reply.content = "Hello from the mock model " + deployment.upstream_model + ". You said: " + quoted;
  }
  auto words = split_words(reply.content);
  if (const auto limit = max_output_tokens(request); limit && static_cast<std::size_t>(*limit) < words.size()) {
    words.resize(static_cast<std::size_t>(*limit));
    const auto* end = words.back().data() + words.back().size();
    reply.content.resize(static_cast<std::size_t>(end - reply.content.data()));
    reply.finish_reason = "length";
  }
  reply.usage.prompt_tokens = std::max<std::int64_t>(1, core::estimate_tokens(collect_prompt_text(request)));
  reply.usage.completion_tokens = static_cast<std::int64_t>(words.size());
  return reply;
}

std::vector<std::string_view> mock_stream_pieces(std::string_view content) { return split_words(content); }

std::vector<std::vector<float>> mock_embeddings(const rapidjson::Value& request, core::Usage& usage) {
  std::vector<std::vector<float>> out;
  usage = {};
  const auto input = request.FindMember("input");
  if (input == request.MemberEnd()) {
    return out;
  }
  auto add = [&](std::string_view text) {
    out.push_back(vector_for(text));
    usage.prompt_tokens += std::max<std::int64_t>(1, core::estimate_tokens(text));
  };
  if (input->value.IsString()) {
    add({input->value.GetString(), input->value.GetStringLength()});
  } else if (input->value.IsArray()) {
    for (const auto& item : input->value.GetArray()) {
      if (item.IsString()) {
        add({item.GetString(), item.GetStringLength()});
      } else {
        add("tokens");  // token-id arrays: one vector each
      }
    }
  }
  return out;
}

}  // namespace tollgate::providers
