// SPDX-License-Identifier: BSD-2-Clause
// directory_lists.cpp: recipient lists from files or LDAP, with the snapshot cache (see directory_lists.h).
#include "directory_lists.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <set>

#include "rewrite/address.h"

namespace rewrite::directory {
namespace {

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

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
      if (!seen.insert(lower(address)).second) continue;
      entries.push_back({entry.dn, 0, address});
    }
  }
  return entries;
}

// Writes entries as a recipient list file, replacing path only once it is complete.
bool write_snapshot(const std::string& path, const std::string& url, const std::vector<SharedSpace::ListEntry>& entries) {
  const std::string temporary = path + ".new";
  FILE* file = std::fopen(temporary.c_str(), "w");
  if (file == nullptr) return false;
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  bool ok = std::fprintf(file, "# rewrite-milter: snapshot of %s at %s (%zu addresses)\n", url.c_str(), stamp,
                         entries.size()) > 0;
  for (const SharedSpace::ListEntry& entry : entries) {
    ok = ok && std::fprintf(file, "%s # %s\n", entry.address.c_str(), entry.source.c_str()) > 0;
  }
  ok = (std::fflush(file) == 0) && ok && fsync(fileno(file)) == 0;
  ok = (std::fclose(file) == 0) && ok;
  if (!ok || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return false;
  }
  return true;
}

}  // namespace

bool uses_directory(const SharedSpaceSettings& settings) {
  return is_ldap_url(settings.local_recipients) || is_ldap_url(settings.cloud_recipients);
}

DirectoryLists::DirectoryLists(DirectorySettings settings, Warn warn)
    : settings_(std::move(settings)), warn_(std::move(warn)) {}

bool DirectoryLists::read(const std::string& list, const char* cache_name, const std::string& shared_domain,
                          std::vector<SharedSpace::ListEntry>& entries, std::vector<ConfigError>& errors) {
  if (!is_ldap_url(list)) return SharedSpace::read_list(list, entries, errors);
  const std::string cache = settings_.cache_dir.empty() ? "" : settings_.cache_dir + "/" + cache_name;
  const Result<std::vector<DirectoryEntry>> found = search_addresses(list, settings_.bind);
  if (found) {
    entries = in_shared_domain(*found, shared_domain);
    if (!cache.empty()) {
      std::error_code ignored;
      std::filesystem::create_directories(settings_.cache_dir, ignored);
      if (!write_snapshot(cache, list, entries) && warn_) {
        warn_("cannot write the directory snapshot " + cache + "; a restart while the directory is down will fail");
      }
    }
    return true;
  }
  struct stat cached {};
  if (first_load_ && !cache.empty() && ::stat(cache.c_str(), &cached) == 0) {
    if (warn_) {
      warn_("directory unreachable (" + found.error().message() + "); serving the cached snapshot " + cache);
    }
    return SharedSpace::read_list(cache, entries, errors);
  }
  errors.push_back({list, 0, found.error().message() +
                                 (first_load_ ? (cache.empty() ? " (no snapshot cache is configured)"
                                                               : " (and no cached snapshot " + cache + ")")
                                              : "")});
  return false;
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
  first_load_ = false;
  if (errors.size() != before) return nullptr;
  return SharedSpace::from_entries(settings, local, cloud, source, errors);
}

}  // namespace rewrite::directory
