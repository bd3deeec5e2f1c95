// SPDX-License-Identifier: BSD-2-Clause
// directory_lists.cpp: recipient lists from files or LDAP, with the snapshot cache (see directory_lists.h).
#include "directory_lists.h"

#include <set>

#include "rewrite/address.h"

namespace rewrite::directory {
namespace {

// The directory's entries as list entries: each address in the shared domain once, named by its DN.
std::vector<SharedSpace::ListEntry> in_shared_domain(const std::vector<DirectoryEntry>& found,
                                                     const std::string& shared_domain) {
  std::vector<SharedSpace::ListEntry> entries;
  std::set<std::string> seen;
  const std::string domain = normalize_domain(shared_domain);
  for (const DirectoryEntry& entry : found) {
    for (const std::string& address : entry.addresses) {
      const auto parts = split_address(address);
      if (!parts || normalize_domain(parts->domain) != domain) continue;
      if (!seen.insert(lower_ascii(address)).second) continue;
      entries.push_back({entry.dn, 0, address});
    }
  }
  return entries;
}

// The text of a recipient list file holding entries, each line naming its entry's DN.
std::string list_text(const std::vector<SharedSpace::ListEntry>& entries) {
  std::string text;
  for (const SharedSpace::ListEntry& entry : entries) text += entry.address + " # " + entry.source + "\n";
  return text;
}

}  // namespace

bool uses_directory(const SharedSpaceSettings& settings) {
  return is_ldap_url(settings.local_recipients) || is_ldap_url(settings.cloud_recipients);
}

DirectoryLists::DirectoryLists(DirectorySettings settings, Warn warn)
    : settings_(std::move(settings)), cache_(settings_.cache_dir, std::move(warn)) {}

bool DirectoryLists::read(const std::string& list, const char* cache_name, const std::string& shared_domain,
                          std::vector<SharedSpace::ListEntry>& entries, std::vector<ConfigError>& errors) {
  if (!is_ldap_url(list)) return SharedSpace::read_list(list, entries, errors);
  const Result<std::vector<DirectoryEntry>> found = search_addresses(list, settings_.access);
  if (found) {
    entries = in_shared_domain(*found, shared_domain);
    cache_.keep(cache_name, list, std::to_string(entries.size()) + " addresses", list_text(entries));
    return true;
  }
  const std::string cached = cache_.fallback(cache_name, list, found.error(), errors);
  return !cached.empty() && SharedSpace::read_list(cached, entries, errors);
}

std::shared_ptr<const SharedSpace> DirectoryLists::load(const SharedSpaceSettings& settings, const std::string& source,
                                                        std::vector<ConfigError>& errors) {
  if (!uses_directory(settings)) return SharedSpace::load(settings, source, errors);
  for (const std::string* list : {&settings.local_recipients, &settings.cloud_recipients}) {
    if (!is_ldap_url(*list)) continue;
    if (const Error error = check_ldap_url(*list); error) {
      errors.push_back({source, 0, error.message()});
      return nullptr;
    }
  }
  const std::size_t before = errors.size();
  std::vector<SharedSpace::ListEntry> local;
  std::vector<SharedSpace::ListEntry> cloud;
  read(settings.local_recipients, "local-recipients", settings.shared_domain, local, errors);
  if (!settings.cloud_recipients.empty()) {
    read(settings.cloud_recipients, "cloud-recipients", settings.shared_domain, cloud, errors);
  }
  cache_.first_load_done();
  if (errors.size() != before) return nullptr;
  return SharedSpace::from_entries(settings, local, cloud, source, errors);
}

}  // namespace rewrite::directory
