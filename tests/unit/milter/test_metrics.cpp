// SPDX-License-Identifier: BSD-2-Clause
// test_metrics.cpp: what the daemon counts from the engine's tallies, the text it serves, the metrics
// address setting, and the mode a reload reads again from the configuration file.
#include <catch2/catch.hpp>

#include <array>
#include <set>
#include <sstream>

#include "config.h"
#include "http_endpoint.h"
#include "metrics.h"
#include "milter_test_support.h"
#include "rule_store.h"
#include "startup.h"

namespace rewrite::milter {
namespace {

// The value of one sample line ("name{labels} value") in the rendered text, or -1 when absent.
long long sample(const std::string& text, const std::string& series) {
  const std::string needle = "\n" + series + " ";
  const std::size_t at = ("\n" + text).find(needle);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + needle.size() - 1));
}

std::shared_ptr<const RuleTable> table_of(const std::string& rules) {
  const LoadResult loaded = RuleTable::parse(rules, "metrics.rules");
  REQUIRE(loaded.ok());
  return loaded.table;
}

TEST_CASE("metrics: messages, changes, rule hits, skips and verdicts are counted", "[metrics]") {
  Metrics metrics;
  const auto table = table_of("*.contoso.com contoso.com name=flatten\nsupport@contoso.com help@wingtip.example\n");
  const auto hits = metrics.counters_for(*table);
  MessageTally tally;
  tally.changed = true;
  tally.fields_changed = 2;
  tally.rule_hits = {0, 0, 1};
  tally.skips[static_cast<std::size_t>(SkipReason::dkim_signed)] = 1;
  metrics.message(Direction::outbound, tally, hits.get());
  metrics.message(Direction::inbound, MessageTally{}, hits.get());
  metrics.recipient(SharedSpace::Verdict::local);
  metrics.recipient(SharedSpace::Verdict::unknown);
  metrics.recipient(SharedSpace::Verdict::not_shared);
  metrics.failure(FailureCause::mta_refused);
  metrics.session_started();
  const std::string text = metrics.render();
  CHECK(sample(text, "rewrite_milter_messages_total{direction=\"outbound\"}") == 1);
  CHECK(sample(text, "rewrite_milter_messages_total{direction=\"inbound\"}") == 1);
  CHECK(sample(text, "rewrite_milter_messages_changed_total{direction=\"outbound\"}") == 1);
  CHECK(sample(text, "rewrite_milter_messages_changed_total{direction=\"inbound\"}") == 0);
  CHECK(sample(text, "rewrite_milter_header_fields_changed_total{direction=\"outbound\"}") == 2);
  CHECK(sample(text, "rewrite_milter_rule_hits_total{rule=\"flatten\"}") == 2);
  CHECK(sample(text, "rewrite_milter_rule_hits_total{rule=\"support@contoso.com\"}") == 1);
  CHECK(sample(text, "rewrite_milter_skips_total{reason=\"dkim_signed\"}") == 1);
  CHECK(sample(text, "rewrite_milter_skips_total{reason=\"not_ours\"}") == 0);
  CHECK(sample(text, "rewrite_milter_shared_space_total{verdict=\"local\"}") == 1);
  CHECK(sample(text, "rewrite_milter_shared_space_total{verdict=\"refused\"}") == 1);
  CHECK(sample(text, "rewrite_milter_failures_total{cause=\"mta_refused\"}") == 1);
  CHECK(sample(text, "rewrite_milter_failures_total{cause=\"rcpt\"}") == 0);
  CHECK(sample(text, "rewrite_milter_sessions_in_progress") == 1);
  metrics.session_ended();
  CHECK(sample(metrics.render(), "rewrite_milter_sessions_in_progress") == 0);
}

TEST_CASE("metrics: a rule keeps its count across reloads while its name stays", "[metrics]") {
  Metrics metrics;
  const auto before = metrics.counters_for(*table_of("a.example b.example name=merger\n"));
  MessageTally tally;
  tally.rule_hits = {0};
  metrics.message(Direction::outbound, tally, before.get());
  const auto after = metrics.counters_for(*table_of("c.example d.example name=other\na.example b.example name=merger\n"));
  metrics.message(Direction::outbound, tally, after.get());  // position 0 is now "other"
  tally.rule_hits = {1};
  metrics.message(Direction::outbound, tally, after.get());
  const std::string text = metrics.render();
  CHECK(sample(text, "rewrite_milter_rule_hits_total{rule=\"merger\"}") == 2);
  CHECK(sample(text, "rewrite_milter_rule_hits_total{rule=\"other\"}") == 1);
}

