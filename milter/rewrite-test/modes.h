// SPDX-License-Identifier: BSD-2-Clause
// modes.h: the four things rewrite-test does, each a function from options and a loaded rule table to
// an exit code; output goes to the given streams so the modes stay testable. Thread safety: none
// needed (one call per process).
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "config.h"
#include "directory_lists.h"
#include "options.h"
#include "rewrite/error.h"
#include "rewrite/message_plan.h"
#include "rewrite/rule_table.h"
#include "rewrite/shared_space.h"

namespace rewrite::tool {

// Reads a whole file ("-" is standard input) byte for byte; what names it in errors ("cases file").
// Returns the text, or the error ("file: reason").
Result<std::string> read_input(const std::string& path, const std::string& what);

// Returns the name to show for an input path: "<stdin>" for "-".
std::string display_name(const std::string& path);

// What rewrite-test takes from rewrite-milter's settings (-c and the options that name its keys).
struct ToolConfig {
  std::string rules_file;                    // -r, else the file's `rules`
  std::shared_ptr<const SharedSpace> space;  // null when the shared space is off
  milter::DaemonConfig daemon;               // the settings as the daemon reads them
  PlanOptions plan;                          // the header lists and DKIM policy, as the daemon builds them
  directory::DirectorySettings directory;    // the daemon's directory settings, without its snapshot cache
};

// Reads the settings with rewrite-milter's settings module, builds the header policy as the daemon does
// and loads the recipient lists (from files or the directory, never from or into the daemon's cache). Returns kExitOk, or after printing every error as file:line: reason,
// kExitUsage when every error is in a command-line value, kExitConfig otherwise.
int load_config(const Options& options, ToolConfig& config, std::ostream& err);

// --outbound ADDR / --inbound ADDR: prints each result and the table's account of the decision, and
// for inbound addresses the shared space's decision (space may be null).
int run_address_mode(const Options& options, const RuleTable& table, const SharedSpace* space, std::ostream& out);

// --message FILE: prints the rewritten message (changes to err), or with --diff the unified diff, with
// config's header lists and DKIM policy. With a shared space, recipients are refused, forwarded and the
// trace field added as the milter does.
int run_message_mode(const Options& options, const RuleTable& table, const ToolConfig& config,
                     std::ostream& out, std::ostream& err);

// The rendering half of --message: runs the message text through the engine and prints the result
// (or the diff), the change lines to err. Used by run_message_mode and the differential tests.
void render_message(const Options& options, const RuleTable& table, const SharedSpace* space,
                    const PlanOptions& plan_options, bool log_only, const std::string& text, std::ostream& out,
                    std::ostream& err);

// --compare NEW-RULES: prints each address and message result that differs between table and next, and
// the rules of next that fire for no input; kExitFindings when anything differs, kExitConfig when an
// input file is refused.
int run_compare_mode(const Options& options, const RuleTable& table, const RuleTable& next, const ToolConfig& config,
                     std::ostream& out, std::ostream& err);

// --cases FILE: prints every mismatch as FILE:LINE: ... and the summary; 1 on any mismatch.
// With a shared space, inbound cases may expect the forwarded address or `refused`.
int run_cases_mode(const Options& options, const RuleTable& table, const SharedSpace* space,
                   std::ostream& out, std::ostream& err);

// --check-addresses FILE or LDAP-URL: prints every finding (directory entries named by DN) and the
// summary; 1 on any finding. The directory is bound to with the -c configuration's ldap-bind settings.
int run_check_mode(const Options& options, const RuleTable& table, const ToolConfig& config, std::ostream& out,
                   std::ostream& err);

}  // namespace rewrite::tool
