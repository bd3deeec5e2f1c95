// SPDX-License-Identifier: BSD-2-Clause
// test_cases_file.cpp: parsing files of expected cases and running them against a rule table.
#include <catch2/catch.hpp>

#include "rewrite/offline/cases_file.h"

using rewrite::Direction;

namespace {

// The seed's rules: group consolidation, a more specific subdomain, a merger and a partner address.
const char* const kSeedRules =
    "*.contoso.com            contoso.com\n"              // line 1
    "japan.sales.contoso.com  contoso.jp\n"               // line 2
    "fourthcoffee.com         contoso.com\n"              // line 3
    "support@contoso.com      support@wingtiptoys.com\n";  // line 4, bidirectional

// Returns the seed table, failing the test if it does not load.
std::shared_ptr<const rewrite::RuleTable> seed_table() {
  const rewrite::LoadResult loaded = rewrite::RuleTable::parse(kSeedRules, "seed.rules");
  REQUIRE(loaded.ok());
  return loaded.table;
}

}  // namespace

TEST_CASE("cases_file: parses directions, addresses, '-' and comments") {
  const rewrite::CasesFile file = rewrite::parse_cases(
      "# expected rewriting\n"
      "\n"
      "outbound masato@japan.sales.contoso.com masato@contoso.jp\n"
      "  INBOUND <support@wingtiptoys.com> support@contoso.com   # partner\n"
      "outbound bob@example.net -\n"
      "outbound <> -\n",
      "my.cases");
  CHECK(file.source_name == "my.cases");
  CHECK(file.errors.empty());
  REQUIRE(file.cases.size() == 4);
  CHECK(file.cases[0].line == 3);
  CHECK(file.cases[0].direction == Direction::outbound);
  CHECK(file.cases[0].input == "masato@japan.sales.contoso.com");
  CHECK(file.cases[0].expected == "masato@contoso.jp");
  CHECK(file.cases[1].line == 4);
  CHECK(file.cases[1].direction == Direction::inbound);
  CHECK(file.cases[1].input == "support@wingtiptoys.com");
  CHECK(file.cases[1].expected == "support@contoso.com");
  CHECK(file.cases[2].expected == "bob@example.net");
  CHECK(file.cases[3].input.empty());
  CHECK(file.cases[3].expected.empty());
}

TEST_CASE("cases_file: unreadable lines are errors with their line numbers") {
  const rewrite::CasesFile file = rewrite::parse_cases(
      "outbound a@b.example\n"
      "sideways a@b.example c@d.example\n"
      "outbound a@b.example c@d.example extra\n"
      "inbound a@b.example -\n",
      "bad.cases");
  REQUIRE(file.errors.size() == 3);
  CHECK(file.errors[0].line == 1);
  CHECK(file.errors[0].file == "bad.cases");
  CHECK(file.errors[1].line == 2);
  CHECK(file.errors[1].reason.find("sideways") != std::string::npos);
  CHECK(file.errors[2].line == 3);
  REQUIRE(file.cases.size() == 1);
  CHECK(file.cases[0].line == 4);
}

TEST_CASE("cases_file: address_matches compares domains without case, local parts exactly") {
  CHECK(rewrite::address_matches("masato@contoso.jp", "masato@Contoso.JP"));
  CHECK(rewrite::address_matches("masato@contoso.jp", "masato@contoso.jp."));
  CHECK_FALSE(rewrite::address_matches("masato@contoso.jp", "Masato@contoso.jp"));
  CHECK_FALSE(rewrite::address_matches("masato@contoso.jp", "masato@contoso.com"));
  CHECK(rewrite::address_matches("", ""));
  CHECK_FALSE(rewrite::address_matches("", "a@b.example"));
}

TEST_CASE("cases_file: the seed's examples pass against the seed's rules") {
  const auto table = seed_table();
  const rewrite::CasesFile file = rewrite::parse_cases(
      "outbound masato@japan.sales.contoso.com masato@contoso.jp\n"
      "outbound chris@sales.contoso.com chris@contoso.com\n"
      "outbound chris@research.contoso.com chris@contoso.com\n"
      "outbound Someone@FourthCoffee.com Someone@contoso.com\n"
      "outbound support@contoso.com support@wingtiptoys.com\n"
      "inbound support@wingtiptoys.com support@contoso.com\n"
      "inbound chris@contoso.com -\n"
      "outbound bob@example.net bob@example.net\n"
      "outbound <> -\n",
      "seed.cases");
  const rewrite::CasesReport report = rewrite::run_cases(*table, file);
  for (const auto& failure : report.failures) {
    UNSCOPED_INFO(failure.message);
  }
  CHECK(report.passed == 9);
  CHECK(report.failed == 0);
  CHECK(report.ok());
  CHECK(report.summary() == "9 passed, 0 failed");
}

TEST_CASE("cases_file: mismatches name the file, line, result and rule") {
  const auto table = seed_table();
  const rewrite::CasesFile file = rewrite::parse_cases(
      "outbound chris@sales.contoso.com chris@sales.contoso.com\n"  // 1: wrong, it is rewritten
      "bogus line\n"                                                // 2: unreadable
      "inbound chris@contoso.com chris@sales.contoso.com\n"         // 3: wrong, wildcards are outbound
      "outbound masato@japan.sales.contoso.com masato@contoso.jp\n",  // 4: right
      "t.cases");
  const rewrite::CasesReport report = rewrite::run_cases(*table, file);
  CHECK(report.passed == 1);
  CHECK(report.failed == 3);
  CHECK_FALSE(report.ok());
  CHECK(report.summary() == "1 passed, 3 failed");
  REQUIRE(report.failures.size() == 3);
  CHECK(report.failures[0].message ==
        "t.cases:1: outbound chris@sales.contoso.com: expected chris@sales.contoso.com, got "
        "chris@contoso.com (rule *.contoso.com, seed.rules:1)");
  CHECK(report.failures[1].line == 2);
  CHECK(report.failures[1].message.rfind("t.cases:2: ", 0) == 0);
  CHECK(report.failures[2].message ==
        "t.cases:3: inbound chris@contoso.com: expected chris@sales.contoso.com, got "
        "chris@contoso.com (no rule applies)");
}
