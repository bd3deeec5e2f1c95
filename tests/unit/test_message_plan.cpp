// SPDX-License-Identifier: BSD-2-Clause
// test_message_plan.cpp: the whole-message plan: envelope sender (outbound) or recipients (inbound),
// header edits with the index smfi_chgheader wants, DKIM-signed fields, and malformed-field notices.
#include <catch2/catch.hpp>

#include "rewrite/message_plan.h"

using rewrite::Direction;
using rewrite::DkimPolicy;
using rewrite::Envelope;
using rewrite::HeaderField;
using rewrite::MessagePlan;
using rewrite::Notice;
using rewrite::PlanOptions;
using rewrite::RuleTable;

namespace {

// Returns the seed table (group consolidation, Fourth Coffee, Wingtip Toys), failing the test if it
// does not load.
const RuleTable& seed_table() {
  static const auto table = [] {
    rewrite::LoadResult result = RuleTable::parse(
        "*.contoso.com            contoso.com  name=flatten\n"
        "japan.sales.contoso.com  contoso.jp\n"
        "fourthcoffee.com         contoso.com\n"
        "adam@fourthcoffee.com    adam@contoso.com\n"
        "support@contoso.com      support@wingtiptoys.com\n",
        "test.rules");
    INFO(rewrite::format_errors(result.errors));
    REQUIRE(result.ok());
    return result.table;
  }();
  return *table;
}

// Plans one message with the seed table.
MessagePlan plan(Direction direction, const Envelope& envelope, const std::vector<HeaderField>& headers,
                 const PlanOptions& options = {}) {
  return rewrite::plan_message(seed_table(), options, direction, envelope, headers);
}

}  // namespace

TEST_CASE("outbound: the envelope sender is rewritten, recipients are not", "[message_plan]") {
  const MessagePlan result =
      plan(Direction::outbound, {"maria@sales.contoso.com", {"support@wingtiptoys.com", "adam@contoso.com"}}, {});
  CHECK(result.sender_changed);
  CHECK(result.sender.original == "maria@sales.contoso.com");
  CHECK(result.sender.rewritten == "maria@contoso.com");
  REQUIRE(result.sender.rule != nullptr);
  CHECK(result.sender.rule->name() == "flatten");
  CHECK(result.recipients.empty());
  CHECK(result.headers.empty());
  CHECK_FALSE(result.empty());
}

TEST_CASE("the null sender is never rewritten", "[message_plan]") {
  const MessagePlan result = plan(Direction::outbound, {"", {"bob@example.org"}}, {{"From", " <>"}});
  CHECK_FALSE(result.sender_changed);
  CHECK(result.empty());
  CHECK(result.notices.empty());
}

TEST_CASE("an address outside the internal domains leaves the plan empty", "[message_plan]") {
  const MessagePlan result =
      plan(Direction::outbound, {"bob@example.org", {"maria@sales.contoso.com"}},
           {{"From", " Bob <bob@example.org>"}, {"To", " maria@sales.contoso.com"}, {"Subject", " hello"}});
  CHECK_FALSE(result.sender_changed);
  REQUIRE(result.headers.size() == 1);  // the To header is on the outbound list
  CHECK(result.headers[0].name == "To");
  CHECK(result.headers[0].value == " maria@contoso.com");
}

TEST_CASE("inbound: recipients are rewritten by bidirectional rules only, headers by default not",
          "[message_plan]") {
  const std::vector<HeaderField> headers = {{"From", " support@contoso.com"}, {"To", " support@wingtiptoys.com"}};
  const MessagePlan result = plan(
      Direction::inbound,
      {"support@contoso.com", {"bob@example.org", "support@wingtiptoys.com", "Adam@Contoso.com", "x@fourthcoffee.com"}},
      headers);
  CHECK_FALSE(result.sender_changed);
  REQUIRE(result.recipients.size() == 2);
  CHECK(result.recipients[0].position == 1);
  CHECK(result.recipients[0].change.original == "support@wingtiptoys.com");
  CHECK(result.recipients[0].change.rewritten == "support@contoso.com");
  CHECK(result.recipients[1].position == 2);
  CHECK(result.recipients[1].change.rewritten == "adam@fourthcoffee.com");
  CHECK(result.headers.empty());

  SECTION("inbound headers when the policy lists them") {
    std::vector<rewrite::ConfigError> errors;
    PlanOptions options;
    options.headers = rewrite::HeaderPolicy::from_lists({"From"}, {"To"}, "test.conf", errors);
    REQUIRE(errors.empty());
    const MessagePlan with_headers = plan(Direction::inbound, {"", {}}, headers, options);
    REQUIRE(with_headers.headers.size() == 1);
    CHECK(with_headers.headers[0].name == "To");
    CHECK(with_headers.headers[0].index == 1);
    CHECK(with_headers.headers[0].value == " support@contoso.com");
  }
}

