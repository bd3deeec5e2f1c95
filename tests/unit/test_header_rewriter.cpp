// SPDX-License-Identifier: BSD-2-Clause
// test_header_rewriter.cpp: in-place rewriting of address-list header values: the seed's examples, and
// everything that must survive byte for byte (display names, encoded words, comments, groups, folding,
// leading white space) or make the value malformed and untouched.
#include <catch2/catch.hpp>

#include <string>

#include "rewrite/header_rewriter.h"
#include "rewrite/rule_table.h"

using rewrite::Direction;
using rewrite::HeaderRewrite;
using rewrite::RuleTable;
using Status = rewrite::HeaderRewrite::Status;

namespace {

// The seed's organisation: group consolidation with a more specific Japanese rule and an exception,
// the Fourth Coffee merger, the Wingtip Toys partnership, and an IDN domain written in punycode.
const char* const kRules =
    "*.contoso.com            contoso.com  except=legal.contoso.com name=flatten\n"
    "japan.sales.contoso.com  contoso.jp\n"
    "fourthcoffee.com         contoso.com\n"
    "adam@fourthcoffee.com    adam@contoso.com\n"
    "support@contoso.com      support@wingtiptoys.com\n"
    "xn--bcher-kva.example    contoso.com\n";

// Returns the seed table, failing the test when it does not load.
const RuleTable& seed_table() {
  static const auto table = [] {
    rewrite::LoadResult result = RuleTable::parse(kRules, "test.rules");
    INFO(rewrite::format_errors(result.errors));
    REQUIRE(result.ok());
    return result.table;
  }();
  return *table;
}

// Rewrites value outbound with the seed table.
HeaderRewrite outbound(const std::string& value) {
  return rewrite::rewrite_header_value(value, seed_table(), Direction::outbound);
}

// Returns the new value, or "<unchanged>" / "<malformed: reason>", so one CHECK shows what happened.
std::string result_of(const HeaderRewrite& result) {
  switch (result.status) {
    case Status::changed: return result.value;
    case Status::unchanged: return "<unchanged>";
    case Status::malformed: return "<malformed: " + result.reason + ">";
  }
  return "<?>";
}

// Rewrites value outbound and returns result_of() it.
std::string out(const std::string& value) { return result_of(outbound(value)); }

// Rewrites value inbound and returns result_of() it.
std::string in(const std::string& value) {
  return result_of(rewrite::rewrite_header_value(value, seed_table(), Direction::inbound));
}

}  // namespace

TEST_CASE("seed: group consolidation leaves as contoso.com", "[header_rewriter][seed]") {
  CHECK(out(" Maria Garcia <maria@northamerica.contoso.com>") == " Maria Garcia <maria@contoso.com>");
  CHECK(out("kim@europe.contoso.com") == "kim@contoso.com");
  SECTION("the exception of the wildcard is kept") {
    CHECK(out("counsel@legal.contoso.com") == "<unchanged>");
  }
  SECTION("the flattened domain itself is no change") { CHECK(out("chris@contoso.com") == "<unchanged>"); }
}

TEST_CASE("seed: the most specific rule wins (japan.sales vs *.contoso.com)", "[header_rewriter][seed]") {
  CHECK(out("Masato <masato@japan.sales.contoso.com>") == "Masato <masato@contoso.jp>");
  CHECK(out("Ken <ken@sales.contoso.com>") == "Ken <ken@contoso.com>");
}

TEST_CASE("seed: chris@sales and chris@research both become chris@contoso.com", "[header_rewriter][seed]") {
  const HeaderRewrite result = outbound("chris@sales.contoso.com, Chris R <chris@research.contoso.com>");
  REQUIRE(result.status == Status::changed);
  CHECK(result.value == "chris@contoso.com, Chris R <chris@contoso.com>");
  REQUIRE(result.changes.size() == 2);
  CHECK(result.changes[0].original == "chris@sales.contoso.com");
  CHECK(result.changes[0].rewritten == "chris@contoso.com");
  CHECK(result.changes[1].original == "chris@research.contoso.com");
  CHECK(result.changes[1].rewritten == "chris@contoso.com");
  REQUIRE(result.changes[0].rule != nullptr);
  CHECK(result.changes[0].rule->name() == "flatten");
}

