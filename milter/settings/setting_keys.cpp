// SPDX-License-Identifier: BSD-2-Clause
// setting_keys.cpp: the table of every setting, its parser and its default (see setting_keys.h).
#include "setting_keys.h"

#include <boost/program_options.hpp>

#include <charconv>
#include <optional>

#include "config.h"
#include "rewrite/address_check.h"
#include "rewrite/header_policy.h"
#include "rewrite/rule_table.h"
#include "rewrite/text_input.h"

namespace po = boost::program_options;

namespace rewrite::milter {

ConfigError Setting::error(const std::string& key, const std::string& reason) const {
  if (file == kCommandLine) return {file, 0, "--" + key + ": " + reason};
  if (file == kDefaultSource) return {file, 0, key + ": " + reason};
  return {file, line, key + ": " + reason};
}

std::string Setting::location() const {
  return (file == kCommandLine || file == kDefaultSource) ? file : file + ":" + std::to_string(line);
}

namespace {

// Parses a yes/no value.
std::optional<bool> parse_bool(const std::string& value) {
  if (value == "yes" || value == "true" || value == "on" || value == "1") return true;
  if (value == "no" || value == "false" || value == "off" || value == "0") return false;
  return std::nullopt;
}

// Returns "yes" or "no".
std::string yes_no(bool value) { return value ? "yes" : "no"; }

// Returns the items joined with ", ".
std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// Stores a yes/no setting in target, or reports it at its location.
void parse_flag(const Setting& s, const char* key, bool& target, std::vector<ConfigError>& errors) {
  if (const auto flag = parse_bool(s.value)) target = *flag;
  else errors.push_back(s.error(key, "'" + s.value + "' is not yes or no"));
}

// The parsers, one per key: each stores a value or reports it at its location.

void parse_config_file(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.config.config_file = s.value; }

void parse_socket(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  const Result<std::string> spec = normalize_socket_spec(s.value);
  if (spec) t.config.socket = *spec;
  else errors.push_back(s.error("socket", spec.error().message()));
}

void parse_rules(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.config.rules_file = s.value; }

void parse_internal_hosts(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  t.config.classify.internal_hosts.clear();
  for (const std::string& item : split_list(s.value)) {
    const Result<Cidr> network = parse_cidr(item);
    if (network) t.config.classify.internal_hosts.push_back(*network);
    else errors.push_back(s.error("internal-hosts", network.error().message()));
  }
}

void parse_daemon_names(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) {
  t.config.classify.outbound_daemon_names = split_list(s.value);
}

void parse_outbound_headers(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) {
  t.config.outbound_headers = split_list(s.value);
  t.config.outbound_headers_source = s.location();
}

void parse_inbound_headers(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) {
  t.config.inbound_headers = split_list(s.value);
  t.config.inbound_headers_source = s.location();
}

void parse_signed_headers(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  if (s.value == "skip") t.config.dkim = DkimPolicy::skip_signed;
  else if (s.value == "rewrite") t.config.dkim = DkimPolicy::rewrite_signed;
  else errors.push_back(s.error("signed-headers", "'" + s.value + "' is not skip or rewrite"));
}

void parse_on_failure(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  if (s.value == "tempfail") t.config.on_failure = FailureAction::tempfail;
  else if (s.value == "accept") t.config.on_failure = FailureAction::accept;
  else if (s.value == "reject") t.config.on_failure = FailureAction::reject;
  else errors.push_back(s.error("on-failure", "'" + s.value + "' is not tempfail, accept or reject"));
}

void parse_shared_domain(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.space.shared_domain = s.value; }
void parse_routing_domain(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.space.routing_domain = s.value; }
void parse_local_recipients(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.space.local_recipients = s.value; }
void parse_cloud_recipients(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.space.cloud_recipients = s.value; }

void parse_forward_unknown(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  parse_flag(s, "forward-unknown", t.space.forward_unknown, errors);
}

void parse_authoritative(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  parse_flag(s, "authoritative", t.space.authoritative, errors);
}

void parse_max_received(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  const bool digits = !s.value.empty() && s.value.size() <= 4 &&
                      s.value.find_first_not_of("0123456789") == std::string::npos;
  if (digits && std::stoi(s.value) >= 1) t.space.max_received = std::stoi(s.value);
  else errors.push_back(s.error("max-received", "'" + s.value + "' is not a number from 1 to 9999"));
}

void parse_recipient_delimiter(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  for (const char c : s.value) {
    if (c == '@' || c == '"' || c == '.' || static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      errors.push_back(s.error("recipient-delimiter", "'" + s.value + "' may hold only printable ASCII other than @, . and \""));
      return;
    }
  }
  t.config.recipient_delimiter = s.value;
}

void parse_internal_domains(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  t.config.internal_domains.clear();
  for (const std::string& domain : split_list(s.value)) {
    if (const std::string problem = domain_problem(domain); !problem.empty()) errors.push_back(s.error("internal-domains", problem));
    else t.config.internal_domains.push_back(domain);
  }
}

void parse_rewrite_internal_mail(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  parse_flag(s, "rewrite-internal-mail", t.config.rewrite_internal_mail, errors);
}

void parse_original_recipient(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  parse_flag(s, "original-recipient", t.config.original_recipient, errors);
}

void parse_mode(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  if (s.value == "apply") t.config.log_only = false;
  else if (s.value == "log-only") t.config.log_only = true;
  else errors.push_back(s.error("mode", "'" + s.value + "' is not apply or log-only"));
}

void parse_metrics(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  t.config.metrics = {};
  if (s.value.empty()) return;
  const Result<HttpEndpoint> endpoint = parse_http_endpoint(s.value);
  if (!endpoint) {
    errors.push_back(s.error("metrics", endpoint.error().message()));
    return;
  }
  t.config.metrics = *endpoint;
}

void parse_ldap_bind(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  if (s.value == "anonymous" || s.value == "simple" || s.value == "external") t.config.ldap_bind = s.value;
  else errors.push_back(s.error("ldap-bind", "'" + s.value + "' is not anonymous, simple or external"));
}
void parse_ldap_bind_dn(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.config.ldap_bind_dn = s.value; }
void parse_ldap_password_file(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) {
  t.config.ldap_password_file = s.value;
}
void parse_ldap_tls_ca_file(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) {
  t.config.ldap_tls_ca_file = s.value;
}
void parse_ldap_cache(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.config.ldap_cache = s.value; }

void parse_ldap_refresh(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  int seconds = -1;
  const auto [end, error] = std::from_chars(s.value.data(), s.value.data() + s.value.size(), seconds);
  if (error != std::errc() || end != s.value.data() + s.value.size() || seconds < 0 || seconds > 86400 ||
      (seconds != 0 && seconds < 10)) {
    errors.push_back(s.error("ldap-refresh", "'" + s.value + "' is not 0 or a number of seconds from 10 to 86400"));
    return;
  }
  t.config.ldap_refresh = seconds;
}

void parse_user(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.config.user = s.value; }
void parse_group(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.config.group = s.value; }
void parse_pid_file(const Setting& s, SettingTarget& t, std::vector<ConfigError>&) { t.config.pid_file = s.value; }

void parse_watch(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  parse_flag(s, "watch", t.config.watch, errors);
}

void parse_foreground(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  parse_flag(s, "foreground", t.config.foreground, errors);
}

void parse_verbose(const Setting& s, SettingTarget& t, std::vector<ConfigError>& errors) {
  if (s.value.size() == 1 && s.value[0] >= '0' && s.value[0] <= '9') t.config.verbosity = s.value[0] - '0';
  else if (const auto flag = parse_bool(s.value)) t.config.verbosity = *flag ? 1 : 0;
  else errors.push_back(s.error("verbose", "'" + s.value + "' is not a number"));
}

// Builds the table. The shared space's defaults are those of SharedSpaceSettings, the outbound header
// list's that of HeaderPolicy, so each is written in one place.
std::vector<SettingKey> build_table() {
  const SharedSpaceSettings space;
  std::vector<SettingKey> keys = {
      {"config", 'c', "FILE",
       std::string("configuration file, rewrite-milter.conf(5) (rewrite-milter reads ") + kDefaultConfigFile +
           " when none is given)",
       "", kBothOptions, "shared", false, false, parse_config_file},
      {"socket", 's', "SOCKET", "milter socket: unix:/path, inet:PORT@HOST or inet:HOST:PORT",
       "unix:/run/rewrite-milter/rewrite-milter.sock", kDaemonOption, "", true, false, parse_socket},
      {"rules", 'r', "FILE", "rules file or directory (rewrite-rules(5)), or an LDAP URL of rule entries", "", kBothOptions, "general", true, false, parse_rules},
      {"internal-hosts", 0, "LIST", "trusted client networks, CIDR list", "127.0.0.0/8,::1/128", kDaemonOption,
       "", true, true, parse_internal_hosts},
      {"outbound-daemon-names", 0, "LIST", "{daemon_name} values that mark outbound mail", "ORIGINATING",
       kDaemonOption, "", true, true, parse_daemon_names},
      {"outbound-headers", 0, "LIST", "header fields rewritten in outbound mail", "", kBothOptions, "message", true,
       true, parse_outbound_headers},
      {"inbound-headers", 0, "LIST", "header fields rewritten in inbound mail (default none)", "", kBothOptions,
       "message", true, true, parse_inbound_headers},
      {"signed-headers", 0, "POLICY", "fields covered by a DKIM signature: skip or rewrite", "skip", kBothOptions,
       "message", true, false, parse_signed_headers},
      {"recipient-delimiter", 0, "CHARS",
       "characters that start an address extension, as Postfix's recipient_delimiter (\"\" for none)",
       std::string(kDefaultRecipientDelimiter), kBothOptions, "message", true, false, parse_recipient_delimiter,
       true},
      {"internal-domains", 0, "LIST",
       "more domains (and their subdomains) of the organisation, besides the rules' internal sides",
       "", kBothOptions, "message", true, true, parse_internal_domains},
      {"rewrite-internal-mail", 0, "yes|no",
       "rewrite outbound mail whose recipients are all internal too", "no", kBothOptions, "message", true, false,
       parse_rewrite_internal_mail},
      {"original-recipient", 0, "yes|no",
       "give a replaced recipient ORCPT=rfc822;<address the client wrote> unless the client gave one", "yes",
       kBothOptions, "message", true, false, parse_original_recipient},
      {"mode", 0, "MODE",
       "apply, or log-only: decide, count and log every change as \"would ...\", change and refuse nothing "
       "(reread at reload)",
       "apply", kBothOptions, "message", true, false, parse_mode},
      {"on-failure", 0, "ACTION", "on internal errors: tempfail, accept or reject", "tempfail", kDaemonOption, "",
       true, false, parse_on_failure},
      {"metrics", 0, "[HOST:]PORT",
       "serve Prometheus metrics over HTTP on /metrics at this address (HOST defaults to 127.0.0.1; unset: off)",
       "", kDaemonOption, "", true, false, parse_metrics},
      {"shared-domain", 0, "DOMAIN", "shared address space: the shared domain (unset: off)", "", kBothOptions,
       "shared", true, false, parse_shared_domain},
      {"routing-domain", 0, "DOMAIN", "shared address space: the cloud routing domain", "", kBothOptions, "shared",
       true, false, parse_routing_domain},
      {"local-recipients", 0, "FILE", "shared address space: file of local mailboxes", "", kBothOptions, "shared",
       true, false, parse_local_recipients},
      {"cloud-recipients", 0, "FILE", "shared address space: file of cloud users", "", kBothOptions, "shared", true,
       false, parse_cloud_recipients},
      {"forward-unknown", 0, "yes|no", "shared address space: forward unlisted recipients",
       yes_no(space.forward_unknown), kBothOptions, "shared", true, false, parse_forward_unknown},
      {"authoritative", 0, "yes|no", "shared address space: refuse unknown recipients", yes_no(space.authoritative),
       kBothOptions, "shared", true, false, parse_authoritative},
      {"max-received", 0, "N", "shared address space: Received fields allowed on forwarded mail",
       std::to_string(space.max_received), kBothOptions, "shared", true, false, parse_max_received},
      {"ldap-bind", 0, "METHOD",
       "how to bind to the directory of LDAP URL rules and lists: anonymous, simple or external (SASL EXTERNAL)",
       "anonymous", kDaemonOption, "", true, false, parse_ldap_bind},
      {"ldap-bind-dn", 0, "DN", "the DN of a simple bind", "", kDaemonOption, "", true, false, parse_ldap_bind_dn},
      {"ldap-password-file", 0, "FILE", "a file holding the password of a simple bind (its first line)", "",
       kDaemonOption, "", true, false, parse_ldap_password_file},
      {"ldap-tls-ca-file", 0, "FILE", "CA certificates (PEM) that an ldaps:// server's certificate must chain to "
       "(default: TLS_CACERT of ldap.conf)", "", kDaemonOption, "", true, false, parse_ldap_tls_ca_file},
      {"ldap-refresh", 0, "SECONDS", "reread the directory this often (0: at start and reload only)", "300",
       kDaemonOption, "", true, false, parse_ldap_refresh},
      {"ldap-cache", 0, "DIR", "keep the last good directory snapshot here, to start while the directory is down "
       "(\"\" for none)", "/var/lib/rewrite-milter", kDaemonOption, "", true, false, parse_ldap_cache, true},
      {"watch", 0, "yes|no",
       "reload when the rules file (or a file of the rules directory) or a recipient list file changes", "no",
       kDaemonOption, "", true, false, parse_watch},
      {"user", 'u', "USER", "user to run as", "", kDaemonOption, "", true, false, parse_user},
      {"group", 'g', "GROUP", "group to run as", "", kDaemonOption, "", true, false, parse_group},
      {"pid-file", 'p', "FILE", "write the process id to this file", "", kDaemonOption, "", true, false,
       parse_pid_file},
      {"foreground", 'f', "", "stay in the foreground, log to stderr too", "no", kDaemonOption, "", true, false,
       parse_foreground},
      {"verbose", 'v', "", "more logging; twice for debug", "0", kDaemonOption, "", true, false, parse_verbose},
  };
  for (SettingKey& key : keys) {
    if (key.name == "outbound-headers") key.help += " (default " + joined(default_outbound_headers()) + ")";
  }
  return keys;
}

}  // namespace

const std::vector<SettingKey>& setting_keys() {
  static const std::vector<SettingKey> table = build_table();
  return table;
}

const SettingKey* find_setting_key(std::string_view name) {
  for (const SettingKey& key : setting_keys()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

void add_setting_options(po::options_description& description, Offer offer, const std::string& group) {
  for (const SettingKey& key : setting_keys()) {
    if ((key.offered & offer) == 0 || (!group.empty() && key.group != group)) continue;
    const std::string names = key.short_name != 0 ? key.name + "," + key.short_name : key.name;
    std::string help = key.help;
    if (!key.default_value.empty() && !key.value_name.empty()) help += " (default " + key.default_value + ")";
    if (key.value_name.empty()) {
      description.add_options()(names.c_str(), po::bool_switch(), help.c_str());
    } else if (key.list) {
      description.add_options()(names.c_str(),
                                po::value<std::vector<std::string>>()->value_name(key.value_name)->composing(),
                                help.c_str());
    } else {
      description.add_options()(names.c_str(), po::value<std::string>()->value_name(key.value_name), help.c_str());
    }
  }
}

}  // namespace rewrite::milter
