// SPDX-License-Identifier: BSD-2-Clause
// test_rule_hash_index.cpp: the rule table's flat hash index (colliding hashes, probing past other keys,
// growth, batches put in slot order) and its case-insensitive key hash, then a large table whose every
// rule must still be found.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "../../librewrite/src/rule_hash_index.h"
#include "../../librewrite/src/text_util.h"
#include "rewrite/rule_table.h"

using rewrite::detail::HashIndex;

namespace {

// Returns the value of hash whose key is key in index over keys (values are positions in keys).
std::uint32_t find(const HashIndex& index, const std::vector<std::string>& keys, std::uint64_t hash,
                   const std::string& key) {
  return index.find(hash, [&](std::uint32_t value) { return keys[value] == key; });
}

// Inserts keys[value] under hash; returns what insert returns.
std::uint32_t insert(HashIndex& index, const std::vector<std::string>& keys, std::uint64_t hash, std::uint32_t value) {
  return index.insert(hash, value, [&](std::uint32_t other) { return keys[other] == keys[value]; });
}

}  // namespace

TEST_CASE("hash index: an empty index finds nothing", "[rule_hash_index]") {
  const HashIndex never_filled;
  CHECK(never_filled.find(42, [](std::uint32_t) { return true; }) == HashIndex::kNone);
  HashIndex reserved;
  reserved.reserve(0);
  CHECK(reserved.find(42, [](std::uint32_t) { return true; }) == HashIndex::kNone);
  CHECK(reserved.size() == 0);
}

TEST_CASE("hash index: keys with one hash are told apart by the caller's key check", "[rule_hash_index]") {
  const std::vector<std::string> keys = {"alpha", "beta", "gamma", "alpha"};
  HashIndex index;
  index.reserve(3);
  const std::uint64_t same = 0x123456789abcdef0ull;
  CHECK(insert(index, keys, same, 0) == HashIndex::kNone);
  CHECK(insert(index, keys, same, 1) == HashIndex::kNone);
  CHECK(insert(index, keys, same, 2) == HashIndex::kNone);
  CHECK(find(index, keys, same, "alpha") == 0);
  CHECK(find(index, keys, same, "beta") == 1);
  CHECK(find(index, keys, same, "gamma") == 2);
  CHECK(find(index, keys, same, "delta") == HashIndex::kNone);
  SECTION("a second key equal to a stored one is refused with the first one's value") {
    CHECK(insert(index, keys, same, 3) == 0);
    CHECK(index.size() == 3);
  }
}

TEST_CASE("hash index: probes run past other keys' slots and wrap around", "[rule_hash_index]") {
  // Eight slots: the home slot is the top three bits. Three keys want the last slot, so they fill slots
  // 7, 0 and 1.
  std::vector<std::string> keys;
  HashIndex index;
  index.reserve(4);
  REQUIRE(index.capacity() == 8);
  for (std::uint32_t i = 0; i < 3; ++i) {
    keys.push_back("key" + std::to_string(i));
    const std::uint64_t hash = (0xe0000000ull + i) << 32;  // top bits 111: slot 7; tags differ
    REQUIRE(insert(index, keys, hash, i) == HashIndex::kNone);
  }
  for (std::uint32_t i = 0; i < 3; ++i) CHECK(find(index, keys, (0xe0000000ull + i) << 32, keys[i]) == i);
  CHECK(find(index, keys, (0xe0000000ull + 9) << 32, "key9") == HashIndex::kNone);
  // A key whose home is slot 0 goes past the wrapped keys to slot 2, and is still found.
  keys.push_back("zero");
  REQUIRE(insert(index, keys, 0x0000000500000000ull, 3) == HashIndex::kNone);
  REQUIRE(index.capacity() == 8);
  CHECK(find(index, keys, 0x0000000500000000ull, "zero") == 3);
  for (std::uint32_t i = 0; i < 3; ++i) CHECK(find(index, keys, (0xe0000000ull + i) << 32, keys[i]) == i);
}

