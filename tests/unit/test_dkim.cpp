// SPDX-License-Identifier: BSD-2-Clause
// test_dkim.cpp: reading the header fields covered by DKIM signatures (h= tag).
#include <catch2/catch.hpp>

#include "rewrite/dkim.h"

using rewrite::dkim_covered_fields;
using Fields = std::set<std::string>;

TEST_CASE("h= lists the covered fields, lower-cased", "[dkim]") {
  CHECK(dkim_covered_fields({"v=1; a=rsa-sha256; d=contoso.com; s=sel; h=From:To:Subject; bh=abc; b=def"}) ==
        Fields{"from", "to", "subject"});
}

TEST_CASE("white space and folding around tags, '=' and ':'", "[dkim]") {
  CHECK(dkim_covered_fields({" v=1; a=rsa-sha256;\r\n\th = From : Reply-To :\r\n\t DATE ;\r\n\tb=x"}) ==
        Fields{"from", "reply-to", "date"});
  CHECK(dkim_covered_fields({"v=1;\n\th=from:\n\t to; b=x"}) == Fields{"from", "to"});
}

TEST_CASE("other tags are not mistaken for h=", "[dkim]") {
  CHECK(dkim_covered_fields({"v=1; bh=From:To; b=x"}).empty());
  CHECK(dkim_covered_fields({"v=1; H=From; b=x"}).empty());  // tag names are case-sensitive
  CHECK(dkim_covered_fields({"v=1; b=x"}).empty());
  CHECK(dkim_covered_fields({""}).empty());
  CHECK(dkim_covered_fields({}).empty());
}

TEST_CASE("the last tag needs no ';' and h= may come anywhere", "[dkim]") {
  CHECK(dkim_covered_fields({"v=1; b=x; h=from"}) == Fields{"from"});
  CHECK(dkim_covered_fields({"h=From:From:Cc;"}) == Fields{"from", "cc"});  // oversigning
}

TEST_CASE("every signature contributes", "[dkim]") {
  CHECK(dkim_covered_fields({"v=1; h=From; b=x", "v=1; h=to:cc; b=y", "v=1; b=z"}) ==
        Fields{"from", "to", "cc"});
}

TEST_CASE("empty names between colons are ignored", "[dkim]") {
  CHECK(dkim_covered_fields({"h=:From::To:"}) == Fields{"from", "to"});
}
