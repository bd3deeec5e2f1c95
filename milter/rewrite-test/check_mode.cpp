// SPDX-License-Identifier: BSD-2-Clause
// check_mode.cpp: `rewrite-test --check-addresses FILE`: checks the rules against the organisation's
// mailboxes for collisions, undeliverable results, chains and bidirectional conflicts.
#include <ostream>

#include "modes.h"
#include "rewrite/offline/collisions.h"

namespace rewrite::tool {

int run_check_mode(const Options& options, const RuleTable& table, std::ostream& out,
                   std::ostream& err) {
  const Result<std::string> text = read_input(options.address_list, "address list");
  if (!text) {
    err << "rewrite-test: " << text.error().message() << '\n';
    return kExitConfig;  // an input file refused, as a rules file would be
  }
  const AddressList list = parse_address_list(*text, display_name(options.address_list));
  for (const ConfigError& problem : list.errors) {
    out << problem.to_string() << '\n';
  }
  const std::vector<Finding> findings = check_addresses(table, list);
  for (const Finding& finding : findings) {
    out << finding.to_string() << '\n';
  }
  const std::size_t total = findings.size() + list.errors.size();
  std::size_t addresses = 0;
  for (const Mailbox& mailbox : list.mailboxes) {
    addresses += mailbox.addresses.size();
  }
  out << addresses << (addresses == 1 ? " address" : " addresses") << " checked, " << total
      << (total == 1 ? " finding" : " findings") << '\n';
  return total == 0 ? kExitOk : kExitFindings;
}

}  // namespace rewrite::tool
