// SPDX-License-Identifier: BSD-2-Clause
// test_rule_parser.cpp: loading rule tables, native and Exchange CSV, and every validation rule, each
// with a failing table whose errors must name file:line and the reason.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include <unistd.h>

#include "rewrite/rule_table.h"

using rewrite::RuleKind;
using rewrite::RuleTable;

namespace {

// Returns a rule's exceptions as strings, to compare with a list.
std::vector<std::string> exceptions_of(const rewrite::Rule& rule) {
  return std::vector<std::string>(rule.exceptions.begin(), rule.exceptions.end());
}

// Returns the errors of loading text, formatted one per line.
std::string errors_of(const std::string& text, rewrite::RuleFormat format = rewrite::RuleFormat::detect) {
  const rewrite::LoadResult result = RuleTable::parse(text, "bad.rules", format);
  CHECK_FALSE(result.ok());
  return rewrite::format_errors(result.errors);
}

}  // namespace

TEST_CASE("a native table with comments, options and every kind loads", "[rule_parser]") {
  const rewrite::LoadResult result = RuleTable::parse(
      "# Contoso rules\n"
      "\n"
      "*.Contoso.com   contoso.com   except=Legal.contoso.com name=flatten  # group consolidation\n"
      "\tsales.contoso.com\tcontoso.com\n"
      "john@contoso.com  support@Contoso.com\n"
      "robert@fourthcoffee.com bob@contoso.com outbound-only\r\n"
      "a#b@contoso.com ab@contoso.com\n",
      "ok.rules");
  INFO(rewrite::format_errors(result.errors));
  REQUIRE(result.ok());
  const auto& rules = result.table->rules();
  REQUIRE(rules.size() == 5);
  CHECK(rules[0].kind == RuleKind::wildcard);
  CHECK(rules[0].internal == "contoso.com");
  CHECK(exceptions_of(rules[0]) == std::vector<std::string>{"legal.contoso.com"});
  CHECK(rules[0].name() == "flatten");
  CHECK(rules[0].line == 3);
  CHECK_FALSE(rules[0].bidirectional);
  CHECK(rules[1].kind == RuleKind::domain);
  CHECK(rules[1].name() == "sales.contoso.com");
  CHECK_FALSE(rules[1].bidirectional);
  CHECK(rules[2].kind == RuleKind::address);
  CHECK(rules[2].external == "support@contoso.com");
  CHECK(rules[2].bidirectional);
  CHECK_FALSE(rules[3].bidirectional);
  CHECK(rules[4].internal == "a#b@contoso.com");
}

TEST_CASE("a rule keeps a name of its own only when it is not the internal side as written", "[rule_parser]") {
  const rewrite::LoadResult result = RuleTable::parse(
      "*.contoso.com  contoso.com\n"
      "*.Fabrikam.COM.  fabrikam.com\n"
      "john@contoso.net  support@contoso.net\n"
      "John@Contoso.ORG  support@contoso.org\n"
      "sales.contoso.de  contoso.de  name=Germany\n"
      "sales.contoso.fr  contoso.fr  name=sales.contoso.fr\n",
      "names.rules");
  REQUIRE(result.ok());
  const std::vector<rewrite::Rule>& rules = result.table->rules();
  REQUIRE(rules.size() == 6);
  CHECK(rules[0].given_name.empty());
  CHECK(rules[0].name() == "*.contoso.com");
  CHECK(rules[1].internal == "fabrikam.com");
  CHECK(rules[1].name() == "*.Fabrikam.COM.");
  CHECK(rules[2].given_name.empty());
  CHECK(rules[2].name() == "john@contoso.net");
  CHECK(rules[3].internal == "John@contoso.org");
  CHECK(rules[3].name() == "John@Contoso.ORG");
  CHECK(rules[4].name() == "Germany");
  CHECK(rules[5].given_name.empty());
  CHECK(rules[5].name() == "sales.contoso.fr");
}

