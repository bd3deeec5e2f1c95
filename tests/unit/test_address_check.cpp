// SPDX-License-Identifier: BSD-2-Clause
// test_address_check.cpp: the one check of a valid address, and that what fails it is never rewritten:
// not as a rule, not in the envelope, not in a header, not in rewrite-test's explanation. Inputs from an
// independent bad-input run (public validator test suites) and RFC 5321/5322/5890.
#include <catch2/catch.hpp>

#include "rewrite/address_check.h"
#include "rewrite/header_rewriter.h"
#include "rewrite/message_plan.h"
#include "rewrite/offline/explain.h"
#include "rewrite/rule_table.h"

namespace {

using rewrite::Direction;
using rewrite::RuleTable;

// A wildcard over iana.org and an address rule, so that anything accepted would be rewritten.
std::shared_ptr<const RuleTable> table() {
  static const rewrite::LoadResult loaded = RuleTable::parse(
      "*.iana.org  example.com  name=flatten\n"
      "\"john doe\"@iana.org  jd@example.com  bidirectional name=jd\n",
      "check.rules");
  INFO(rewrite::format_errors(loaded.errors));
  REQUIRE(loaded.ok());
  return loaded.table;
}

TEST_CASE("address check: invalid IDNA and LDH labels are refused in rules, with file:line") {
  for (const char* domain : {"xn--", "xn--0", "xn----", "xn--zzzzzzzzzzzzzzzzzz", "xn--9999999999a", "-contoso.com",
                             "contoso-.com", "con_toso.com", "a..b", "xn--ls8h"}) {
    INFO(domain);
    CHECK_FALSE(rewrite::domain_problem(domain).empty());
    for (const std::string& rule : {std::string(domain) + " contoso.com", "contoso.com " + std::string(domain),
                                   "*." + std::string(domain) + " contoso.com",
                                   "a@" + std::string(domain) + " b@contoso.com"}) {
      const rewrite::LoadResult loaded = RuleTable::parse("# heading\n" + rule + "\n", "bad.rules");
      INFO(rule);
      REQUIRE_FALSE(loaded.ok());
      CHECK(loaded.errors[0].to_string().rfind("bad.rules:2: ", 0) == 0);
    }
  }
  for (const char* domain : {"xn--bcher-kva.example", "contoso.com", "a-b.c-d.example", "x.", "123.example"}) {
    INFO(domain);
    CHECK(rewrite::domain_problem(domain) == "");
  }
  CHECK(rewrite::domain_problem(std::string(64, 'a') + ".com") != "");
  CHECK(rewrite::domain_problem(std::string(63, 'a') + ".com") == "");
}

TEST_CASE("address check: malformed addresses are refused and never rewritten") {
  const auto t = table();
  for (const std::string& address : std::vector<std::string>{
           "test@.iana.org", "test@x..iana.org", ".test@iana.org", "test.@iana.org", "hello world@iana.org",
           "A@b@c@iana.org", "te\x01st@iana.org", "test@-x.iana.org", "test@xn--zz.iana.org", "test@", "@iana.org"}) {
    INFO(address);
    CHECK_FALSE(rewrite::address_problem(address, true).empty());
    CHECK_FALSE(t->lookup(address, Direction::outbound).rewritten);
    CHECK_FALSE(t->lookup(address, Direction::inbound).rewritten);
    CHECK_THAT(rewrite::explain_lookup(*t, address, Direction::outbound), Catch::Contains("not rewritten: not"));
  }
  for (const std::string& address : std::vector<std::string>{"test@iana.org", "test@www.iana.org",
                                                             "\"hello world\"@iana.org",
                                                             "j\xc3\xb6rg@b\xc3\xbc" "cher.example",
                                                             "a@[192.0.2.1]", "a+tag@iana.org."}) {
    INFO(address);
    CHECK(rewrite::address_problem(address, true) == "");
  }
  CHECK(t->lookup("test@www.iana.org", Direction::outbound).address == "test@example.com");
  CHECK_FALSE(rewrite::address_problem("j\xc3\xb6rg@iana.org", false).empty());  // rules are ASCII
}

TEST_CASE("address check: an invalid envelope address is left alone and says why") {
  const auto t = table();
  rewrite::Envelope envelope{"test@x..iana.org", {"hello world@iana.org"}};
  const rewrite::MessagePlan outbound = rewrite::plan_message(*t, {}, Direction::outbound, envelope, {});
  CHECK_FALSE(outbound.sender_changed);
  REQUIRE(outbound.notices.size() == 1);
  CHECK(outbound.notices[0].kind == rewrite::Notice::Kind::invalid_address);
  CHECK(outbound.notices[0].field == "from=<test@x..iana.org>");
  CHECK(outbound.notices[0].detail == "empty label in domain 'x..iana.org'");
  const rewrite::MessagePlan inbound = rewrite::plan_message(*t, {}, Direction::inbound, envelope, {});
  CHECK(inbound.recipients.empty());
  REQUIRE(inbound.notices.size() == 1);
  CHECK(inbound.notices[0].field == "rcpt=<hello world@iana.org>");
}

TEST_CASE("address check: the same address in a header leaves the field alone as malformed") {
  const auto t = table();
  const rewrite::HeaderRewrite result =
      rewrite::rewrite_header_value(" a@www.iana.org, test@-x.iana.org", *t, Direction::outbound);
  CHECK(result.status == rewrite::HeaderRewrite::Status::malformed);
}

TEST_CASE("address check: a quoted-pair names the same local part as the character it quotes") {
  const auto t = table();
  CHECK(t->lookup("\"john\\ doe\"@iana.org", Direction::outbound).address == "jd@example.com");
  CHECK(t->lookup("\"John Doe\"@IANA.org", Direction::outbound).address == "jd@example.com");
  CHECK(t->lookup("jd@example.com", Direction::inbound).address == "\"john doe\"@iana.org");
  CHECK(t->lookup("\"john  doe\"@iana.org", Direction::outbound).address == "\"john  doe\"@example.com");
}

TEST_CASE("address check: nested groups are not RFC 5322 and are left alone") {
  const auto t = table();
  CHECK(rewrite::rewrite_header_value(" G1: G2: a@www.iana.org;;", *t, Direction::outbound).status ==
        rewrite::HeaderRewrite::Status::malformed);
  CHECK(rewrite::rewrite_header_value(" G1: a@www.iana.org; G2: b@www.iana.org;", *t, Direction::outbound).value ==
        " G1: a@example.com; G2: b@example.com;");
}

TEST_CASE("address check: raw 8-bit bytes beside the addresses are kept, and the field says so") {
  const auto t = table();
  const rewrite::HeaderRewrite latin1 =
      rewrite::rewrite_header_value(" J\xf6rg <j@www.iana.org>", *t, Direction::outbound);
  REQUIRE(latin1.status == rewrite::HeaderRewrite::Status::changed);
  CHECK(latin1.value == " J\xf6rg <j@example.com>");
  CHECK(latin1.eight_bit);
  CHECK_FALSE(rewrite::rewrite_header_value(" Jorg <j@www.iana.org>", *t, Direction::outbound).eight_bit);
  const rewrite::MessagePlan plan = rewrite::plan_message(*t, {}, Direction::outbound, {"", {}},
                                                          {{"From", " J\xf6rg <j@www.iana.org>"}});
  REQUIRE(plan.headers.size() == 1);
  REQUIRE(plan.notices.size() == 1);
  CHECK(plan.notices[0].kind == rewrite::Notice::Kind::eight_bit);
}

}  // namespace

