// SPDX-License-Identifier: BSD-2-Clause
// startup.cpp: configuration to running settings, and --check-config (see startup.h).
#include "startup.h"

#include <grp.h>
#include <pwd.h>

#include <ctime>
#include <memory>

namespace rewrite::milter {

std::vector<ConfigError> prepare(const DaemonConfig& config, RuleStore& store, SessionSettings& settings,
                                 const std::function<void(const std::string&)>& warn) {
  // Every step runs even after an error, so that one run reports everything.
  std::vector<ConfigError> errors;
  settings.classify = config.classify;
  settings.plan = build_plan_options(config, errors);
  settings.on_failure = config.on_failure;
  if (!config.user.empty() && getpwnam(config.user.c_str()) == nullptr) {
    errors.push_back({config.source_of("user"), 0, "user: no such user '" + config.user + "'"});
  }
  if (!config.group.empty() && getgrnam(config.group.c_str()) == nullptr) {
    errors.push_back({config.source_of("group"), 0, "group: no such group '" + config.group + "'"});
  }
  if (directory::uses_directory(config)) {
    for (ConfigError& error : directory::directory_errors(config)) errors.push_back(std::move(error));
  }
  if (config.shared_space) {
    store.set_shared_space(*config.shared_space, config.source_of("shared-domain"));
    if (directory::uses_directory(*config.shared_space)) {
      auto lists = std::make_shared<directory::DirectoryLists>(directory::directory_settings(config), warn);
      store.set_space_loader([lists](const SharedSpaceSettings& space, const std::string& source,
                                     std::vector<ConfigError>& load_errors) {
        return lists->load(space, source, load_errors);
      });
    }
  }
  if (!config.rules_file.empty()) {
    for (ConfigError& error : store.reload()) errors.push_back(std::move(error));
  }
  return errors;
}

RuleStore::Loader rules_loader(const DaemonConfig& config, const std::function<void(const std::string&)>& warn) {
  return directory::rules_loader(directory::directory_settings(config), RuleFormat::detect, config.recipient_delimiter,
                                 warn);
}

RuleStore::Completer snapshot_completer(const ConfigOutcome& outcome, Metrics& metrics) {
  auto first = std::make_shared<bool>(true);
  return [outcome, &metrics, first](RuleSnapshot& snapshot) {
    std::vector<ConfigError> errors;
    if (*first) {
      snapshot.log_only = outcome.config.log_only;
    } else {
      const DaemonConfig reread =
          load_settings(outcome.config_file, outcome.explicit_config_file, outcome.command_line, errors);
      if (!errors.empty()) return errors;
      snapshot.log_only = reread.log_only;
    }
    *first = false;
    // Per-rule counters only when something can read them: at 10M rules they would hold about 2 GB.
    if (outcome.config.metrics.enabled()) snapshot.hits = metrics.counters_for(*snapshot.table);
    metrics.reload_succeeded(snapshot.table->rules().size(), snapshot.space ? snapshot.space->local_count() : 0,
                             snapshot.space ? snapshot.space->cloud_count() : 0, snapshot.log_only,
                             static_cast<std::int64_t>(std::time(nullptr)));
    return errors;
  };
}

int check_config(const ConfigOutcome& outcome, std::ostream& out, std::ostream& err) {
  // Option and file errors first, then whatever loading the rules and lists finds.
  std::vector<ConfigError> errors = outcome.errors;
  std::vector<std::string> warnings;
  const auto warn = [&warnings](const std::string& warning) { warnings.push_back(warning); };
  RuleStore store(outcome.config.rules_file, rules_loader(outcome.config, warn));
  SessionSettings settings;
  for (ConfigError& error : prepare(outcome.config, store, settings, warn)) {
    errors.push_back(std::move(error));
  }
  for (const std::string& warning : warnings) out << "warning: " << warning << '\n';
  for (const ConfigError& error : errors) err << error.to_string() << '\n';
  if (!errors.empty()) return exit_status_for(errors);
  out << "configuration OK: " << store.current()->rules().size() << " rules from " << store.path() << '\n';
  if (const auto space = store.snapshot().space) {
    out << "shared address space " << space->settings().shared_domain << " -> " << space->settings().routing_domain
        << ": " << space->local_count() << " local, " << space->cloud_count() << " cloud recipients\n";
    // RFC 5321 4.5.1: postmaster is accepted in every domain; without a listing it stays local.
    const std::string postmaster = "postmaster@" + space->settings().shared_domain;
    if (space->decide(postmaster).verdict == SharedSpace::Verdict::local && !space->lists_local(postmaster)) {
      out << "warning: " << space->settings().local_recipients << " does not list " << postmaster
          << "; it is delivered locally all the same (RFC 5321)\n";
    }
  }
  return kExitOk;
}

}  // namespace rewrite::milter