TEST_CASE("seed: Fourth Coffee merger", "[header_rewriter][seed]") {
  CHECK(out("Someone <someone@fourthcoffee.com>") == "Someone <someone@contoso.com>");
  SECTION("the domain rule is outbound-only") { CHECK(in("someone@fourthcoffee.com") == "<unchanged>"); }
  SECTION("a bidirectional address rule routes replies back") {
    CHECK(in("Adam <adam@contoso.com>") == "Adam <adam@fourthcoffee.com>");
  }
}

TEST_CASE("seed: Wingtip Toys partnership", "[header_rewriter][seed]") {
  SECTION("outbound, the address rule beats the wildcard") {
    CHECK(out("Support <support@contoso.com>") == "Support <support@wingtiptoys.com>");
  }
  SECTION("inbound, the external address is routed to the internal one") {
    CHECK(in(" Wingtip Support <support@wingtiptoys.com>") == " Wingtip Support <support@contoso.com>");
  }
  SECTION("inbound never applies domain or wildcard rules") { CHECK(in("maria@sales.contoso.com") == "<unchanged>"); }
}

TEST_CASE("only the changed addr-spec is replaced; everything else stays byte for byte", "[header_rewriter]") {
  SECTION("several addresses where only one changes") {
    CHECK(out("Bob <bob@example.org>, Maria <maria@sales.contoso.com>, \"Doe, Jane\" <jane@example.net>") ==
          "Bob <bob@example.org>, Maria <maria@contoso.com>, \"Doe, Jane\" <jane@example.net>");
  }
  SECTION("quoted local part") {
    CHECK(out("\"john smith\"@sales.contoso.com") == "\"john smith\"@contoso.com");
    CHECK(out("J <\"j.\\\"q\\\"\"@sales.contoso.com>") == "J <\"j.\\\"q\\\"\"@contoso.com>");
  }
  SECTION("comments are kept, including one that repeats the address") {
    CHECK(out("Maria (Sales) <maria@sales.contoso.com> (office)") == "Maria (Sales) <maria@contoso.com> (office)");
    CHECK(out("maria@sales.contoso.com (Maria Garcia)") == "maria@contoso.com (Maria Garcia)");
    CHECK(out("maria@sales.contoso.com (was (really) maria@sales.contoso.com)") ==
          "maria@contoso.com (was (really) maria@sales.contoso.com)");
  }
  SECTION("a quoted display name that repeats the address is kept") {
    CHECK(out("\"maria@sales.contoso.com\" <maria@sales.contoso.com>") ==
          "\"maria@sales.contoso.com\" <maria@contoso.com>");
  }
  SECTION("groups") {
    CHECK(out("Team: a@sales.contoso.com, b@x.org;") == "Team: a@contoso.com, b@x.org;");
    CHECK(out("Team: a@sales.contoso.com;, Ken <ken@research.contoso.com>") ==
          "Team: a@contoso.com;, Ken <ken@contoso.com>");
    CHECK(out("undisclosed-recipients:;") == "<unchanged>");
  }
  SECTION("RFC 2047 encoded display names are kept as encoded") {
    CHECK(out("=?UTF-8?B?w6lsw6h2ZQ==?= <eleve@sales.contoso.com>") == "=?UTF-8?B?w6lsw6h2ZQ==?= <eleve@contoso.com>");
    CHECK(out("=?utf-8?q?J=C3=B6rg?= <joerg@research.contoso.com>, x@y.org") ==
          "=?utf-8?q?J=C3=B6rg?= <joerg@contoso.com>, x@y.org");
  }
  SECTION("upper-case domains match; the local part keeps its case") {
    CHECK(out("Kim <kim@EUROPE.CONTOSO.COM>") == "Kim <kim@contoso.com>");
    CHECK(out("KIM@Europe.Contoso.Com") == "KIM@contoso.com");
    CHECK(out("KIM@CONTOSO.COM") == "<unchanged>");  // case only: the same mailbox
  }
  SECTION("a trailing dot matches and is replaced with the address") {
    CHECK(out("<maria@sales.contoso.com.>") == "<maria@contoso.com>");
    CHECK(out("maria@sales.contoso.com., bob@example.org") == "maria@contoso.com, bob@example.org");
  }
  SECTION("an obsolete source route is kept") {
    CHECK(out("<@relay.example.org:maria@sales.contoso.com>") == "<@relay.example.org:maria@contoso.com>");
  }
  SECTION("the same address twice") {
    CHECK(out("maria@sales.contoso.com, Maria <MARIA@sales.contoso.com>") ==
          "maria@contoso.com, Maria <MARIA@contoso.com>");
  }
}

