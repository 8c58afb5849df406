// Images priced by size and quality (core/media_cost.h: image_price): OpenAI's dall-e prices,
// the provider's defaults for an absent size or quality, a 400 for one it does not make, and
// model_info's output_cost_per_image winning over the built-in table.
#include <catch2/catch.hpp>

#include <string>

#include "core/cost_map.h"
#include "core/media_cost.h"
#include "proxy/model_router.h"

using namespace tollgate;
using core::MediaKind;

namespace {

core::MediaRequestFacts images(std::int64_t n, std::string size, std::string quality) {
  core::MediaRequestFacts facts;
  facts.kind = MediaKind::image_generation;
  facts.units = {static_cast<double>(n), static_cast<double>(n)};
  facts.images = n;
  facts.image_size = std::move(size);
  facts.image_quality = std::move(quality);
  return facts;
}

std::string data_of(int images) {
  std::string out = R"({"created":1,"data":[)";
  for (int i = 0; i < images; ++i) out += std::string(i ? "," : "") + R"({"url":"u"})";
  return out + "]}";
}

}  // namespace

TEST_CASE("dall-e images at OpenAI's price of their size and quality", "[core][cost][media][images]") {
  struct Row {
    const char* model;
    const char* size;
    const char* quality;
    std::optional<double> usd;
  };
  const Row rows[] = {
      {"dall-e-3", "1024x1024", "standard", 0.040},
      {"dall-e-3", "1024x1792", "standard", 0.080},
      {"dall-e-3", "1792x1024", "standard", 0.080},
      {"dall-e-3", "1024x1024", "hd", 0.080},
      {"dall-e-3", "1024x1792", "hd", 0.120},
      {"dall-e-3", "1792x1024", "hd", 0.120},
      {"dall-e-3", "", "", 0.080},           // OpenAI's defaults: 1024x1024, quality auto (the best: hd)
      {"dall-e-3", "", "hd", 0.080},         // the default size at hd
      {"dall-e-3", "1792x1024", "", 0.120},  // the default quality (auto) at a wide size
      {"dall-e-3", "1024x1024", "auto", 0.080},
      {"dall-e-3", "1024x1024", "standard", 0.040},
      {"dall-e-3", "512x512", "", std::nullopt},        // dall-e-2's size: dall-e-3 makes none
      {"dall-e-3", "1024x1024", "high", std::nullopt},  // gpt-image-1's quality
      {"dall-e-3", "auto", "", std::nullopt},
      {"dall-e-3-2024-01-01", "1024x1792", "hd", 0.120},  // a dated name shares its family's table
      {"dall-e-2", "1024x1024", "", 0.020},
      {"dall-e-2", "512x512", "", 0.018},
      {"dall-e-2", "256x256", "standard", 0.016},
      {"dall-e-2", "", "", 0.020},
      {"dall-e-2", "1792x1024", "", std::nullopt},
      {"dall-e-2", "1024x1024", "hd", std::nullopt},  // dall-e-2 has one quality
  };
  for (const auto& row : rows) {
    INFO(row.model << " " << row.size << " " << row.quality);
    const auto price = core::builtin_price(row.model);
    REQUIRE(price);
    const auto usd = core::image_price(*price, row.size, row.quality);
    REQUIRE(usd.has_value() == row.usd.has_value());
    if (usd) CHECK(*usd == Approx(*row.usd).epsilon(1e-12));
  }
}

TEST_CASE("an image's bound and charge: n × the price of its size and quality", "[core][cost][media][images]") {
  const auto dalle3 = *core::builtin_price("dall-e-3");
  // Four 1792x1024 hd images: $0.48 reserved (a flat $0.04 reserved $0.16, a third of it).
  const auto facts = images(4, "1792x1024", "hd");
  CHECK(core::media_cost_bound(facts, dalle3, 0) == Approx(0.48).epsilon(1e-12));
  CHECK(core::media_charge(facts, dalle3, 0, data_of(4)).cost == Approx(0.48).epsilon(1e-12));
  CHECK(core::media_charge(facts, dalle3, 0, data_of(3)).cost == Approx(0.36).epsilon(1e-12));  // as delivered
  CHECK(core::media_charge(facts, dalle3, 0, data_of(9)).cost == Approx(0.48).epsilon(1e-12));  // never above
  CHECK(core::media_cost_bound(images(2, "", ""), dalle3, 0) == Approx(0.16).epsilon(1e-12));
  // A deployment that does not list the size (a fallback's model) is bounded by its dearest image.
  const auto dalle2 = *core::builtin_price("dall-e-2");
  CHECK(core::media_cost_bound(images(1, "1792x1024", "hd"), dalle2, 0) == Approx(0.020).epsilon(1e-12));
  CHECK(core::media_cost_bound(images(1, "1792x1024", "hd"), dalle3, 0) == Approx(0.120).epsilon(1e-12));
  CHECK(core::dearest_image_price(dalle3) == Approx(0.120).epsilon(1e-12));
}

TEST_CASE("an image size or quality the model does not make is a 400 naming the field", "[core][cost][media][images]") {
  const auto dalle3 = *core::builtin_price("dall-e-3");
  CHECK(core::check_image_options(dalle3, "painter", "1024x1792", "hd"));
  CHECK(core::check_image_options(dalle3, "painter", "", ""));
  const auto size = core::check_image_options(dalle3, "painter", "512x512", "");
  REQUIRE_FALSE(size);
  CHECK(size.error().status == 400);
  CHECK(size.error().param == "size");
  CHECK(size.error().message == "'size' must be one of 1024x1024, 1024x1792, 1792x1024 for painter");
  const auto quality = core::check_image_options(dalle3, "painter", "1024x1024", "ultra");
  REQUIRE_FALSE(quality);
  CHECK(quality.error().param == "quality");
  CHECK(quality.error().message == "'quality' must be one of standard, hd for painter");
  const auto hd = core::check_image_options(*core::builtin_price("dall-e-2"), "sketcher", "512x512", "hd");
  REQUIRE_FALSE(hd);
  CHECK(hd.error().param == "quality");
  // A flat price (model_info.output_cost_per_image) takes any size: the provider judges it.
  core::ModelPrice flat;
  flat.output_per_image = 0.05;
  CHECK(core::check_image_options(flat, "painter", "4096x4096", "ultra"));
  CHECK(core::image_price(flat, "4096x4096", "ultra") == 0.05);
}

TEST_CASE("model_info's output_cost_per_image is every image's price, whatever its size",
          "[core][cost][media][images]") {
  config::Deployment d;
  d.model_name = "painter";
  d.provider = core::ProviderKind::openai;
  d.upstream_model = "dall-e-3";
  d.api_base = "https://example.com/v1";
  const auto builtin = proxy::ModelRouter::price_of(d);
  REQUIRE(builtin);
  CHECK(core::image_price(*builtin, "1024x1792", "hd") == 0.120);
  d.info.output_cost_per_image = 0.05;
  const auto configured = proxy::ModelRouter::price_of(d);
  REQUIRE(configured);
  CHECK(core::image_price(*configured, "1024x1792", "hd") == 0.05);
  CHECK(core::media_cost_bound(images(3, "1024x1792", "hd"), *configured, 0) == Approx(0.15).epsilon(1e-12));
  // A token price set alone keeps the built-in image table.
  d.info = {};
  d.info.input_cost_per_token = 1e-6;
  CHECK(core::image_price(*proxy::ModelRouter::price_of(d), "1792x1024", "standard") == 0.080);
}
