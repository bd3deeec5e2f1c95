// SPDX-License-Identifier: BSD-2-Clause
// test_config.cpp: command line and configuration file parsing (errors as file:line: reason, the command
// line winning, defaults), socket specifications, and --check-config exit codes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include <sys/stat.h>

#include "config.h"
#include "milter_test_support.h"
#include "startup.h"

namespace rewrite::milter {
namespace {

using test::TempFile;

// Runs parse_config on the given arguments (program name added) with a default file that does not exist
// unless one is given.
ConfigOutcome parse(std::vector<std::string> args, const std::string& default_file = "/nonexistent/rewrite-milter.conf") {
  args.insert(args.begin(), "rewrite-milter");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  return parse_config(static_cast<int>(args.size()), argv.data(), default_file);
}

// Returns every error formatted as file:line: reason.
std::vector<std::string> messages(const ConfigOutcome& outcome) {
  std::vector<std::string> out;
  for (const ConfigError& error : outcome.errors) out.push_back(error.to_string());
  return out;
}

// True when some message equals expected.
bool has(const std::vector<std::string>& list, const std::string& expected) {
  return std::find(list.begin(), list.end(), expected) != list.end();
}

TEST_CASE("defaults with only a rules file", "[config]") {
  const ConfigOutcome outcome = parse({"-r", "/etc/rules"});
  CHECK(outcome.errors.empty());
  CHECK(outcome.mode == ConfigOutcome::Mode::run);
  const DaemonConfig& c = outcome.config;
  CHECK(c.rules_file == "/etc/rules");
  CHECK(c.socket == "unix:/run/rewrite-milter/rewrite-milter.sock");  // the documented default
  CHECK(c.on_failure == FailureAction::tempfail);
  CHECK(c.dkim == DkimPolicy::skip_signed);
  REQUIRE(c.classify.internal_hosts.size() == 2);
  CHECK(c.classify.internal_hosts[0].text == "127.0.0.0/8");
  CHECK(c.classify.internal_hosts[1].text == "::1/128");
  CHECK(c.classify.outbound_daemon_names == std::vector<std::string>{"ORIGINATING"});
  CHECK_FALSE(c.outbound_headers);
  CHECK_FALSE(c.foreground);
  CHECK(c.verbosity == 0);
}

TEST_CASE("all options from the file, the command line wins", "[config]") {
  TempFile conf("rewrite-milter.conf",
                "# example\n"
                "socket = inet:127.0.0.1:8893\n"
                "rules = /etc/rewrite-milter/rules   # trailing comment\n"
                "internal-hosts = 10.0.0.0/8, 2001:db8::/32\n"
                "outbound-daemon-names = ORIGINATING submission\n"
                "outbound-headers = From, Sender\n"
                "inbound-headers = To\n"
                "signed-headers = rewrite\n"
                "on-failure = accept\n"
                "user = mail\n"
                "pid-file = /run/rm.pid\n"
                "foreground = yes\n"
                "verbose = 1\n");
  const ConfigOutcome outcome = parse({"-c", conf.path(), "--on-failure", "reject", "-s", "unix:/tmp/x.sock", "-vv"});
  INFO(format_errors(outcome.errors));
  CHECK(outcome.errors.empty());
  const DaemonConfig& c = outcome.config;
  CHECK(c.socket == "unix:/tmp/x.sock");
  CHECK(c.rules_file == "/etc/rewrite-milter/rules");
  REQUIRE(c.classify.internal_hosts.size() == 2);
  CHECK(c.classify.internal_hosts[1].text == "2001:db8::/32");
  CHECK(c.classify.outbound_daemon_names == std::vector<std::string>{"ORIGINATING", "submission"});
  CHECK(c.outbound_headers == std::vector<std::string>{"From", "Sender"});
  CHECK(c.inbound_headers == std::vector<std::string>{"To"});
  CHECK(c.dkim == DkimPolicy::rewrite_signed);
  CHECK(c.on_failure == FailureAction::reject);
  CHECK(c.user == "mail");
  CHECK(c.pid_file == "/run/rm.pid");
  CHECK(c.foreground);
  CHECK(c.verbosity == 2);
  CHECK(c.source_of("outbound-headers") == conf.path() + ":6");
  CHECK(c.source_of("on-failure") == "command line");
}

TEST_CASE("configuration file errors carry file:line", "[config]") {
  TempFile conf("bad.conf",
                "rules = /r\n"
                "\n"
                "bogus = 1\n"
                "on-failure = maybe\n"
                "internal-hosts = 10.0.0.0/8, 300.1.1.1/8\n"
                "foreground\n"
                "signed-headers = skip\n"
                "signed-headers = rewrite\n"
                "help = yes\n"
                "socket = tcp:25\n"
                "user =\n");
  const ConfigOutcome outcome = parse({"-c", conf.path()});
  const auto list = messages(outcome);
  INFO(format_errors(outcome.errors));
  const std::string& f = conf.path();
  CHECK(list.size() == 8);
  CHECK(has(list, f + ":3: unknown setting 'bogus'"));
  CHECK(has(list, f + ":4: on-failure: 'maybe' is not tempfail, accept or reject"));
  CHECK(has(list, f + ":5: internal-hosts: '300.1.1.1/8' is not an IPv4 or IPv6 network"));
  CHECK(has(list, f + ":6: expected 'key = value'"));
  CHECK(has(list, f + ":8: signed-headers: set twice (first on line 7)"));
  CHECK(has(list, f + ":9: unknown setting 'help'"));
  CHECK(has(list, f + ":10: socket: 'tcp:25' is not unix:/path, inet:PORT@HOST or inet:HOST:PORT"));
  CHECK(has(list, f + ":11: user: needs a value"));
}

TEST_CASE("a missing default file is fine, a missing explicit file is an error", "[config]") {
  CHECK(parse({"-r", "/r"}, "/nonexistent/default.conf").errors.empty());
  const ConfigOutcome outcome = parse({"-r", "/r", "-c", "/nonexistent/explicit.conf"});
  CHECK(messages(outcome) == std::vector<std::string>{"/nonexistent/explicit.conf: cannot open configuration file: No such file or directory"});
  SECTION("the default file is read when present") {
    TempFile conf("default.conf", "rules = /from-default\n");
    const ConfigOutcome with_default = parse({}, conf.path());
    CHECK(with_default.errors.empty());
    CHECK(with_default.config.rules_file == "/from-default");
  }
}

TEST_CASE("command line errors", "[config]") {
  CHECK(messages(parse({})) ==
        std::vector<std::string>{"command line: no rules file: set --rules or 'rules = FILE' in the configuration file"});
  const auto unknown = messages(parse({"-r", "/r", "--nope"}));
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].find("--nope") != std::string::npos);
  CHECK(has(messages(parse({"-r", "/r", "--on-failure", "bounce"})),
            "command line: --on-failure: 'bounce' is not tempfail, accept or reject"));
  CHECK(messages(parse({"-r", "/r", "extra-argument"})) ==
        std::vector<std::string>{"command line: unexpected argument 'extra-argument'"});
  CHECK(parse({"-r", "/r", "-v", "-v", "-v"}).config.verbosity == 3);
}

