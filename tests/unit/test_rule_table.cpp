// SPDX-License-Identifier: BSD-2-Clause
// test_rule_table.cpp: rule selection (address > domain > wildcard, most specific first), exceptions,
// label boundaries, inbound reverse mapping, and the seed's examples.
#include <catch2/catch.hpp>

#include <cctype>

#include "rewrite/offline/explain.h"
#include "rewrite/rule_table.h"

using rewrite::Direction;
using rewrite::RuleTable;

namespace {

// Loads rules from text; fails the test when the table does not load.
std::shared_ptr<const RuleTable> table_of(const std::string& text) {
  rewrite::LoadResult result = RuleTable::parse(text, "test.rules");
  INFO(rewrite::format_errors(result.errors));
  REQUIRE(result.ok());
  return result.table;
}

// Returns the outbound rewrite of address, or "" when it is left alone.
std::string out(const RuleTable& table, const std::string& address) {
  const rewrite::Lookup lookup = table.lookup(address, Direction::outbound);
  return lookup.rewritten ? lookup.address : "";
}

// Returns the inbound rewrite of address, or "" when it is left alone.
std::string in(const RuleTable& table, const std::string& address) {
  const rewrite::Lookup lookup = table.lookup(address, Direction::inbound);
  return lookup.rewritten ? lookup.address : "";
}

}  // namespace

TEST_CASE("seed: group consolidation flattens every subdomain", "[rule_table][seed]") {
  const auto table = table_of("*.contoso.com contoso.com\n");
  CHECK(out(*table, "maria@northamerica.contoso.com") == "maria@contoso.com");
  CHECK(out(*table, "kim@Europe.Contoso.COM") == "kim@contoso.com");
  CHECK(out(*table, "lee@asia.contoso.com") == "lee@contoso.com");
  CHECK(out(*table, "deep@a.b.c.contoso.com") == "deep@contoso.com");
  SECTION("the wildcard covers the parent domain itself") { CHECK(out(*table, "chris@contoso.com") == "chris@contoso.com"); }
  SECTION("label boundaries are respected") {
    CHECK(out(*table, "x@evilcontoso.com").empty());
    CHECK(out(*table, "x@contoso.com.evil.net").empty());
    CHECK(out(*table, "x@contoso.co").empty());
  }
  SECTION("no inbound rewriting for wildcards") { CHECK(in(*table, "maria@contoso.com").empty()); }
}

TEST_CASE("seed: a specific domain beats the wildcard (japan.sales)", "[rule_table][seed]") {
  const auto table = table_of(
      "*.contoso.com            contoso.com\n"
      "japan.sales.contoso.com  contoso.jp\n");
  CHECK(out(*table, "masato@japan.sales.contoso.com") == "masato@contoso.jp");
  CHECK(out(*table, "ana@sales.contoso.com") == "ana@contoso.com");
  SECTION("a domain rule is exact: subdomains of it fall to the wildcard") {
    CHECK(out(*table, "ken@tokyo.japan.sales.contoso.com") == "ken@contoso.com");
  }
}

TEST_CASE("the most specific wildcard wins", "[rule_table]") {
  const auto table = table_of(
      "*.contoso.com        contoso.com\n"
      "*.europe.contoso.com contoso.eu\n");
  CHECK(out(*table, "a@paris.europe.contoso.com") == "a@contoso.eu");
  CHECK(out(*table, "a@europe.contoso.com") == "a@contoso.eu");
  CHECK(out(*table, "a@asia.contoso.com") == "a@contoso.com");
}

TEST_CASE("seed: mergers, Fourth Coffee leaves as contoso.com", "[rule_table][seed]") {
  const auto table = table_of(
      "fourthcoffee.com       contoso.com\n"
      "adam@fourthcoffee.com  adam@contoso.com\n");
  CHECK(out(*table, "someone@fourthcoffee.com") == "someone@contoso.com");
  SECTION("replies to the rewritten address come back to the right mailbox") {
    CHECK(in(*table, "adam@contoso.com") == "adam@fourthcoffee.com");
    CHECK(in(*table, "ADAM@Contoso.com") == "adam@fourthcoffee.com");
  }
  SECTION("the domain rule alone does not rewrite inbound") { CHECK(in(*table, "someone@contoso.com").empty()); }
  SECTION("mail to the old domain is not rewritten inbound") { CHECK(in(*table, "adam@fourthcoffee.com").empty()); }
}

