// SPDX-License-Identifier: BSD-2-Clause
// exit_status.h: the exit statuses rewrite-milter and rewrite-test share (sysexits(3) values), and the
// one rule that tells a usage error from a configuration error.
#pragma once

#include <vector>

#include "setting_keys.h"

namespace rewrite::milter {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 64;     // EX_USAGE: a bad option or value on the command line
inline constexpr int kExitSoftware = 70;  // EX_SOFTWARE: an unexpected internal error
inline constexpr int kExitOsError = 71;   // EX_OSERR: socket, pid file, privileges, detaching
inline constexpr int kExitConfig = 78;    // EX_CONFIG: a configuration, rules or input file refused

// kExitUsage when every error is in a command-line value, kExitConfig when any is in a file; kExitOk
// for no error.
inline int exit_status_for(const std::vector<ConfigError>& errors) {
  if (errors.empty()) return kExitOk;
  for (const ConfigError& error : errors) {
    if (error.file != kCommandLine) return kExitConfig;
  }
  return kExitUsage;
}

}  // namespace rewrite::milter
