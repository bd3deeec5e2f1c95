// SPDX-License-Identifier: BSD-2-Clause
// config.h: the settings of rewrite-milter.conf(5), as the daemon and rewrite-test both read them: the
// configuration file (`key = value` lines, the same keys as the long options without the dashes, read
// with librewrite's text reader) merged with a command line, which wins, then each value parsed by its
// key's parser from setting_keys.h, defaults included. Every problem is reported as `file:line: reason`
// (`command line: reason` for options). Thread safety: plain values and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cidr.h"
#include "http_endpoint.h"
#include "rewrite/config_error.h"
#include "rewrite/error.h"
#include "rewrite/message_plan.h"
#include "rewrite/shared_space.h"

namespace rewrite::milter {

inline constexpr const char* kDefaultConfigFile = "/etc/rewrite-milter/rewrite-milter.conf";

// Who counts as a trusted (outbound) client; see classify.h.
struct ClassifySettings {
  std::vector<Cidr> internal_hosts;
  std::vector<std::string> outbound_daemon_names;  // compared case-insensitively
};

// What the daemon answers when something goes wrong inside it.
enum class FailureAction { tempfail, accept, reject };

// Returns "tempfail", "accept" or "reject".
const char* to_string(FailureAction action);

// The settings; each default is the table's (setting_keys.cpp), applied by parse_config and
// load_settings, so a DaemonConfig made any other way holds no defaults.
struct DaemonConfig {
  std::string config_file;
  std::string socket;  // already in libmilter syntax (unix:/path, inet:port@host)
  std::string rules_file;
  ClassifySettings classify;
  std::optional<std::vector<std::string>> outbound_headers;  // unset: the HeaderPolicy default
  std::optional<std::vector<std::string>> inbound_headers;
  std::string outbound_headers_source;  // "file:line" or "command line", for messages
  std::string inbound_headers_source;
  DkimPolicy dkim{};
  std::string recipient_delimiter;             // "" for none
  std::vector<std::string> internal_domains;
  bool rewrite_internal_mail = false;
  bool original_recipient = true;
  FailureAction on_failure{};
  bool log_only = false;   // mode = log-only
  HttpEndpoint metrics;    // off unless set
  // The directory, when a recipient list is an LDAP URL (rewrite-milter.conf(5) DIRECTORY).
  std::string ldap_bind = "anonymous";  // anonymous, simple or external
  std::string ldap_bind_dn;
  std::string ldap_password_file;
  std::string ldap_tls_ca_file;         // ldaps://: CA certificates; "" for libldap's TLS_CACERT
  int ldap_refresh = 0;                 // seconds between refreshes; 0: at start and reload only
  std::string ldap_cache;               // the snapshot cache directory; "" for none
  std::string user;
  std::string group;
  std::string pid_file;
  bool foreground = false;
  bool watch = false;  // reload when the rules or a recipient list file changes
  int verbosity = 0;  // 0 normal, 1 verbose, 2 debug
  // The shared address space (rewrite-milter.conf(5) SHARED ADDRESS SPACE); unset when shared-domain is.
  std::optional<SharedSpaceSettings> shared_space;
  // Where each setting came from: key -> "file:line" or "command line" (for error messages).
  std::map<std::string, std::string> sources;

  // Returns the location of key's setting, or the configuration file when it was not set.
  std::string source_of(const std::string& key) const;
};

// Settings given on a command line: key -> value, as the front end parsed them; they win over the file.
using CommandLineSettings = std::map<std::string, std::string>;

struct ConfigOutcome {
  enum class Mode { run, check, help, version };
  Mode mode = Mode::run;
  DaemonConfig config;
  std::vector<ConfigError> errors;
  std::string help_text;  // for Mode::help and for usage errors
  // What the configuration was read from, so that a reload can read it again the same way.
  std::string config_file;
  bool explicit_config_file = false;
  CommandLineSettings command_line;
};

// Parses the daemon's argv (argv[0] is the program name) and the configuration file it names (or
// default_file; a missing default file is fine, a missing explicit one is an error). Never throws.
ConfigOutcome parse_config(int argc, const char* const argv[], const std::string& default_file = kDefaultConfigFile);


// Reads config_file (none when empty; a missing file is an error only when explicit_file) and merges
// command_line over it, then parses every value and applies the defaults. Errors go to errors. The
// daemon's parse_config and rewrite-test both call this. Never throws.
DaemonConfig load_settings(const std::string& config_file, bool explicit_file,
                           const CommandLineSettings& command_line, std::vector<ConfigError>& errors);

// Converts a socket specification to libmilter syntax: Postfix style "inet:HOST:PORT" becomes
// "inet:PORT@HOST" ("inet:[v6]:PORT" becomes "inet6:PORT@v6"); "unix:", "local:", "inet:PORT@HOST",
// "inet6:PORT@HOST" and "inet:PORT" pass unchanged. Returns the libmilter form, or the error when
// malformed.
Result<std::string> normalize_socket_spec(const std::string& spec);

// Builds the header policy from the configured lists (defaults where unset); errors carry the
// setting's location.
HeaderPolicy build_header_policy(const DaemonConfig& config, std::vector<ConfigError>& errors);

// Returns the options every message is planned with, as both programs build them: the header policy,
// the DKIM policy and which mail counts as staying inside. Errors carry the setting's location.
PlanOptions build_plan_options(const DaemonConfig& config, std::vector<ConfigError>& errors);

}  // namespace rewrite::milter