TEST_CASE("wildcard syntax is only '*.' followed by a domain", "[rule_parser][validation]") {
  CHECK_THAT(errors_of("*contoso.com contoso.com\n"), Catch::Contains("bad.rules:1: invalid wildcard '*contoso.com'"));
  CHECK_THAT(errors_of("sales.*.com contoso.com\n"), Catch::Contains("bad.rules:1: invalid wildcard 'sales.*.com'"));
  CHECK_THAT(errors_of("a*@x.com b@x.com\n"), Catch::Contains("bad.rules:1: invalid wildcard 'a*@x.com'"));
  CHECK_THAT(errors_of("*.*.contoso.com contoso.com\n"), Catch::Contains("only one leading '*.'"));
  CHECK_THAT(errors_of("*@contoso.com x@contoso.com\n"), Catch::Contains("invalid wildcard"));
  CHECK_THAT(errors_of("*.a@contoso.com x@contoso.com\n"), Catch::Contains("wildcards apply to domains"));
}

TEST_CASE("wildcards only on the internal side", "[rule_parser][validation]") {
  CHECK_THAT(errors_of("sales.contoso.com *.contoso.com\n"),
             Catch::Contains("bad.rules:1: wildcards are allowed only on the internal side"));
}

TEST_CASE("wildcard and domain rules are outbound-only", "[rule_parser][validation]") {
  CHECK_THAT(errors_of("*.contoso.com contoso.com bidirectional\n"),
             Catch::Contains("bad.rules:1: wildcard rules are outbound-only"));
  CHECK_THAT(errors_of("fourthcoffee.com contoso.com bidirectional\n"),
             Catch::Contains("bad.rules:1: bidirectional rules need full addresses on both sides"));
}

TEST_CASE("address rules map to addresses, domain rules to domains", "[rule_parser][validation]") {
  CHECK_THAT(errors_of("john@contoso.com contoso.com\n"), Catch::Contains("an address rule must map to a full address"));
  CHECK_THAT(errors_of("contoso.com john@contoso.com\n"), Catch::Contains("a domain rule must map to a domain"));
  CHECK_THAT(errors_of("*.contoso.com john@contoso.com\n"), Catch::Contains("a wildcard rule must map to a domain"));
}

TEST_CASE("bidirectional rules must be unique", "[rule_parser][validation]") {
  SECTION("two internal addresses to one external address") {
    const std::string errors = errors_of(
        "chris@sales.contoso.com    chris@contoso.com\n"
        "# comment\n"
        "chris@research.contoso.com chris@contoso.com\n");
    CHECK_THAT(errors, Catch::Contains("bad.rules:3: bidirectional rules must be unique"));
    CHECK_THAT(errors, Catch::Contains("(bad.rules:1)"));
  }
  SECTION("outbound-only duplicates of an external address are fine") {
    CHECK(RuleTable::parse("a@x.com c@y.com outbound-only\nb@x.com c@y.com\n", "t").ok());
  }
  SECTION("one internal address with two rules") {
    const std::string errors = errors_of("john@contoso.com a@contoso.com\nJOHN@contoso.com b@contoso.com\n");
    CHECK_THAT(errors, Catch::Contains("bad.rules:2: duplicate rule for 'JOHN@contoso.com' (first at bad.rules:1)"));
  }
}

TEST_CASE("duplicate internal keys name both lines", "[rule_parser][validation]") {
  CHECK_THAT(errors_of("sales.contoso.com contoso.com\nSales.Contoso.com. contoso.net\n"),
             Catch::Contains("bad.rules:2: duplicate rule for 'sales.contoso.com' (first at bad.rules:1)"));
  CHECK_THAT(errors_of("*.contoso.com contoso.com\n*.contoso.com contoso.net\n"),
             Catch::Contains("bad.rules:2: duplicate rule for '*.contoso.com' (first at bad.rules:1)"));
  SECTION("a domain rule and a wildcard on the same domain are different keys") {
    CHECK(RuleTable::parse("contoso.com x.com\n*.contoso.com y.com\n", "t").ok());
  }
}

TEST_CASE("options are checked", "[rule_parser][validation]") {
  CHECK_THAT(errors_of("a.com b.com outbound\n"), Catch::Contains("bad.rules:1: unknown option 'outbound'"));
  CHECK_THAT(errors_of("a@a.com b@b.com outbound-only bidirectional\n"), Catch::Contains("contradict"));
  CHECK_THAT(errors_of("a.com b.com except=x.a.com\n"), Catch::Contains("exceptions are allowed only on wildcard rules"));
  CHECK_THAT(errors_of("*.a.com b.com except=other.com\n"), Catch::Contains("exception 'other.com' is not covered by '*.a.com'"));
  CHECK_THAT(errors_of("*.a.com b.com except=\n"), Catch::Contains("needs at least one domain"));
  CHECK_THAT(errors_of("a.com b.com name=\n"), Catch::Contains("'name=' needs a value"));
  CHECK_THAT(errors_of("a.com\n"), Catch::Contains("bad.rules:1: expected 'INTERNAL EXTERNAL [options]'"));
}

