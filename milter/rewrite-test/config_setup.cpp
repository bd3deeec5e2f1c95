// config_setup.cpp: what rewrite-test reads from rewrite-milter.conf(5) (-c) and the shared address space
// options, read with rewrite-milter's own configuration parser so that the tool and the daemon read the
// file alike; the recipient lists are loaded as the daemon loads them.
#include <ostream>

#include "modes.h"

namespace rewrite::tool {

bool load_config(const Options& options, ToolConfig& config, std::ostream& err) {
  config.rules_file = options.rules_file;
  if (options.config_file.empty() && options.shared_space_args.empty()) return true;
  std::vector<std::string> args{"rewrite-test"};
  if (!options.config_file.empty()) args.insert(args.end(), {"--config", options.config_file});
  if (!config.rules_file.empty()) args.insert(args.end(), {"--rules", config.rules_file});
  args.insert(args.end(), options.shared_space_args.begin(), options.shared_space_args.end());
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  // Without --config no file is read: an empty default path is a missing default file.
  const milter::ConfigOutcome outcome = milter::parse_config(static_cast<int>(args.size()), argv.data(), "");
  std::vector<ConfigError> errors = outcome.errors;
  if (errors.empty()) {
    config.daemon = outcome.config;
    config.rules_file = outcome.config.rules_file;
    // The daemon refuses to start with a bad header list, whatever the mode.
    milter::build_header_policy(config.daemon, errors);
    if (outcome.config.shared_space) {
      config.space =
          SharedSpace::load(*outcome.config.shared_space, outcome.config.source_of("shared-domain"), errors);
    }
  }
  err << format_errors(errors);
  return errors.empty();
}

}  // namespace rewrite::tool
