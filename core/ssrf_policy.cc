#include "core/ssrf_policy.h"

#include <algorithm>
#include <cstdio>

#include "core/ascii_case.h"
#include "core/url_split.h"

namespace tollgate::core {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

std::optional<std::uint32_t> parse_strict_ipv4(std::string_view text) {
  const auto parts = split(text, '.');
  if (parts.size() != 4) return std::nullopt;
  std::uint32_t value = 0;
  for (const auto part : parts) {
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part.front() == '0')) return std::nullopt;
    unsigned octet = 0;
    for (const char c : part) {
      if (!is_digit(c)) return std::nullopt;
      octet = octet * 10 + static_cast<unsigned>(c - '0');
    }
    if (octet > 255) return std::nullopt;
    value = (value << 8) | octet;
  }
  return value;
}

std::optional<IpAddress> parse_ipv6(std::string_view text) {
  if (text.size() < 2 || text.find('%') != std::string_view::npos) return std::nullopt;
  IpAddress out;
  out.v6 = true;
  std::vector<std::uint16_t> head, tail;
  bool compressed = false;
  const auto gap = text.find("::");
  std::string_view before = text, after;
  if (gap != std::string_view::npos) {
    compressed = true;
    before = text.substr(0, gap);
    after = text.substr(gap + 2);
    if (after.find("::") != std::string_view::npos) return std::nullopt;
  }
  // Parses one side's groups; an IPv4 tail is allowed on the last group of the address.
  const auto groups = [](std::string_view side, bool last_side, std::vector<std::uint16_t>& out_groups) {
    if (side.empty()) return true;
    const auto parts = split(side, ':');
    for (std::size_t i = 0; i < parts.size(); ++i) {
      const auto part = parts[i];
      if (last_side && i + 1 == parts.size() && part.find('.') != std::string_view::npos) {
        const auto v4 = parse_strict_ipv4(part);
        if (!v4) return false;
        out_groups.push_back(static_cast<std::uint16_t>(*v4 >> 16));
        out_groups.push_back(static_cast<std::uint16_t>(*v4 & 0xffff));
        continue;
      }
      if (part.empty() || part.size() > 4) return false;
      unsigned group = 0;
      for (const char c : part) {
        const int digit = hex_value(c);
        if (digit < 0) return false;
        group = group * 16 + static_cast<unsigned>(digit);
      }
      out_groups.push_back(static_cast<std::uint16_t>(group));
    }
    return true;
  };
  if (!groups(before, !compressed, head) || !groups(after, true, tail)) return std::nullopt;
  const std::size_t count = head.size() + tail.size();
  if (compressed ? count > 7 : count != 8) return std::nullopt;
  std::array<std::uint16_t, 8> all{};
  std::copy(head.begin(), head.end(), all.begin());
  std::copy(tail.begin(), tail.end(), all.end() - static_cast<std::ptrdiff_t>(tail.size()));
  for (std::size_t i = 0; i < 8; ++i) {
    out.bytes[2 * i] = static_cast<std::uint8_t>(all[i] >> 8);
    out.bytes[2 * i + 1] = static_cast<std::uint8_t>(all[i] & 0xff);
  }
  return out;
}

// One part of a legacy IPv4 spelling: decimal, 0-prefixed octal or 0x hex (an empty 0x is 0,
// as inet_aton reads it). nullopt when not a number or beyond 32 bits.
std::optional<std::uint64_t> legacy_part(std::string_view part) {
  if (part.empty()) return std::nullopt;
  unsigned base = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
  } else if (part.size() > 1 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  std::uint64_t value = 0;
  for (const char c : part) {
    const int digit = hex_value(c);
    if (digit < 0 || static_cast<unsigned>(digit) >= base) return std::nullopt;
    value = value * base + static_cast<unsigned>(digit);
    if (value > 0xffffffffULL) return std::nullopt;
  }
  return value;
}

bool is_ipv4_mapped(const IpAddress& a) {
  return a.v6 && std::all_of(a.bytes.begin(), a.bytes.begin() + 10, [](std::uint8_t b) { return b == 0; }) &&
         a.bytes[10] == 0xff && a.bytes[11] == 0xff;
}

IpAddress embedded_ipv4(const IpAddress& a) {
  IpAddress v4;
  std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
  return v4;
}

struct Range {
  Cidr cidr;
  const char* text;
  const char* what;
};

Range range(const char* cidr, const char* what) { return Range{*parse_cidr(cidr), cidr, what}; }

