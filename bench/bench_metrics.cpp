// SPDX-License-Identifier: BSD-2-Clause
// bench_metrics.cpp: what counting costs per message. The same outbound message (sender, two
// recipients, From/To/Cc, one field rewritten by each of two rules) goes through the engine's
// collector and end of message, once as it is ("uncounted", the baseline) and once followed by what
// the daemon's session adds for metrics: one recipient verdict per RCPT and the message's tally with its
// rule hits ("counted"). bench/ratios.py prints counted / uncounted from the same run.
#include <benchmark/benchmark.h>

#include "metrics.h"
#include "rewrite/gmime_setup.h"
#include "rewrite/message_engine.h"

namespace {

using namespace rewrite;

const char* const kRules =
    "*.contoso.com          contoso.com   name=flatten\n"
    "support@contoso.com    support@wingtiptoys.com   name=partner\n"
    "fourthcoffee.com       contoso.com   name=merger\n";

struct Fixture {
  std::shared_ptr<const RuleTable> table;
  PlanOptions options;
  milter::Metrics metrics;
  std::shared_ptr<const milter::RuleHitCounters> hits;

  Fixture() {
    initialize_gmime();
    table = RuleTable::parse(kRules, "bench.rules").table;
    hits = metrics.counters_for(*table);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void end_of_message(benchmark::State& state, bool counted) {
  Fixture& f = fixture();
  MessageContext context{f.table.get(), nullptr, &f.options, Direction::outbound, false, false};
  for (auto _ : state) {
    MessageCollector message(context, "<chris@sales.contoso.com>");
    const RcptOutcome first = message.recipient("<bob@example.net>", {});
    const RcptOutcome second = message.recipient("<ann@example.org>", {"NOTIFY=NEVER"});
    message.header("From", " Chris <chris@sales.contoso.com>");
    message.header("To", " bob@example.net, ann@example.org");
    message.header("Cc", " support@contoso.com");
    message.header("Subject", " Quarterly numbers");
    const EndOfMessage end = decide_end_of_message(message);
    if (counted) {
      f.metrics.recipient(first.verdict);
      f.metrics.recipient(second.verdict);
      f.metrics.message(context.direction, end.tally, f.hits.get());
    }
    benchmark::DoNotOptimize(end.edits.data());
  }
  if (fixture().table->rules().empty()) state.SkipWithError("rules did not load");
}

}  // namespace

BENCHMARK_CAPTURE(end_of_message, uncounted, false);
BENCHMARK_CAPTURE(end_of_message, counted, true);