TEST_CASE("seed: partners, Contoso support staff leave as Wingtip Toys", "[rule_table][seed]") {
  const auto table = table_of(
      "contoso.com          wingtiptoys.com\n"
      "support@contoso.com  support@wingtiptoys.com  name=wingtip-support\n");
  CHECK(out(*table, "jo@contoso.com") == "jo@wingtiptoys.com");
  const rewrite::Lookup lookup = table->lookup("support@contoso.com", Direction::outbound);
  REQUIRE(lookup.rewritten);
  CHECK(lookup.address == "support@wingtiptoys.com");
  CHECK(lookup.rule->name() == "wingtip-support");
  CHECK(lookup.rule->kind == rewrite::RuleKind::address);
  CHECK(in(*table, "support@wingtiptoys.com") == "support@contoso.com");
  CHECK(in(*table, "sales@wingtiptoys.com").empty());
}

TEST_CASE("an individual address rule beats domain and wildcard rules", "[rule_table]") {
  const auto table = table_of(
      "*.contoso.com        contoso.com\n"
      "sales.contoso.com    sales.example\n"
      "john@sales.contoso.com support@contoso.com\n");
  CHECK(out(*table, "john@sales.contoso.com") == "support@contoso.com");
  CHECK(out(*table, "JOHN@SALES.contoso.com") == "support@contoso.com");
  CHECK(out(*table, "mary@sales.contoso.com") == "mary@sales.example");
}

TEST_CASE("seed: chris@sales and chris@research both flatten to chris@contoso.com", "[rule_table][seed]") {
  const auto table = table_of("*.contoso.com contoso.com\n");
  CHECK(out(*table, "chris@sales.contoso.com") == "chris@contoso.com");
  CHECK(out(*table, "chris@research.contoso.com") == "chris@contoso.com");
}

TEST_CASE("wildcard exceptions", "[rule_table]") {
  const auto table = table_of(
      "*.contoso.com contoso.com except=legal.contoso.com,lab.research.contoso.com\n"
      "*.eu.legal.contoso.com legal.example\n");
  CHECK(out(*table, "a@legal.contoso.com").empty());
  CHECK(out(*table, "a@court.legal.contoso.com").empty());
  CHECK(out(*table, "a@lab.research.contoso.com").empty());
  CHECK(out(*table, "a@research.contoso.com") == "a@contoso.com");
  CHECK(out(*table, "a@xlegal.contoso.com") == "a@contoso.com");
  SECTION("a more specific wildcard inside an exception still applies") {
    CHECK(out(*table, "a@paris.eu.legal.contoso.com") == "a@legal.example");
  }
}

TEST_CASE("local parts are kept byte for byte and applied once", "[rule_table]") {
  const auto table = table_of(
      "*.contoso.com contoso.com\n"
      "contoso.com   sales.contoso.com\n");
  CHECK(out(*table, "\"John Doe\"@sales.contoso.com") == "\"John Doe\"@contoso.com");
  CHECK(out(*table, "Mixed.Case+tag@sales.contoso.com") == "Mixed.Case+tag@contoso.com");
  SECTION("the result is never fed back into the rules") {
    CHECK(out(*table, "a@contoso.com") == "a@sales.contoso.com");
    CHECK(out(*table, "a@sales.contoso.com") == "a@contoso.com");
  }
}

TEST_CASE("addresses that are never rewritten", "[rule_table]") {
  const auto table = table_of("*.contoso.com contoso.com\nx@contoso.com y@contoso.com\n");
  CHECK(out(*table, "").empty());
  CHECK(in(*table, "").empty());
  CHECK(out(*table, "postmaster").empty());
  CHECK(out(*table, "a@").empty());
  CHECK(out(*table, "@sales.contoso.com").empty());
  CHECK(out(*table, "a@example.org").empty());
  SECTION("trailing dots and upper case domains match") {
    CHECK(out(*table, "a@Sales.Contoso.Com.") == "a@contoso.com");
    CHECK(out(*table, "X@CONTOSO.COM.") == "y@contoso.com");
  }
}

