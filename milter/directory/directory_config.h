// SPDX-License-Identifier: BSD-2-Clause
// directory_config.h: the directory settings of rewrite-milter.conf(5) (ldap-bind, ldap-bind-dn,
// ldap-password-file, ldap-tls-ca-file, ldap-cache) as directory_lists.h takes them, for the daemon and rewrite-test alike.
#pragma once

#include <vector>

#include "config.h"
#include "directory_lists.h"

namespace rewrite::directory {

// True when config reads the rules or a recipient list from a directory.
bool uses_directory(const milter::DaemonConfig& config);

// The settings of config that name files rather than a directory: the rules (unless an LDAP URL) and
// each recipient list that is set and is not an LDAP URL. The daemon makes these paths absolute and
// watches them.
std::vector<std::string*> file_sources(milter::DaemonConfig& config);

// The bind and cache of config.
DirectorySettings directory_settings(const milter::DaemonConfig& config);

// What is wrong with them (a simple bind without its DN or password file).
std::vector<ConfigError> directory_errors(const milter::DaemonConfig& config);

}  // namespace rewrite::directory