TEST_CASE("header index counts every field with the name, in any case", "[message_plan]") {
  const std::vector<HeaderField> headers = {
      {"Received", " from a by b; for <maria@sales.contoso.com>"},
      {"To", " bob@example.org"},
      {"From", " Maria <maria@sales.contoso.com>"},
      {"Cc", " carol@example.org"},
      {"To", " Maria <maria@sales.contoso.com>"},
      {"Subject", " maria@sales.contoso.com"},
      {"TO", " ken@research.contoso.com"},
      {"Return-Path", " <maria@sales.contoso.com>"},
  };
  const MessagePlan result = plan(Direction::outbound, {"", {}}, headers);
  REQUIRE(result.headers.size() == 3);
  CHECK(result.headers[0].name == "From");
  CHECK(result.headers[0].index == 1);
  CHECK(result.headers[0].value == " Maria <maria@contoso.com>");
  CHECK(result.headers[1].name == "To");
  CHECK(result.headers[1].index == 2);
  CHECK(result.headers[1].value == " Maria <maria@contoso.com>");
  CHECK(result.headers[2].name == "TO");
  CHECK(result.headers[2].index == 3);
  CHECK(result.headers[2].value == " ken@contoso.com");
  REQUIRE(result.headers[2].changes.size() == 1);
  CHECK(result.headers[2].changes[0].original == "ken@research.contoso.com");
  CHECK(result.notices.empty());
}

TEST_CASE("fields covered by an existing DKIM signature", "[message_plan]") {
  const std::vector<HeaderField> headers = {
      {"DKIM-Signature", " v=1; a=rsa-sha256; d=contoso.com; s=s1;\n\th=From:Subject:Date; bh=x; b=y"},
      {"dkim-signature", " v=1; d=contoso.com; s=s2; h=cc; b=z"},
      {"From", " Maria <maria@sales.contoso.com>"},
      {"To", " ken@research.contoso.com"},
      {"Cc", " bob@example.org"},
  };
  const Envelope envelope{"maria@sales.contoso.com", {"bob@example.org"}};

  SECTION("skip_signed (default): the signed field is left alone, the envelope is still rewritten") {
    const MessagePlan result = plan(Direction::outbound, envelope, headers);
    CHECK(result.sender_changed);
    REQUIRE(result.headers.size() == 1);
    CHECK(result.headers[0].name == "To");
    CHECK(result.headers[0].value == " ken@contoso.com");
    REQUIRE(result.notices.size() == 1);
    CHECK(result.notices[0].kind == Notice::Kind::dkim_protected);
    CHECK(result.notices[0].field == "From");
    CHECK_THAT(result.notices[0].detail, Catch::Contains("maria@sales.contoso.com -> maria@contoso.com"));
  }
  SECTION("rewrite_signed: the signed field is rewritten and the fact noted") {
    PlanOptions options;
    options.dkim = DkimPolicy::rewrite_signed;
    const MessagePlan result = plan(Direction::outbound, envelope, headers, options);
    REQUIRE(result.headers.size() == 2);
    CHECK(result.headers[0].name == "From");
    CHECK(result.headers[0].value == " Maria <maria@contoso.com>");
    CHECK(result.headers[1].name == "To");
    REQUIRE(result.notices.size() == 1);
    CHECK(result.notices[0].kind == Notice::Kind::dkim_rewritten);
    CHECK(result.notices[0].field == "From");
  }
}

