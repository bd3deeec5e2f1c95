// SPDX-License-Identifier: BSD-2-Clause
// config_setup.cpp: what rewrite-test reads of rewrite-milter's settings: rewrite-milter.conf(5) given
// with -c and the settings given as options, read by the daemon's own settings module (the options win
// over the file), the header policy built as the daemon builds it, and the recipient lists loaded as
// the daemon loads them.
#include <ostream>

#include "directory_config.h"
#include "modes.h"
#include "setting_keys.h"

namespace rewrite::tool {

int load_config(const Options& options, ToolConfig& config, std::ostream& err) {
  std::vector<ConfigError> errors;
  config.daemon = milter::load_settings(options.config_file, true, options.settings, errors);
  config.rules_file = config.daemon.rules_file;
  // The daemon refuses to start with a bad header list, whatever the mode.
  config.plan = milter::build_plan_options(config.daemon, errors);
  config.directory = directory::directory_settings(config.daemon);
  config.directory.cache_dir.clear();
  if (errors.empty() && directory::uses_directory(config.daemon)) {
    for (ConfigError& error : directory::directory_errors(config.daemon)) errors.push_back(std::move(error));
  }
  if (errors.empty() && config.daemon.shared_space) {
    // The lists as the daemon reads them.
    directory::DirectoryLists lists(config.directory, {});
    config.space = lists.load(*config.daemon.shared_space, config.daemon.source_of("shared-domain"), errors);
  }
  err << format_errors(errors);
  return milter::exit_status_for(errors);
}

}  // namespace rewrite::tool
