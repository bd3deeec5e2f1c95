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
};

}  // namespace rewrite
