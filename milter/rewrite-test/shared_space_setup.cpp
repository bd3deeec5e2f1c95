// shared_space_setup.cpp: rewrite-test's shared address space settings, read with rewrite-milter's own
// configuration parser (so the tool and the daemon read rewrite-milter.conf(5) alike), and the recipient
// lists loaded as the daemon loads them.
#include <ostream>

#include "config.h"
#include "modes.h"

namespace rewrite::tool {

bool load_shared_space(const Options& options, std::string& rules_file, std::shared_ptr<const SharedSpace>& space,
                       std::ostream& err) {
  if (options.config_file.empty() && options.shared_space_args.empty()) return true;
  std::vector<std::string> args{"rewrite-test"};
  if (!options.config_file.empty()) args.insert(args.end(), {"--config", options.config_file});
  if (!rules_file.empty()) args.insert(args.end(), {"--rules", rules_file});
  args.insert(args.end(), options.shared_space_args.begin(), options.shared_space_args.end());
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  // Without --config no file is read: an empty default path is a missing default file.
  const milter::ConfigOutcome outcome = milter::parse_config(static_cast<int>(args.size()), argv.data(), "");
  std::vector<ConfigError> errors = outcome.errors;
  if (errors.empty()) {
    rules_file = outcome.config.rules_file;
    if (outcome.config.shared_space) {
      space = SharedSpace::load(*outcome.config.shared_space, outcome.config.source_of("shared-domain"), errors);
    }
  }
  err << format_errors(errors);
  return errors.empty();
}

}  // namespace rewrite::tool