TEST_CASE("punycode and UTF-8 IDN domains", "[header_rewriter]") {
  SECTION("punycode subdomain under a wildcard") {
    CHECK(out("Hans <hans@xn--mnchen-3ya.contoso.com>") == "Hans <hans@contoso.com>");
  }
  SECTION("punycode domain rule") { CHECK(out("a@xn--bcher-kva.example") == "a@contoso.com"); }
  SECTION("a UTF-8 domain matches the rule written in punycode") {
    CHECK(out("a@b\xc3\xbc" "cher.example") == "a@contoso.com");
  }
  SECTION("other IDN domains are left alone") { CHECK(out("a@xn--mnchen-3ya.example") == "<unchanged>"); }
}

TEST_CASE("addresses outside the internal domains are never touched", "[header_rewriter]") {
  CHECK(out("Bob <bob@example.org>") == "<unchanged>");
  CHECK(out("evil@evilcontoso.com") == "<unchanged>");
  CHECK(out("x@contoso.com.evil.net") == "<unchanged>");
  CHECK(out("user@[192.0.2.1]") == "<unchanged>");
  CHECK(out("") == "<unchanged>");
  CHECK(out("  \t") == "<unchanged>");
  // No '@' outside quoted strings and comments: nothing that could be rewritten, GMime is not asked.
  CHECK(out("Nobody") == "<unchanged>");
}

TEST_CASE("folding and leading white space are preserved", "[header_rewriter]") {
  SECTION("leading white space") {
    CHECK(out(" maria@sales.contoso.com") == " maria@contoso.com");
    CHECK(out("\tmaria@sales.contoso.com") == "\tmaria@contoso.com");
    CHECK(out("maria@sales.contoso.com") == "maria@contoso.com");
  }
  SECTION("LF folding") {
    CHECK(out(" Bob <bob@example.org>,\n\tMaria <maria@sales.contoso.com>") ==
          " Bob <bob@example.org>,\n\tMaria <maria@contoso.com>");
  }
  SECTION("CRLF folding") {
    CHECK(out("bob@example.org,\r\n maria@sales.contoso.com") == "bob@example.org,\r\n maria@contoso.com");
  }
  SECTION("folding inside a display name") {
    CHECK(out("Maria\n Garcia <maria@sales.contoso.com>") == "Maria\n Garcia <maria@contoso.com>");
  }
  SECTION("a line break that is not folding") {
    CHECK(out("bob@example.org,\nmaria@sales.contoso.com") ==
          "<malformed: line break not followed by white space (not folding)>");
  }
}

TEST_CASE("a rewritten line that grows too long is folded with LF and tab", "[header_rewriter]") {
  // 60 fillers of 15 bytes after one space: the address starts at byte 901. Rewritten it ends at byte
  // 924, past the first line's limit of 917 (998 less 80 kept for the field name), so the line is folded
  // at the last white space before the address.
  std::string fillers;
  for (int i = 0; i < 59; ++i) fillers += "u@example.org, ";
  const std::string value = " " + fillers + "u@example.org, support@contoso.com";
  REQUIRE(value.size() == 920);
  CHECK(out(value) == " " + fillers + "u@example.org,\n\tsupport@wingtiptoys.com");

  SECTION("a long line is folded as often as needed") {
    // Rewritten: 24 bytes, then 130 items of 15. The first line ends before the last space at or under
    // byte 916, a continuation line (limit 998) before the last space at or under its byte 996.
    const auto repeat = [](int count) {
      std::string items;
      for (int i = 0; i < count; ++i) items += ", u@example.org";
      return items;
    };
    const std::string line1 = " support@wingtiptoys.com" + repeat(59) + ",";
    const std::string line2 = "\tu@example.org" + repeat(65) + ",";
    const std::string line3 = "\tu@example.org" + repeat(4);
    REQUIRE(line1.size() == 910);
    REQUIRE(line2.size() == 990);
    CHECK(out(" support@contoso.com" + repeat(130)) == line1 + "\n" + line2 + "\n" + line3);
  }
  SECTION("an untouched long line is left alone") {
    const std::string untouched = " " + fillers + fillers + "u@example.org,\n\tsupport@contoso.com";
    CHECK(out(untouched) == " " + fillers + fillers + "u@example.org,\n\tsupport@wingtiptoys.com");
  }
  SECTION("a line with nowhere to fold is malformed") {
    const std::string local(990, 'l');
    const HeaderRewrite result = outbound(local + "@sales.contoso.com");
    CHECK(result.status == Status::malformed);
    CHECK_THAT(result.reason, Catch::Contains("no place to fold"));
  }
}