TEST_CASE("hash index: grows past its reservation and keeps every entry", "[rule_hash_index]") {
  std::vector<std::string> keys;
  HashIndex index;
  for (std::uint32_t i = 0; i < 5000; ++i) {
    keys.push_back("domain" + std::to_string(i) + ".example");
    REQUIRE(insert(index, keys, rewrite::detail::hash_ignoring_case(keys[i]), i) == HashIndex::kNone);
  }
  CHECK(index.size() == 5000);
  CHECK(index.capacity() >= 10000);
  for (std::uint32_t i = 0; i < 5000; ++i) {
    REQUIRE(find(index, keys, rewrite::detail::hash_ignoring_case(keys[i]), keys[i]) == i);
  }
}

namespace {

// Inserts keys[first..end) (values are positions in keys) under the hashes given as one batch.
void insert_batch(HashIndex& index, const std::vector<std::string>& keys, const std::vector<std::uint64_t>& hashes,
                  std::uint32_t first, std::uint32_t end, std::vector<HashIndex::Pending>& sorted,
                  std::vector<std::pair<std::uint32_t, std::uint32_t>>& duplicates) {
  std::vector<HashIndex::Pending> batch;
  for (std::uint32_t i = first; i < end; ++i) batch.push_back(HashIndex::pending(hashes[i], i));
  index.insert_batch(
      batch, sorted, [&](std::uint32_t stored, std::uint32_t value) { return keys[stored] == keys[value]; },
      [&](std::uint32_t stored, std::uint32_t value) { duplicates.emplace_back(stored, value); });
}

}  // namespace

TEST_CASE("hash index: batches keep the first of equal keys, in the batch and across batches", "[rule_hash_index]") {
  // 20,000 keys over 2^16 slots: 16 slot regions of the sort's 4096 buckets each; every 1000th key
  // comes back later, in the same batch or a later one, in another case of its hash's bits.
  std::vector<std::string> keys;
  std::vector<std::uint64_t> hashes;
  for (std::uint32_t i = 0; i < 20000; ++i) {
    const bool again = i % 1000 == 999;
    keys.push_back(again ? keys[i - 990] : "key" + std::to_string(i));
    hashes.push_back(rewrite::detail::hash_ignoring_case(keys.back()));
  }
  HashIndex index;
  index.reserve(20000);
  REQUIRE(index.capacity() == 65536);
  std::vector<HashIndex::Pending> sorted;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> duplicates;
  insert_batch(index, keys, hashes, 0, 5000, sorted, duplicates);
  insert_batch(index, keys, hashes, 5000, 20000, sorted, duplicates);
  CHECK(index.size() == 20000 - 20);
  REQUIRE(duplicates.size() == 20);
  std::sort(duplicates.begin(), duplicates.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  for (std::size_t n = 0; n < duplicates.size(); ++n) {
    const std::uint32_t later = static_cast<std::uint32_t>(n * 1000 + 999);
    INFO("key " << later);
    CHECK(duplicates[n].second == later);
    CHECK(duplicates[n].first == later - 990);  // the first one stays, wherever the batch ended
  }
  for (std::uint32_t i = 0; i < 20000; ++i) {
    const std::uint32_t expected = i % 1000 == 999 ? i - 990 : i;
    REQUIRE(find(index, keys, hashes[i], keys[i]) == expected);
  }
  CHECK(find(index, keys, rewrite::detail::hash_ignoring_case("key20000"), "key20000") == HashIndex::kNone);
}

TEST_CASE("hash index: a batch fills slots that wrap around, and one inserted before it keeps its slot",
          "[rule_hash_index]") {
  // Eight slots; the top three bits pick the home slot. "alone" was inserted first, in slot 1. The
  // batch lists two keys for the last slot before one for slot 0: in slot order, "zero" takes slot 0,
  // "last0" slot 7, and "last1" wraps past both to slot 2.
  const std::vector<std::string> keys = {"alone", "last0", "last1", "zero"};
  const std::vector<std::uint64_t> hashes = {0x2000000100000000ull, 0xe000000300000000ull, 0xe000000400000000ull,
                                             0x0000000200000000ull};
  HashIndex index;
  index.reserve(4);
  REQUIRE(index.capacity() == 8);
  REQUIRE(insert(index, keys, hashes[0], 0) == HashIndex::kNone);
  std::vector<HashIndex::Pending> sorted;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> duplicates;
  insert_batch(index, keys, hashes, 1, 4, sorted, duplicates);
  CHECK(duplicates.empty());
  CHECK(index.size() == 4);
  CHECK(index.capacity() == 8);
  for (std::uint32_t i = 0; i < 4; ++i) CHECK(find(index, keys, hashes[i], keys[i]) == i);
}

TEST_CASE("hash index: a batch larger than the room left grows the slots first", "[rule_hash_index]") {
  std::vector<std::string> keys;
  std::vector<std::uint64_t> hashes;
  for (std::uint32_t i = 0; i < 3000; ++i) {
    keys.push_back("grow" + std::to_string(i) + ".example");
    hashes.push_back(rewrite::detail::hash_ignoring_case(keys.back()));
  }
  HashIndex index;
  std::vector<HashIndex::Pending> sorted;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> duplicates;
  insert_batch(index, keys, hashes, 0, 1000, sorted, duplicates);
  insert_batch(index, keys, hashes, 1000, 3000, sorted, duplicates);
  CHECK(duplicates.empty());
  CHECK(index.size() == 3000);
  CHECK(index.capacity() >= 6000);
  for (std::uint32_t i = 0; i < 3000; ++i) REQUIRE(find(index, keys, hashes[i], keys[i]) == i);
}

TEST_CASE("key hash: equal for keys equal ignoring ASCII case, at every length around the word size",
          "[rule_hash_index]") {
  using rewrite::detail::hash_ignoring_case;
  const std::string letters = "abcdefghijklmnopqrstuvwxyz@.-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (std::size_t length = 0; length <= 40; ++length) {
    std::string lower, upper, mixed;
    for (std::size_t i = 0; i < length; ++i) {
      const char c = letters[(i * 7) % 26];
      lower += c;
      upper += static_cast<char>(c - 'a' + 'A');
      mixed += i % 2 ? static_cast<char>(c - 'a' + 'A') : c;
    }
    INFO("length " << length);
    CHECK(hash_ignoring_case(lower) == hash_ignoring_case(upper));
    CHECK(hash_ignoring_case(lower) == hash_ignoring_case(mixed));
    if (length > 0) {
      // One byte changed anywhere, or the key cut short, must change the hash.
      std::string changed = lower;
      changed[length / 2] = changed[length / 2] == 'z' ? 'y' : 'z';
      CHECK(hash_ignoring_case(changed) != hash_ignoring_case(lower));
      CHECK(hash_ignoring_case(lower.substr(0, length - 1)) != hash_ignoring_case(lower));
    }
  }
}

