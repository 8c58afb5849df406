#include "core/bedrock_model.h"

#include "core/starts_with.h"

namespace tollgate::core {
namespace {

constexpr std::string_view kConversePrefix = "converse/";
constexpr std::string_view kInvokePrefix = "invoke/";

}  // namespace

std::string_view without_cross_region_prefix(std::string_view model_id) {
  for (std::string_view region : {"us.", "eu.", "apac.", "us-gov.", "global."}) {
    if (starts_with(model_id, region)) return model_id.substr(region.size());
  }
  return model_id;
}

BedrockModel bedrock_model(std::string_view model) {
  if (starts_with(model, kConversePrefix)) return {BedrockRoute::converse, model.substr(kConversePrefix.size())};
  const bool invoke = starts_with(model, kInvokePrefix);
  const auto id = invoke ? model.substr(kInvokePrefix.size()) : model;
  const auto family = without_cross_region_prefix(id);
  if (starts_with(family, "amazon.titan-embed-text-")) return {BedrockRoute::titan_embedding, id};
  if (starts_with(family, "cohere.embed-")) return {BedrockRoute::cohere_embedding, id};
  if (!invoke) return {BedrockRoute::converse, id};
  return {id.find("anthropic.") != std::string_view::npos ? BedrockRoute::invoke_anthropic
                                                          : BedrockRoute::invoke_unsupported,
          id};
}

}  // namespace tollgate::core
