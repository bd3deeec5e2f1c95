// SPDX-License-Identifier: BSD-2-Clause
// test_seed_statements.cpp: statements of the two source documents that no other unit test proved, each
// test named after the statement it checks. Expected values come from the documents' text.
#include <catch2/catch.hpp>

#include "rewrite/offline/collisions.h"
#include "rewrite/shared_space.h"

using rewrite::Finding;

namespace {

// Checks the rules in rules_text against the address list in list_text and returns the findings.
std::vector<Finding> findings_of(const char* rules_text, const char* list_text) {
  const rewrite::LoadResult loaded = rewrite::RuleTable::parse(rules_text, "r.rules");
  INFO(rewrite::format_errors(loaded.errors));
  REQUIRE(loaded.ok());
  const rewrite::AddressList list = rewrite::parse_address_list(list_text, "mailboxes");
  REQUIRE(list.errors.empty());
  return rewrite::check_addresses(*loaded.table, list);
}

}  // namespace

// "The resulting addresses must be unique across the organization": a rewritten address that is already
// the address of another mailbox sends that mailbox the replies meant for the rewritten sender.
TEST_CASE("seed: a result that is another mailbox's address is a collision", "[seed][collisions]") {
  SECTION("flattening onto an address that exists in the flat domain") {
    const std::vector<Finding> findings = findings_of("*.contoso.com contoso.com\n",
                                                      "chris@contoso.com\n"
                                                      "chris@sales.contoso.com\n");
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].kind == Finding::Kind::collision);
    CHECK(findings[0].line == 2);
    CHECK_THAT(findings[0].detail, Catch::Contains("chris@sales.contoso.com (line 2) becomes chris@contoso.com"));
    CHECK_THAT(findings[0].detail, Catch::Contains("the address of the mailbox on line 1"));
  }
  SECTION("the seed's robert@fourthcoffee.com -> bob@contoso.com, outbound only") {
    const std::vector<Finding> findings = findings_of("robert@fourthcoffee.com bob@contoso.com outbound-only\n",
                                                      "bob@contoso.com\n"
                                                      "robert@fourthcoffee.com\n");
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].kind == Finding::Kind::collision);
    CHECK(findings[0].line == 2);
  }
  SECTION("the result as a proxy of the sender's own mailbox is no collision") {
    CHECK(findings_of("*.contoso.com contoso.com\n", "chris@sales.contoso.com chris@contoso.com\n").empty());
  }
  SECTION("two flattened mailboxes and the holder make one finding") {
    const std::vector<Finding> findings = findings_of("*.contoso.com contoso.com\n",
                                                      "chris@contoso.com\n"
                                                      "chris@sales.contoso.com\n"
                                                      "chris@research.contoso.com\n");
    REQUIRE(findings.size() == 1);
    CHECK(findings[0].kind == Finding::Kind::collision);
    CHECK_THAT(findings[0].detail, Catch::Contains("both become chris@contoso.com"));
    CHECK_THAT(findings[0].detail, Catch::Contains("line 1"));
  }
}

// Seed 000: the loop guard refuses a message this MTA forwarded to the cloud once already (our trace
// header), so mail for a recipient known nowhere cannot bounce back and forth. Another organisation's
// shared space whose domain merely starts with ours (contoso.edu.au) is not us.
TEST_CASE("seed: the loop guard knows our trace header, not one of a domain that starts like ours",
          "[seed][shared_space]") {
  rewrite::SharedSpaceSettings settings;
  settings.shared_domain = "contoso.edu";
  settings.routing_domain = "live.contoso.edu";
  std::vector<rewrite::ConfigError> errors;
  const auto space = rewrite::SharedSpace::from_lists(settings, {"staff@contoso.edu"}, {"student@contoso.edu"},
                                                      "conf", errors);
  REQUIRE(space);
  std::string reason;
  CHECK(space->is_loop({"contoso.edu -> live.contoso.edu"}, 1, reason));
  CHECK(space->is_loop({"Contoso.EDU -> cloud.contoso.edu"}, 1, reason));  // ours, before a routing change
  CHECK_FALSE(space->is_loop({"contoso.edu.au -> live.contoso.edu.au"}, 1, reason));
  CHECK_FALSE(space->is_loop({"contoso.education -> live.contoso.education"}, 1, reason));
}
