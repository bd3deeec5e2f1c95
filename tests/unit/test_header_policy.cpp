// SPDX-License-Identifier: BSD-2-Clause
// test_header_policy.cpp: the default header lists, the never-touched fields, and validation of
// configured lists.
#include <catch2/catch.hpp>

#include "rewrite/header_policy.h"

using rewrite::ConfigError;
using rewrite::Direction;
using rewrite::HeaderPolicy;

TEST_CASE("the default outbound list is the seed's", "[header_policy]") {
  const std::vector<std::string> expected = {"From", "Sender", "Reply-To", "To", "Cc", "Return-Receipt-To",
                                             "Disposition-Notification-To", "Resent-From", "Resent-Sender"};
  CHECK(rewrite::default_outbound_headers() == expected);

  const HeaderPolicy policy;
  for (const std::string& name : expected) {
    CHECK(policy.allows(name, Direction::outbound));
    CHECK_FALSE(policy.allows(name, Direction::inbound));
  }
  CHECK(policy.allows("FROM", Direction::outbound));
  CHECK(policy.allows("reply-to", Direction::outbound));
  CHECK_FALSE(policy.allows("Bcc", Direction::outbound));
  CHECK_FALSE(policy.allows("Subject", Direction::outbound));
  CHECK(policy.names(Direction::inbound).empty());
  CHECK(policy.names(Direction::outbound).size() == 9);
  CHECK(policy.names(Direction::outbound).front() == "from");
}

TEST_CASE("never-touched fields", "[header_policy]") {
  for (const char* name : {"Return-Path", "Received", "Message-ID", "X-MS-TNEF-Correlator", "Content-Type",
                           "content-disposition", "MIME-Version", "DKIM-Signature", "ARC-Seal",
                           "Authentication-Results", "Delivered-To"}) {
    INFO(name);
    CHECK(rewrite::is_never_touched(name));
  }
  CHECK_FALSE(rewrite::is_never_touched("From"));
  CHECK_FALSE(rewrite::is_never_touched("Subject"));
  CHECK_FALSE(rewrite::is_never_touched("Contents"));  // not a Content-* field
}

TEST_CASE("configured lists", "[header_policy]") {
  std::vector<ConfigError> errors;
  SECTION("valid lists, any case, duplicates folded") {
    const HeaderPolicy policy =
        HeaderPolicy::from_lists({"from", "SENDER", " Bcc ", "From"}, {"To", "cc", "Resent-To"}, "test.conf", errors);
    CHECK(errors.empty());
    CHECK(policy.names(Direction::outbound) == std::vector<std::string>{"from", "sender", "bcc"});
    CHECK(policy.names(Direction::inbound) == std::vector<std::string>{"to", "cc", "resent-to"});
    CHECK(policy.allows("To", Direction::inbound));
    CHECK_FALSE(policy.allows("To", Direction::outbound));
  }
  SECTION("empty lists turn header rewriting off") {
    const HeaderPolicy policy = HeaderPolicy::from_lists({}, {}, "test.conf", errors);
    CHECK(errors.empty());
    CHECK_FALSE(policy.allows("From", Direction::outbound));
  }
  SECTION("a never-touched field is an error naming it") {
    HeaderPolicy::from_lists({"From", "Received"}, {"return-path"}, "test.conf", errors);
    REQUIRE(errors.size() == 2);
    CHECK(errors[0].to_string() ==
          "test.conf: outbound header list: 'Received' is never rewritten (trace, message identity, MIME "
          "structure or signature field)");
    CHECK(errors[1].file == "test.conf");
    CHECK_THAT(errors[1].reason, Catch::StartsWith("inbound header list: 'return-path' is never rewritten"));
  }
  SECTION("a field that is not an address field is an error") {
    HeaderPolicy::from_lists({"Subject"}, {}, "test.conf", errors);
    REQUIRE(errors.size() == 1);
    CHECK_THAT(errors[0].reason,
               Catch::StartsWith("outbound header list: 'Subject' is not an address field that can be rewritten"));
    CHECK_THAT(errors[0].reason, Catch::Contains("Disposition-Notification-To"));
  }
  SECTION("an empty name is an error") {
    HeaderPolicy::from_lists({"From", " "}, {}, "test.conf", errors);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].reason == "outbound header list: empty header field name");
  }
}
