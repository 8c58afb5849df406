// The SSRF policy (core/ssrf_policy.h) as tables: admin-supplied URLs, resolved addresses,
// and the address parsers the decisions rest on.
#include <catch2/catch.hpp>

#include "core/ssrf_policy.h"

using namespace tollgate::core;

namespace {

SsrfPolicy docker_allowlist() { return SsrfPolicy{{*parse_cidr("172.18.0.0/16"), *parse_cidr("fd12:3456::/32")}}; }

}  // namespace

TEST_CASE("ssrf: admin-supplied URLs", "[core][ssrf]") {
  struct Row {
    const char* url;
    bool allowlist;       // policy with mcp_allowed_networks 172.18.0.0/16 and fd12:3456::/32
    const char* refusal;  // nullptr: allowed; else a part of the reason
  };
  const Row rows[] = {
      // public names and addresses pass (a name still has to pass check_address once resolved)
      {"https://mcp.example.com/mcp", false, nullptr},
      {"http://mcp.example.com:8080/sse", false, nullptr},
      {"HTTPS://MCP.Example.COM/mcp", false, nullptr},
      {"https://8.8.8.8/mcp", false, nullptr},
      {"https://[2606:4700:4700::1111]/mcp", false, nullptr},
      {"https://xn--bcher-kva.example/mcp", false, nullptr},  // IDN in its punycode form
      {"https://mcp.example.com./mcp", false, nullptr},       // one trailing dot: the same name
      // loopback in every spelling
      {"http://127.0.0.1:3001/mcp", false, "loopback"},
      {"http://127.1.2.3/", false, "loopback"},
      {"http://localhost:3001/mcp", false, "loopback"},
      {"http://LOCALHOST./mcp", false, "loopback"},
      {"http://app.localhost/mcp", false, "loopback"},
      {"http://127.0.0.1./mcp", false, "loopback"},  // trailing dot on an address
      {"http://[::1]/mcp", false, "loopback"},
      {"http://[::ffff:127.0.0.1]/mcp", false, "IPv4-mapped"},
      {"http://[::ffff:7f00:1]/mcp", false, "loopback"},
      {"http://[0:0:0:0:0:ffff:127.0.0.1]/", false, "loopback"},
      {"http://[::127.0.0.1]/mcp", false, "IPv4-compatible"},
      {"http://2130706433/mcp", false, "127.0.0.1"},       // decimal
      {"http://017700000001/mcp", false, "127.0.0.1"},     // octal
      {"http://0x7f000001/mcp", false, "127.0.0.1"},       // hex
      {"http://0x7f.1/mcp", false, "127.0.0.1"},           // short hex form
      {"http://127.1/mcp", false, "127.0.0.1"},            // short form
      {"http://0177.0.0.1/mcp", false, "127.0.0.1"},       // octal part
      {"http://127.000.000.001/mcp", false, "127.0.0.1"},  // zero-padded
      {"http://0/mcp", false, "0.0.0.0"},
      {"http://0.0.0.0:8080/", false, "unspecified"},
      {"http://[::]/", false, "unspecified"},
      // private, link-local, metadata, CGNAT, multicast, reserved
      {"http://10.0.0.1/mcp", false, "RFC 1918"},
      {"http://172.16.5.4/mcp", false, "RFC 1918"},
      {"http://192.168.1.1/mcp", false, "RFC 1918"},
      {"http://169.254.169.254/latest/meta-data", false, "metadata"},
      {"http://0251.0376.0251.0376/", false, "169.254.169.254"},  // metadata in octal
      {"http://169.254.1.1/", false, "link-local"},
      {"http://[fd00:ec2::254]/", false, "metadata"},
      {"http://[fe80::1]/", false, "link-local"},
      {"http://[fc00::1]/", false, "unique-local"},
      {"http://[fd12:3456::1]/", false, "unique-local"},
      {"http://100.64.0.1/", false, "carrier-grade NAT"},
      {"http://100.100.100.200/", false, "metadata"},
      {"http://224.0.0.1/", false, "multicast"},
      {"http://[ff02::1]/", false, "multicast"},
      {"http://255.255.255.255/", false, "reserved"},
      {"http://[64:ff9b::a00:1]/", false, "NAT64"},
      {"http://[2002:7f00:1::]/", false, "6to4"},
      {"http://metadata.google.internal/computeMetadata/v1/", false, "metadata"},
      {"http://instance-data.ec2.internal./", false, "metadata"},
      // URL tricks
      {"http://user@mcp.example.com/mcp", false, "user@host"},
      {"http://mcp.example.com@127.0.0.1/mcp", false, "user@host"},
      {"http://user:pass@8.8.8.8/", false, "user@host"},
      {"http://mcp.example.com\\@127.0.0.1/", false, "user@host"},
      {"ftp://mcp.example.com/", false, "http and https"},
      {"file:///etc/passwd", false, "http and https"},
      {"gopher://127.0.0.1:6379/", false, "http and https"},
      {"mcp.example.com/mcp", false, "http://"},
      {"http://bücher.example/mcp", false, "xn--"},
      {"http://１２７.0.0.1/", false, "ASCII"},
      {"http://%31%32%37.0.0.1/", false, "percent-encoded"},
      {"http://[fe80::1%25eth0]/", false, "zone"},
      {"http://mcp.example.com../", false, "invalid host"},
      {"http:///mcp", false, "no host"},
      {"http://mcp.example.com:99999/", false, "invalid port"},
      {"http://mcp.example.com:/", false, "invalid port"},
      {"http://[2606:4700:4700::1111]:/", false, "invalid port"},  // accepted as port 80 before core/url_split.h
      {"http://[::1", false, "unterminated IPv6 literal"},
      {"http://[2606:4700:4700::1111]8080/", false, "unexpected text after the IPv6 literal"},
      {"HTTP://127.0.0.1/", false, "loopback"},
      {"http://127.0.0.1?@mcp.example.com/", false, "loopback"},  // an '@' after the authority is no userinfo
      {"http://127.0.0.1#@mcp.example.com/", false, "fragment"},
      {"http://mcp.example.com#.127.0.0.1/mcp", false, "fragment"},  // its path is in the fragment
      {"http://mcp.example.com/mcp#", false, "fragment"},
      {"javascript:alert('http://mcp.example.com')", false, "http://"},
      {"http://1.2.3.999/", false, "numeric"},
      {"http://08.0.0.1/", false, "numeric"},
      {"http://0x08.8.8.8/", false, "non-standard spelling of 8.8.8.8"},
      // the allowlist admits its networks and nothing else; metadata stays refused
      {"http://172.18.0.5:3001/mcp", true, nullptr},
      {"http://[::ffff:172.18.0.5]/mcp", true, nullptr},
      {"http://[fd12:3456::1]/", true, nullptr},
      {"http://172.19.0.5:3001/mcp", true, "RFC 1918"},
      {"http://127.0.0.1/", true, "loopback"},
      {"http://[fd00:ec2::254]/", true, "metadata"},
  };
  for (const auto& row : rows) {
    INFO(row.url << (row.allowlist ? " (allowlist)" : ""));
    const auto verdict = check_url(row.allowlist ? docker_allowlist() : SsrfPolicy{}, row.url);
    if (!row.refusal) {
      CHECK(verdict.target.has_value());
      CHECK(verdict.reason.empty());
    } else {
      CHECK_FALSE(verdict.target.has_value());
      CHECK_THAT(verdict.reason, Catch::Contains(row.refusal));
    }
  }
}

