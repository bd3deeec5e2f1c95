// config.cpp: command line (Boost.Program_options) and configuration file parsing, merged with the
// command line winning, then validated setting by setting with the setting's location (see config.h).
#include "config.h"

#include <boost/program_options.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "rewrite/header_policy.h"

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

constexpr const char* kCommandLine = "command line";

// One setting's value and where it came from.
struct Setting {
  std::string value;
  std::string file;  // config file path, or kCommandLine
  int line = 0;

  // Builds an error located at this setting.
  ConfigError error(const std::string& key, const std::string& reason) const {
    if (file == kCommandLine) return {file, 0, "--" + key + ": " + reason};
    return {file, line, key + ": " + reason};
  }
  // Returns "file:line" (or "command line") for messages produced by other modules.
  std::string location() const {
    return file == kCommandLine ? file : file + ":" + std::to_string(line);
  }
};

using Settings = std::map<std::string, Setting>;

// Describes every option; the long names are also the configuration file keys.
po::options_description make_description() {
  po::options_description desc("Options");
  desc.add_options()
      ("config,c", po::value<std::string>(), "configuration file (default " "/etc/rewrite-milter/rewrite-milter.conf)")
      ("socket,s", po::value<std::string>(), "milter socket: unix:/path, inet:PORT@HOST or inet:HOST:PORT")
      ("rules,r", po::value<std::string>(), "rules file (required), see rewrite-rules(5)")
      ("internal-hosts", po::value<std::string>(), "trusted client networks, CIDR list (default 127.0.0.0/8,::1/128)")
      ("outbound-daemon-names", po::value<std::string>(), "{daemon_name} values that mark outbound mail (default ORIGINATING)")
      ("outbound-headers", po::value<std::string>(), "header fields rewritten in outbound mail")
      ("inbound-headers", po::value<std::string>(), "header fields rewritten in inbound mail (default none)")
      ("signed-headers", po::value<std::string>(), "DKIM-signed fields: skip or rewrite (default skip)")
      ("on-failure", po::value<std::string>(), "on internal errors: tempfail, accept or reject (default tempfail)")
      ("shared-domain", po::value<std::string>(), "shared address space: the shared domain (default unset: off)")
      ("routing-domain", po::value<std::string>(), "shared address space: the cloud routing domain")
      ("local-recipients", po::value<std::string>(), "shared address space: file of local mailboxes")
      ("cloud-recipients", po::value<std::string>(), "shared address space: file of cloud users")
      ("forward-unknown", po::value<std::string>(), "shared address space: forward unlisted recipients, yes or no (default no)")
      ("authoritative", po::value<std::string>(), "shared address space: refuse unknown recipients, yes or no (default yes)")
      ("max-received", po::value<std::string>(), "shared address space: Received fields allowed on forwarded mail (default 30)")
      ("user,u", po::value<std::string>(), "user to run as")
      ("group,g", po::value<std::string>(), "group to run as")
      ("pid-file,p", po::value<std::string>(), "write the process id to this file")
      ("foreground,f", po::bool_switch(), "stay in the foreground, log to stderr too")
      ("verbose,v", po::bool_switch(), "more logging; twice for debug")
      ("check-config,n", po::bool_switch(), "check configuration and rules, then exit (0 ok, 78 errors)")
      ("help", po::bool_switch(), "show this help and exit")
      ("version", po::bool_switch(), "show the version and exit");
  return desc;
}

// Options that only make sense on the command line.
bool command_line_only(const std::string& key) {
  return key == "config" || key == "check-config" || key == "help" || key == "version";
}

// Trims ASCII white space at both ends.
std::string trim(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const std::size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Removes a '#' comment that starts the line or follows white space.
std::string strip_comment(const std::string& line) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) return line.substr(0, i);
  }
  return line;
}

