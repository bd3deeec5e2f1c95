// rule_index.h (private): the hash indexes a RuleTable is searched through. Keys are views into the
// table's own rules, compared without ASCII case, so a lookup copies nothing.
#pragma once

#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "rewrite/rule_table.h"
#include "text_util.h"

namespace rewrite {

struct RuleTable::Index {
  using Map = std::unordered_map<std::string_view, std::uint32_t, detail::CaseInsensitiveHash,
                                 detail::CaseInsensitiveEqual>;
  Map by_address;   // address rules by internal address
  Map by_domain;    // domain rules by internal domain
  Map by_wildcard;  // wildcard rules by the domain after "*."
  Map by_external;  // bidirectional address rules by external address (inbound)
  std::unordered_set<std::string_view, detail::CaseInsensitiveHash, detail::CaseInsensitiveEqual>
      address_domains;  // domains of both sides of address rules
  // Bit n set: some wildcard rule's domain has n labels (bit 63: 63 or more). A suffix with a label count
  // no wildcard rule has cannot match, so the walk skips its probe.
  std::uint64_t wildcard_label_counts = 0;

  // Returns the bit of wildcard_label_counts for a domain of the given number of labels.
  static std::uint64_t label_bit(std::size_t labels) { return std::uint64_t{1} << (labels < 63 ? labels : 63); }

  // True when some wildcard rule has a domain of the given number of labels.
  bool has_wildcards_of(std::size_t labels) const { return (wildcard_label_counts & label_bit(labels)) != 0; }
};

// Returns the number of labels of domain (dots plus one).
inline std::size_t label_count(std::string_view domain) {
  std::size_t labels = 1;
  for (const char c : domain) labels += c == '.';
  return labels;
}

}  // namespace rewrite