TEST_CASE("literal, ASCII, well-formed domains and addresses only", "[rule_parser][validation]") {
  CHECK_THAT(errors_of("bücher.example books.example\n"), Catch::Contains("punycode"));
  CHECK_THAT(errors_of("a.com b..com\n"), Catch::Contains("empty label"));
  CHECK_THAT(errors_of("a.com b.com/x\n"), Catch::Contains("invalid character '/'"));
  CHECK_THAT(errors_of("^sales.*$ contoso.com\n"), Catch::Contains("invalid"));
  CHECK_THAT(errors_of("@a.com b@b.com\n"), Catch::Contains("is not an address"));
  CHECK_THAT(errors_of("a@a.com b@\n"), Catch::Contains("is not an address"));
}

TEST_CASE("an xn-- label must be the punycode of an internationalised name", "[rule_parser][validation]") {
  // GMime decodes "xn--yyyxn--yyyyY" to "yyyᅣᆢxn-", which IDNA does not encode back: a header rewritten to
  // it would not read back as the address the rule names.
  CHECK_THAT(errors_of("support@contoso.com s@a.xn--yyyxn--yyyyY.example.com\n"),
             Catch::Contains("bad.rules:1: invalid punycode (xn--) label in domain 'a.xn--yyyxn--yyyyY.example.com'"));
  CHECK_THAT(errors_of("*.xn--yyyxn--yyyyY.example contoso.com\n"), Catch::Contains("invalid punycode"));
  // Real punycode (bücher, münchen; any ASCII case, a trailing dot) loads, on either side.
  const rewrite::LoadResult ok = RuleTable::parse(
      "xn--bcher-kva.example contoso.com\n"
      "*.XN--MNCHEN-3YA.example. contoso.de\n"
      "lena@contoso.com lena@xn--caf-dma.example\n",
      "ok.rules");
  INFO(rewrite::format_errors(ok.errors));
  CHECK(ok.ok());
}

TEST_CASE("local parts must be dot-atoms or quoted strings", "[rule_parser][validation]") {
  CHECK_THAT(errors_of("st@o @@m\n"), Catch::Contains("bad.rules:1: invalid local part in '@@m'"));
  CHECK_THAT(errors_of("a..b@x.com c@x.com\n"), Catch::Contains("invalid local part in 'a..b@x.com'"));
  CHECK_THAT(errors_of(".a@x.com c@x.com\n"), Catch::Contains("invalid local part in '.a@x.com'"));
  CHECK_THAT(errors_of("a.@x.com c@x.com\n"), Catch::Contains("invalid local part in 'a.@x.com'"));
  CHECK_THAT(errors_of("a(b)@x.com c@x.com\n"), Catch::Contains("invalid local part"));
  CHECK_THAT(errors_of("a@x.com \"c\"d\"@x.com\n"), Catch::Contains("invalid local part"));
  CHECK_THAT(errors_of("a@x.com \"c\\\"@x.com\n"), Catch::Contains("invalid local part"));
  const rewrite::LoadResult ok = RuleTable::parse(
      "\"john doe\"@contoso.com support@contoso.com\n"
      "o'brien+tag@contoso.com ob@contoso.com\n"
      "\"a\\\"q@b\"@contoso.com aq@contoso.com\n"
      "first.last@contoso.com fl@contoso.com  # a comment\n"
      "\"room #5\"@contoso.com room5@contoso.com\n",
      "ok.rules");
  INFO(rewrite::format_errors(ok.errors));
  REQUIRE(ok.ok());
  CHECK(ok.table->rules().size() == 5);
  CHECK(ok.table->lookup("\"John Doe\"@contoso.com", rewrite::Direction::outbound).address == "support@contoso.com");
  CHECK(ok.table->lookup("\"room #5\"@contoso.com", rewrite::Direction::outbound).address == "room5@contoso.com");
}

