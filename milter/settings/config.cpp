// SPDX-License-Identifier: BSD-2-Clause
// config.cpp: the configuration file and the daemon's command line (Boost.Program_options, generated
// from setting_keys.h), merged with the command line winning, then parsed key by key with each
// setting's location (see config.h).
#include "config.h"

#include <boost/program_options.hpp>

#include <unistd.h>

#include <cerrno>
#include <map>
#include <sstream>

#include "rewrite/header_policy.h"
#include "rewrite/text_input.h"
#include "setting_keys.h"

namespace po = boost::program_options;

namespace rewrite::milter {

const char* to_string(FailureAction action) {
  switch (action) {
    case FailureAction::tempfail: return "tempfail";
    case FailureAction::accept: return "accept";
    case FailureAction::reject: return "reject";
  }
  return "tempfail";
}

std::string DaemonConfig::source_of(const std::string& key) const {
  const auto it = sources.find(key);
  return it == sources.end() ? config_file : it->second;
}

namespace {

using Settings = std::map<std::string, Setting>;

// Reads `key = value` lines from path into settings; problems go to errors with file:line.
void read_config_file(const std::string& path, bool explicit_file, Settings& settings,
                      std::vector<ConfigError>& errors) {
  if (!explicit_file && access(path.c_str(), F_OK) != 0 && errno == ENOENT) return;  // no default file
  ConfigError refused;
  const std::optional<std::string> text = read_text_file(path, "configuration file", refused);
  if (!text) {
    errors.push_back(std::move(refused));
    return;
  }
  TextLines lines(*text, path);
  std::string_view line;
  while (lines.next(line, errors)) {
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      errors.push_back(lines.error("expected 'key = value'"));
      continue;
    }
    const std::string key(trim_blanks(line.substr(0, equals)));
    std::string value(trim_blanks(line.substr(equals + 1)));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    const SettingKey* known = find_setting_key(key);
    if (key.empty() || known == nullptr || !known->in_file) {
      errors.push_back(lines.error("unknown setting '" + printable(key) + "'"));
      continue;
    }
    if (value.empty() && !known->empty_ok) {
      errors.push_back(lines.error(key + ": needs a value"));
      continue;
    }
    const auto previous = settings.find(key);
    if (previous != settings.end()) {
      errors.push_back(lines.error(key + ": set twice (first on line " + std::to_string(previous->second.line) + ")"));
      continue;
    }
    settings[key] = Setting{value, path, lines.number()};
  }
}

// The keys of the shared address space, each needing shared-domain.
constexpr const char* kSharedSpaceKeys[] = {"routing-domain", "local-recipients", "cloud-recipients",
                                            "forward-unknown", "authoritative", "max-received"};

// Checks that the shared space's settings go together; sets config.shared_space when they do.
void finish_shared_space(const Settings& settings, SettingTarget& target, std::vector<ConfigError>& errors) {
  const auto shared = settings.find("shared-domain");
  if (shared == settings.end()) {
    for (const char* key : kSharedSpaceKeys) {
      const auto it = settings.find(key);
      if (it != settings.end()) errors.push_back(it->second.error(key, "has no effect without shared-domain"));
    }
    return;
  }
  const std::size_t before = errors.size();
  if (!settings.count("routing-domain")) errors.push_back(shared->second.error("shared-domain", "needs routing-domain as well"));
  if (!settings.count("local-recipients")) errors.push_back(shared->second.error("shared-domain", "needs local-recipients as well"));
  if (target.space.cloud_recipients.empty() && !target.space.forward_unknown) {
    errors.push_back(shared->second.error("shared-domain", "needs cloud-recipients unless forward-unknown is yes"));
  }
  if (errors.size() == before) {
    target.config.shared_space = target.space;
    target.config.shared_space->recipient_delimiter = target.config.recipient_delimiter;
  }
}

}  // namespace

DaemonConfig load_settings(const std::string& config_file, bool explicit_file,
                           const CommandLineSettings& command_line, std::vector<ConfigError>& errors) {
  // The file first, then the command line over it, then every key's parser: the value set, else the
  // table's default.
  DaemonConfig config;
  Settings merged;
  if (!config_file.empty()) read_config_file(config_file, explicit_file, merged, errors);
  for (const auto& [key, value] : command_line) merged[key] = Setting{value, kCommandLine, 0};
  SettingTarget target{config, SharedSpaceSettings{}};
  for (const SettingKey& key : setting_keys()) {
    if (key.name == "config") continue;
    const auto it = merged.find(key.name);
    if (it != merged.end()) {
      config.sources[key.name] = it->second.location();
      key.parse(it->second, target, errors);
    } else if (!key.default_value.empty()) {
      key.parse(Setting{key.default_value, kDefaultSource, 0}, target, errors);
    }
  }
  config.config_file = config_file;
  finish_shared_space(merged, target, errors);
  return config;
}

namespace {

// True when text is a port number 1..65535.
bool is_port(const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const int port = std::stoi(text);
  return port > 0 && port <= 65535;
}

}  // namespace

