// SPDX-License-Identifier: BSD-2-Clause
// collisions.h: checks a rule table against the organisation's list of mailbox addresses for the
// mistakes Exchange leaves to the administrator: flattening that maps two mailboxes onto one external
// address, rewritten addresses no mailbox receives replies on, rules whose result another rule would
// rewrite again, and bidirectional rules whose external address already belongs to another mailbox.
// Thread safety: pure functions; the table is only read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "rewrite/config_error.h"
#include "rewrite/rule_table.h"

namespace rewrite {

// One mailbox from the address list: its addresses (the first is the primary one, the others are
// proxy addresses of the same mailbox) and the line it was read from.
struct Mailbox {
  std::vector<std::string> addresses;
  int line = 0;
  std::string source;  // "": a line of the list's source_name; else where it came from (an entry's DN)
};

struct AddressList {
  std::string source_name;
  std::vector<Mailbox> mailboxes;
  std::vector<ConfigError> errors;  // lines that could not be read (the rest is still used)
};

// Parses an address list: one mailbox per line, its addresses separated by white space (usually just
// one), '#' starting a comment, blank lines ignored. Angle brackets around an address are dropped. A
// word without '@' is an error naming source_name:line.
AddressList parse_address_list(std::string_view text, const std::string& source_name);

struct Finding {
  enum class Kind {
    collision,       // addresses of different mailboxes become the same external address, or one
                     // becomes another mailbox's own address
    undeliverable,   // a rewritten address is no mailbox's address and no rule maps it back inbound
    chain,           // a rule's result would be rewritten again by another rule (rewriting is once)
    bidirectional_conflict,  // a bidirectional rule's external address belongs to another mailbox
  };
  Kind kind = Kind::collision;
  std::string file;  // where to look: the address list or the rules file
  int line = 0;      // line in file
  std::string detail;

  // Returns "file:line: kind: detail".
  std::string to_string() const;
};

// Returns "collision", "undeliverable", "chain" or "bidirectional-conflict".
const char* to_string(Finding::Kind kind);

// Checks table against list (addresses compared case-insensitively). Findings about listed addresses
// (collisions, undeliverable results, address chains) come first in list order, then findings about
// rules (chains, bidirectional conflicts) in rule order. A rewritten address
// counts as deliverable when it is any listed mailbox's address (a proxy address, as the seed's fix
// prescribes) or a bidirectional rule maps it back inbound.
std::vector<Finding> check_addresses(const RuleTable& table, const AddressList& list);

}  // namespace rewrite
