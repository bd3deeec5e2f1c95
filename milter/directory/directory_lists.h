// SPDX-License-Identifier: BSD-2-Clause
// directory_lists.h: the shared address space's recipient lists from files or from an LDAP directory.
// A list setting that is an LDAP URL (ldap_source.h) is one search; the addresses of its entries that
// are in the shared domain form the list (others, such as an entry's addresses in other domains, are not
// the shared space's business), and an error names the entry's DN. A snapshot is all or nothing: any
// failed search fails the load, and the RuleStore keeps the lists it had. Each good directory snapshot is
// written to the cache directory; when the directory cannot be reached at the first load (a restart
// while it is down), the cached snapshot serves, with a warning; with neither, the load fails and the
// daemon does not start. Thread safety: one load at a time (the RuleStore's reloads are serialised).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ldap_source.h"
#include "snapshot_cache.h"
#include "rewrite/config_error.h"
#include "rewrite/shared_space.h"

namespace rewrite::directory {

struct DirectorySettings {
  LdapAccess access;
  std::string cache_dir;  // where the last good snapshot is kept; "" for none
};

// True when either list of settings is an LDAP URL.
bool uses_directory(const SharedSpaceSettings& settings);

class DirectoryLists {
 public:
  using Warn = std::function<void(const std::string& message)>;

  // warn receives the cache fallback's warning.
  DirectoryLists(DirectorySettings settings, Warn warn);

  // Loads the shared space as SharedSpace::load does, reading LDAP URLs from the directory.
  std::shared_ptr<const SharedSpace> load(const SharedSpaceSettings& settings, const std::string& source,
                                          std::vector<ConfigError>& errors);

 private:
  // Reads one list (file or directory) into entries; false after appending errors.
  bool read(const std::string& list, const char* cache_name, const std::string& shared_domain,
            std::vector<SharedSpace::ListEntry>& entries, std::vector<ConfigError>& errors);

  DirectorySettings settings_;
  SnapshotCache cache_;
};

}  // namespace rewrite::directory