TEST_CASE("every error is reported at once and rejects the whole table", "[rule_parser][validation]") {
  const rewrite::LoadResult result = RuleTable::parse(
      "good.com fine.com\n"
      "*bad.com x.com\n"
      "ok@x.com ok@y.com\n"
      "y.com *.z.com\n"
      "q.com r.com frobnicate\n",
      "many.rules");
  CHECK_FALSE(result.ok());
  CHECK(result.table == nullptr);
  REQUIRE(result.errors.size() == 3);
  CHECK(result.errors[0].line == 2);
  CHECK(result.errors[1].line == 4);
  CHECK(result.errors[2].line == 5);
  CHECK(result.errors[0].to_string().rfind("many.rules:2: ", 0) == 0);
}

TEST_CASE("an unreadable file is one error without a line", "[rule_parser]") {
  const rewrite::LoadResult result = RuleTable::load("/nonexistent/dir/rules");
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].to_string() == "/nonexistent/dir/rules: cannot open rules file: No such file or directory");
}

TEST_CASE("load reads a file and reports its path", "[rule_parser]") {
  char path[] = "/tmp/rewrite-rules-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << "*.contoso.com contoso.com\nbroken\n";
  const rewrite::LoadResult result = RuleTable::load(path);
  std::remove(path);
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0].to_string().rfind(std::string(path) + ":2: ", 0) == 0);
}

TEST_CASE("Exchange CSV export loads", "[rule_parser][csv]") {
  const rewrite::LoadResult result = RuleTable::parse(
      "#TYPE Microsoft.Exchange.Data.Directory.SystemConfiguration.AddressRewriteEntry\n"
      "Name,InternalAddress,ExternalAddress,ExceptionList,OutboundOnly\n"
      "Flatten,*.contoso.com,contoso.com,\"legal.contoso.com,hr.contoso.com\",True\n"
      "\"Japan\",japan.sales.contoso.com,contoso.jp,,True\n"
      "Support,support@contoso.com,support@wingtiptoys.com,,False\n"
      "\"Quoted \"\"name\"\"\",a@contoso.com,b@contoso.com,,\n",
      "export.csv");
  INFO(rewrite::format_errors(result.errors));
  REQUIRE(result.ok());
  const auto& rules = result.table->rules();
  REQUIRE(rules.size() == 4);
  CHECK(rules[0].name() == "Flatten");
  CHECK(rules[0].kind == RuleKind::wildcard);
  CHECK(exceptions_of(rules[0]) == std::vector<std::string>{"legal.contoso.com", "hr.contoso.com"});
  CHECK(rules[0].line == 3);
  CHECK(rules[1].name() == "Japan");
  CHECK(rules[2].bidirectional);
  CHECK(rules[3].name() == "Quoted \"name\"");
  CHECK(rules[3].bidirectional);
  const rewrite::Lookup lookup = result.table->lookup("masato@japan.sales.contoso.com", rewrite::Direction::outbound);
  CHECK(lookup.address == "masato@contoso.jp");
}