TEST_CASE("ssrf: the parsed target is what the client connects to", "[core][ssrf]") {
  const auto named = check_url({}, "https://MCP.Example.com./v1/mcp");
  REQUIRE(named.target);
  CHECK(named.target->tls);
  CHECK(named.target->host == "mcp.example.com");
  CHECK(named.target->port == 443);
  CHECK_FALSE(named.target->literal);
  const auto literal = check_url({}, "http://[2606:4700:4700:0:0:0:0:1111]:8080/");
  REQUIRE(literal.target);
  CHECK(literal.target->host == "2606:4700:4700::1111");
  CHECK(literal.target->port == 8080);
  CHECK(literal.target->literal == parse_ip("2606:4700:4700::1111"));
}

TEST_CASE("ssrf: resolved addresses", "[core][ssrf]") {
  const SsrfPolicy none;
  const SsrfPolicy loopback_allowed{{*parse_cidr("127.0.0.0/8")}};
  struct Row {
    const char* address;
    const SsrfPolicy* policy;
    bool allowed;
  };
  const Row rows[] = {
      {"93.184.216.34", &none, true},         {"127.0.0.1", &none, false},
      {"127.0.0.1", &loopback_allowed, true}, {"::ffff:127.0.0.1", &loopback_allowed, true},
      {"::1", &loopback_allowed, false},      {"169.254.169.254", &loopback_allowed, false},
      {"172.31.255.255", &none, false},       {"172.32.0.0", &none, true},
      {"100.63.255.255", &none, true},        {"100.128.0.0", &none, true},
      {"2606:4700::1", &none, true},          {"fd00:ec2::254", &none, false},
      {"2001:db8::1", &none, false},          {"2001:0:4136:e378::1", &none, false},
  };
  for (const auto& row : rows) {
    INFO(row.address);
    const auto address = parse_ip(row.address);
    REQUIRE(address);
    const auto verdict = check_address(*row.policy, *address);
    CHECK(verdict.allowed == row.allowed);
    CHECK(verdict.reason.empty() == row.allowed);
  }
}