TEST_CASE("punycode domains match as written", "[rule_table]") {
  const auto table = table_of("*.xn--bcher-kva.example xn--bcher-kva.example\n");
  CHECK(out(*table, "a@shop.xn--bcher-kva.example") == "a@xn--bcher-kva.example");
  CHECK(out(*table, "a@shop.XN--BCHER-KVA.example") == "a@xn--bcher-kva.example");
}

TEST_CASE("covers_internal_domain: only the internal sides, excepted subdomains included", "[rule_table]") {
  const auto table = table_of(
      "*.contoso.com contoso.com except=legal.contoso.com\n"
      "fourthcoffee.com contoso.com\n"
      "support@partner.example support@wingtiptoys.com\n");
  CHECK(table->covers_internal_domain("contoso.com"));
  CHECK(table->covers_internal_domain("Legal.Contoso.com."));  // excepted from rewriting, still ours
  CHECK(table->covers_internal_domain("fourthcoffee.com"));
  CHECK(table->covers_internal_domain("partner.example"));
  CHECK_FALSE(table->covers_internal_domain("wingtiptoys.com"));  // the partner's side: mail there leaves
  CHECK_FALSE(table->covers_internal_domain("sub.fourthcoffee.com"));
  CHECK_FALSE(table->covers_internal_domain("evilcontoso.com"));
  CHECK(table->is_internal_domain("wingtiptoys.com"));
}

TEST_CASE("is_internal_domain covers every rule's domains", "[rule_table]") {
  const auto table = table_of(
      "*.contoso.com contoso.com\n"
      "fourthcoffee.com contoso.com\n"
      "support@partner.example support@wingtiptoys.com\n");
  CHECK(table->is_internal_domain("contoso.com"));
  CHECK(table->is_internal_domain("Sales.Contoso.com."));
  CHECK(table->is_internal_domain("fourthcoffee.com"));
  CHECK(table->is_internal_domain("partner.example"));
  CHECK(table->is_internal_domain("wingtiptoys.com"));
  CHECK_FALSE(table->is_internal_domain("evilcontoso.com"));
  CHECK_FALSE(table->is_internal_domain("sub.fourthcoffee.com"));
  CHECK_FALSE(table->is_internal_domain(""));
}

TEST_CASE("explain says which rule fired and why", "[rule_table][explain]") {
  const auto table = table_of(
      "*.contoso.com            contoso.com except=legal.contoso.com\n"
      "japan.sales.contoso.com  contoso.jp\n"
      "john@contoso.com         support@contoso.com outbound-only\n");
  const std::string japan = rewrite::explain_lookup(*table, "masato@japan.sales.contoso.com", Direction::outbound);
  CHECK_THAT(japan, Catch::Contains("matched domain rule 'japan.sales.contoso.com -> contoso.jp' (test.rules:2)"));
  CHECK_THAT(japan, Catch::Contains("candidate: wildcard rule '*.contoso.com -> contoso.com'"));
  CHECK_THAT(japan, Catch::Contains("a domain rule beats every wildcard"));
  CHECK_THAT(japan, Catch::Contains("result: <masato@contoso.jp>"));
  const std::string legal = rewrite::explain_lookup(*table, "a@legal.contoso.com", Direction::outbound);
  CHECK_THAT(legal, Catch::Contains("excepted (except=legal.contoso.com)"));
  const std::string none = rewrite::explain_lookup(*table, "a@example.org", Direction::outbound);
  CHECK_THAT(none, Catch::Contains("not rewritten: no address rule"));
  const std::string inbound = rewrite::explain_lookup(*table, "support@contoso.com", Direction::inbound);
  CHECK_THAT(inbound, Catch::Contains("outbound-only"));
  CHECK_THAT(rewrite::explain_lookup(*table, "", Direction::outbound), Catch::Contains("null sender"));
}

