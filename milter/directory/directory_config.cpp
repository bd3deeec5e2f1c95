// SPDX-License-Identifier: BSD-2-Clause
// directory_config.cpp: directory settings from the configuration (see directory_config.h).
#include "directory_config.h"

namespace rewrite::directory {

bool uses_directory(const milter::DaemonConfig& config) {
  return is_ldap_url(config.rules_file) || (config.shared_space && uses_directory(*config.shared_space));
}

std::vector<std::string*> file_sources(milter::DaemonConfig& config) {
  std::vector<std::string*> files;
  if (!is_ldap_url(config.rules_file)) files.push_back(&config.rules_file);
  if (config.shared_space) {
    for (std::string* list : {&config.shared_space->local_recipients, &config.shared_space->cloud_recipients}) {
      if (!list->empty() && !is_ldap_url(*list)) files.push_back(list);
    }
  }
  return files;
}

DirectorySettings directory_settings(const milter::DaemonConfig& config) {
  DirectorySettings settings;
  settings.access.method = config.ldap_bind == "simple"     ? LdapAccess::Method::simple
                         : config.ldap_bind == "external" ? LdapAccess::Method::external
                                                          : LdapAccess::Method::anonymous;
  settings.access.dn = config.ldap_bind_dn;
  settings.access.password_file = config.ldap_password_file;
  settings.access.tls_ca_file = config.ldap_tls_ca_file;
  settings.cache_dir = config.ldap_cache;
  return settings;
}

std::vector<ConfigError> directory_errors(const milter::DaemonConfig& config) {
  std::vector<ConfigError> errors;
  if (config.ldap_bind == "simple" && (config.ldap_bind_dn.empty() || config.ldap_password_file.empty())) {
    errors.push_back({config.source_of("ldap-bind"), 0, "ldap-bind: simple needs ldap-bind-dn and ldap-password-file"});
  }
  return errors;
}

}  // namespace rewrite::directory