TEST_CASE("metrics: the text format has HELP and TYPE for each family and escapes label values", "[metrics]") {
  Metrics metrics;
  metrics.counters_for(*table_of("a.example b.example name=say\"\\hi\n"));
  metrics.reload_succeeded(1, 3, 4, true, 1700000000);
  metrics.reload_failed();
  const std::string text = metrics.render();
  CHECK(text.find("rewrite_milter_rule_hits_total{rule=\"say\\\"\\\\hi\"} 0\n") != std::string::npos);
  CHECK(sample(text, "rewrite_milter_reloads_total{result=\"succeeded\"}") == 1);
  CHECK(sample(text, "rewrite_milter_reloads_total{result=\"failed\"}") == 1);
  CHECK(sample(text, "rewrite_milter_rules") == 1);
  CHECK(sample(text, "rewrite_milter_shared_space_recipients{list=\"cloud\"}") == 4);
  CHECK(sample(text, "rewrite_milter_last_reload_success_timestamp_seconds") == 1700000000);
  CHECK(sample(text, "rewrite_milter_log_only") == 1);
  // Every sample's family is announced first, once, with a type.
  std::set<std::string> typed;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("# TYPE ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      CHECK(typed.insert(name).second);
      CHECK((line.substr(line.rfind(' ') + 1) == "counter") == (name.size() > 6 && name.substr(name.size() - 6) == "_total"));
    } else if (line.rfind("# HELP ", 0) != 0) {
      const std::string name = line.substr(0, line.find_first_of("{ "));
      CHECK(typed.count(name) == 1);
    }
  }
  CHECK(typed.size() == 13);
}

TEST_CASE("metrics setting: [HOST:]PORT, loopback by default", "[metrics][config]") {
  const Result<HttpEndpoint> port_only = parse_http_endpoint("9811");
  REQUIRE(port_only);
  CHECK(port_only->to_string() == "127.0.0.1:9811");
  const Result<HttpEndpoint> v6 = parse_http_endpoint("[::1]:9811");
  REQUIRE(v6);
  CHECK(v6->v6);
  CHECK(v6->to_string() == "[::1]:9811");
  CHECK(parse_http_endpoint("10.0.0.5:80")->host == "10.0.0.5");
  for (const char* bad : {"", "0", "65536", "localhost:9811", "::1:9811", "[::1]", "127.0.0.1:", "98x1"}) {
    INFO(bad);
    CHECK_FALSE(parse_http_endpoint(bad));
  }
  const ConfigOutcome off = parse_config(2, std::array<const char*, 2>{"rewrite-milter", "-rrules"}.data(), "");
  CHECK_FALSE(off.config.metrics.enabled());
  const ConfigOutcome on =
      parse_config(3, std::array<const char*, 3>{"rewrite-milter", "-rrules", "--metrics=9100"}.data(), "");
  CHECK(on.errors.empty());
  CHECK(on.config.metrics.to_string() == "127.0.0.1:9100");
  const ConfigOutcome bad =
      parse_config(3, std::array<const char*, 3>{"rewrite-milter", "-rrules", "--metrics=any:9100"}.data(), "");
  REQUIRE(bad.errors.size() == 1);
  CHECK(bad.errors[0].to_string().find("not a numeric IPv4 address") != std::string::npos);
}

TEST_CASE("mode: read at start, read again at each reload; a broken configuration refuses the reload",
          "[metrics][mode]") {
  test::TempFile rules("rules", "fourthcoffee.com contoso.com\n");
  test::TempFile conf("rewrite-milter.conf", "rules = " + rules.path() + "\nmode = log-only\n");
  const ConfigOutcome outcome =
      parse_config(3, std::array<const char*, 3>{"rewrite-milter", "-c", conf.path().c_str()}.data(), "");
  REQUIRE(outcome.errors.empty());
  CHECK(outcome.config.log_only);
  Metrics metrics;
  RuleStore store(outcome.config.rules_file);
  store.set_completer(snapshot_completer(outcome, metrics));
  REQUIRE(store.reload().empty());
  CHECK(store.snapshot().log_only);
  CHECK(store.snapshot().hits == nullptr);  // no metrics endpoint: no per-rule counters to keep
  conf.write("rules = " + rules.path() + "\nmode = apply\n");
  REQUIRE(store.reload().empty());
  CHECK_FALSE(store.snapshot().log_only);
  conf.write("rules = " + rules.path() + "\nmode = sometimes\n");
  const std::vector<ConfigError> errors = store.reload();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].to_string().find(conf.path() + ":2: mode") == 0);
  CHECK_FALSE(store.snapshot().log_only);  // the previous load stays
  CHECK(sample(metrics.render(), "rewrite_milter_reloads_total{result=\"succeeded\"}") == 2);
}

TEST_CASE("per-rule counters are made only when the metrics endpoint is on, and count the rule that fired",
          "[metrics]") {
  test::TempFile rules("rules", "fourthcoffee.com contoso.com name=coffee\n");
  Metrics metrics;
  for (const bool on : {false, true}) {
    std::vector<const char*> argv{"rewrite-milter", "-r", rules.path().c_str()};
    if (on) argv.push_back("--metrics=9100");
    const ConfigOutcome outcome = parse_config(static_cast<int>(argv.size()), argv.data(), "");
    REQUIRE(outcome.errors.empty());
    RuleStore store(outcome.config.rules_file);
    store.set_completer(snapshot_completer(outcome, metrics));
    REQUIRE(store.reload().empty());
    const auto hits = store.snapshot().hits;
    CHECK((hits != nullptr) == on);
    if (hits) {
      REQUIRE(hits->by_position.size() == 1);
      MessageTally tally;
      tally.rule_hits.push_back(0);
      metrics.message(Direction::outbound, tally, hits.get());
      CHECK(sample(metrics.render(), "rewrite_milter_rule_hits_total{rule=\"coffee\"}") == 1);
    }
  }
}

}  // namespace
}  // namespace rewrite::milter