TEST_CASE("malformed values are reported and left untouched", "[header_rewriter]") {
  // GMime 3.2.13 warns about two angle addresses after one display name, so exact substitution is
  // never attempted.
  SECTION("A <x> <y>") {
    CHECK(out("A <x@sales.contoso.com> <y@sales.contoso.com>") ==
          "<malformed: the address parser warned (invalid address list)>");
  }
  SECTION("unbalanced quotes, comments and brackets (GMime accepts some of these silently)") {
    CHECK(out("\"Maria <maria@sales.contoso.com>") == "<malformed: unbalanced '\"' (quoted string never closed)>");
    CHECK(out("Maria <maria@sales.contoso.com") == "<malformed: unbalanced '<' (angle bracket never closed)>");
    CHECK(out("maria@sales.contoso.com>") == "<malformed: unbalanced '>'>");
    CHECK(out("(Maria maria@sales.contoso.com") == "<malformed: unbalanced '(' (comment never closed)>");
    CHECK(out("Maria) maria@sales.contoso.com") == "<malformed: unbalanced ')'>");
    CHECK(out("\"Maria\" <<maria@sales.contoso.com>>") == "<malformed: '<' inside an angle-bracketed address>");
    CHECK(out("a@[192.0.2.1") == "<malformed: unbalanced '[' (domain literal never closed)>");
  }
  SECTION("an address GMime would drop silently") {
    CHECK(out("Maria <maria@sales.contoso.com>, garbage@ <") ==
          "<malformed: unbalanced '<' (angle bracket never closed)>");
  }
  SECTION("an unquoted display name holding the address") {
    CHECK(out("maria@sales.contoso.com <maria@sales.contoso.com>") ==
          "<malformed: the parser read 1 addresses where the text has 2>");
  }
  SECTION("semicolons between addresses") {
    CHECK(out("a@sales.contoso.com; b@sales.contoso.com") ==
          "<malformed: the address parser warned (invalid address list)>");
  }
  SECTION("invalid encoded word") {
    CHECK(out("=?UTF-8?Q?a b?= <maria@sales.contoso.com>") ==
          "<malformed: the address parser warned (invalid RFC 2047 encoded word)>");
  }
  SECTION("NUL byte") {
    CHECK(out(std::string("maria@sales.contoso.com\0x", 25)) == "<malformed: NUL byte in the value>");
  }
}

TEST_CASE("a field no rule touches is malformed exactly when it was with every field parsed", "[header_rewriter]") {
  // A plain field is answered without GMime; whatever GMime would warn about still reaches it.
  SECTION("plain and rewritten: only the rewritten address changes") {
    CHECK(out(" Bob Smith <bob@sales.contoso.com>,\tcarol@fabrikam.com, \"Lee, Al\" <al@japan.sales.contoso.com>") ==
          " Bob Smith <bob@contoso.com>,\tcarol@fabrikam.com, \"Lee, Al\" <al@contoso.jp>");
  }
  SECTION("plain and outside every rule: unchanged") {
    CHECK(out(" Bob <bob@fabrikam.com>, carol@example.net") == "<unchanged>");
    CHECK(in(" Bob <bob@fabrikam.com>, carol@example.net") == "<unchanged>");
  }
  SECTION("plain, outside every rule, and an invalid address: malformed as before") {
    const std::string label(64, 'f');
    CHECK(out("Bob <bob@" + label + ".com>").rfind("<malformed: address 1 is not valid: label longer than 63", 0) == 0);
    CHECK(out("carol@example.net, bob@xn--zz.com").rfind("<malformed: address 2 is not valid: ", 0) == 0);
  }
  SECTION("not plain, outside every rule: GMime still decides") {
    CHECK(out("A <x@fabrikam.com> <y@fabrikam.com>") ==
          "<malformed: the address parser warned (invalid address list)>");
    CHECK(out("a@fabrikam.com; b@fabrikam.com") == "<malformed: the address parser warned (invalid address list)>");
    CHECK(out("=?UTF-8?Q?a b?= <bob@fabrikam.com>") ==
          "<malformed: the address parser warned (invalid RFC 2047 encoded word)>");
    CHECK(out("jos\xe9@fabrikam.com") == "<malformed: the address parser warned (invalid address list)>");
    CHECK(out("bob@fabrikam.com <bob@fabrikam.com>") == "<malformed: the parser read 1 addresses where the text has 2>");
    CHECK(out("Bob (desk) <bob@fabrikam.com>") == "<unchanged>");
  }
}