TEST_CASE("key hash: only ASCII letters fold", "[rule_hash_index]") {
  using rewrite::detail::hash_ignoring_case;
  // '@' (0x40) and '`' (0x60), '[' (0x5b) and '{' (0x7b) differ by the case bit but are not letters.
  CHECK(hash_ignoring_case("a@b.example") != hash_ignoring_case("a`b.example"));
  CHECK(hash_ignoring_case("x[y]z.example") != hash_ignoring_case("x{y}z.example"));
  // Bytes above 0x7f are compared as they are: 0xC3 0x89 (É) and 0xC3 0xA9 (é) stay different.
  CHECK(hash_ignoring_case("\xc3\x89t\xc3\xa9.example") != hash_ignoring_case("\xc3\xa9t\xc3\xa9.example"));
  CHECK(hash_ignoring_case("\xc3\x89T\xc3\xa9.example") == hash_ignoring_case("\xc3\x89t\xc3\xa9.EXAMPLE"));
}

TEST_CASE("a table of thousands of rules finds each one, in any case, and nothing else", "[rule_hash_index]") {
  std::string text;
  for (int i = 0; i < 3000; ++i) {
    const std::string n = std::to_string(i);
    text += "user" + n + "@org" + n + ".example ext" + n + "@partner.example\n";
    text += "dept" + n + ".example d" + n + ".example\n";
    text += "*.group" + n + ".example g" + n + ".example\n";
  }
  const rewrite::LoadResult loaded = rewrite::RuleTable::parse(text, "many.rules");
  INFO(rewrite::format_errors(loaded.errors));
  REQUIRE(loaded.ok());
  const rewrite::RuleTable& table = *loaded.table;
  for (int i = 0; i < 3000; ++i) {
    const std::string n = std::to_string(i);
    INFO("rule set " << n);
    REQUIRE(table.lookup("USER" + n + "@Org" + n + ".EXAMPLE", rewrite::Direction::outbound).address ==
            "ext" + n + "@partner.example");
    REQUIRE(table.lookup("a@DEPT" + n + ".example", rewrite::Direction::outbound).address == "a@d" + n + ".example");
    REQUIRE(table.lookup("a@x.y.Group" + n + ".example", rewrite::Direction::outbound).address ==
            "a@g" + n + ".example");
    REQUIRE(table.lookup("Ext" + n + "@Partner.example", rewrite::Direction::inbound).address ==
            "user" + n + "@org" + n + ".example");
    REQUIRE(table.is_internal_domain("ORG" + n + ".example"));
  }
  CHECK_FALSE(table.lookup("user1@org2.example", rewrite::Direction::outbound).rewritten);
  CHECK_FALSE(table.lookup("a@dept3000.example", rewrite::Direction::outbound).rewritten);
  CHECK_FALSE(table.lookup("a@group3000.example", rewrite::Direction::outbound).rewritten);
  CHECK_FALSE(table.lookup("ext1@partner.example.org", rewrite::Direction::inbound).rewritten);
  CHECK(table.is_internal_domain("partner.example"));
  CHECK_FALSE(table.is_internal_domain("org3000.example"));
}

