// SPDX-License-Identifier: BSD-2-Clause
// rule_table_text.h: synthetic rule tables for the benchmarks, generated in memory as rules-file text,
// and probe addresses that hit (or miss) known rules of each kind. Deterministic: the same size always
// gives the same text and the same probes.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace rewrite_bench {

// Returns the text of a native rules file with exactly rule_count rules (rule_count >= 4), in a fixed
// mix: half bidirectional address rules, a quarter domain rules, a quarter wildcard rules each with one
// exception.
std::string make_rules_text(std::size_t rule_count);

enum class Probe {
  address_hit,    // outbound: the internal side of an address rule
  domain_hit,     // outbound: someone at the domain of a domain rule
  deep_wildcard,  // outbound: six labels below a wildcard's domain (seven wildcard probes before the hit)
  miss,           // outbound: a domain no rule covers
  inbound_hit,    // inbound: the external side of a bidirectional address rule
};

// Returns count addresses of the given probe kind for a table made by make_rules_text(rule_count),
// spread pseudo-randomly over the whole table so that lookups do not stay in one cache line.
std::vector<std::string> make_probes(std::size_t rule_count, Probe probe, std::size_t count);

}  // namespace rewrite_bench
