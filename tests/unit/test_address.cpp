// SPDX-License-Identifier: BSD-2-Clause
// test_address.cpp: splitting and normalising single addr-specs and envelope addresses.
#include <catch2/catch.hpp>

#include "rewrite/address.h"

using rewrite::comparable_address;
using rewrite::comparable_local_part;
using rewrite::is_ascii;
using rewrite::normalize_domain;
using rewrite::normalize_envelope_address;
using rewrite::split_address;

TEST_CASE("split_address splits at the last '@'", "[address]") {
  const auto parts = split_address("John.Doe@Sales.Contoso.com.");
  REQUIRE(parts);
  CHECK(parts->local == "John.Doe");
  CHECK(parts->domain == "Sales.Contoso.com.");

  const auto quoted = split_address("\"a@b\"@contoso.com");
  REQUIRE(quoted);
  CHECK(quoted->local == "\"a@b\"");
  CHECK(quoted->domain == "contoso.com");
}

TEST_CASE("split_address refuses what is not local@domain", "[address]") {
  CHECK_FALSE(split_address(""));
  CHECK_FALSE(split_address("postmaster"));
  CHECK_FALSE(split_address("@contoso.com"));
  CHECK_FALSE(split_address("john@"));
}

TEST_CASE("normalize_domain lower-cases ASCII and drops one trailing dot", "[address]") {
  CHECK(normalize_domain("Sales.CONTOSO.com") == "sales.contoso.com");
  CHECK(normalize_domain("contoso.com.") == "contoso.com");
  CHECK(normalize_domain("contoso.com..") == "contoso.com.");
  CHECK(normalize_domain("B\xC3\x9C" "CHER.example") == "b\xC3\x9C" "cher.example");  // non-ASCII kept
  CHECK(normalize_domain("") == "");
}

TEST_CASE("is_ascii", "[address]") {
  CHECK(is_ascii(""));
  CHECK(is_ascii("john@contoso.com"));
  CHECK_FALSE(is_ascii("j\xC3\xB6rg@contoso.com"));
  CHECK_FALSE(is_ascii("\x80"));
}

TEST_CASE("normalize_envelope_address", "[address]") {
  CHECK(normalize_envelope_address("<john@contoso.com>") == "john@contoso.com");
  CHECK(normalize_envelope_address("john@contoso.com") == "john@contoso.com");  // Postfix non-SMTP
  CHECK(normalize_envelope_address("  < john@contoso.com >  ") == "john@contoso.com");
  CHECK(normalize_envelope_address("<>") == "");
  CHECK(normalize_envelope_address("< >") == "");
  CHECK(normalize_envelope_address("") == "");
  CHECK(normalize_envelope_address("\"\"") == "");  // Postfix's non-SMTP null sender
  CHECK(normalize_envelope_address("<\"\">") == "");
  CHECK(normalize_envelope_address("<<a@b>>") == "<a@b>");  // only one pair is removed
}

TEST_CASE("comparable_local_part unquotes a quoted dot-atom (RFC 5322 3.2.4)", "[address][quoted]") {
  std::string buffer;
  CHECK(comparable_local_part("\"adam\"", buffer) == "adam");
  CHECK(comparable_local_part("\"Adam.Smith\"", buffer) == "Adam.Smith");  // case is kept
  CHECK(comparable_local_part("\"a!#$%&'*+-/=?^_`{|}~z\"", buffer) == "a!#$%&'*+-/=?^_`{|}~z");
  CHECK(comparable_local_part("\"ad\\am\"", buffer) == "adam");  // a quoted-pair is its character
  CHECK(comparable_local_part("adam", buffer) == "adam");
  SECTION("content that cannot be written as a dot-atom stays as written") {
    for (const char* local : {"\"john smith\"", "\".adam\"", "\"adam.\"", "\"ad..am\"", "\"\"", "\"a@b\"",
                              "\"a\\\"b\"", "\"adam\\\"", "\"", "\"adam", "adam\""}) {
      INFO(local);
      CHECK(comparable_local_part(local, buffer) == local);
    }
  }
}

TEST_CASE("comparable_local_part writes any other quoted string canonically (RFC 5322 3.2.4)", "[address][quoted]") {
  // A quoted-pair is the character it quotes: only '"' and '\\' keep their backslash.
  std::string buffer;
  CHECK(comparable_local_part("\"john\\ doe\"", buffer) == "\"john doe\"");
  CHECK(comparable_local_part("\"j\\o\\h\\n doe\"", buffer) == "\"john doe\"");
  CHECK(comparable_local_part("\"a\\\"b c\"", buffer) == "\"a\\\"b c\"");
  CHECK(comparable_local_part("\"a\\\\b c\"", buffer) == "\"a\\\\b c\"");
}

TEST_CASE("comparable_address unquotes the local part only", "[address][quoted]") {
  std::string buffer;
  CHECK(comparable_address("\"adam\"@FourthCoffee.com", buffer) == "adam@FourthCoffee.com");
  CHECK(comparable_address("\"a@b\"@contoso.com", buffer) == "\"a@b\"@contoso.com");
  CHECK(comparable_address("\"ad\\am\"@contoso.com", buffer) == "adam@contoso.com");
  CHECK(comparable_address("\"john smith\"@contoso.com", buffer) == "\"john smith\"@contoso.com");
  CHECK(comparable_address("\"adam\"", buffer) == "\"adam\"");  // no domain: left alone
  SECTION("an unquoted address is returned without a copy") {
    const std::string_view plain = "adam@contoso.com";
    CHECK(comparable_address(plain, buffer).data() == plain.data());
  }
}
