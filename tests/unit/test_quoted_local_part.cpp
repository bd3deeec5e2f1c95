// SPDX-License-Identifier: BSD-2-Clause
// test_quoted_local_part.cpp: a quoted local part whose content is a dot-atom names the same mailbox as
// that dot-atom (RFC 5322 3.2.4 and 3.4.1: "adam"@fourthcoffee.com is adam@fourthcoffee.com), in every
// lookup by local part: address rules both ways, duplicate checks, the shared-space lists and the
// collision check. Any other quoted local part ("john smith") stays a mailbox of its own.
#include <catch2/catch.hpp>

#include "rewrite/offline/collisions.h"
#include "rewrite/header_rewriter.h"
#include "rewrite/offline/explain.h"
#include "rewrite/rule_table.h"
#include "rewrite/shared_space.h"

using rewrite::Direction;
using rewrite::RuleTable;
using Verdict = rewrite::SharedSpace::Verdict;

namespace {

// The Fourth Coffee merger: one address rule (bidirectional) and a domain rule for the rest.
const char* const kFourthCoffee =
    "adam@fourthcoffee.com     adam.smith@contoso.com\n"
    "johnsmith@fourthcoffee.com john@contoso.com\n"
    "fourthcoffee.com          contoso.com\n";

// Loads rules from text; fails the test when the table does not load.
std::shared_ptr<const RuleTable> table_of(const std::string& text) {
  rewrite::LoadResult result = RuleTable::parse(text, "test.rules");
  INFO(rewrite::format_errors(result.errors));
  REQUIRE(result.ok());
  return result.table;
}

// Returns the rewrite of address in direction, or "" when it is left alone.
std::string rewrite_of(const RuleTable& table, const std::string& address, Direction direction) {
  const rewrite::Lookup lookup = table.lookup(address, direction);
  return lookup.rewritten ? lookup.address : "";
}

// Returns the kind of the rule that fired for address outbound, or "none".
std::string kind_of(const RuleTable& table, const std::string& address) {
  const rewrite::Lookup lookup = table.lookup(address, Direction::outbound);
  return lookup.rule ? rewrite::to_string(lookup.rule->kind) : "none";
}

}  // namespace

TEST_CASE("quoted: an address rule matches the quoted form of its local part", "[quoted][rule_table]") {
  const auto table = table_of(kFourthCoffee);
  CHECK(kind_of(*table, "\"adam\"@fourthcoffee.com") == "address");
  CHECK(rewrite_of(*table, "\"adam\"@fourthcoffee.com", Direction::outbound) == "adam.smith@contoso.com");
  CHECK_THAT(rewrite::explain_lookup(*table, "\"adam\"@fourthcoffee.com", Direction::outbound),
             Catch::Contains("matched address rule 'adam@fourthcoffee.com -> adam.smith@contoso.com'"));
  SECTION("case is still ignored, in the local part and the domain") {
    CHECK(rewrite_of(*table, "\"ADAM\"@FourthCoffee.com", Direction::outbound) == "adam.smith@contoso.com");
    CHECK(rewrite_of(*table, "\"Adam\"@fourthcoffee.com.", Direction::outbound) == "adam.smith@contoso.com");
  }
  SECTION("a quoted-pair that decodes to atext is the same character") {
    CHECK(rewrite_of(*table, "\"ad\\am\"@fourthcoffee.com", Direction::outbound) == "adam.smith@contoso.com");
  }
  SECTION("dots inside the quotes are dot-atom dots") {
    const auto dotted = table_of("adam.smith@fourthcoffee.com adam@contoso.com\n");
    CHECK(rewrite_of(*dotted, "\"adam.smith\"@fourthcoffee.com", Direction::outbound) == "adam@contoso.com");
    CHECK(rewrite_of(*dotted, "\"Adam.Smith\"@FOURTHCOFFEE.COM", Direction::outbound) == "adam@contoso.com");
  }
}

TEST_CASE("quoted: a bidirectional rule routes the quoted external address back", "[quoted][rule_table]") {
  const auto table = table_of(kFourthCoffee);
  CHECK(rewrite_of(*table, "\"adam.smith\"@contoso.com", Direction::inbound) == "adam@fourthcoffee.com");
  CHECK(rewrite_of(*table, "\"ADAM.SMITH\"@Contoso.com", Direction::inbound) == "adam@fourthcoffee.com");
  CHECK(rewrite_of(*table, "\"adam smith\"@contoso.com", Direction::inbound).empty());
}

TEST_CASE("quoted: content that is not a dot-atom stays a different local part", "[quoted][rule_table]") {
  const auto table = table_of(kFourthCoffee);
  // "john smith" holds a space: it cannot be written unquoted, so it is not johnsmith.
  CHECK(kind_of(*table, "\"john smith\"@fourthcoffee.com") == "domain");
  // A domain rule keeps the local part exactly as the message had it, quotes included.
  CHECK(rewrite_of(*table, "\"john smith\"@fourthcoffee.com", Direction::outbound) == "\"john smith\"@contoso.com");
  for (const char* local : {"\"adam.\"", "\".adam\"", "\"ad..am\"", "\"\"", "\"ad\\ am\"", "\"adam@x\""}) {
    INFO(local);
    CHECK(kind_of(*table, std::string(local) + "@fourthcoffee.com") == "domain");
    CHECK(rewrite_of(*table, std::string(local) + "@fourthcoffee.com", Direction::outbound) ==
          std::string(local) + "@contoso.com");
  }
  SECTION("a domain rule keeps a quoted dot-atom local part quoted too") {
    CHECK(rewrite_of(*table, "\"maria\"@fourthcoffee.com", Direction::outbound) == "\"maria\"@contoso.com");
    const auto wildcard = table_of("*.contoso.com contoso.com\n");
    CHECK(rewrite_of(*wildcard, "\"chris\"@sales.contoso.com", Direction::outbound) == "\"chris\"@contoso.com");
  }
}