TEST_CASE("modes: help, version, check", "[config]") {
  CHECK(parse({"--help"}).mode == ConfigOutcome::Mode::help);
  CHECK(parse({"--help"}).help_text.find("--outbound-daemon-names") != std::string::npos);
  CHECK(parse({"--version"}).mode == ConfigOutcome::Mode::version);
  CHECK(parse({"-n", "-r", "/r"}).mode == ConfigOutcome::Mode::check);
  CHECK(parse({"--check-config", "-r", "/r"}).mode == ConfigOutcome::Mode::check);
}

TEST_CASE("socket specifications", "[config]") {
  const auto norm = [](const std::string& spec) {
    std::string error;
    const Result<std::string> normalized = normalize_socket_spec(spec);
    return normalized ? *normalized : "ERROR: " + normalized.error().message();
  };
  CHECK(norm("unix:/run/x.sock") == "unix:/run/x.sock");
  CHECK(norm("local:/run/x.sock") == "local:/run/x.sock");
  CHECK(norm("/run/x.sock") == "unix:/run/x.sock");
  CHECK(norm("inet:8893@127.0.0.1") == "inet:8893@127.0.0.1");
  CHECK(norm("inet:127.0.0.1:8893") == "inet:8893@127.0.0.1");
  CHECK(norm("inet:localhost:8893") == "inet:8893@localhost");
  CHECK(norm("inet:[::1]:8893") == "inet6:8893@::1");
  CHECK(norm("inet6:8893@::1") == "inet6:8893@::1");
  CHECK(norm("inet:8893") == "inet:8893");
  for (const std::string bad : {"inet:127.0.0.1:0", "inet:127.0.0.1:99999", "inet:host:", "inet::1:25", "unix:",
                                "tcp:25", "inet:x@host", "inet:[::1]8893", ""}) {
    CHECK(norm(bad).rfind("ERROR: ", 0) == 0);
  }
}