Result<std::string> normalize_socket_spec(const std::string& spec) {
  // Accepts libmilter's own forms, plus Postfix's inet:HOST:PORT and a bare absolute path.
  auto starts = [&](const char* prefix) { return spec.rfind(prefix, 0) == 0; };
  if (starts("unix:") || starts("local:")) {
    if (spec.substr(spec.find(':') + 1).empty()) {
      return Error("'" + spec + "' has no socket path");
    }
    return std::string(spec);
  }
  if (!spec.empty() && spec[0] == '/') return "unix:" + spec;
  const bool v4 = starts("inet:");
  const bool v6 = starts("inet6:");
  if (!v4 && !v6) {
    return Error("'" + spec + "' is not unix:/path, inet:PORT@HOST or inet:HOST:PORT");
  }
  const std::string rest = spec.substr(v4 ? 5 : 6);
  const std::size_t at = rest.find('@');
  if (at != std::string::npos) {
    if (!is_port(rest.substr(0, at)) || at + 1 >= rest.size()) {
      return Error("'" + spec + "' needs PORT@HOST with a port 1-65535");
    }
    return std::string(spec);
  }
  if (!rest.empty() && rest[0] == '[') {
    const std::size_t close = rest.find("]:");
    if (close == std::string::npos || !is_port(rest.substr(close + 2))) {
      return Error("'" + spec + "' needs [ADDRESS]:PORT");
    }
    return "inet6:" + rest.substr(close + 2) + "@" + rest.substr(1, close - 1);
  }
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string::npos) {
    if (!is_port(rest)) {
      return Error("'" + spec + "' has a bad port");
    }
    return std::string(spec);
  }
  const std::string host = rest.substr(0, colon);
  const std::string port = rest.substr(colon + 1);
  if (host.empty() || host.find(':') != std::string::npos || !is_port(port)) {
    return Error("'" + spec + "' needs HOST:PORT (write IPv6 hosts as [ADDRESS]:PORT)");
  }
  return std::string(v4 ? "inet:" : "inet6:") + port + "@" + host;
}

HeaderPolicy build_header_policy(const DaemonConfig& config, std::vector<ConfigError>& errors) {
  // Validates each configured list on its own so that errors name the setting that caused them.
  const std::vector<std::string> outbound = config.outbound_headers.value_or(default_outbound_headers());
  const std::vector<std::string> inbound = config.inbound_headers.value_or(std::vector<std::string>{});
  const std::size_t before = errors.size();
  if (config.outbound_headers) {
    HeaderPolicy::from_lists(outbound, {}, config.outbound_headers_source, errors);
  }
  if (config.inbound_headers) {
    HeaderPolicy::from_lists(default_outbound_headers(), inbound, config.inbound_headers_source, errors);
  }
  if (errors.size() != before) return HeaderPolicy();
  std::vector<ConfigError> ignored;
  return HeaderPolicy::from_lists(outbound, inbound, "headers", ignored);
}

PlanOptions build_plan_options(const DaemonConfig& config, std::vector<ConfigError>& errors) {
  PlanOptions options;
  options.headers = build_header_policy(config, errors);
  options.dkim = config.dkim;
  options.rewrite_internal_mail = config.rewrite_internal_mail;
  options.internal_domains = config.internal_domains;
  options.original_recipient = config.original_recipient;
  return options;
}

ConfigOutcome parse_config(int argc, const char* const argv[], const std::string& default_file) {
  // The command line first (it names the file), then load_settings for the file, the merge and the
  // parsing, then what only the daemon requires.
  ConfigOutcome outcome;
  po::options_description desc("Options");
  add_setting_options(desc, kDaemonOption);
  desc.add_options()
      ("check-config,n", po::bool_switch(), "check configuration and rules, then exit (0 ok, 78 errors)")
      ("help", po::bool_switch(), "show this help and exit")
      ("version", po::bool_switch(), "show the version and exit");
  std::ostringstream help;
  help << "usage: rewrite-milter [options] -r RULES\n" << desc;
  outcome.help_text = help.str();

  CommandLineSettings command_line;
  int verbose_count = 0;
  bool check = false;
  bool want_help = false;
  bool want_version = false;
  try {
    const po::parsed_options parsed = po::command_line_parser(argc, argv).options(desc).run();
    for (const po::option& option : parsed.options) {
      const std::string& key = option.string_key;
      const SettingKey* known = find_setting_key(key);
      if (key == "verbose") ++verbose_count;
      else if (key == "check-config") check = true;
      else if (key == "help") want_help = true;
      else if (key == "version") want_version = true;
      else if (known != nullptr && known->value_name.empty()) command_line[key] = "yes";  // a switch
      else if (key.empty() || option.value.empty()) {
        const std::string text = option.original_tokens.empty() ? key : option.original_tokens.front();
        outcome.errors.push_back({kCommandLine, 0, "unexpected argument '" + printable(text) + "'"});
      } else if (known != nullptr && known->list && command_line.count(key)) {
        command_line[key] += "," + option.value.back();
      } else {
        command_line[key] = option.value.back();
      }
    }
  } catch (const po::error& e) {
    outcome.errors.push_back({kCommandLine, 0, printable(e.what())});
    return outcome;
  }
  if (verbose_count > 0) command_line["verbose"] = std::to_string(verbose_count > 9 ? 9 : verbose_count);
  if (want_help) {
    outcome.mode = ConfigOutcome::Mode::help;
    return outcome;
  }
  if (want_version) {
    outcome.mode = ConfigOutcome::Mode::version;
    return outcome;
  }
  if (check) outcome.mode = ConfigOutcome::Mode::check;

  const auto config_it = command_line.find("config");
  const bool explicit_file = config_it != command_line.end();
  const std::string file = explicit_file ? config_it->second : default_file;
  command_line.erase("config");
  outcome.config = load_settings(file, explicit_file, command_line, outcome.errors);
  outcome.config_file = file;
  outcome.explicit_config_file = explicit_file;
  outcome.command_line = command_line;
  if (outcome.config.rules_file.empty()) {
    outcome.errors.push_back({kCommandLine, 0, "no rules file: set --rules or 'rules = FILE' in the configuration file"});
  }
  return outcome;
}

}  // namespace rewrite::milter
