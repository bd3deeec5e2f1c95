// SPDX-License-Identifier: BSD-2-Clause
// cidr.h: IPv4 and IPv6 networks in CIDR notation ("10.0.0.0/8", "::1/128") and the membership test used
// to recognise internal hosts. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) match IPv4 networks.
// Thread safety: plain value types and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rewrite/error.h"

namespace rewrite::milter {

struct Cidr {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // network address; IPv4 uses the first 4 bytes
  int prefix = 0;                        // 0..32 (IPv4) or 0..128 (IPv6)
  std::string text;                      // as written, for logs
};

// Parses "a.b.c.d[/n]" or "ipv6[/n]" (a missing prefix means a single host). Host bits set below the
// prefix are an error. Returns the network, or the error that says what is wrong.
Result<Cidr> parse_cidr(std::string_view text);

// A parsed client address: IPv4 in the first 4 bytes, or IPv6.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};
};

// Parses a textual IPv4 or IPv6 address (no prefix). Returns nullopt when it is neither.
std::optional<IpAddress> parse_ip(std::string_view text);

// True when address lies in network (IPv4-mapped IPv6 addresses are compared as IPv4).
bool cidr_contains(const Cidr& network, const IpAddress& address);

// Returns the first network of list that contains address, or nullptr.
const Cidr* find_network(const std::vector<Cidr>& list, const IpAddress& address);

}  // namespace rewrite::milter