TEST_CASE("a malformed selected field is left alone with a notice", "[message_plan]") {
  const std::vector<HeaderField> headers = {
      {"From", " \"Maria <maria@sales.contoso.com>"},
      {"To", " ken@research.contoso.com"},
  };
  const MessagePlan result = plan(Direction::outbound, {"", {}}, headers);
  REQUIRE(result.headers.size() == 1);
  CHECK(result.headers[0].name == "To");
  REQUIRE(result.notices.size() == 1);
  CHECK(result.notices[0].kind == Notice::Kind::malformed_header);
  CHECK(result.notices[0].field == "From");
  CHECK(result.notices[0].detail == "unbalanced '\"' (quoted string never closed)");
}

TEST_CASE("more than kMaxHeaderEdits changed fields: none is changed, one notice says why", "[message_plan]") {
  std::vector<std::string> values;  // the fields view their text
  for (int i = 0; i < 100; ++i) values.push_back(" u" + std::to_string(i) + "@sales.contoso.com");
  std::vector<HeaderField> headers;
  for (const std::string& value : values) headers.push_back({"Cc", value});
  const MessagePlan at_limit = plan(Direction::outbound, {"maria@sales.contoso.com", {}}, headers);
  CHECK(at_limit.headers.size() == 100);
  CHECK(at_limit.notices.empty());

  headers.push_back({"To", " ken@research.contoso.com"});
  headers.push_back({"Bcc", " extra@sales.contoso.com"});  // not selected: does not count
  const MessagePlan over = plan(Direction::outbound, {"maria@sales.contoso.com", {}}, headers);
  CHECK(over.headers.empty());
  CHECK(over.sender_changed);  // the envelope is still rewritten
  REQUIRE(over.notices.size() == 1);
  CHECK(over.notices[0].kind == Notice::Kind::too_many_edits);
  CHECK(over.notices[0].field.empty());
  CHECK(over.notices[0].detail == "101 fields would change, over the limit of 100; header fields left unchanged");

  // Signed fields rewritten by policy: over the bound nothing is, and no notice claims it was.
  headers.push_back({"DKIM-Signature", " v=1; a=rsa-sha256; d=contoso.com; s=s1; h=cc; bh=x; b=y"});
  PlanOptions rewrite_signed;
  rewrite_signed.dkim = DkimPolicy::rewrite_signed;
  const MessagePlan signed_over = plan(Direction::outbound, {"", {}}, headers, rewrite_signed);
  CHECK(signed_over.headers.empty());
  REQUIRE(signed_over.notices.size() == 1);
  CHECK(signed_over.notices[0].kind == Notice::Kind::too_many_edits);
}

TEST_CASE("notice kinds have log names", "[message_plan]") {
  CHECK(std::string(rewrite::to_string(Notice::Kind::malformed_header)) == "malformed-header");
  CHECK(std::string(rewrite::to_string(Notice::Kind::dkim_protected)) == "dkim-protected");
  CHECK(std::string(rewrite::to_string(Notice::Kind::dkim_rewritten)) == "dkim-rewritten");
  CHECK(std::string(rewrite::to_string(Notice::Kind::too_many_edits)) == "too-many-edits");
}

TEST_CASE("a UTF-8 domain is rewritten alike in the envelope and in From", "[message_plan][idn]") {
  const rewrite::LoadResult loaded = RuleTable::parse("xn--bcher-kva.example contoso.com\n", "idn.rules");
  REQUIRE(loaded.ok());
  PlanOptions options;
  const MessagePlan result =
      rewrite::plan_message(*loaded.table, options, Direction::outbound, {"jörg@bücher.example", {"x@fabrikam.com"}},
                            {{"From", " Jörg <jörg@bücher.example>"}, {"Sender", " a@bücher.example"}});
  CHECK(result.sender_changed);
  CHECK(result.sender.rewritten == "jörg@contoso.com");
  REQUIRE(result.headers.size() == 2);
  CHECK(result.headers[0].value == " Jörg <jörg@contoso.com>");
  CHECK(result.headers[1].value == " a@contoso.com");
}
