// SPDX-License-Identifier: BSD-2-Clause
// address_mode.cpp: `rewrite-test --outbound ADDR` / `--inbound ADDR`: one address through the table,
// with the table's own account of why.
#include <ostream>

#include "modes.h"
#include "rewrite/address.h"
#include "rewrite/offline/explain.h"
#include "rewrite/offline/shared_space_cases.h"

namespace rewrite::tool {
namespace {

// Prints the table's account of the decision, without its first line when that only repeats the
// direction and address already printed.
void print_account(std::ostream& out, const std::string& account, const std::string& heading) {
  std::size_t pos = 0;
  if (account.compare(0, heading.size() + 1, heading + "\n") == 0) {
    pos = heading.size() + 1;
  }
  out << account.substr(pos);
  if (!account.empty() && account.back() != '\n') {
    out << '\n';
  }
}

// Prints the result for one address in one direction.
void explain_one(const RuleTable& table, const std::string& raw, Direction direction,
                 std::ostream& out) {
  const std::string address = normalize_envelope_address(raw);
  const std::string shown = address.empty() ? "<>" : address;
  const Lookup lookup = table.lookup(address, direction);
  out << to_string(direction) << ' ' << shown;
  if (lookup.rewritten) {
    out << " -> " << lookup.address;
    if (lookup.rule != nullptr) {
      out << " (rule " << lookup.rule->name() << ", " << table.location_of(*lookup.rule) << ')';
    }
    out << '\n';
  } else {
    out << ": unchanged\n";
  }
  print_account(out, explain_lookup(table, address, direction),
                std::string(to_string(direction)) + " <" + address + ">");
}

}  // namespace

int run_address_mode(const Options& options, const RuleTable& table, const SharedSpace* space, std::ostream& out) {
  for (const std::string& address : options.outbound_addresses) {
    explain_one(table, address, Direction::outbound, out);
  }
  for (const std::string& address : options.inbound_addresses) {
    explain_one(table, address, Direction::inbound, out);
    if (space != nullptr) {
      const std::string account =
          describe_recipient(*space, table, Direction::inbound, normalize_envelope_address(address));
      if (!account.empty()) {
        out << "shared space " << space->settings().shared_domain << ": " << account << '\n';
      }
    }
  }
  return kExitOk;
}

}  // namespace rewrite::tool