const std::vector<Range>& refused_ranges() {
  static const std::vector<Range> ranges = {
      range("0.0.0.0/8", "the unspecified (\"this network\") range"),
      range("10.0.0.0/8", "a private network address, RFC 1918"),
      range("100.64.0.0/10", "a carrier-grade NAT address, RFC 6598"),
      range("127.0.0.0/8", "a loopback address"),
      range("169.254.0.0/16", "a link-local address"),
      range("172.16.0.0/12", "a private network address, RFC 1918"),
      range("192.0.0.0/24", "IETF protocol assignments"),
      range("192.0.2.0/24", "a documentation range"),
      range("192.168.0.0/16", "a private network address, RFC 1918"),
      range("198.18.0.0/15", "a benchmarking range"),
      range("198.51.100.0/24", "a documentation range"),
      range("203.0.113.0/24", "a documentation range"),
      range("224.0.0.0/4", "a multicast address"),
      range("240.0.0.0/4", "a reserved (or broadcast) address"),
      range("::/128", "the unspecified address"),
      range("::1/128", "a loopback address"),
      range("::/96", "an IPv4-compatible IPv6 address"),
      range("64:ff9b::/96", "a NAT64 address (it embeds an IPv4 address)"),
      range("64:ff9b:1::/48", "a local NAT64 address"),
      range("100::/64", "the discard range"),
      range("2001::/32", "a Teredo address (it embeds an IPv4 address)"),
      range("2001:db8::/32", "a documentation range"),
      range("2002::/16", "a 6to4 address (it embeds an IPv4 address)"),
      range("fc00::/7", "a unique-local address"),
      range("fe80::/10", "a link-local address"),
      range("fec0::/10", "a site-local address"),
      range("ff00::/8", "a multicast address"),
  };
  return ranges;
}

// Cloud instance metadata: refused even inside an allowlisted network.
const std::vector<IpAddress>& metadata_addresses() {
  static const std::vector<IpAddress> addresses = {*parse_ip("169.254.169.254"), *parse_ip("fd00:ec2::254"),
                                                   *parse_ip("100.100.100.200")};
  return addresses;
}

SsrfVerdict refused(std::string reason) { return SsrfVerdict{false, std::move(reason)}; }

SsrfVerdict check_plain(const SsrfPolicy& policy, const IpAddress& address) {
  const auto& metadata = metadata_addresses();
  if (std::find(metadata.begin(), metadata.end(), address) != metadata.end()) {
    return refused(address.text() + " is a cloud metadata address (refused even when allowlisted)");
  }
  for (const auto& network : policy.allowed_networks) {
    if (contains(network, address)) return SsrfVerdict{true, {}};
  }
  for (const auto& r : refused_ranges()) {
    if (contains(r.cidr, address)) return refused(address.text() + " is " + r.what + " (" + r.text + ")");
  }
  return SsrfVerdict{true, {}};
}

bool valid_name_char(char c) { return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_' || c == '.'; }

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The last label of a numeric-looking host: DNS has no numeric top-level domains, so such a
// host is an address spelling whatever the resolver would make of it.
bool numeric_last_label(std::string_view host) {
  const auto dot = host.rfind('.');
  const auto label = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (label.size() >= 2 && label[0] == '0' && label[1] == 'x') return true;
  return !label.empty() && std::all_of(label.begin(), label.end(), is_digit);
}

UrlVerdict refuse_url(std::string reason) { return UrlVerdict{std::nullopt, std::move(reason)}; }

UrlVerdict with_address(const SsrfPolicy& policy, UrlTarget target, const IpAddress& address) {
  const auto verdict = check_address(policy, address);
  if (!verdict.allowed) return refuse_url(verdict.reason);
  target.literal = address;
  return UrlVerdict{std::move(target), {}};
}

UrlVerdict check_host_name(const SsrfPolicy& policy, UrlTarget target) {
  const std::string& host = target.host;
  if (const auto strict = parse_strict_ipv4(host))
    return with_address(policy, std::move(target), IpAddress::v4(*strict));
  if (const auto legacy = parse_legacy_ipv4(host)) {
    const auto verdict = check_address(policy, *legacy);
    if (!verdict.allowed) return refuse_url("host " + host + " stands for " + legacy->text() + ": " + verdict.reason);
    return refuse_url("host " + host + " is a non-standard spelling of " + legacy->text() + "; write the address as " +
                      legacy->text());
  }
  if (numeric_last_label(host)) return refuse_url("host " + host + " is numeric but not an IPv4 address");
  if (host == "localhost" || ends_with(host, ".localhost")) {
    const auto verdict = check_address(policy, IpAddress::v4(0x7f000001));
    if (!verdict.allowed) return refuse_url("host " + host + " is loopback: " + verdict.reason);
  }
  if (host == "metadata.google.internal" || host == "metadata" || host == "instance-data.ec2.internal" ||
      host == "instance-data") {
    return refuse_url("host " + host + " is a cloud metadata service");
  }
  return UrlVerdict{std::move(target), {}};
}

}  // namespace

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  for (int i = 0; i < 4; ++i)
    a.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(host_order >> (24 - 8 * i));
  return a;
}