TEST_CASE("check-config mode: 0 when everything loads, 78 with every error as file:line", "[config]") {
  TempFile rules("rules", test::kRules);
  std::ostringstream out;
  std::ostringstream err;
  SECTION("good") {
    CHECK(check_config(parse({"-n", "-r", rules.path()}), out, err) == kExitOk);
    CHECK(err.str().empty());
    CHECK(out.str().find("configuration OK: 4 rules") != std::string::npos);
  }
  SECTION("bad rules: every error with its line") {
    rules.write("fourthcoffee.com contoso.com\n*contoso.com contoso.com\nsales.*.com contoso.com\n");
    CHECK(check_config(parse({"-n", "-r", rules.path()}), out, err) == kExitConfig);
    CHECK(err.str().find(rules.path() + ":2: ") != std::string::npos);
    CHECK(err.str().find(rules.path() + ":3: ") != std::string::npos);
  }
  SECTION("missing rules file") {
    CHECK(check_config(parse({"-n", "-r", rules.dir() + "/missing"}), out, err) == kExitConfig);
    CHECK(err.str().find(rules.dir() + "/missing") == 0);
  }
  SECTION("a rules directory without rules files, a FIFO or a device is refused, never read as empty") {
    CHECK(check_config(parse({"-n", "-r", rules.dir()}), out, err) == kExitConfig);
    CHECK(err.str() == rules.dir() + ": rules directory holds no file ending in .rules or .csv\n");
    const std::string fifo = rules.dir() + "/fifo";
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    std::ostringstream err2;
    CHECK(check_config(parse({"-n", "-r", fifo}), out, err2) == kExitConfig);  // and does not block
    CHECK(err2.str() == fifo + ": cannot read rules file: is a FIFO, not a regular file\n");
    std::ostringstream err3;
    CHECK(check_config(parse({"-n", "-r", "/dev/zero"}), out, err3) == kExitConfig);
    CHECK(err3.str() == "/dev/zero: cannot read rules file: is a character device, not a regular file\n");
  }
  SECTION("a configuration file that is a directory is refused") {
    CHECK(check_config(parse({"-n", "-c", rules.dir(), "-r", rules.path()}), out, err) == kExitConfig);
    CHECK(err.str() == rules.dir() + ": cannot read configuration file: is a directory, not a regular file\n");
  }
  SECTION("a NUL byte in the configuration file is refused at its line, not read in part") {
    TempFile conf("c.conf", std::string("rules = ") + rules.path() + std::string("\0junk\n", 6));
    CHECK(check_config(parse({"-n", "-c", conf.path()}), out, err) == kExitConfig);
    CHECK(err.str().find(conf.path() + ":1: NUL byte in line") != std::string::npos);
  }
  SECTION("control bytes in a message are shown escaped") {
    TempFile conf("c.conf", "rules = " + rules.path() + "\nsoc\x1b[2Jket = x\n");
    CHECK(check_config(parse({"-n", "-c", conf.path()}), out, err) == kExitConfig);
    CHECK(err.str().find("unknown setting 'soc\\x1b[2Jket'") != std::string::npos);
    CHECK(err.str().find('\x1b') == std::string::npos);
  }
  SECTION("a header list naming a never-touched field, located at its line") {
    TempFile conf("c.conf", "rules = " + rules.path() + "\noutbound-headers = From, Received\n");
    CHECK(check_config(parse({"-n", "-c", conf.path()}), out, err) == kExitConfig);
    CHECK(err.str().rfind(conf.path() + ":2: ", 0) == 0);
    CHECK(err.str().find("Received") != std::string::npos);
  }
  SECTION("a bad option alone is a usage error (64); with a file error it is a configuration error") {
    rules.write("contoso.com fabrikam.com\n");
    CHECK(check_config(parse({"-n", "-r", rules.path(), "--on-failure", "maybe"}), out, err) == kExitUsage);
    CHECK(kExitUsage == 64);
    TempFile conf("u.conf", "rules = " + rules.path() + "\nsigned-headers = sometimes\n");
    CHECK(check_config(parse({"-n", "-c", conf.path(), "--on-failure", "maybe"}), out, err) == kExitConfig);
  }
  SECTION("configuration errors and rule errors are all reported") {
    rules.write("*contoso.com contoso.com\n");
    TempFile conf("c.conf", "rules = " + rules.path() + "\non-failure = maybe\nuser = no-such-user-xyz\n");
    CHECK(check_config(parse({"-n", "-c", conf.path()}), out, err) == kExitConfig);
    CHECK(err.str().find(conf.path() + ":2: on-failure") != std::string::npos);
    CHECK(err.str().find(conf.path() + ":3: user: no such user 'no-such-user-xyz'") != std::string::npos);
    CHECK(err.str().find(rules.path() + ":1: ") != std::string::npos);
  }
}

}  // namespace
}  // namespace rewrite::milter
