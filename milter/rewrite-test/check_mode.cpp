// SPDX-License-Identifier: BSD-2-Clause
// check_mode.cpp: `rewrite-test --check-addresses FILE`: checks the rules against the organisation's
// mailboxes (a list file, or the entries an LDAP URL finds, each named by its DN) for collisions,
// undeliverable results, chains and bidirectional conflicts.
#include <ostream>

#include "directory_config.h"
#include "modes.h"
#include "rewrite/offline/collisions.h"

namespace rewrite::tool {

namespace {

// The organisation's mailboxes from a directory: one per entry, named by its DN.
Result<AddressList> directory_list(const std::string& url, const ToolConfig& config) {
  const Result<std::vector<directory::DirectoryEntry>> entries =
      directory::search_addresses(url, config.directory.access);
  if (!entries) return entries.error();
  AddressList list;
  list.source_name = url;
  for (const directory::DirectoryEntry& entry : *entries) {
    if (entry.addresses.empty()) continue;
    Mailbox mailbox;
    mailbox.addresses = entry.addresses;
    mailbox.source = entry.dn;
    list.mailboxes.push_back(std::move(mailbox));
  }
  return list;
}

}  // namespace

int run_check_mode(const Options& options, const RuleTable& table, const ToolConfig& config, std::ostream& out,
                   std::ostream& err) {
  AddressList list;
  if (directory::is_ldap_url(options.address_list)) {
    Result<AddressList> found = directory_list(options.address_list, config);
    if (!found) {
      err << "rewrite-test: " << options.address_list << ": " << found.error().message() << '\n';
      return kExitConfig;
    }
    list = std::move(*found);
  } else {
    const Result<std::string> text = read_input(options.address_list, "address list");
    if (!text) {
      err << "rewrite-test: " << text.error().message() << '\n';
      return kExitConfig;  // an input file refused, as a rules file would be
    }
    list = parse_address_list(*text, display_name(options.address_list));
  }
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