std::string IpAddress::text() const {
  char buffer[64];
  if (!v6) {
    std::snprintf(buffer, sizeof buffer, "%u.%u.%u.%u", bytes[0], bytes[1], bytes[2], bytes[3]);
    return buffer;
  }
  if (is_ipv4_mapped(*this)) return "::ffff:" + embedded_ipv4(*this).text();
  std::array<unsigned, 8> groups{};
  for (std::size_t i = 0; i < 8; ++i) groups[i] = (static_cast<unsigned>(bytes[2 * i]) << 8) | bytes[2 * i + 1];
  // RFC 5952: the longest run of two or more zero groups (the first one on a tie) becomes "::".
  int best_start = -1, best_length = 1;
  for (int i = 0; i < 8;) {
    if (groups[static_cast<std::size_t>(i)] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && groups[static_cast<std::size_t>(j)] == 0) ++j;
    if (j - i > best_length) {
      best_start = i;
      best_length = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best_start) {
      out += "::";
      i += best_length - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    std::snprintf(buffer, sizeof buffer, "%x", groups[static_cast<std::size_t>(i)]);
    out += buffer;
  }
  return out;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return parse_ipv6(text);
  const auto v4 = parse_strict_ipv4(text);
  if (!v4) return std::nullopt;
  return IpAddress::v4(*v4);
}

std::optional<IpAddress> parse_legacy_ipv4(std::string_view text) {
  const auto parts = split(text, '.');
  if (parts.size() > 4) return std::nullopt;
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto part = legacy_part(parts[i]);
    if (!part) return std::nullopt;
    const bool last = i + 1 == parts.size();
    const unsigned bits = last ? 8 * static_cast<unsigned>(4 - i) : 8;
    if (*part >> bits) return std::nullopt;
    value = last ? (value << bits) | *part : (value << 8) | *part;
  }
  return IpAddress::v4(static_cast<std::uint32_t>(value));
}

std::optional<Cidr> parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  const auto address = parse_ip(text.substr(0, slash));
  if (!address) return std::nullopt;
  const int max = address->v6 ? 128 : 32;
  int length = max;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || !std::all_of(digits.begin(), digits.end(), is_digit))
      return std::nullopt;
    length = 0;
    for (const char c : digits) length = length * 10 + (c - '0');
    if (length > max) return std::nullopt;
  }
  return Cidr{*address, length};
}

bool contains(const Cidr& network, const IpAddress& address) {
  if (network.network.v6 != address.v6) return false;
  int bits = network.prefix_length;
  for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((network.network.bytes[i] & mask) != (address.bytes[i] & mask)) return false;
  }
  return true;
}

SsrfVerdict check_address(const SsrfPolicy& policy, const IpAddress& address) {
  if (!is_ipv4_mapped(address)) return check_plain(policy, address);
  // An IPv4-mapped address reaches the IPv4 host it carries: decide on that one.
  const auto inner = embedded_ipv4(address);
  auto verdict = check_plain(policy, inner);
  if (!verdict.allowed) verdict.reason = address.text() + " is IPv4-mapped: " + verdict.reason;
  return verdict;
}

UrlVerdict check_url(const SsrfPolicy& policy, std::string_view url) {
  UrlTarget target;
  const auto parts = split_url(url);
  if (!parts.scheme) return refuse_url("the URL must start with http:// or https://");
  const auto scheme = ascii_lower(*parts.scheme);
  if (scheme == "https") {
    target.tls = true;
    target.port = 443;
  } else if (scheme == "http") {
    target.port = 80;
  } else {
    return refuse_url("only http and https URLs are allowed");
  }
  if (parts.userinfo) return refuse_url("the URL must not carry credentials (user@host)");
  // A fragment is never sent: "http://public.test#.127.0.0.1/mcp" names public.test with its
  // path in the fragment, and a reader that splits the authority differently sees another host.
  if (parts.fragment) return refuse_url("the URL must not carry a fragment (#...)");
  const auto authority = parts.host_port;
  if (std::any_of(authority.begin(), authority.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    return refuse_url("the host must be ASCII: give an internationalized name in its xn-- form");
  }
  const auto split = split_host_port(authority);
  if (!split) return refuse_url(split.error().message);
  const auto host = split->host;
  const bool bracketed = split->bracketed;
  if (split->port) {
    // "host:" and "[v6]:" too: a ':' promises a port
    const auto port = parse_port(*split->port);
    if (!port) return refuse_url("invalid port");
    target.port = *port;
  }
  if (bracketed) {
    if (host.find('%') != std::string_view::npos) return refuse_url("IPv6 zone ids are not allowed");
    const auto address = parse_ipv6(host);
    if (!address) return refuse_url("invalid IPv6 literal");
    target.host = address->text();
    return with_address(policy, std::move(target), *address);
  }
  auto name = ascii_lower(host);
  if (!name.empty() && name.back() == '.') name.pop_back();  // "localhost." is localhost
  if (name.empty()) return refuse_url("the URL has no host");
  if (name.find('%') != std::string::npos) return refuse_url("percent-encoded hosts are not allowed");
  if (!std::all_of(name.begin(), name.end(), valid_name_char) || name.front() == '.' || name.back() == '.' ||
      name.find("..") != std::string::npos) {
    return refuse_url("invalid host name");
  }
  target.host = std::move(name);
  return check_host_name(policy, std::move(target));
}

}  // namespace tollgate::core
