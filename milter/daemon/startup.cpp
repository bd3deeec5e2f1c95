// SPDX-License-Identifier: BSD-2-Clause
// startup.cpp: configuration to running settings, and --check-config (see startup.h).
#include "startup.h"

#include <grp.h>
#include <pwd.h>

namespace rewrite::milter {

std::vector<ConfigError> prepare(const DaemonConfig& config, RuleStore& store, SessionSettings& settings) {
  // Every step runs even after an error, so that one run reports everything.
  std::vector<ConfigError> errors;
  settings.classify = config.classify;
  settings.plan.headers = build_header_policy(config, errors);
  settings.plan.dkim = config.dkim;
  settings.on_failure = config.on_failure;
  if (!config.user.empty() && getpwnam(config.user.c_str()) == nullptr) {
    errors.push_back({config.source_of("user"), 0, "user: no such user '" + config.user + "'"});
  }
  if (!config.group.empty() && getgrnam(config.group.c_str()) == nullptr) {
    errors.push_back({config.source_of("group"), 0, "group: no such group '" + config.group + "'"});
  }
  if (config.shared_space) store.set_shared_space(*config.shared_space, config.source_of("shared-domain"));
  if (!config.rules_file.empty()) {
    for (ConfigError& error : store.reload()) errors.push_back(std::move(error));
  }
  return errors;
}

int check_config(const ConfigOutcome& outcome, std::ostream& out, std::ostream& err) {
  // Option and file errors first, then whatever loading the rules and lists finds.
  std::vector<ConfigError> errors = outcome.errors;
  RuleStore store(outcome.config.rules_file);
  SessionSettings settings;
  for (ConfigError& error : prepare(outcome.config, store, settings)) errors.push_back(std::move(error));
  for (const ConfigError& error : errors) err << error.to_string() << '\n';
  if (!errors.empty()) return kExitConfig;
  out << "configuration OK: " << store.current()->rules().size() << " rules from " << store.path() << '\n';
  if (const auto space = store.snapshot().space) {
    out << "shared address space " << space->settings().shared_domain << " -> " << space->settings().routing_domain
        << ": " << space->local_count() << " local, " << space->cloud_count() << " cloud recipients\n";
  }
  return kExitOk;
}

}  // namespace rewrite::milter
