// SPDX-License-Identifier: BSD-2-Clause
// rule_table_text.cpp: generating synthetic rules-file text and matching probe addresses.
#include "rule_table_text.h"

#include <cstdint>
#include <random>

namespace rewrite_bench {
namespace {

// Rule i's kind follows i % 4: 0 and 1 address rules, 2 domain rules, 3 wildcard rules.
enum class Kind { address, domain, wildcard };

Kind kind_of(std::size_t i) { return i % 4 < 2 ? Kind::address : (i % 4 == 2 ? Kind::domain : Kind::wildcard); }

// Returns the internal address of address rule i.
std::string internal_address(std::size_t i) {
  return "user" + std::to_string(i) + "@org" + std::to_string(i / 64) + ".example.com";
}

// Returns the external address of address rule i (unique, so every rule may be bidirectional).
std::string external_address(std::size_t i) {
  return "ext" + std::to_string(i) + "@partner" + std::to_string(i / 64) + ".example.net";
}

// Returns the domain of domain rule i.
std::string rule_domain(std::size_t i) { return "dept" + std::to_string(i) + ".example.com"; }

// Returns the domain after "*." of wildcard rule i.
std::string wildcard_domain(std::size_t i) { return "group" + std::to_string(i) + ".example.com"; }

// Returns a pseudo-random rule index of the given kind below rule_count.
std::size_t pick(std::mt19937_64& random, std::size_t rule_count, Kind kind) {
  const std::size_t offset = kind == Kind::address ? 0 : (kind == Kind::domain ? 2 : 3);
  const std::size_t blocks = rule_count / 4;
  std::size_t i = (random() % blocks) * 4 + offset;
  if (kind == Kind::address) i += random() % 2;
  return i;
}

}  // namespace

std::string make_rules_text(std::size_t rule_count) {
  std::string text = "# synthetic benchmark table\n";
  text.reserve(rule_count * 64);
  for (std::size_t i = 0; i < rule_count; ++i) {
    switch (kind_of(i)) {
      case Kind::address:
        text += internal_address(i) + "  " + external_address(i) + "\n";
        break;
      case Kind::domain:
        text += rule_domain(i) + "  example.com  name=dept" + std::to_string(i) + "\n";
        break;
      case Kind::wildcard:
        text += "*." + wildcard_domain(i) + "  example.com  except=legal." + wildcard_domain(i) + "\n";
        break;
    }
  }
  return text;
}

std::vector<std::string> make_probes(std::size_t rule_count, Probe probe, std::size_t count) {
  std::mt19937_64 random(20240611u + static_cast<unsigned>(probe));
  std::vector<std::string> probes;
  probes.reserve(count);
  for (std::size_t n = 0; n < count; ++n) {
    switch (probe) {
      case Probe::address_hit:
        probes.push_back(internal_address(pick(random, rule_count, Kind::address)));
        break;
      case Probe::domain_hit:
        probes.push_back("someone" + std::to_string(n) + "@" + rule_domain(pick(random, rule_count, Kind::domain)));
        break;
      case Probe::deep_wildcard:
        probes.push_back("someone" + std::to_string(n) + "@a.b.c.d.e.f." +
                         wildcard_domain(pick(random, rule_count, Kind::wildcard)));
        break;
      case Probe::miss:
        probes.push_back("nobody" + std::to_string(n) + "@host" + std::to_string(random() % 100000) +
                         ".example.org");
        break;
      case Probe::inbound_hit:
        probes.push_back(external_address(pick(random, rule_count, Kind::address)));
        break;
    }
  }
  return probes;
}

}  // namespace rewrite_bench