TEST_CASE("quoted: a rule may name its address quoted, and the result is the rule's target as written",
          "[quoted][rule_table]") {
  const auto table = table_of("\"adam\"@fourthcoffee.com \"adam.smith\"@contoso.com\n");
  CHECK(rewrite_of(*table, "adam@fourthcoffee.com", Direction::outbound) == "\"adam.smith\"@contoso.com");
  CHECK(rewrite_of(*table, "\"adam\"@fourthcoffee.com", Direction::outbound) == "\"adam.smith\"@contoso.com");
  CHECK(rewrite_of(*table, "adam.smith@contoso.com", Direction::inbound) == "\"adam\"@fourthcoffee.com");
  CHECK(rewrite_of(*table, "\"Adam.Smith\"@contoso.com", Direction::inbound) == "\"adam\"@fourthcoffee.com");
}

TEST_CASE("quoted: a rule for the quoted and one for the plain form are duplicates", "[quoted][rule_table]") {
  const rewrite::LoadResult same_internal =
      RuleTable::parse("adam@fourthcoffee.com a@contoso.com\n\"ADAM\"@fourthcoffee.com b@contoso.com\n", "r");
  CHECK_FALSE(same_internal.ok());
  CHECK_THAT(rewrite::format_errors(same_internal.errors), Catch::Contains("r:2: duplicate rule"));

  const rewrite::LoadResult same_external =
      RuleTable::parse("adam@fourthcoffee.com a@contoso.com\neve@fourthcoffee.com \"a\"@contoso.com\n", "r");
  CHECK_FALSE(same_external.ok());
  CHECK_THAT(rewrite::format_errors(same_external.errors), Catch::Contains("r:2: bidirectional rules must be unique"));

  CHECK(RuleTable::parse("johnsmith@fourthcoffee.com a@contoso.com\n\"john smith\"@fourthcoffee.com b@contoso.com\n",
                         "r")
            .ok());
}

TEST_CASE("quoted: shared-space list membership through the quoted form", "[quoted][shared_space]") {
  rewrite::SharedSpaceSettings settings;
  settings.shared_domain = "contoso.edu";
  settings.routing_domain = "live.contoso.edu";
  std::vector<rewrite::ConfigError> errors;
  const auto space = rewrite::SharedSpace::from_lists(settings, {"staff@contoso.edu", "\"dean\"@contoso.edu"},
                                                      {"student@contoso.edu", "john.smith@contoso.edu"}, "lists", errors);
  INFO(rewrite::format_errors(errors));
  REQUIRE(space);

  const rewrite::SharedSpace::Decision student = space->decide("\"student\"@contoso.edu");
  CHECK(student.verdict == Verdict::forward);
  CHECK_FALSE(student.unlisted);
  CHECK(student.address == "\"student\"@live.contoso.edu");  // the local part as the message had it
  CHECK(space->decide("\"Student\"@Contoso.EDU").verdict == Verdict::forward);
  CHECK(space->decide("\"john.smith\"@contoso.edu").verdict == Verdict::forward);
  CHECK(space->decide("\"staff\"@contoso.edu").verdict == Verdict::local);
  SECTION("a list entry written quoted names the plain address") {
    CHECK(space->decide("dean@contoso.edu").verdict == Verdict::local);
    CHECK(space->decide("DEAN@contoso.edu").verdict == Verdict::local);
  }
  SECTION("content that is not a dot-atom is known nowhere") {
    CHECK(space->decide("\"john smith\"@contoso.edu").verdict == Verdict::unknown);
  }
  SECTION("the quoted and plain forms of one address cannot be in both lists") {
    std::vector<rewrite::ConfigError> both;
    CHECK_FALSE(rewrite::SharedSpace::from_lists(settings, {"kim@contoso.edu"}, {"\"KIM\"@contoso.edu"}, "lists", both));
    CHECK_THAT(rewrite::format_errors(both), Catch::Contains("is also listed in"));
  }
}

TEST_CASE("quoted: the collision check treats the quoted form as the same mailbox", "[quoted][collisions]") {
  const auto table = table_of("*.contoso.com contoso.com\n");
  // "adam"@sales.contoso.com leaves as "adam"@contoso.com, which is adam@contoso.com: the address that
  // adam@research.contoso.com, another mailbox, leaves as.
  const rewrite::AddressList list = rewrite::parse_address_list(
      "\"adam\"@sales.contoso.com\nadam@research.contoso.com\nadam@contoso.com\n", "mailboxes");
  REQUIRE(list.errors.empty());
  const std::vector<rewrite::Finding> findings = rewrite::check_addresses(*table, list);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == rewrite::Finding::Kind::collision);
  CHECK(findings[0].line == 1);
}

TEST_CASE("quoted: header addresses follow the same rules", "[quoted][header_rewriter]") {
  const auto table = table_of(kFourthCoffee);
  const rewrite::HeaderRewrite address_rule =
      rewrite::rewrite_header_value(" Adam <\"adam\"@fourthcoffee.com>", *table, Direction::outbound);
  CHECK(address_rule.status == rewrite::HeaderRewrite::Status::changed);
  CHECK(address_rule.value == " Adam <adam.smith@contoso.com>");
  const rewrite::HeaderRewrite domain_rule =
      rewrite::rewrite_header_value(" \"john smith\"@fourthcoffee.com", *table, Direction::outbound);
  CHECK(domain_rule.status == rewrite::HeaderRewrite::Status::changed);
  CHECK(domain_rule.value == " \"john smith\"@contoso.com");
}