TEST_CASE("a UTF-8 domain is looked up in its ASCII form, as rules are written", "[rule_table][idn]") {
  const auto table = table_of(
      "xn--bcher-kva.example       contoso.com          name=buecher\n"
      "*.xn--mnchen-3ya.example    contoso.de           except=xn--lt-uia.xn--mnchen-3ya.example\n"
      "lena@xn--caf-dma.example    lena@contoso.com     name=lena\n");
  SECTION("domain rule: the local part is kept as written, also a UTF-8 one") {
    CHECK(out(*table, "a@bücher.example") == "a@contoso.com");
    CHECK(out(*table, "jörg@bücher.example") == "jörg@contoso.com");
    CHECK(out(*table, "a@BÜCHER.example") == "a@contoso.com");  // IDNA maps to lower case
    CHECK(out(*table, "a@bücher.example.") == "a@contoso.com");
    CHECK(out(*table, "a@xn--bcher-kva.example") == "a@contoso.com");
  }
  SECTION("wildcard and its exception, below a UTF-8 label") {
    CHECK(out(*table, "max@büro.münchen.example") == "max@contoso.de");
    CHECK(out(*table, "max@münchen.example") == "max@contoso.de");
    CHECK(out(*table, "max@ält.münchen.example") == "");
  }
  SECTION("bidirectional address rule both ways") {
    CHECK(out(*table, "lena@café.example") == "lena@contoso.com");
    CHECK(in(*table, "lena@contoso.com") == "lena@xn--caf-dma.example");
  }
  SECTION("other domains, and bytes that are no UTF-8 domain, are left alone") {
    CHECK(out(*table, "a@bücher.example.org") == "");
    CHECK(out(*table, std::string("a@b\xfc" "cher.example")) == "");  // Latin-1, not UTF-8
  }
  SECTION("explain tells the same") {
    const std::string account = rewrite::explain_lookup(*table, "jörg@bücher.example", Direction::outbound);
    CHECK(account.find("<jörg@xn--bcher-kva.example>") != std::string::npos);
    CHECK(account.find("result: <jörg@contoso.com>") != std::string::npos);
  }
}

TEST_CASE("wildcard exceptions hold at every depth and case, and for a rule with 100 of them",
          "[rule_table][exceptions]") {
  // Every domain inside an exception is excepted, and no other: checked against a plain suffix
  // comparison, for exceptions at several depths and in any case, and for a rule with 100 exceptions.
  std::string many;
  for (int i = 0; i < 100; ++i) many += (i ? "," : "") + std::string("d") + std::to_string(i) + ".many.contoso.com";
  const rewrite::LoadResult loaded = RuleTable::parse(
      "*.contoso.com  contoso.com  except=legal.contoso.com,a.b.hr.contoso.com,X.Contoso.com\n"
      "*.many.contoso.com  contoso.net  except=" + many + "\n",
      "exceptions.rules");
  INFO(rewrite::format_errors(loaded.errors));
  REQUIRE(loaded.ok());
  const auto excepted_by = [](const std::string& domain, const std::vector<std::string>& exceptions) {
    std::string lower;
    for (const char c : domain) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const std::string& e : exceptions) {
      if (lower == e || (lower.size() > e.size() && lower.compare(lower.size() - e.size(), e.size(), e) == 0 &&
                         lower[lower.size() - e.size() - 1] == '.')) {
        return true;
      }
    }
    return false;
  };
  std::vector<std::string> domains = {"contoso.com", "legal.contoso.com", "LEGAL.Contoso.COM", "x.legal.contoso.com",
                                      "y.x.legal.contoso.com", "illegal.contoso.com", "hr.contoso.com",
                                      "b.hr.contoso.com", "a.b.hr.contoso.com", "z.a.b.hr.contoso.com", "x.contoso.com",
                                      "deep.x.contoso.com", "xx.contoso.com", "sales.contoso.com"};
  for (int i = 0; i < 120; ++i) {
    domains.push_back("d" + std::to_string(i) + ".many.contoso.com");
    domains.push_back("host.D" + std::to_string(i) + ".Many.contoso.com");
  }
  for (const std::string& domain : domains) {
    const rewrite::Lookup lookup = loaded.table->lookup("someone@" + domain, rewrite::Direction::outbound);
    const bool many_rule = excepted_by(domain, {"many.contoso.com"});
    const rewrite::Rule& rule = loaded.table->rules()[many_rule ? 1 : 0];
    INFO(domain);
    CHECK(lookup.rewritten == !excepted_by(domain, {rule.exceptions.begin(), rule.exceptions.end()}));
    if (lookup.rewritten) CHECK(lookup.rule == &rule);
  }
}
