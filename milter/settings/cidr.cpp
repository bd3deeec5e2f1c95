// SPDX-License-Identifier: BSD-2-Clause
// cidr.cpp: CIDR parsing and matching for the internal-hosts list (see cidr.h).
#include "cidr.h"

#include <arpa/inet.h>

#include <cstring>

namespace rewrite::milter {

std::optional<IpAddress> parse_ip(std::string_view text) {
  // Parses with inet_pton, which rejects anything but a plain dotted quad or an IPv6 literal.
  const std::string copy(text);
  IpAddress address;
  if (inet_pton(AF_INET, copy.c_str(), address.bytes.data()) == 1) return address;
  if (inet_pton(AF_INET6, copy.c_str(), address.bytes.data()) == 1) {
    address.v6 = true;
    return address;
  }
  return std::nullopt;
}

Result<Cidr> parse_cidr(std::string_view text) {
  // Splits at '/', parses both halves and checks that no host bit is set.
  const std::size_t slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  const auto address = parse_ip(host);
  if (!address) {
    return Error("'" + std::string(text) + "' is not an IPv4 or IPv6 network");
  }
  const int max_prefix = address->v6 ? 128 : 32;
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return Error("'" + std::string(text) + "' has a bad prefix length");
    }
    prefix = std::stoi(std::string(digits));
    if (prefix > max_prefix) {
      return Error("'" + std::string(text) + "' has a prefix longer than " + std::to_string(max_prefix));
    }
  }
  Cidr network;
  network.v6 = address->v6;
  network.bytes = address->bytes;
  network.prefix = prefix;
  network.text = std::string(text);
  const int total = max_prefix / 8;
  for (int bit = prefix; bit < total * 8; ++bit) {
    if (network.bytes[bit / 8] & (0x80 >> (bit % 8))) {
      return Error("'" + std::string(text) + "' has host bits set");
    }
  }
  return network;
}

namespace {

// True when the first prefix bits of a and b agree.
bool same_prefix(const std::uint8_t* a, const std::uint8_t* b, int prefix) {
  const int whole = prefix / 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  const int rest = prefix % 8;
  if (rest == 0) return true;
  const std::uint8_t mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

// True when address is ::ffff:a.b.c.d.
bool is_v4_mapped(const IpAddress& address) {
  static const std::uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return address.v6 && std::memcmp(address.bytes.data(), prefix, 12) == 0;
}

}  // namespace

bool cidr_contains(const Cidr& network, const IpAddress& address) {
  // Compares like with like; a mapped IPv6 address is compared as the IPv4 address it carries.
  if (network.v6 == address.v6) {
    return same_prefix(network.bytes.data(), address.bytes.data(), network.prefix);
  }
  if (!network.v6 && is_v4_mapped(address)) {
    return same_prefix(network.bytes.data(), address.bytes.data() + 12, network.prefix);
  }
  return false;
}

const Cidr* find_network(const std::vector<Cidr>& list, const IpAddress& address) {
  // Linear scan: the list is short (a handful of networks).
  for (const Cidr& network : list) {
    if (cidr_contains(network, address)) return &network;
  }
  return nullptr;
}

}  // namespace rewrite::milter
