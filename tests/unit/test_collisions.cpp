// SPDX-License-Identifier: BSD-2-Clause
// test_collisions.cpp: checking a rule table against the organisation's address list.
#include <catch2/catch.hpp>

#include "rewrite/offline/collisions.h"

using rewrite::Finding;

namespace {

// Loads rules from text, failing the test if they do not load.
std::shared_ptr<const rewrite::RuleTable> table_of(const char* text) {
  const rewrite::LoadResult loaded = rewrite::RuleTable::parse(text, "r.rules");
  for (const auto& error : loaded.errors) {
    UNSCOPED_INFO(error.to_string());
  }
  REQUIRE(loaded.ok());
  return loaded.table;
}

// Runs the check of rules against the address list text.
std::vector<Finding> check(const char* rules, const char* addresses) {
  const auto table = table_of(rules);
  const rewrite::AddressList list = rewrite::parse_address_list(addresses, "mailboxes");
  REQUIRE(list.errors.empty());
  return rewrite::check_addresses(*table, list);
}

// Returns how many findings are of the given kind.
std::size_t count(const std::vector<Finding>& findings, Finding::Kind kind) {
  std::size_t n = 0;
  for (const Finding& finding : findings) {
    n += finding.kind == kind ? 1 : 0;
  }
  return n;
}

// The seed's six users in three subdomains (lines 1 to 6).
const char* const kSeedUsers =
    "maria@sales.contoso.com\n"
    "chris@sales.contoso.com\n"
    "david@marketing.contoso.com\n"
    "brian@marketing.contoso.com\n"
    "chris@research.contoso.com\n"
    "adam@research.contoso.com\n";

}  // namespace

TEST_CASE("collisions: parse_address_list reads mailboxes, proxies, comments and errors") {
  const rewrite::AddressList list = rewrite::parse_address_list(
      "# mailboxes\n"
      "adam@research.contoso.com  adam@contoso.com   # with a proxy\n"
      "\n"
      "<maria@sales.contoso.com>\n"
      "not-an-address\n"
      "ADAM@contoso.com\n",
      "list.txt");
  CHECK(list.source_name == "list.txt");
  REQUIRE(list.mailboxes.size() == 2);
  CHECK(list.mailboxes[0].line == 2);
  CHECK(list.mailboxes[0].addresses ==
        std::vector<std::string>{"adam@research.contoso.com", "adam@contoso.com"});
  CHECK(list.mailboxes[1].line == 4);
  CHECK(list.mailboxes[1].addresses == std::vector<std::string>{"maria@sales.contoso.com"});
  REQUIRE(list.errors.size() == 2);
  CHECK(list.errors[0].to_string() == "list.txt:5: not an address (local@domain): not-an-address");
  CHECK(list.errors[1].line == 6);
  CHECK(list.errors[1].reason.find("line 2") != std::string::npos);
}

TEST_CASE("collisions: the seed's flattening collides chris@sales and chris@research") {
  const std::vector<Finding> findings = check("*.contoso.com contoso.com\n", kSeedUsers);
  REQUIRE(count(findings, Finding::Kind::collision) == 1);
  // List order: maria's undeliverable result (line 1) comes first, then the collision at line 2.
  REQUIRE(findings.size() >= 2);
  CHECK(findings[0].kind == Finding::Kind::undeliverable);
  CHECK(findings[0].line == 1);
  const Finding& collision = findings[1];
  CHECK(collision.kind == Finding::Kind::collision);
  CHECK(collision.file == "mailboxes");
  CHECK(collision.line == 2);
  CHECK(collision.detail.find("chris@sales.contoso.com (line 2) and chris@research.contoso.com "
                              "(line 5) both become chris@contoso.com (rule *.contoso.com, "
                              "r.rules:1)") != std::string::npos);
  CHECK(collision.to_string().rfind("mailboxes:2: collision: ", 0) == 0);
  // No mailbox has a proxy address yet: every rewritten address would bounce replies.
  CHECK(count(findings, Finding::Kind::undeliverable) == 6);
  CHECK(count(findings, Finding::Kind::chain) == 0);
  CHECK(findings.size() == 7);
}

TEST_CASE("collisions: proxy addresses make rewritten addresses deliverable") {
  // Proxies on the mailbox's own line, or listed on a line of their own, both count; but a line of its
  // own is another mailbox, so replies to adam would reach it: a collision, not an undeliverable result.
  const std::vector<Finding> findings = check("*.contoso.com contoso.com\n",
                                              "maria@sales.contoso.com maria@contoso.com\n"
                                              "adam@research.contoso.com\n"
                                              "adam@contoso.com\n");
  CHECK(count(findings, Finding::Kind::undeliverable) == 0);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == Finding::Kind::collision);
  CHECK(findings[0].line == 2);
}

TEST_CASE("collisions: renaming one chris resolves the collision, as the seed prescribes") {
  const std::vector<Finding> findings =
      check("*.contoso.com contoso.com\n",
            "chris@sales.contoso.com chris@contoso.com\n"
            "christopher@research.contoso.com christopher@contoso.com\n");
  CHECK(findings.empty());
}