// Reads `key = value` lines from path into settings; problems go to errors with file:line.
void read_config_file(const std::string& path, bool explicit_file, const po::options_description& desc,
                      Settings& settings, std::vector<ConfigError>& errors) {
  std::ifstream in(path);
  if (!in) {
    if (explicit_file || errno != ENOENT) errors.push_back({path, 0, std::string("cannot open: ") + std::strerror(errno)});
    return;
  }
  std::string raw;
  int number = 0;
  while (std::getline(in, raw)) {
    ++number;
    const std::string line = trim(strip_comment(raw));
    if (line.empty()) continue;
    const std::size_t equals = line.find('=');
    if (equals == std::string::npos) {
      errors.push_back({path, number, "expected 'key = value'"});
      continue;
    }
    const std::string key = trim(line.substr(0, equals));
    std::string value = trim(line.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (key.empty() || desc.find_nothrow(key, false) == nullptr || command_line_only(key)) {
      errors.push_back({path, number, "unknown setting '" + key + "'"});
      continue;
    }
    if (value.empty()) {
      errors.push_back({path, number, key + ": needs a value"});
      continue;
    }
    const auto previous = settings.find(key);
    if (previous != settings.end()) {
      errors.push_back({path, number, key + ": set twice (first on line " + std::to_string(previous->second.line) + ")"});
      continue;
    }
    settings[key] = Setting{value, path, number};
  }
}

// Parses a yes/no value.
std::optional<bool> parse_bool(const std::string& value) {
  if (value == "yes" || value == "true" || value == "on" || value == "1") return true;
  if (value == "no" || value == "false" || value == "off" || value == "0") return false;
  return std::nullopt;
}

// The keys of the shared address space, each needing shared-domain.
constexpr const char* kSharedSpaceKeys[] = {"routing-domain", "local-recipients", "cloud-recipients",
                                            "forward-unknown", "authoritative", "max-received"};

// Reads the shared address space settings (on when shared-domain is set), reporting bad values.
void apply_shared_space(const Settings& settings, DaemonConfig& config, std::vector<ConfigError>& errors) {
  const auto shared = settings.find("shared-domain");
  if (shared == settings.end()) {
    for (const char* key : kSharedSpaceKeys) {
      const auto it = settings.find(key);
      if (it != settings.end()) errors.push_back(it->second.error(key, "has no effect without shared-domain"));
    }
    return;
  }
  const std::size_t before = errors.size();
  SharedSpaceSettings space;
  space.shared_domain = shared->second.value;
  auto value_of = [&](const char* key) -> const Setting* {
    const auto it = settings.find(key);
    return it == settings.end() ? nullptr : &it->second;
  };
  if (const Setting* s = value_of("routing-domain")) space.routing_domain = s->value;
  else errors.push_back(shared->second.error("shared-domain", "needs routing-domain as well"));
  if (const Setting* s = value_of("local-recipients")) space.local_recipients = s->value;
  else errors.push_back(shared->second.error("shared-domain", "needs local-recipients as well"));
  if (const Setting* s = value_of("cloud-recipients")) space.cloud_recipients = s->value;
  for (const char* key : {"forward-unknown", "authoritative"}) {
    const Setting* s = value_of(key);
    if (s == nullptr) continue;
    const auto flag = parse_bool(s->value);
    if (!flag) errors.push_back(s->error(key, "'" + s->value + "' is not yes or no"));
    else if (std::string(key) == "forward-unknown") space.forward_unknown = *flag;
    else space.authoritative = *flag;
  }
  if (const Setting* s = value_of("max-received")) {
    const bool digits = !s->value.empty() && s->value.size() <= 4 &&
                        s->value.find_first_not_of("0123456789") == std::string::npos;
    if (digits && std::stoi(s->value) >= 1) space.max_received = std::stoi(s->value);
    else errors.push_back(s->error("max-received", "'" + s->value + "' is not a number from 1 to 9999"));
  }
  if (space.cloud_recipients.empty() && !space.forward_unknown) {
    errors.push_back(shared->second.error("shared-domain", "needs cloud-recipients unless forward-unknown is yes"));
  }
  if (errors.size() == before) config.shared_space = space;
}

// Turns the merged settings into config, reporting each bad value at its location.
void apply_settings(const Settings& settings, DaemonConfig& config, std::vector<ConfigError>& errors) {
  auto find = [&](const char* key) -> const Setting* {
    const auto it = settings.find(key);
    return it == settings.end() ? nullptr : &it->second;
  };
  for (const auto& [key, setting] : settings) config.sources[key] = setting.location();
  if (const Setting* s = find("socket")) {
    std::string error;
    if (auto spec = normalize_socket_spec(s->value, error)) config.socket = *spec;
    else errors.push_back(s->error("socket", error));
  }
  if (const Setting* s = find("rules")) config.rules_file = s->value;
  else errors.push_back({kCommandLine, 0, "no rules file: set --rules or 'rules = FILE' in the configuration file"});

  std::string hosts = "127.0.0.0/8,::1/128";
  const Setting* hosts_setting = find("internal-hosts");
  if (hosts_setting) hosts = hosts_setting->value;
  for (const std::string& item : split_list(hosts)) {
    std::string error;
    if (auto network = parse_cidr(item, error)) config.classify.internal_hosts.push_back(*network);
    else if (hosts_setting) errors.push_back(hosts_setting->error("internal-hosts", error));
  }
  config.classify.outbound_daemon_names = {"ORIGINATING"};
  if (const Setting* s = find("outbound-daemon-names")) config.classify.outbound_daemon_names = split_list(s->value);

  if (const Setting* s = find("outbound-headers")) {
    config.outbound_headers = split_list(s->value);
    config.outbound_headers_source = s->location();
  }
  if (const Setting* s = find("inbound-headers")) {
    config.inbound_headers = split_list(s->value);
    config.inbound_headers_source = s->location();
  }
  if (const Setting* s = find("signed-headers")) {
    if (s->value == "skip") config.dkim = DkimPolicy::skip_signed;
    else if (s->value == "rewrite") config.dkim = DkimPolicy::rewrite_signed;
    else errors.push_back(s->error("signed-headers", "'" + s->value + "' is not skip or rewrite"));
  }
  if (const Setting* s = find("on-failure")) {
    if (s->value == "tempfail") config.on_failure = FailureAction::tempfail;
    else if (s->value == "accept") config.on_failure = FailureAction::accept;
    else if (s->value == "reject") config.on_failure = FailureAction::reject;
    else errors.push_back(s->error("on-failure", "'" + s->value + "' is not tempfail, accept or reject"));
  }
  apply_shared_space(settings, config, errors);
  if (const Setting* s = find("user")) config.user = s->value;
  if (const Setting* s = find("group")) config.group = s->value;
  if (const Setting* s = find("pid-file")) config.pid_file = s->value;
  if (const Setting* s = find("foreground")) {
    if (auto flag = parse_bool(s->value)) config.foreground = *flag;
    else errors.push_back(s->error("foreground", "'" + s->value + "' is not yes or no"));
  }
  if (const Setting* s = find("verbose")) {
    if (s->value.size() == 1 && s->value[0] >= '0' && s->value[0] <= '9') config.verbosity = s->value[0] - '0';
    else if (auto flag = parse_bool(s->value)) config.verbosity = *flag ? 1 : 0;
    else errors.push_back(s->error("verbose", "'" + s->value + "' is not a number"));
  }
}

}  // namespace