TEST_CASE("8-bit bytes never crash and are only accepted when exact", "[header_rewriter]") {
  SECTION("a Latin-1 display name is kept byte for byte") {
    CHECK(out("Jos\xe9 <jose@sales.contoso.com>") == "Jos\xe9 <jose@contoso.com>");
  }
  SECTION("a UTF-8 display name is kept byte for byte") {
    CHECK(out("\"J\xc3\xb6rg\" <joerg@sales.contoso.com>") == "\"J\xc3\xb6rg\" <joerg@contoso.com>");
  }
  SECTION("a Latin-1 local part makes GMime warn") {
    CHECK(out("jos\xe9@sales.contoso.com") == "<malformed: the address parser warned (invalid address list)>");
  }
  SECTION("junk") {
    CHECK(out("\x80\x81\xfe\xff") == "<unchanged>");  // no '@': nothing to rewrite
    CHECK(result_of(outbound("\xff@\xfe, maria@sales.contoso.com")).rfind("<malformed: ", 0) == 0);
    std::string junk;
    for (int i = 1; i < 256; ++i) junk += static_cast<char>(i);
    CHECK(outbound(junk).status == Status::malformed);
  }
}

TEST_CASE("bounds: size and number of addresses", "[header_rewriter]") {
  SECTION("a 100 KiB value") {
    std::string value = "maria@sales.contoso.com, ";
    while (value.size() < 100 * 1024) value += "someone@example.org, ";
    const HeaderRewrite result = outbound(value);
    CHECK(result.status == Status::malformed);
    CHECK(result.reason == "value is " + std::to_string(value.size()) + " bytes, over the 65536-byte limit");
  }
  SECTION("more than 1000 addresses") {
    std::string value = "maria@sales.contoso.com";
    for (int i = 0; i < 1000; ++i) value += ",a@b.org";
    CHECK(out(value) == "<malformed: more than 1000 addresses>");
  }
  SECTION("exactly 1000 addresses") {
    std::string tail;
    for (int i = 0; i < 999; ++i) tail += ",\n\ta@b.org";
    CHECK(out("maria@sales.contoso.com" + tail) == "maria@contoso.com" + tail);
  }
}

TEST_CASE("comments and white space around the @ are legal: the address is rewritten, they stay") {
  // RFC 5322 3.4.1: local-part and domain are dot-atoms, each with optional CFWS around it.
  CHECK(out("maria @ sales.contoso.com") == "maria @ contoso.com");
  CHECK(out("Assistant <assistant(x)@research.contoso.com>") == "Assistant <assistant(x)@contoso.com>");
  CHECK(out("alice@(dept)sales.contoso.com") == "alice@(dept)contoso.com");
  CHECK(out("chris(comment)@sales.contoso.com, maria@europe.contoso.com") ==
        "chris(comment)@contoso.com, maria@contoso.com");
  // An address rule changes the local part too, each where it stands.
  CHECK(out("adam (desk) @ (mail) fourthcoffee.com") == "adam (desk) @ (mail) contoso.com");
  CHECK(out("support (desk) @ (mail) contoso.com") == "support (desk) @ (mail) wingtiptoys.com");
  // Comments elsewhere in the value are untouched, as always.
  CHECK(out("(lead) Pete(A nice \\) chap) <pete(his account)@sales.contoso.com(his host)>") ==
        "(lead) Pete(A nice \\) chap) <pete(his account)@contoso.com(his host)>");
}
