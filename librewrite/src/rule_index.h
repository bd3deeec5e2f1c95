// SPDX-License-Identifier: BSD-2-Clause
// rule_index.h (private): the hash indexes a RuleTable is searched through. Each maps a key's hash to a
// rule number and confirms a candidate against the table's own rule, ignoring ASCII case, so a lookup
// copies nothing. Filled once by the table's constructor (rule_table.cpp), read-only afterwards.
//
// Keys are compared in comparable form (comparable_address in address.h): an address whose local part is
// a quoted dot-atom ("adam"@x) is keyed, hashed and confirmed as the unquoted address (adam@x), on the
// rule's side and on the looked-up side alike. Only a side starting with '"' pays for that.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "rewrite/address.h"
#include "rewrite/rule_table.h"
#include "rule_hash_index.h"
#include "text_util.h"

namespace rewrite {

// True when a rule's side (a domain, or an address as written in the rules file) is key, a domain or an
// address in comparable form, ignoring ASCII case.
inline bool is_rule_key(std::string_view side, std::string_view key) {
  if (side.empty() || side.front() != '"') return detail::iequals(side, key);
  std::string buffer;
  return detail::iequals(comparable_address(side, buffer), key);
}

// Returns the hash a rule's side is indexed under: that of its comparable form.
inline std::uint64_t hash_rule_key(std::string_view side) {
  std::string buffer;
  return detail::hash_ignoring_case(comparable_address(side, buffer));
}

struct RuleTable::Index {
  static constexpr std::uint32_t kNone = detail::HashIndex::kNone;

  detail::HashIndex by_address;       // address rules by internal address
  detail::HashIndex by_domain;        // domain rules by internal domain
  detail::HashIndex by_wildcard;      // wildcard rules by the domain after "*."
  detail::HashIndex by_external;      // bidirectional address rules by external address (inbound)
  detail::HashIndex address_domains;  // domains of address rules: 2 * rule number, + 1 for the external side
  // Bit n set: some wildcard rule's domain has n labels (bit 63: 63 or more). A suffix with a label count
  // no wildcard rule has cannot match, so the walk skips its probe.
  std::uint64_t wildcard_label_counts = 0;

  // Returns the bit of wildcard_label_counts for a domain of the given number of labels.
  static std::uint64_t label_bit(std::size_t labels) { return std::uint64_t{1} << (labels < 63 ? labels : 63); }

  // True when some wildcard rule has a domain of the given number of labels.
  bool has_wildcards_of(std::size_t labels) const { return (wildcard_label_counts & label_bit(labels)) != 0; }

  // Returns the number of the rule in map (by_address, by_domain or by_wildcard) whose internal side is
  // key (in comparable form; its hash is hash), or kNone.
  static std::uint32_t find_internal(const detail::HashIndex& map, const std::vector<Rule>& rules, std::string_view key,
                                     std::uint64_t hash) {
    return map.find(hash, [&](std::uint32_t i) { return is_rule_key(rules[i].internal, key); });
  }

  // Returns the number of the bidirectional rule whose external address is address (in comparable form;
  // its hash is hash), or kNone.
  std::uint32_t find_external(const std::vector<Rule>& rules, std::string_view address, std::uint64_t hash) const {
    return by_external.find(hash, [&](std::uint32_t i) { return is_rule_key(rules[i].external, address); });
  }

  // Returns the domain an address_domains value stands for.
  static std::string_view address_domain(const std::vector<Rule>& rules, std::uint32_t value) {
    const std::string_view side = value % 2 == 0 ? rules[value / 2].internal : rules[value / 2].external;
    return side.substr(side.rfind('@') + 1);
  }
};

// Returns the number of labels of domain (dots plus one).
inline std::size_t label_count(std::string_view domain) {
  std::size_t labels = 1;
  for (const char c : domain) labels += c == '.';
  return labels;
}

// The suffixes of a domain at label boundaries (the domain itself first, then each parent) that some
// wildcard rule could match, most specific first, with their hashes. Hashes a few ahead and prefetches
// their slots, so that the memory accesses of several probes overlap; construct it before checking
// other indexes to overlap with those too.
class WildcardSuffixes {
 public:
  // domain_hash is hash_ignoring_case(domain), which the caller has already computed.
  WildcardSuffixes(const RuleTable::Index& index, std::string_view domain, std::uint64_t domain_hash)
      : index_(index), rest_(domain), labels_(label_count(domain)), domain_hash_(domain_hash) {
    fill();
  }

  // Sets suffix and hash to the next candidate and returns true, or returns false when there is none.
  bool next(std::string_view& suffix, std::uint64_t& hash) {
    if (taken_ == count_) {
      if (done_) return false;
      fill();
      if (count_ == 0) return false;
    }
    suffix = batch_[taken_].suffix;
    hash = batch_[taken_].hash;
    ++taken_;
    return true;
  }

 private:
  static constexpr int kBatch = 8;

  // Hashes and prefetches up to kBatch more candidates.
  void fill() {
    count_ = taken_ = 0;
    while (!done_ && count_ < kBatch) {
      if (index_.has_wildcards_of(labels_)) {
        const std::uint64_t hash = rest_.size() == domain_size_ ? domain_hash_ : detail::hash_ignoring_case(rest_);
        index_.by_wildcard.prefetch(hash);
        batch_[count_++] = Candidate{rest_, hash};
      }
      const std::size_t dot = rest_.find('.');
      if (dot == std::string_view::npos) {
        done_ = true;
      } else {
        rest_.remove_prefix(dot + 1);
        --labels_;
      }
    }
  }

  struct Candidate {
    std::string_view suffix;
    std::uint64_t hash;
  };

  const RuleTable::Index& index_;
  std::string_view rest_;  // the next suffix to consider
  std::size_t labels_;     // its label count
  std::uint64_t domain_hash_;               // the hash of the whole domain, the first suffix
  std::size_t domain_size_ = rest_.size();  // a suffix this long is the whole domain
  bool done_ = false;
  Candidate batch_[kBatch];
  int count_ = 0;
  int taken_ = 0;
};

}  // namespace rewrite
