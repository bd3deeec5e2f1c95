// SPDX-License-Identifier: BSD-2-Clause
// rule.h: one address rewriting rule as loaded from a rules file (see rewrite-rules(5)).
// Thread safety: plain value type; rules are immutable once inside a RuleTable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rewrite {

enum class RuleKind {
  address,   // john@contoso.com -> support@contoso.com (whole address)
  domain,    // sales.contoso.com -> contoso.com (exactly that domain; local part kept)
  wildcard,  // *.contoso.com -> contoso.com (contoso.com and every subdomain; local part kept)
};

// Returns "address", "domain" or "wildcard".
const char* to_string(RuleKind kind);

// The two formats of a rules file.
enum class RuleFormat {
  detect,  // CSV when the first non-comment line is an Exchange CSV header, native otherwise
  native,  // INTERNAL EXTERNAL [options]  (rewrite-rules(5))
  csv,     // Exchange's export: columns Name,InternalAddress,ExternalAddress,ExceptionList,OutboundOnly
           // found by name in the header (others, such as Identity or Guid, ignored)
};

struct Rule {
  RuleKind kind = RuleKind::domain;
  // Internal side, normalised: no trailing dot, domain lower-cased. For a wildcard rule the domain after
  // "*."; for an address rule "local@domain" with the local part as written (compared without case, and
  // a quoted dot-atom as that dot-atom: see comparable_address in address.h).
  std::string internal;
  // External side as written (domain lower-cased): an address for address rules, a domain otherwise.
  std::string external;
  bool bidirectional = false;           // address rules only: inbound RCPT external -> internal
  std::vector<std::string> exceptions;  // wildcard rules only: normalised domains not to rewrite
  std::string name;                     // from name=..., or the internal side as written
  int line = 0;                         // line in the source file (CSV: the record's line)
  std::uint32_t source = 0;             // which file of the table (RuleTable::source_of)
};

// One rule as a directory entry holds it (rewrite-milter.conf(5) DIRECTORY), before checking: the
// entry's DN, its internal and external sides, its option words as a rules file writes them
// (outbound-only, bidirectional, except=DOMAINS, name=NAME) and the name it has when no name= option is
// given (the entry's own name; "" for the internal side as written).
struct RuleFields {
  std::string source;
  std::string internal;
  std::string external;
  std::vector<std::string> options;
  std::string name;
};

}  // namespace rewrite
