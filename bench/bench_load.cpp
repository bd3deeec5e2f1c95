// SPDX-License-Identifier: BSD-2-Clause
// bench_load.cpp: RuleTable::parse of tables of 10k, 100k, 1M and 10M rules (time, and resident memory the table
// keeps), against a baseline that only splits the same text into lines and copies two fields of each:
// the least any loader has to do. Counters: rss_delta_MB (resident memory added by the live table,
// measured on the first iteration), bytes_per_rule, text_MB, peak_rss_MB.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "process_memory.h"
#include "rewrite/rule_table.h"
#include "rule_table_text.h"

namespace {

constexpr double kMegabyte = 1024.0 * 1024.0;

// Parses a table of state.range(0) rules per iteration; the text is generated before timing starts.
void load(benchmark::State& state) {
  const std::size_t rule_count = static_cast<std::size_t>(state.range(0));
  const std::string text = rewrite_bench::make_rules_text(rule_count);
  bool first = true;
  double rss_delta = 0;
  for (auto _ : state) {
    const std::size_t before = rewrite_bench::resident_bytes();
    rewrite::LoadResult loaded = rewrite::RuleTable::parse(text, "<bench>", rewrite::RuleFormat::native);
    state.PauseTiming();
    if (!loaded.ok()) {
      state.SkipWithError("synthetic table did not load");
      break;
    }
    if (first) rss_delta = static_cast<double>(rewrite_bench::resident_bytes() - before);
    first = false;
    loaded.table.reset();  // destruction is not part of loading
    state.ResumeTiming();
  }
  state.counters["rules"] = static_cast<double>(rule_count);
  state.counters["rss_delta_MB"] = rss_delta / kMegabyte;
  state.counters["bytes_per_rule"] = rss_delta / static_cast<double>(rule_count);
  state.counters["text_MB"] = static_cast<double>(text.size()) / kMegabyte;
  state.counters["peak_rss_MB"] = static_cast<double>(rewrite_bench::peak_resident_bytes()) / kMegabyte;
}

// Baseline: splits the same text into lines and copies the first two white-space separated fields.
void split_lines_baseline(benchmark::State& state) {
  const std::size_t rule_count = static_cast<std::size_t>(state.range(0));
  const std::string text = rewrite_bench::make_rules_text(rule_count);
  for (auto _ : state) {
    std::vector<std::pair<std::string, std::string>> fields;
    fields.reserve(rule_count);
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      const std::size_t gap = text.find(' ', start);
      if (text[start] != '#' && gap < end) {
        const std::size_t second = text.find_first_not_of(' ', gap);
        const std::size_t second_end = std::min(text.find(' ', second), end);
        fields.emplace_back(text.substr(start, gap - start), text.substr(second, second_end - second));
      }
      start = end + 1;
    }
    benchmark::DoNotOptimize(fields.data());
    state.PauseTiming();
    fields = {};
    state.ResumeTiming();
  }
  state.counters["rules"] = static_cast<double>(rule_count);
}

}  // namespace

BENCHMARK(load)->Arg(10000)->Arg(100000)->Arg(1000000)->Arg(10000000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(split_lines_baseline)->Arg(10000)->Arg(100000)->Arg(1000000)->Arg(10000000)->Unit(benchmark::kMillisecond)->Iterations(3);