TEST_CASE("ssrf: address parsers", "[core][ssrf]") {
  CHECK(parse_ip("127.0.0.1")->text() == "127.0.0.1");
  CHECK_FALSE(parse_ip("127.1"));
  CHECK_FALSE(parse_ip("0x7f.0.0.1"));
  CHECK_FALSE(parse_ip("127.000.000.001"));
  CHECK_FALSE(parse_ip("256.0.0.1"));
  CHECK_FALSE(parse_ip("1.2.3.4.5"));
  CHECK_FALSE(parse_ip("fe80::1%eth0"));
  CHECK_FALSE(parse_ip("1::2::3"));
  CHECK_FALSE(parse_ip("1:2:3:4:5:6:7:8:9"));
  CHECK_FALSE(parse_ip("12345::1"));
  CHECK(parse_ip("::ffff:7f00:1")->text() == "::ffff:127.0.0.1");
  CHECK(parse_ip("FD00:EC2:0:0:0:0:0:254")->text() == "fd00:ec2::254");
  CHECK(parse_ip("1:0:0:2:0:0:0:3")->text() == "1:0:0:2::3");
  CHECK(parse_ip("::")->text() == "::");
  CHECK(parse_ip("1:2:3:4:5:6:7:8")->text() == "1:2:3:4:5:6:7:8");
  CHECK(parse_legacy_ipv4("2130706433")->text() == "127.0.0.1");
  CHECK(parse_legacy_ipv4("0x7f.1")->text() == "127.0.0.1");
  CHECK(parse_legacy_ipv4("0251.0376.0251.0376")->text() == "169.254.169.254");
  CHECK(parse_legacy_ipv4("10.1")->text() == "10.0.0.1");
  CHECK(parse_legacy_ipv4("192.168.257")->text() == "192.168.1.1");
  CHECK_FALSE(parse_legacy_ipv4("4294967296"));
  CHECK_FALSE(parse_legacy_ipv4("1.256.0.0"));
  CHECK_FALSE(parse_legacy_ipv4("08"));
  CHECK_FALSE(parse_legacy_ipv4("example.com"));
  CHECK(contains(*parse_cidr("172.18.0.0/16"), *parse_ip("172.18.200.1")));
  CHECK_FALSE(contains(*parse_cidr("172.18.0.0/16"), *parse_ip("172.19.0.1")));
  CHECK_FALSE(contains(*parse_cidr("0.0.0.0/0"), *parse_ip("::1")));  // families never mix
  CHECK(contains(*parse_cidr("0.0.0.0/0"), *parse_ip("8.8.8.8")));
  CHECK(contains(*parse_cidr("10.0.0.1"), *parse_ip("10.0.0.1")));
  CHECK_FALSE(parse_cidr("10.0.0.0/33"));
  CHECK_FALSE(parse_cidr("10.0.0.0/"));
  CHECK_FALSE(parse_cidr("10/8"));
  CHECK(parse_cidr("fd00::/8")->prefix_length == 8);
}
