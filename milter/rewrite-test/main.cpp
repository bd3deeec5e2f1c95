// SPDX-License-Identifier: BSD-2-Clause
// main.cpp: rewrite-test(1), the offline tool: loads the rules, then runs the mode the command line
// asks for. All rewriting logic lives in librewrite; this front end only reads files and prints.
#include <iostream>

#include "directory_rules.h"
#include "modes.h"
#include "options.h"
#include "rewrite/header_rewriter.h"

#ifndef REWRITE_VERSION
#define REWRITE_VERSION "unknown"
#endif

namespace {

using namespace rewrite;
using namespace rewrite::tool;

// Returns the rule file format named on the command line.
RuleFormat rule_format(const std::string& name) {
  if (name == "native") return RuleFormat::native;
  if (name == "csv") return RuleFormat::csv;
  return RuleFormat::detect;
}

// Runs the tool; returns the exit status.
int run(int argc, const char* const argv[]) {
  const ParsedOptions parsed = parse_options(argc, argv);
  if (!parsed.ok()) {
    std::cerr << "rewrite-test: " << parsed.error << "\nTry 'rewrite-test --help'.\n";
    return kExitUsage;
  }
  const Options& options = parsed.options;
  if (options.mode == Mode::help) {
    std::cout << options.help_text;
    return kExitOk;
  }
  if (options.mode == Mode::version) {
    std::cout << "rewrite-test (rewrite-milter) " << REWRITE_VERSION << '\n';
    return kExitOk;
  }
  ToolConfig config;
  if (const int status = load_config(options, config, std::cerr); status != kExitOk) {
    return status;
  }
  const SharedSpace* space = config.space.get();
  // Rules as the daemon reads them, from a file, a rules directory or the directory.
  const directory::RulesLoader load_rules = directory::rules_loader(config.directory, rule_format(options.rules_format),
                                                                    config.daemon.recipient_delimiter, {});
  const LoadResult loaded = load_rules(config.rules_file);
  if (!loaded.ok()) {
    std::cerr << format_errors(loaded.errors);
    return kExitConfig;
  }
  initialize_gmime();
  switch (options.mode) {
    case Mode::address:
      return run_address_mode(options, *loaded.table, space, std::cout);
    case Mode::message:
      return run_message_mode(options, *loaded.table, config, std::cout, std::cerr);
    case Mode::cases:
      return run_cases_mode(options, *loaded.table, space, std::cout, std::cerr);
    case Mode::check:
      return run_check_mode(options, *loaded.table, config, std::cout, std::cerr);
    case Mode::compare: {
      const LoadResult next = load_rules(options.compare_rules);
      if (!next.ok()) {
        std::cerr << format_errors(next.errors);
        return kExitConfig;
      }
      return run_compare_mode(options, *loaded.table, *next.table, config, std::cout, std::cerr);
    }
    case Mode::help:
    case Mode::version:
      break;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char* argv[]) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "rewrite-test: " << error.what() << '\n';
    return kExitSoftware;
  }
}
