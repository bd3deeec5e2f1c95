// SPDX-License-Identifier: BSD-2-Clause
// bench_session.cpp: the daemon's own work per message, without libmilter or an MTA: one connection's
// Session driven as Postfix drives it for bench/postfix-throughput's message (connect, MAIL, RCPT, the
// seven header fields, end of message with its edits applied to a fake MTA). "rewritten" is the
// throughput bench's rule (envelope sender and From rewritten, two change lines logged to a counting
// logger: syslog itself is not in it); "untouched" has rules that cover nothing in the message (every
// field parsed, no edit). "header" is the baseline from the same run: one From value rewritten
// (rewrite_header_value), the smallest unit of the work, which the ratios put the message in terms of.
#include <benchmark/benchmark.h>

#include <thread>

#include "rewrite/gmime_setup.h"
#include "rewrite/header_rewriter.h"
#include "session.h"

namespace {

using namespace rewrite;
using namespace rewrite::milter;

// Counts the lines instead of writing them.
class CountingLogger : public Logger {
 public:
  void log(LogLevel, const std::string&) override { ++lines; }
  bool enabled(LogLevel level) const override { return level != LogLevel::verbose && level != LogLevel::debug; }
  long lines = 0;
};

// Accepts every edit.
class AcceptingMta : public MtaActions {
 public:
  bool change_sender(const std::string&, const std::string&) override { return ++edits, true; }
  bool delete_recipient(const std::string&) override { return ++edits, true; }
  bool add_recipient(const std::string&, const std::string&) override { return ++edits, true; }
  bool change_header(const std::string&, int, const std::string&) override { return ++edits, true; }
  bool add_header(const std::string&, const std::string&) override { return ++edits, true; }
  long edits = 0;
};

const std::pair<const char*, const char*> kHeaders[] = {
    {"From", " Alice Example <alice@sales.contoso.com>"},
    {"To", " Bob <bob@fabrikam.com>"},
    {"Subject", " throughput"},
    {"Date", " Mon, 2 Jan 2023 10:00:00 +0000"},
    {"Message-ID", " <bench@sales.contoso.com>"},
    {"MIME-Version", " 1.0"},
    {"Content-Type", " text/plain; charset=us-ascii"},
};

void message(benchmark::State& state, const char* rules, long expected_edits, bool new_thread = false) {
  initialize_gmime();
  RuleStore store("bench.rules", [rules](const std::string& path) { return RuleTable::parse(rules, path); });
  if (!store.reload().empty()) {
    state.SkipWithError("rules did not load");
    return;
  }
  SessionSettings settings;
  settings.classify.internal_hosts.push_back(*parse_cidr("127.0.0.0/8"));
  CountingLogger log;
  AcceptingMta mta;
  ClientInfo client;
  client.family = ClientInfo::Family::inet;
  client.hostname = "localhost";
  client.address = "127.0.0.1";
  client.port = 40000;
  MailEvent mail;
  mail.sender = "<alice@sales.contoso.com>";
  mail.esmtp_args = {"SIZE=2400", "BODY=8BITMIME"};
  const auto one = [&] {
    // One connection per message, as smtp-source sends them.
    Session session(settings, store, log);
    session.set_header_leading_space(true);
    session.connect(client, "");
    session.mail_from(mail);
    session.rcpt_to("<bob@fabrikam.com>", {}, "");
    for (const auto& [name, value] : kHeaders) session.header(name, value);
    benchmark::DoNotOptimize(session.end_of_message("4XyZ1b2c3", mta));
  };
  for (auto _ : state) {
    if (new_thread) {
      std::thread(one).join();
    } else {
      one();
    }
  }
  if (mta.edits != expected_edits * static_cast<long>(state.iterations())) state.SkipWithError("unexpected edits");
  state.counters["log_lines_per_message"] = static_cast<double>(log.lines) / static_cast<double>(state.iterations());
}

void header(benchmark::State& state) {
  initialize_gmime();
  const LoadResult loaded = RuleTable::parse("*.contoso.com  contoso.com  name=flatten\n", "bench.rules");
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        rewrite_header_value(" Alice Example <alice@sales.contoso.com>", *loaded.table, Direction::outbound));
  }
}

// A thread that starts and ends, doing nothing: the baseline of message_in_new_thread.
void empty_thread(benchmark::State& state) {
  for (auto _ : state) std::thread([] {}).join();
}

}  // namespace

BENCHMARK(header);
BENCHMARK(empty_thread)->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(message, rewritten_in_new_thread, "*.contoso.com  contoso.com  name=flatten\n", 2, true)->MeasureProcessCPUTime();
BENCHMARK_CAPTURE(message, rewritten, "*.contoso.com  contoso.com  name=flatten\n", 2);
BENCHMARK_CAPTURE(message, untouched, "*.example.org  example.org  name=elsewhere\n", 0);
