// SPDX-License-Identifier: BSD-2-Clause
// bench_lookup.cpp: RuleTable::lookup for each kind of hit and a miss, on tables of 10, 10k, 1M and 10M rules.
// The baseline is the same probe on the 10-rule table; bench/ratios.py divides by it. Each run cycles
// through 4096 different probe addresses spread over the table, so large tables pay their cache misses.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>

#include "rewrite/rule_table.h"
#include "rule_table_text.h"

namespace {

using rewrite_bench::Probe;

constexpr std::size_t kProbeCount = 4096;

// Returns the table of rule_count synthetic rules, parsed once per process and kept for all benchmarks.
const rewrite::RuleTable& table_of(std::size_t rule_count) {
  static std::map<std::size_t, std::shared_ptr<const rewrite::RuleTable>> tables;
  auto& table = tables[rule_count];
  if (!table) {
    const rewrite::LoadResult loaded =
        rewrite::RuleTable::parse(rewrite_bench::make_rules_text(rule_count), "<bench>", rewrite::RuleFormat::native);
    if (!loaded.ok()) {
      std::cerr << rewrite::format_errors(loaded.errors);
      std::abort();
    }
    table = loaded.table;
  }
  return *table;
}

// Looks up the probes of one kind in a table of state.range(0) rules; fails the run if a probe that
// should hit misses (or the reverse), so the benchmark cannot measure the wrong path.
void lookup(benchmark::State& state, Probe probe) {
  const std::size_t rule_count = static_cast<std::size_t>(state.range(0));
  const rewrite::RuleTable& table = table_of(rule_count);
  const std::vector<std::string> probes = rewrite_bench::make_probes(rule_count, probe, kProbeCount);
  const rewrite::Direction direction =
      probe == Probe::inbound_hit ? rewrite::Direction::inbound : rewrite::Direction::outbound;
  const bool should_hit = probe != Probe::miss;
  for (const std::string& address : probes) {
    if (table.lookup(address, direction).rewritten != should_hit) {
      state.SkipWithError(("unexpected lookup result for " + address).c_str());
      return;
    }
  }
  std::size_t next = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(table.lookup(probes[next], direction));
    next = (next + 1) % kProbeCount;
  }
  state.counters["rules"] = static_cast<double>(rule_count);
}

// Registers one probe kind at the four table sizes.
void sizes(benchmark::internal::Benchmark* bench) { bench->Arg(10)->Arg(10000)->Arg(1000000)->Arg(10000000); }

}  // namespace

BENCHMARK_CAPTURE(lookup, address_hit, Probe::address_hit)->Apply(sizes);
BENCHMARK_CAPTURE(lookup, domain_hit, Probe::domain_hit)->Apply(sizes);
BENCHMARK_CAPTURE(lookup, deep_wildcard, Probe::deep_wildcard)->Apply(sizes);
BENCHMARK_CAPTURE(lookup, miss, Probe::miss)->Apply(sizes);
BENCHMARK_CAPTURE(lookup, inbound_hit, Probe::inbound_hit)->Apply(sizes);