TEST_CASE("a whole Export-Csv of Get-AddressRewriteEntry loads: columns by name, others ignored",
          "[rule_parser][csv]") {
  // Windows PowerShell: a BOM, the #TYPE line, every field quoted, CRLF, all the entry's properties in the
  // cmdlet's own order.
  const rewrite::LoadResult result = RuleTable::parse(
      "\xEF\xBB\xBF#TYPE Microsoft.Exchange.Data.Directory.SystemConfiguration.AddressRewriteEntry\r\n"
      "\"ExternalAddress\",\"InternalAddress\",\"ExceptionList\",\"OutboundOnly\",\"Name\",\"Identity\","
      "\"Guid\"\r\n"
      "\"contoso.com\",\"*.contoso.com\",\"legal.contoso.com,hr.contoso.com\",\"True\",\"Flatten\","
      "\"Flatten\",\"3f1c2b9e-5d6a-4e7b-8c9d-0a1b2c3d4e5f\"\r\n"
      "\"support@wingtiptoys.com\",\"support@contoso.com\",\"\",\"False\",\"Wingtip\",\"Wingtip\","
      "\"9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b\"\r\n",
      "export.csv");
  INFO(rewrite::format_errors(result.errors));
  REQUIRE(result.ok());
  const auto& rules = result.table->rules();
  REQUIRE(rules.size() == 2);
  CHECK(rules[0].name() == "Flatten");
  CHECK(rules[0].kind == RuleKind::wildcard);
  CHECK(rules[0].internal == "contoso.com");  // a wildcard rule keeps the domain it covers
  CHECK(rules[0].external == "contoso.com");
  CHECK(exceptions_of(rules[0]) == std::vector<std::string>{"legal.contoso.com", "hr.contoso.com"});
  CHECK(rules[0].line == 3);
  CHECK(rules[1].name() == "Wingtip");
  CHECK(rules[1].bidirectional);
  CHECK(result.table->lookup("support@wingtiptoys.com", rewrite::Direction::inbound).address == "support@contoso.com");
  SECTION("ExceptionList and OutboundOnly may be missing; the defaults of the rule's kind apply") {
    const rewrite::LoadResult minimal = RuleTable::parse(
        "InternalAddress,ExternalAddress\n*.contoso.com,contoso.com\nadam@fourthcoffee.com,adam@contoso.com\n",
        "minimal.csv");
    INFO(rewrite::format_errors(minimal.errors));
    REQUIRE(minimal.ok());
    CHECK(minimal.table->rules()[1].bidirectional);
  }
  SECTION("a multi-valued ExceptionList exported as its type name is refused with the fix") {
    CHECK_THAT(errors_of("Name,InternalAddress,ExternalAddress,ExceptionList,OutboundOnly\n"
                         "F,*.contoso.com,contoso.com,Microsoft.Exchange.Data.MultiValuedProperty`1[System.String],True\n"),
               Catch::Contains("bad.rules:2: ExceptionList holds the type name") &&
                   Catch::Contains("-join ','"));
  }
}

TEST_CASE("CSV records are validated like native rules", "[rule_parser][csv][validation]") {
  const std::string errors = errors_of(
      "Name,InternalAddress,ExternalAddress,ExceptionList,OutboundOnly\n"
      "W,*.contoso.com,contoso.com,,False\n"
      "D,fourthcoffee.com,contoso.com,,maybe\n"
      "short,a.com\n"
      "Q,\"a.com,b.com,,True\n");
  CHECK_THAT(errors, Catch::Contains("bad.rules:2: wildcard rules are outbound-only"));
  CHECK_THAT(errors, Catch::Contains("bad.rules:3: OutboundOnly must be True or False"));
  CHECK_THAT(errors, Catch::Contains("bad.rules:4: expected 5 CSV fields"));
  CHECK_THAT(errors, Catch::Contains("bad.rules:5: unbalanced or misplaced quote"));
  SECTION("forcing CSV requires the header") {
    CHECK_THAT(errors_of("a.com,b.com\n", rewrite::RuleFormat::csv), Catch::Contains("bad.rules:1: expected the CSV header"));
  }
}

TEST_CASE("the shipped example rules load and do what their comments say", "[rule_parser][examples]") {
  const std::string dir = std::string(REWRITE_SOURCE_DIR) + "/contrib/rules/";
  const auto load = [&](const std::string& name) {
    rewrite::LoadResult result = RuleTable::load(dir + name);
    INFO(rewrite::format_errors(result.errors));
    REQUIRE(result.ok());
    return result.table;
  };
  const auto outbound = [](const RuleTable& table, const std::string& address) {
    return table.lookup(address, rewrite::Direction::outbound).address;
  };
  const auto group = load("group-consolidation.rules");
  CHECK(outbound(*group, "a@europe.contoso.com") == "a@contoso.com");
  CHECK(outbound(*group, "masato@japan.sales.contoso.com") == "masato@contoso.jp");
  const auto merger = load("merger.rules");
  CHECK(outbound(*merger, "someone@fourthcoffee.com") == "someone@contoso.com");
  CHECK(merger->lookup("adam@contoso.com", rewrite::Direction::inbound).address == "adam@fourthcoffee.com");
  const auto partner = load("partner.rules");
  CHECK(outbound(*partner, "jo@contoso.com") == "jo@wingtiptoys.com");
  CHECK(partner->lookup("support@wingtiptoys.com", rewrite::Direction::inbound).address == "support@contoso.com");
  const auto csv = load("exchange-export.csv");
  CHECK(outbound(*csv, "a@hr.contoso.com").empty());
  CHECK(outbound(*csv, "masato@japan.sales.contoso.com") == "masato@contoso.jp");
}
