// URL parsing and the SSRF policy: an upstream URL from the config, an admin-supplied URL
// through check_url, address and CIDR spellings, query strings. The policy must agree with
// itself: a URL it lets through with a literal address passes check_address on that address.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/ssrf_policy.h"
#include "http/upstream_url.h"
#include "http/url.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tollgate;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto url = http::parse_upstream_url(text)) {
    (void)url->pool_key();
    (void)url->host_header();
  }
  static const core::SsrfPolicy none;
  static const core::SsrfPolicy private_allowed{{*core::parse_cidr("10.0.0.0/8"), *core::parse_cidr("fd00::/8")}};
  for (const auto* policy : {&none, &private_allowed}) {
    const auto verdict = core::check_url(*policy, text);
    if (verdict.target && verdict.target->literal && !core::check_address(*policy, *verdict.target->literal).allowed) {
      std::abort();  // the URL check let through an address the address check refuses
    }
  }
  if (auto ip = core::parse_ip(text)) (void)core::check_address(none, *ip);
  (void)core::parse_legacy_ipv4(text);
  if (auto cidr = core::parse_cidr(text)) {
    if (auto ip = core::parse_ip("10.1.2.3")) (void)core::contains(*cidr, *ip);
  }
  (void)http::url_decode(text);
  (void)http::query_value(text, "key");
  return 0;
}
