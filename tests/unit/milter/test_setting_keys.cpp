// SPDX-License-Identifier: BSD-2-Clause
// test_setting_keys.cpp: the one table of settings: every key is parsed, documented in
// rewrite-milter.conf(5) and offered in the help of each front end that takes it, and the defaults the
// table gives are the ones both front ends apply.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config.h"
#include "options.h"
#include "setting_keys.h"

namespace rewrite::milter {
namespace {

// Returns the man page text with mdoc's escaped hyphens written plain.
std::string manual(const std::string& name) {
  std::ifstream in(std::filesystem::path(REWRITE_SOURCE_DIR) / "man" / name);
  std::ostringstream text;
  text << in.rdbuf();
  std::string plain = text.str();
  for (std::size_t at; (at = plain.find("\\-")) != std::string::npos;) plain.replace(at, 2, "-");
  return plain;
}

// Returns rewrite-milter's help text.
std::string daemon_help() {
  const char* argv[] = {"rewrite-milter", "--help", nullptr};
  return parse_config(2, argv, "").help_text;
}

// Returns rewrite-test's help text.
std::string tool_help() {
  const char* argv[] = {"rewrite-test", "--help", nullptr};
  return tool::parse_options(2, argv).options.help_text;
}

TEST_CASE("setting keys: unique, parsed, and documented in rewrite-milter.conf(5)", "[settings]") {
  const std::string conf5 = manual("rewrite-milter.conf.5");
  std::set<std::string> names;
  for (const SettingKey& key : setting_keys()) {
    INFO(key.name);
    CHECK(names.insert(key.name).second);
    CHECK(key.parse != nullptr);
    CHECK_FALSE(key.help.empty());
    CHECK(find_setting_key(key.name) == &key);
    if (key.in_file) CHECK(conf5.find("Cm " + key.name + " No =") != std::string::npos);
  }
  CHECK(find_setting_key("no-such-key") == nullptr);
}

TEST_CASE("setting keys: both help texts are generated from the table", "[settings]") {
  const std::string daemon = daemon_help();
  const std::string tool = tool_help();
  for (const SettingKey& key : setting_keys()) {
    INFO(key.name);
    CHECK((daemon.find("--" + key.name + " ") != std::string::npos) == ((key.offered & kDaemonOption) != 0));
    CHECK((tool.find("--" + key.name + " ") != std::string::npos) == ((key.offered & kToolOption) != 0));
  }
  // A default is written once, in the table, and shown wherever the key is offered.
  CHECK_THAT(daemon, Catch::Contains("(default tempfail)"));
  CHECK_THAT(daemon, Catch::Contains("127.0.0.0/8,::1/128)"));  // after a line break
  CHECK_THAT(tool, Catch::Contains("(default skip)"));
  CHECK_THAT(tool, Catch::Contains("(default 30)"));
}

TEST_CASE("setting keys: the table's defaults are what an empty configuration holds", "[settings]") {
  std::vector<ConfigError> errors;
  const DaemonConfig config = load_settings("", false, {}, errors);
  CHECK(errors.empty());
  for (const SettingKey& key : setting_keys()) {
    // The shared space's keys need shared-domain; their defaults are checked with it below.
    if (key.default_value.empty() || key.group == "shared") continue;
    INFO(key.name);
    // Setting the default explicitly changes nothing.
    std::vector<ConfigError> explicit_errors;
    const DaemonConfig again = load_settings("", false, {{key.name, key.default_value}}, explicit_errors);
    CHECK(explicit_errors.empty());
    CHECK(again.socket == config.socket);
    CHECK(again.on_failure == config.on_failure);
    CHECK(again.dkim == config.dkim);
    CHECK(again.verbosity == config.verbosity);
    CHECK(again.classify.outbound_daemon_names == config.classify.outbound_daemon_names);
    CHECK(again.classify.internal_hosts.size() == config.classify.internal_hosts.size());
  }
  CHECK(config.socket == "unix:/run/rewrite-milter/rewrite-milter.sock");
  const DaemonConfig shared = load_settings("", false,
                                            {{"shared-domain", "contoso.edu"}, {"routing-domain", "live.contoso.edu"},
                                             {"local-recipients", "l"}, {"cloud-recipients", "c"}},
                                            errors);
  CHECK(errors.empty());
  REQUIRE(shared.shared_space);
  const SharedSpaceSettings defaults;
  CHECK(shared.shared_space->max_received == defaults.max_received);
  CHECK(shared.shared_space->authoritative == defaults.authoritative);
  CHECK(shared.shared_space->forward_unknown == defaults.forward_unknown);
  CHECK(config.classify.outbound_daemon_names == std::vector<std::string>{"ORIGINATING"});
}

TEST_CASE("setting keys: a list given twice on the command line is one list", "[settings]") {
  const char* argv[] = {"rewrite-milter", "-r", "/etc/rules", "--outbound-headers", "From",
                        "--outbound-headers", "Reply-To,Sender", nullptr};
  const ConfigOutcome outcome = parse_config(7, argv, "");
  CHECK(outcome.errors.empty());
  REQUIRE(outcome.config.outbound_headers);
  CHECK(*outcome.config.outbound_headers == std::vector<std::string>{"From", "Reply-To", "Sender"});
}

}  // namespace
}  // namespace rewrite::milter