std::vector<std::string> split_list(const std::string& text) {
  // Commas and white space both separate items.
  std::vector<std::string> items;
  std::string current;
  for (const char c : text) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) items.push_back(current);
  return items;
}

namespace {

// True when text is a port number 1..65535.
bool is_port(const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  const int port = std::stoi(text);
  return port > 0 && port <= 65535;
}

}  // namespace

std::optional<std::string> normalize_socket_spec(const std::string& spec, std::string& error) {
  // Accepts libmilter's own forms, plus Postfix's inet:HOST:PORT and a bare absolute path.
  auto starts = [&](const char* prefix) { return spec.rfind(prefix, 0) == 0; };
  if (starts("unix:") || starts("local:")) {
    if (spec.substr(spec.find(':') + 1).empty()) {
      error = "'" + spec + "' has no socket path";
      return std::nullopt;
    }
    return spec;
  }
  if (!spec.empty() && spec[0] == '/') return "unix:" + spec;
  const bool v4 = starts("inet:");
  const bool v6 = starts("inet6:");
  if (!v4 && !v6) {
    error = "'" + spec + "' is not unix:/path, inet:PORT@HOST or inet:HOST:PORT";
    return std::nullopt;
  }
  const std::string rest = spec.substr(v4 ? 5 : 6);
  const std::size_t at = rest.find('@');
  if (at != std::string::npos) {
    if (!is_port(rest.substr(0, at)) || at + 1 >= rest.size()) {
      error = "'" + spec + "' needs PORT@HOST with a port 1-65535";
      return std::nullopt;
    }
    return spec;
  }
  if (!rest.empty() && rest[0] == '[') {
    const std::size_t close = rest.find("]:");
    if (close == std::string::npos || !is_port(rest.substr(close + 2))) {
      error = "'" + spec + "' needs [ADDRESS]:PORT";
      return std::nullopt;
    }
    return "inet6:" + rest.substr(close + 2) + "@" + rest.substr(1, close - 1);
  }
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string::npos) {
    if (!is_port(rest)) {
      error = "'" + spec + "' has a bad port";
      return std::nullopt;
    }
    return spec;
  }
  const std::string host = rest.substr(0, colon);
  const std::string port = rest.substr(colon + 1);
  if (host.empty() || host.find(':') != std::string::npos || !is_port(port)) {
    error = "'" + spec + "' needs HOST:PORT (write IPv6 hosts as [ADDRESS]:PORT)";
    return std::nullopt;
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

ConfigOutcome parse_config(int argc, const char* const argv[], const std::string& default_file) {
  // Command line first (it names the file), then the file, then the merge and the validation.
  ConfigOutcome outcome;
  const po::options_description desc = make_description();
  std::ostringstream help;
  help << "usage: rewrite-milter [options] -r RULES\n" << desc;
  outcome.help_text = help.str();

  Settings command_line;
  int verbose_count = 0;
  bool check = false;
  bool want_help = false;
  bool want_version = false;
  try {
    const po::parsed_options parsed = po::command_line_parser(argc, argv).options(desc).run();
    for (const po::option& option : parsed.options) {
      const std::string& key = option.string_key;
      if (key == "verbose") ++verbose_count;
      else if (key == "check-config") check = true;
      else if (key == "help") want_help = true;
      else if (key == "version") want_version = true;
      else if (key == "foreground") command_line[key] = Setting{"yes", kCommandLine, 0};
      else if (key.empty() || option.value.empty()) {
        const std::string text = option.original_tokens.empty() ? key : option.original_tokens.front();
        outcome.errors.push_back({kCommandLine, 0, "unexpected argument '" + text + "'"});
      }
      else command_line[key] = Setting{option.value.back(), kCommandLine, 0};
    }
  } catch (const po::error& e) {
    outcome.errors.push_back({kCommandLine, 0, e.what()});
    return outcome;
  }
  if (verbose_count > 0) command_line["verbose"] = Setting{std::to_string(verbose_count > 9 ? 9 : verbose_count), kCommandLine, 0};
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
  outcome.config.config_file = explicit_file ? config_it->second.value : default_file;
  Settings merged;
  read_config_file(outcome.config.config_file, explicit_file, desc, merged, outcome.errors);
  for (const auto& [key, setting] : command_line) merged[key] = setting;
  apply_settings(merged, outcome.config, outcome.errors);
  return outcome;
}

}  // namespace rewrite::milter