TEST_CASE("word lower-casing changes exactly the ASCII capitals, in every byte position", "[rule_hash_index]") {
  using rewrite::detail::ascii_lower_word;
  for (int position = 0; position < 8; ++position) {
    for (int value = 0; value < 256; ++value) {
      // The other bytes cycle through values that sit at the edges of the capital range.
      const unsigned char around[8] = {'@', 'A', 'Z', '[', 0x7f, 0x80, 0xc1, 0xff};
      unsigned char bytes[8];
      for (int i = 0; i < 8; ++i) bytes[i] = around[(i + value) % 8];
      bytes[position] = static_cast<unsigned char>(value);
      std::uint64_t word;
      std::memcpy(&word, bytes, 8);
      const std::uint64_t lowered = ascii_lower_word(word);
      unsigned char out[8];
      std::memcpy(out, &lowered, 8);
      for (int i = 0; i < 8; ++i) {
        const unsigned char expected = bytes[i] >= 'A' && bytes[i] <= 'Z' ? bytes[i] + 32 : bytes[i];
        INFO("position " << position << " value " << value << " byte " << i);
        REQUIRE(out[i] == expected);
      }
    }
  }
}

TEST_CASE("duplicates far apart and in any case are reported in rule order against the first rule",
          "[rule_hash_index]") {
  std::string text;
  for (int i = 1; i <= 40; ++i) text += "user" + std::to_string(i) + "@org.example ext" + std::to_string(i) + "@x.example\n";
  text += "USER3@ORG.example other@y.example outbound-only\n";  // line 41: line 3's (domains are lower-cased)
  text += "new@org.example ext39@x.example\n";                  // line 42: same external as line 39
  text += "user40@org.example z@z.example outbound-only\n";     // line 43: same internal as line 40
  const rewrite::LoadResult loaded = rewrite::RuleTable::parse(text, "dup.rules");
  REQUIRE(loaded.errors.size() == 3);
  CHECK(loaded.errors[0].line == 41);
  CHECK_THAT(loaded.errors[0].reason, Catch::StartsWith("duplicate rule for 'USER3@org.example' (first at dup.rules:3)"));
  CHECK(loaded.errors[1].line == 42);
  CHECK_THAT(loaded.errors[1].reason,
             Catch::StartsWith("bidirectional rules must be unique: 'new@org.example' and 'user39@org.example' "
                               "(dup.rules:39) both map to 'ext39@x.example'"));
  CHECK(loaded.errors[2].line == 43);
  CHECK_THAT(loaded.errors[2].reason, Catch::StartsWith("duplicate rule for 'user40@org.example' (first at dup.rules:40)"));
}