TEST_CASE("address check: the one-pass answer for common addresses agrees with the full check") {
  // Local parts and domains at the edges of the common form, and just past them; every pairing is asked
  // both ways. Labels of 63 and 64 bytes, domains of 253 and 254, xn-- in any case, a trailing dot.
  const std::string l63(63, 'a');
  const std::vector<std::string> locals = {"a", "john.doe", "j+tag", "!#$%&'*+-/=?^_`{|}~", ".a", "a.", "a..b", "",
                                           "\"john doe\"", "a b", "jo\xc3\xa9", "a@b", "(c)a", "a\x01"};
  std::vector<std::string> domains = {"example.com", "example.com.", "example.com..", "EXAMPLE.Com", "a", "a-b.c",
                                      "-a.com", "a-.com", "a_b.com", ".com", "com.", "a..com", "xn--bcher-kva.example",
                                      "XN--bcher-kva.example", "xn--zz.example", "xn-a.example", "ab--cd.example",
                                      l63 + ".com", l63 + "a.com", "[192.0.2.1]", "b\xc3\xbc" "cher.example",
                                      "exa mple.com", ""};
  const std::string l50(50, 'b');
  const std::string d253 = l50 + "." + l50 + "." + l50 + "." + l50 + "." + std::string(49, 'c');  // 253 bytes
  REQUIRE(d253.size() == 253);
  domains.push_back(d253);
  domains.push_back(d253 + ".");
  domains.push_back(d253 + "c");
  std::size_t common = 0;
  for (const std::string& local : locals) {
    for (const std::string& domain : domains) {
      for (const std::string& address : {local + "@" + domain, local + domain, "@" + local + "@" + domain}) {
        for (const bool utf8 : {true, false}) {
          INFO(address << " utf8=" << utf8);
          const bool valid = rewrite::address_problem(address, utf8).empty();
          CHECK(rewrite::is_valid_address(address, utf8) == valid);
          if (valid && utf8) ++common;
        }
      }
    }
  }
  CHECK(common > 40);  // the valid side is exercised, not only the refusals
}
