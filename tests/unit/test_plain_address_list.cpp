// SPDX-License-Identifier: BSD-2-Clause
// test_plain_address_list.cpp: the plain-form recogniser. Its promise, which lets header_rewriter.cpp
// leave GMime out of a plain value, is checked against GMime itself: every value it calls plain, GMime
// parses without a warning and reads as exactly the addr-specs the raw-text scan finds, over many
// generated values that sit on both sides of the form's edges.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "../../librewrite/src/address_list_scan.h"
#include "../../librewrite/src/gmime_address_list.h"
#include "../../librewrite/src/plain_address_list.h"

using rewrite::detail::is_plain_address_list;

TEST_CASE("plain address lists are recognised", "[plain_address_list]") {
  for (const char* value : {"bob@fabrikam.com", " Bob <bob@fabrikam.com>", "<bob@fabrikam.com>",
                            "Bob Smith <bob.smith@mail.fabrikam.com>, carol+news@example.net",
                            "\"Smith, Bob\" <bob@fabrikam.com>", "O'Brien <o-brien_1@x-y.example>",
                            "Bob<bob@fabrikam.com>", "a@b.c,d@e.f", " \ta@b.c \t, \t\"Q\" \"R\" <d@e.f>\t"}) {
    INFO(value);
    CHECK(is_plain_address_list(value));
  }
}

TEST_CASE("anything outside the plain form is not plain", "[plain_address_list]") {
  for (const char* value : {"", " ", "bob", "bob@", "@fabrikam.com", "bob@fabrikam.com.", "bob@fabrikam..com",
                            "bob..x@fabrikam.com", ".bob@fabrikam.com", "bob@-fabrikam.com", "bob@fabrikam-.com",
                            "a@b.c,", ",a@b.c", "a@b.c,,d@e.f", "a@b.c d@e.f", "a@b.c <d@e.f>",
                            "A <x@b.c> <y@b.c>", "a@b.c; d@e.f", "Team: a@b.c;", "Bob (desk) <bob@b.c>",
                            "bob@b.c (Bob)", "Dr. Bob <bob@b.c>", "\"B\\\"ob\" <bob@b.c>", "\"=?UTF-8?Q?x?=\" <a@b.c>",
                            "=?UTF-8?Q?Bob?= <bob@b.c>", "\"bob\"@b.c", "bob@[192.0.2.1]", "<@r.example:bob@b.c>",
                            "Bob <bob@b.c", "Bob bob@b.c>", "jos\xe9@b.c", "Jos\xe9 <jose@b.c>", "\"J\xc3\xb6rg\" <j@b.c>",
                            "bob@xn--bcher-kva.example", "bob@mail.XN--zz.example", "bob@ab--c.example",
                            "bob@b.c\r\n", "a=b@c.d", "bob!x@b.c", "Bob\"x\" <bob@b.c>", "<bob@b.c> Bob"}) {
    INFO(value);
    CHECK_FALSE(is_plain_address_list(value));
  }
}

namespace {

const std::vector<std::string>& pieces() {
  static const std::vector<std::string> all = {
      "bob", "Carol", "x1", "o-brien", "a_b", "n+tag", "Q", "@", "@", ".", ".", "..", "fabrikam", "com", "example",
      "mail-1", "xn--bcher-kva", "xn--zz", "-", " ", " ", "\t", ",", ", ", "<", ">", "\"", "\"Smith, Bob\"", "'",
      "(", ")", ":", ";", "\\", "=?", "=?UTF-8?Q?x?=", "[", "]", "\xe9", "!", "=", "?", "bob@fabrikam.com",
      "<carol@example.net>", "Bob <bob@fabrikam.com>", "\"Q R\" <q@r.example>"};
  return all;
}

// A random value built from the pieces above, of the plain form and of what lies just outside it.
std::string pieces_value(std::mt19937& random) {
  std::uniform_int_distribution<std::size_t> count(1, 12);
  std::uniform_int_distribution<std::size_t> pick(0, pieces().size() - 1);
  std::string value;
  for (std::size_t n = count(random); n > 0; --n) value += pieces()[pick(random)];
  return value;
}

// A random plain list (members of every plain shape), then, half the time, one piece inserted
// anywhere: most of those land just outside the form.
std::string mutated_plain_value(std::mt19937& random) {
  static const std::vector<std::string> words = {"bob", "Carol", "o-brien", "x_1", "'Q'", "\"Smith, Bob\"", "\"\""};
  static const std::vector<std::string> locals = {"bob", "carol.smith", "n+tag", "a_b-c", "X"};
  static const std::vector<std::string> domains = {"fabrikam.com", "mail-1.example.net", "xn--bcher-kva.example",
                                                   "xn--zz.example", "b.c", "localhost"};
  std::uniform_int_distribution<int> coin(0, 1);
  std::uniform_int_distribution<int> members(1, 4);
  const auto any = [&](const std::vector<std::string>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(random)];
  };
  const auto space = [&] { return std::string(coin(random) ? "" : coin(random) ? " " : " \t "); };
  std::string value;
  for (int n = members(random); n > 0; --n) {
    if (!value.empty()) value += space() + "," + space();
    const std::string addr = any(locals) + "@" + any(domains);
    switch (std::uniform_int_distribution<int>(0, 2)(random)) {
      case 0: value += addr; break;
      case 1: value += "<" + addr + ">"; break;
      default: value += any(words) + (coin(random) ? " " + any(words) : "") + space() + "<" + addr + ">";
    }
  }
  value = space() + value + space();
  if (coin(random)) {
    const std::size_t at = std::uniform_int_distribution<std::size_t>(0, value.size())(random);
    value.insert(at, pieces()[std::uniform_int_distribution<std::size_t>(0, pieces().size() - 1)(random)]);
  }
  return value;
}

}  // namespace

TEST_CASE("what is called plain, GMime reads as the scan does and without a warning", "[plain_address_list]") {
  std::mt19937 random(20261203);
  int plain = 0;
  int with_name = 0;
  for (int i = 0; i < 400000; ++i) {
    const std::string value = (i % 2) ? pieces_value(random) : mutated_plain_value(random);
    if (!is_plain_address_list(value)) continue;
    ++plain;
    if (value.find('<') != std::string::npos) ++with_name;
    INFO("value: [" << value << "]");
    const rewrite::detail::AddressListScan scan = rewrite::detail::scan_address_list(value);
    REQUIRE(scan.error.empty());
    const rewrite::detail::ParsedAddressList parsed = rewrite::detail::parse_address_list(value, 1000);
    REQUIRE(parsed.error.empty());
    REQUIRE(parsed.mailboxes.size() == scan.addresses.size());
    for (std::size_t k = 0; k < scan.addresses.size(); ++k) {
      const std::string token = scan.addresses[k].text(value);
      CHECK(token == parsed.mailboxes[k].addr);
    }
  }
  // The generator must reach the form often, with and without display names, or this proves nothing.
  CHECK(plain > 40000);
  CHECK(with_name > 20000);
}