TEST_CASE("collisions: an address mapped back inbound by a bidirectional rule is deliverable") {
  const std::vector<Finding> findings =
      check("john@sales.contoso.com john.doe@contoso.com\n", "john@sales.contoso.com\n");
  CHECK(findings.empty());

  const std::vector<Finding> outbound_only =
      check("john@sales.contoso.com john.doe@contoso.com outbound-only\n", "john@sales.contoso.com\n");
  REQUIRE(outbound_only.size() == 1);
  CHECK(outbound_only[0].kind == Finding::Kind::undeliverable);
  CHECK(outbound_only[0].line == 1);
  CHECK(outbound_only[0].detail.find("john.doe@contoso.com") != std::string::npos);
}

TEST_CASE("collisions: a bidirectional rule onto an existing different mailbox is reported") {
  const char* const rules =
      "fourthcoffee.com contoso.com\n"
      "robert@fourthcoffee.com bob@contoso.com\n";
  const std::vector<Finding> findings = check(rules,
                                              "bob@contoso.com\n"
                                              "robert@fourthcoffee.com\n");
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].kind == Finding::Kind::bidirectional_conflict);
  CHECK(findings[0].file == "r.rules");
  CHECK(findings[0].line == 2);
  CHECK(findings[0].detail.find("mailboxes:1") != std::string::npos);
  CHECK(findings[0].to_string().rfind("r.rules:2: bidirectional-conflict: ", 0) == 0);

  // The same address as a proxy of robert's own mailbox is fine.
  CHECK(check(rules, "robert@fourthcoffee.com bob@contoso.com\n").empty());
}

TEST_CASE("collisions: rules whose result another rule would rewrite are chains") {
  const std::vector<Finding> address_chain = check(
      "john@contoso.com     support@contoso.com\n"
      "support@contoso.com  support@wingtiptoys.com\n",
      "john@contoso.com\nsupport@contoso.com\n");
  // support@contoso.com is also a mailbox of its own, so rule 1 (bidirectional) is a conflict too.
  REQUIRE(address_chain.size() == 2);
  CHECK(address_chain[0].kind == Finding::Kind::chain);
  CHECK(address_chain[0].file == "r.rules");
  CHECK(address_chain[0].line == 1);
  CHECK(address_chain[0].detail.find("support@wingtiptoys.com") != std::string::npos);
  CHECK(address_chain[1].kind == Finding::Kind::bidirectional_conflict);
  CHECK(address_chain[1].line == 1);

  const std::vector<Finding> domain_chain = check(
      "sales.contoso.com contoso.com\n"
      "contoso.com northwindtraders.com\n",
      "");
  REQUIRE(domain_chain.size() == 1);
  CHECK(domain_chain[0].kind == Finding::Kind::chain);
  CHECK(domain_chain[0].line == 1);
  CHECK(domain_chain[0].detail.find("northwindtraders.com") != std::string::npos);

  // A wildcard whose own domain is its result maps contoso.com to itself: no chain.
  CHECK(check("*.contoso.com contoso.com\njapan.sales.contoso.com contoso.jp\n", "").empty());
}

TEST_CASE("collisions: a flattened address that an address rule would rewrite again") {
  const std::vector<Finding> findings = check(
      "*.contoso.com contoso.com\n"
      "john@contoso.com support@contoso.com outbound-only\n",
      "john@sales.contoso.com\n"
      "support@contoso.com\n");
  REQUIRE(count(findings, Finding::Kind::chain) == 1);
  for (const Finding& finding : findings) {
    if (finding.kind == Finding::Kind::chain) {
      CHECK(finding.file == "mailboxes");
      CHECK(finding.line == 1);
      CHECK(finding.detail.find("john@contoso.com") != std::string::npos);
    }
  }
  // john@contoso.com is no mailbox's address and no bidirectional rule maps it back.
  CHECK(count(findings, Finding::Kind::undeliverable) == 1);
}

TEST_CASE("collisions: to_string of each kind") {
  CHECK(std::string(rewrite::to_string(Finding::Kind::collision)) == "collision");
  CHECK(std::string(rewrite::to_string(Finding::Kind::undeliverable)) == "undeliverable");
  CHECK(std::string(rewrite::to_string(Finding::Kind::chain)) == "chain");
  CHECK(std::string(rewrite::to_string(Finding::Kind::bidirectional_conflict)) ==
        "bidirectional-conflict");
}

TEST_CASE("collisions: an address with an extension is checked as the rules rewrite it") {
  // john+sales@ is rewritten by john@'s address rule with its extension kept; replies to
  // john.doe+sales@contoso.com come back to it through the same rule inbound: no finding.
  CHECK(check("john@sales.contoso.com john.doe@contoso.com\n", "john+sales@sales.contoso.com\n").empty());
  // The flattened extension of two mailboxes collides like the mailboxes themselves.
  const std::vector<Finding> findings =
      check("*.contoso.com contoso.com\n", "chris+x@sales.contoso.com\nchris+x@research.contoso.com\n");
  CHECK(count(findings, Finding::Kind::collision) == 1);
}
