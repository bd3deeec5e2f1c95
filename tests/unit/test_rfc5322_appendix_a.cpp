// SPDX-License-Identifier: BSD-2-Clause
// test_rfc5322_appendix_a.cpp: every address header of RFC 5322 Appendix A (A.1 to A.6) through the
// header rewriter, each with the result written by hand: rewritten with every comment, group and display
// name where it stood, or (the obsolete forms a sender must not generate) left alone as malformed. The
// test counts the forms rewritten correctly.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rewrite/header_rewriter.h"
#include "rewrite/rule_table.h"

namespace {

// Every example domain of the appendix becomes org.invalid; jdoe@machine.example also changes its
// local part, so an address rule is exercised where comments stand between the parts.
const char* const kRules =
    "*.example             org.invalid\n"
    "*.test                org.invalid\n"
    "example.net           org.invalid\n"
    "example.com           org.invalid\n"
    "example.org           org.invalid\n"
    "jdoe@machine.example  john.doe@org.invalid\n";

struct Form {
  const char* where;     // the appendix section and field
  std::string value;     // as the MTA hands it to the milter (leading space kept)
  std::string expected;  // the new value, "unchanged", or "malformed"
};

const std::vector<Form> kForms = {
    {"A.1.1 From", " John Doe <jdoe@machine.example>", " John Doe <john.doe@org.invalid>"},
    {"A.1.1 To", " Mary Smith <mary@example.net>", " Mary Smith <mary@org.invalid>"},
    {"A.1.2 From", " \"Joe Q. Public\" <john.q.public@example.com>", " \"Joe Q. Public\" <john.q.public@org.invalid>"},
    {"A.1.2 To", " Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
     " Mary Smith <mary@org.invalid>, jdoe@org.invalid, Who? <one@org.invalid>"},
    {"A.1.2 Cc", " <boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
     " <boss@org.invalid>, \"Giant; \\\"Big\\\" Box\" <sysservices@org.invalid>"},
    {"A.1.3 From", " Pete <pete@silly.example>", " Pete <pete@org.invalid>"},
    {"A.1.3 To", " A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
     " A Group:Ed Jones <c@org.invalid>,joe@org.invalid,John <jdoe@org.invalid>;"},
    {"A.1.3 Cc", " Undisclosed recipients:;", "unchanged"},
    {"A.2 Reply-To", " \"Mary Smith: Personal Account\" <smith@home.example>",
     " \"Mary Smith: Personal Account\" <smith@org.invalid>"},
    {"A.3 Resent-From", " Mary Smith <mary@example.net>", " Mary Smith <mary@org.invalid>"},
    {"A.3 Resent-To", " Jane Brown <j-brown@other.example>", " Jane Brown <j-brown@org.invalid>"},
    {"A.5 From", " Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
     " Pete(A nice \\) chap) <pete(his account)@org.invalid(his host)>"},
    {"A.5 To",
     "A Group(Some people)\n     :Chris Jones <c@(Chris's host.)public.example>,\n         joe@example.org,\n"
     "  John <jdoe@one.test> (my dear friend); (the end of the group)",
     "A Group(Some people)\n     :Chris Jones <c@(Chris's host.)org.invalid>,\n         joe@org.invalid,\n"
     "  John <jdoe@org.invalid> (my dear friend); (the end of the group)"},
    {"A.5 Cc", "(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;", "unchanged"},
    // A.6: obsolete syntax, which RFC 5322 says must not be generated. A route, an empty list element,
    // white space inside the domain: the text cannot be edited without guessing, so it is left alone.
    {"A.6.1 To", " Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example", "malformed"},
    {"A.6.3 From", " John Doe <jdoe@machine(comment).  example>", "malformed"},
    // A fold with a line of white space only (obs-FWS) is still one value: only the domain changes.
    {"A.6.3 To", " Mary Smith\n  \n     <mary@example.net>", " Mary Smith\n  \n     <mary@org.invalid>"},
};

// Returns what the rewriter made of value: the new value, "unchanged" or "malformed".
std::string outcome(const rewrite::RuleTable& table, const std::string& value) {
  const rewrite::HeaderRewrite result = rewrite::rewrite_header_value(value, table, rewrite::Direction::outbound);
  switch (result.status) {
    case rewrite::HeaderRewrite::Status::changed: return result.value;
    case rewrite::HeaderRewrite::Status::unchanged: return "unchanged";
    case rewrite::HeaderRewrite::Status::malformed: return "malformed";
  }
  return "?";
}

TEST_CASE("RFC 5322 Appendix A: every address form, rewritten where the text allows it", "[appendix_a]") {
  const rewrite::LoadResult loaded = rewrite::RuleTable::parse(kRules, "appendix-a.rules");
  INFO(rewrite::format_errors(loaded.errors));
  REQUIRE(loaded.ok());
  int rewritten = 0;
  int with_addresses = 0;
  for (const Form& form : kForms) {
    INFO(form.where);
    const std::string got = outcome(*loaded.table, form.value);
    CHECK(got == form.expected);
    if (form.expected != "unchanged") ++with_addresses;
    if (got == form.expected && got != "unchanged" && got != "malformed") ++rewritten;
  }
  // 17 fields; 15 hold addresses; 13 of them are rewritten correctly, and the 2 whose obsolete route,
  // empty list element or spaced domain cannot be edited without guessing are left alone.
  CHECK(with_addresses == 15);
  CHECK(rewritten == 13);
  // Beyond the appendix: an address rule changes the local part and the domain each where it stands.
  CHECK(outcome(*loaded.table, " jdoe (desk) @ (host) machine.example") == " john.doe (desk) @ (host) org.invalid");
}

}  // namespace
