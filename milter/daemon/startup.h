// SPDX-License-Identifier: BSD-2-Clause
// startup.h: turns a parsed configuration into what the running daemon needs (session settings and the
// first rule table), collecting every error; and the --check-config mode built on it.
// Thread safety: call from the main thread before serving.
#pragma once

#include <functional>
#include <ostream>
#include <vector>

#include "config.h"
#include "directory_config.h"
#include "directory_rules.h"
#include "exit_status.h"
#include "rule_store.h"
#include "session.h"

namespace rewrite::milter {


// Builds settings from config and loads the rules into store. Also checks that the user and group
// exist. Returns every error found (empty when the daemon can start).
// warn receives what deserves a warning but does not stop the start (a cached directory snapshot in use).
std::vector<ConfigError> prepare(const DaemonConfig& config, RuleStore& store, SessionSettings& settings,
                                 const std::function<void(const std::string&)>& warn = {});

// Returns the loader a RuleStore reads the rules with (a file, a rules directory or the directory's rule
// entries), with the configured recipient delimiter; warn receives a cached directory snapshot's warning.
RuleStore::Loader rules_loader(const DaemonConfig& config, const std::function<void(const std::string&)>& warn = {});

// Returns the completer of the running daemon's loads: the first load takes the mode parsed at start,
// every reload reads the configuration again as outcome says (same file, same command line) for its
// mode, and a configuration error refuses the reload. Each load gets its hit counters from metrics and,
// once complete, is recorded there (sizes, mode, time).
RuleStore::Completer snapshot_completer(const ConfigOutcome& outcome, Metrics& metrics);

// Validates everything (options, configuration file, rules, header lists, user, group), writes each
// error as `file:line: reason` to err (a summary to out when all is well) and returns kExitOk, or
// exit_status_for() the errors (kExitUsage for command-line errors only, else kExitConfig).
int check_config(const ConfigOutcome& outcome, std::ostream& out, std::ostream& err);

}  // namespace rewrite::milter
