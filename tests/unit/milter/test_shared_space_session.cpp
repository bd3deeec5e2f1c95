// SPDX-License-Identifier: BSD-2-Clause
// test_shared_space_session.cpp: the shared address space (seed 000) through scripted fake-MTA sessions:
// each recipient verdict, the 550 5.1.1 RCPT reply, the trace header, the 5.4.6 loop refusal, the rule
// precedence, reloading the recipient lists with the rules, and the configuration keys.
#include <catch2/catch.hpp>

#include <sstream>

#include "config.h"
#include "milter_test_support.h"
#include "session.h"
#include "startup.h"

namespace rewrite::milter {
namespace {

using test::FakeMta;
using test::TempFile;
using Calls = std::vector<std::string>;

const ClientInfo kInternet{ClientInfo::Family::inet, "mx.example.net", "203.0.113.5", 51000};
const ClientInfo kStaffHost{ClientInfo::Family::inet, "ws1.contoso.edu", "127.0.0.1", 40000};

// Rules of the seed: cloud senders leave with the shared domain; one partner address is bidirectional.
const char* kSharedRules =
    "live.contoso.edu        contoso.edu              name=cloud-senders\n"
    "help@contoso.edu        helpdesk@contoso.edu     name=helpdesk\n";

// The on-premises MTA of Contoso University: authoritative for contoso.edu, students in the cloud.
struct SharedHarness {
  TempFile rules{"rules", kSharedRules};
  TempFile local{"local", "staff@contoso.edu\ndean@contoso.edu\n"};
  TempFile cloud{"cloud", "# students\nstudent@contoso.edu\nkim@contoso.edu\n"};
  RuleStore store{rules.path()};
  SessionSettings settings;
  MemoryLogger log;
  Session session{settings, store, log};

  explicit SharedHarness(bool forward_unknown = false, bool authoritative = true, bool log_only = false) {
    if (log_only) {
      store.set_completer([](RuleSnapshot& snapshot) {
        snapshot.log_only = true;
        return std::vector<ConfigError>{};
      });
    }
    settings.classify.internal_hosts.push_back(cidr("127.0.0.0/8"));
    // The recipient edits below are checked without the ORCPT that original-recipient adds; its own
    // test case turns it on.
    settings.plan.original_recipient = false;
    SharedSpaceSettings space;
    space.shared_domain = "contoso.edu";
    space.routing_domain = "live.contoso.edu";
    space.local_recipients = local.path();
    space.cloud_recipients = cloud.path();
    space.forward_unknown = forward_unknown;
    space.authoritative = authoritative;
    space.max_received = 5;
    store.set_shared_space(space, "rewrite-milter.conf");
    const std::vector<ConfigError> errors = store.reload();
    INFO(format_errors(errors));
    REQUIRE(errors.empty());
  }

  static Cidr cidr(const std::string& text) {
    auto network = parse_cidr(text);
    REQUIRE(network);
    return *network;
  }

  // Starts a message from sender on a connection from client.
  void start(const ClientInfo& client, const std::string& sender) {
    session.connect(client, "");
    MailEvent event;
    event.sender = sender;
    REQUIRE(session.mail_from(event).verdict == Verdict::proceed);
  }
};

TEST_CASE("shared space: a local mailbox is delivered unchanged, no trace header", "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.start(kInternet, "<friend@example.net>");
  CHECK(h.session.rcpt_to("<Staff@Contoso.EDU>", {}).verdict == Verdict::proceed);
  h.session.header("Subject", "hello");
  CHECK(h.session.end_of_message("QID1", mta).verdict == Verdict::proceed);
  CHECK(mta.calls.empty());
}

TEST_CASE("shared space: a cloud user is forwarded to the routing domain with the trace header",
          "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.start(kInternet, "<friend@example.net>");
  CHECK(h.session.rcpt_to("<student@contoso.edu>", {"NOTIFY=SUCCESS,FAILURE"}).verdict == Verdict::proceed);
  CHECK(h.session.rcpt_to("<staff@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.rcpt_to("<friend2@example.org>", {}).verdict == Verdict::proceed);
  h.session.header("Received", "from mx.example.net by onprem");
  h.session.header("To", "student@contoso.edu, staff@contoso.edu");
  CHECK(h.session.end_of_message("QID2", mta).verdict == Verdict::proceed);
  CHECK(mta.calls == Calls{"delrcpt <student@contoso.edu>",
                           "addrcpt <student@live.contoso.edu> NOTIFY=SUCCESS,FAILURE",
                           "addheader X-Rewrite-Forwarded [contoso.edu -> live.contoso.edu]"});
  CHECK(h.log.contains("QID2: rcpt=<student@contoso.edu> -> <student@live.contoso.edu> shared-space=forward"));
}

TEST_CASE("shared space: staff mail to students is forwarded too (outbound)", "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.start(kStaffHost, "<dean@contoso.edu>");
  REQUIRE(h.session.direction() == Direction::outbound);
  CHECK(h.session.rcpt_to("<kim@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.end_of_message("QID3", mta).verdict == Verdict::proceed);
  CHECK(mta.calls == Calls{"delrcpt <kim@contoso.edu>", "addrcpt <kim@live.contoso.edu>",
                           "addheader X-Rewrite-Forwarded [contoso.edu -> live.contoso.edu]"});
}

TEST_CASE("shared space: an unknown recipient is refused at RCPT with 550 5.1.1", "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  SECTION("from the Internet") { h.start(kInternet, "<friend@example.net>"); }
  SECTION("from staff") { h.start(kStaffHost, "<staff@contoso.edu>"); }
  const Reply reply = h.session.rcpt_to("<nobody@contoso.edu>", {});
  CHECK(reply.verdict == Verdict::reject);
  CHECK(reply.code == "550");
  CHECK(reply.xcode == "5.1.1");
  CHECK(reply.text == "<nobody@contoso.edu>: Recipient address rejected: no such user in contoso.edu");
  CHECK(h.log.contains("NOQUEUE: rcpt=<nobody@contoso.edu> rejected: 5.1.1 unknown in shared domain"));
  // The refused recipient is not part of the message: the rest goes on untouched.
  CHECK(h.session.rcpt_to("<staff@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.end_of_message("QID4", mta).verdict == Verdict::proceed);
  CHECK(mta.calls.empty());
}

TEST_CASE("shared space in log-only mode: nothing refused or forwarded, all of it logged and counted",
          "[shared_space_session][log-only]") {
  SharedHarness h(false, true, true);
  Metrics metrics;
  h.settings.metrics = &metrics;
  FakeMta mta;
  h.start(kInternet, "<friend@example.net>");
  CHECK(h.session.rcpt_to("<nobody@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.log.contains("NOQUEUE: would refuse rcpt=<nobody@contoso.edu>: 5.1.1 unknown in shared domain"));
  CHECK(h.session.rcpt_to("<student@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.rcpt_to("<staff@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.end_of_message("QID9", mta).verdict == Verdict::proceed);
  CHECK(mta.calls.empty());
  CHECK(h.log.contains("QID9: would change rcpt=<student@contoso.edu> -> <student@live.contoso.edu> shared-space=forward"));
  const std::string text = metrics.render();
  CHECK(text.find("rewrite_milter_shared_space_total{verdict=\"refused\"} 1\n") != std::string::npos);
  CHECK(text.find("rewrite_milter_shared_space_total{verdict=\"forwarded\"} 1\n") != std::string::npos);
  CHECK(text.find("rewrite_milter_shared_space_total{verdict=\"local\"} 1\n") != std::string::npos);
  CHECK(text.find("rewrite_milter_messages_changed_total{direction=\"inbound\"} 1\n") != std::string::npos);
}

TEST_CASE("shared space: the RCPT log line carries the queue id once the MTA has one", "[shared_space_session]") {
  SharedHarness h;
  h.start(kInternet, "<friend@example.net>");
  CHECK(h.session.rcpt_to("<nobody@contoso.edu>", {}, "4XyZ9").verdict == Verdict::reject);
  CHECK(h.log.contains("4XyZ9: rcpt=<nobody@contoso.edu> rejected: 5.1.1 unknown in shared domain"));
}

TEST_CASE("shared space: forward-unknown and non-authoritative settings", "[shared_space_session]") {
  FakeMta mta;
  SECTION("forward-unknown sends the unlisted recipient to the cloud") {
    SharedHarness h(true, true);
    h.start(kInternet, "<friend@example.net>");
    CHECK(h.session.rcpt_to("<newstudent@contoso.edu>", {}).verdict == Verdict::proceed);
    CHECK(h.session.end_of_message("QID5", mta).verdict == Verdict::proceed);
    CHECK(mta.calls == Calls{"delrcpt <newstudent@contoso.edu>", "addrcpt <newstudent@live.contoso.edu>",
                             "addheader X-Rewrite-Forwarded [contoso.edu -> live.contoso.edu]"});
  }
  SECTION("non-authoritative passes the unlisted recipient unchanged") {
    SharedHarness h(false, false);
    h.start(kInternet, "<friend@example.net>");
    CHECK(h.session.rcpt_to("<newstudent@contoso.edu>", {}).verdict == Verdict::proceed);
    CHECK(h.session.end_of_message("QID6", mta).verdict == Verdict::proceed);
    CHECK(mta.calls.empty());
  }
}

TEST_CASE("shared space: a message that went round once is refused with 5.4.6", "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.start(kInternet, "<friend@example.net>");
  h.session.rcpt_to("<student@contoso.edu>", {});
  h.session.header("Received", "from cloud by onprem");
  h.session.header("x-rewrite-forwarded", "contoso.edu -> live.contoso.edu");
  const Reply reply = h.session.end_of_message("QID7", mta);
  CHECK(reply.verdict == Verdict::reject);
  CHECK(reply.code == "554");
  CHECK(reply.xcode == "5.4.6");
  CHECK(mta.calls.empty());
  CHECK(h.log.contains("QID7: loop: message was already forwarded to live.contoso.edu once (X-Rewrite-Forwarded)"));
  CHECK_FALSE(h.session.in_message());
}

TEST_CASE("shared space: too many Received fields are refused with 5.4.6", "[shared_space_session]") {
  SharedHarness h;  // max-received 5
  FakeMta mta;
  h.start(kInternet, "<friend@example.net>");
  h.session.rcpt_to("<student@contoso.edu>", {});
  for (int i = 0; i < 6; ++i) h.session.header("Received", "from hop" + std::to_string(i));
  const Reply reply = h.session.end_of_message("QID8", mta);
  CHECK(reply.verdict == Verdict::reject);
  CHECK(reply.xcode == "5.4.6");
  CHECK(mta.calls.empty());
  CHECK(h.log.contains("QID8: loop: too many hops (6 Received fields, limit 5)"));
}

TEST_CASE("shared space: the loop guard only stops mail that would be forwarded", "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.start(kInternet, "<friend@example.net>");
  h.session.rcpt_to("<staff@contoso.edu>", {});
  for (int i = 0; i < 6; ++i) h.session.header("Received", "from hop" + std::to_string(i));
  h.session.header("X-Rewrite-Forwarded", "contoso.edu -> live.contoso.edu");
  CHECK(h.session.end_of_message("QID9", mta).verdict == Verdict::proceed);
  CHECK(mta.calls.empty());
}

TEST_CASE("shared space: a header over the size cap still counts its Received fields", "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.start(kInternet, "<friend@example.net>");
  h.session.rcpt_to("<student@contoso.edu>", {});
  h.session.header("X-Big", std::string(MessageCollector::kMaxHeaderBytes, 'x'));
  for (int i = 0; i < 6; ++i) h.session.header("Received", "from hop" + std::to_string(i));
  CHECK(h.session.end_of_message("QID10", mta).xcode == "5.4.6");
}

TEST_CASE("shared space: a bidirectional rule goes first and its result is not forwarded",
          "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.start(kInternet, "<friend@example.net>");
  // help@contoso.edu is in no list: the rule decides it, so it is neither refused nor forwarded.
  CHECK(h.session.rcpt_to("<helpdesk@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.rcpt_to("<student@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.end_of_message("QID11", mta).verdict == Verdict::proceed);
  CHECK(mta.calls == Calls{"delrcpt <helpdesk@contoso.edu>", "addrcpt <help@contoso.edu>",
                           "delrcpt <student@contoso.edu>", "addrcpt <student@live.contoso.edu>",
                           "addheader X-Rewrite-Forwarded [contoso.edu -> live.contoso.edu]"});
  CHECK(h.log.contains("QID11: rcpt=<helpdesk@contoso.edu> -> <help@contoso.edu> rule=helpdesk"));
}

TEST_CASE("shared space: cloud senders leave with the shared domain by the ordinary rule",
          "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.start(kStaffHost, "<student@live.contoso.edu>");
  CHECK(h.session.rcpt_to("<friend@example.net>", {}).verdict == Verdict::proceed);
  h.session.header("From", "Student <student@live.contoso.edu>");
  CHECK(h.session.end_of_message("QID12", mta).verdict == Verdict::proceed);
  CHECK(mta.calls == Calls{"chgfrom <student@contoso.edu>", "chgheader From 1 [Student <student@contoso.edu>]"});
  SECTION("mail that stays inside keeps its addresses") {
    FakeMta inside;
    h.start(kStaffHost, "<student@live.contoso.edu>");
    CHECK(h.session.rcpt_to("<staff@contoso.edu>", {}).verdict == Verdict::proceed);
    h.session.header("From", "Student <student@live.contoso.edu>");
    CHECK(h.session.end_of_message("QID12B", inside).verdict == Verdict::proceed);
    CHECK(inside.calls.empty());
    CHECK(h.log.contains("QID12B: unchanged (internal recipients)"));
  }
}

TEST_CASE("shared space: a listed mailbox accepts its extensions, and a cloud user's goes with it",
          "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.start(kInternet, "<friend@example.net>");
  CHECK(h.session.rcpt_to("<dean+lists@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.rcpt_to("<kim+course@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.rcpt_to("<POSTMASTER@contoso.edu>", {}).verdict == Verdict::proceed);
  CHECK(h.session.rcpt_to("<nobody+x@contoso.edu>", {}).verdict == Verdict::reject);
  CHECK(h.session.end_of_message("QID30", mta).verdict == Verdict::proceed);
  CHECK(mta.calls == Calls{"delrcpt <kim+course@contoso.edu>", "addrcpt <kim+course@live.contoso.edu>",
                           "addheader X-Rewrite-Forwarded [contoso.edu -> live.contoso.edu]"});
}

TEST_CASE("shared space: with SMFIP_HDR_LEADSPC the trace header carries its own space", "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  h.session.set_header_leading_space(true);
  h.start(kInternet, "<friend@example.net>");
  h.session.rcpt_to("<student@contoso.edu>", {});
  h.session.end_of_message("QID13", mta);
  REQUIRE(!mta.calls.empty());
  CHECK(mta.calls.back() == "addheader X-Rewrite-Forwarded [ contoso.edu -> live.contoso.edu]");
}

TEST_CASE("shared space: a refused trace header ends the message with the failure action", "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  mta.fail_at = 2;  // delrcpt, addrcpt, then addheader fails
  h.start(kInternet, "<friend@example.net>");
  h.session.rcpt_to("<student@contoso.edu>", {});
  const Reply reply = h.session.end_of_message("QID14", mta);
  CHECK(reply.verdict == Verdict::tempfail);
  CHECK(h.log.contains("QID14: error: smfi_insheader failed; action=tempfail"));
}

TEST_CASE("shared space: the lists are reloaded with the rules, all or nothing", "[shared_space_session]") {
  SharedHarness h;
  FakeMta mta;
  SECTION("a good reload moves a student on-premises and adds a new one") {
    h.local.write("staff@contoso.edu\ndean@contoso.edu\nstudent@contoso.edu\n");
    h.cloud.write("kim@contoso.edu\nnew@contoso.edu\n");
    REQUIRE(h.store.reload().empty());
    h.start(kInternet, "<friend@example.net>");
    CHECK(h.session.rcpt_to("<new@contoso.edu>", {}).verdict == Verdict::proceed);
    CHECK(h.session.rcpt_to("<student@contoso.edu>", {}).verdict == Verdict::proceed);
    h.session.end_of_message("QID15", mta);
    CHECK(mta.calls == Calls{"delrcpt <new@contoso.edu>", "addrcpt <new@live.contoso.edu>",
                             "addheader X-Rewrite-Forwarded [contoso.edu -> live.contoso.edu]"});
  }
  SECTION("a bad list keeps the old rules and lists and reports each error as file:line") {
    const auto before = h.store.snapshot();
    h.rules.write("fourthcoffee.com contoso.com\n");
    h.cloud.write("new@contoso.edu\nnot-an-address\nx@example.org\nstaff@contoso.edu\n");
    const std::vector<ConfigError> errors = h.store.reload();
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].to_string() == h.cloud.path() + ":2: 'not-an-address' is not an address (local@domain)");
    CHECK(errors[1].to_string() == h.cloud.path() + ":3: 'x@example.org' is not in the shared domain contoso.edu");
    CHECK(errors[2].file == h.cloud.path());
    CHECK(errors[2].line == 4);
    const auto after = h.store.snapshot();
    CHECK(after.table == before.table);
    CHECK(after.space == before.space);
    h.start(kInternet, "<friend@example.net>");
    CHECK(h.session.rcpt_to("<new@contoso.edu>", {}).verdict == Verdict::reject);
  }
  SECTION("a bad rules file keeps the old lists too") {
    const auto before = h.store.snapshot();
    h.rules.write("*bad.contoso.edu contoso.edu\n");
    h.cloud.write("new@contoso.edu\n");
    CHECK_FALSE(h.store.reload().empty());
    CHECK(h.store.snapshot().space == before.space);
  }
  SECTION("a message in flight keeps the lists it started with") {
    h.start(kInternet, "<friend@example.net>");
    h.cloud.write("kim@contoso.edu\n");
    h.local.write("staff@contoso.edu\nstudent@contoso.edu\n");
    REQUIRE(h.store.reload().empty());
    CHECK(h.session.rcpt_to("<student@contoso.edu>", {}).verdict == Verdict::proceed);
    h.session.end_of_message("QID16", mta);
    CHECK(mta.calls.size() == 3);
  }
}

// Runs parse_config on args (program name added), with no default file.
ConfigOutcome parse(std::vector<std::string> args) {
  args.insert(args.begin(), "rewrite-milter");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  argv.push_back(nullptr);
  return parse_config(static_cast<int>(args.size()), argv.data(), "/nonexistent/rewrite-milter.conf");
}

TEST_CASE("shared space configuration: defaults, file keys, command line and errors", "[shared_space_session]") {
  TempFile local("local", "staff@contoso.edu\n");
  TempFile cloud("cloud", "student@contoso.edu\n");
  SECTION("off unless shared-domain is set") {
    CHECK_FALSE(parse({"-r", "/etc/rules"}).config.shared_space);
  }
  SECTION("keys in the file with their defaults") {
    TempFile conf("rewrite-milter.conf", "rules = /etc/rules\nshared-domain = contoso.edu\n"
                                         "routing-domain = live.contoso.edu\nlocal-recipients = " + local.path() +
                                         "\ncloud-recipients = " + cloud.path() + "\n");
    const ConfigOutcome outcome = parse({"-c", conf.path()});
    INFO(format_errors(outcome.errors));
    REQUIRE(outcome.errors.empty());
    REQUIRE(outcome.config.shared_space);
    const SharedSpaceSettings& s = *outcome.config.shared_space;
    CHECK(s.shared_domain == "contoso.edu");
    CHECK(s.routing_domain == "live.contoso.edu");
    CHECK(s.local_recipients == local.path());
    CHECK(s.cloud_recipients == cloud.path());
    CHECK_FALSE(s.forward_unknown);
    CHECK(s.authoritative);
    CHECK(s.max_received == 30);
  }
  SECTION("the command line sets every key") {
    const ConfigOutcome outcome =
        parse({"-r", "/etc/rules", "--shared-domain", "contoso.edu", "--routing-domain", "live.contoso.edu",
               "--local-recipients", local.path(), "--forward-unknown", "yes", "--authoritative", "no",
               "--max-received", "12"});
    INFO(format_errors(outcome.errors));
    REQUIRE(outcome.config.shared_space);
    CHECK(outcome.config.shared_space->forward_unknown);
    CHECK_FALSE(outcome.config.shared_space->authoritative);
    CHECK(outcome.config.shared_space->max_received == 12);
    CHECK(outcome.config.shared_space->cloud_recipients.empty());
  }
  SECTION("bad values and missing companions are errors at their location") {
    TempFile conf("rewrite-milter.conf", "rules = /etc/rules\nshared-domain = contoso.edu\nauthoritative = maybe\n"
                                         "max-received = 0\n");
    const ConfigOutcome outcome = parse({"-c", conf.path()});
    std::vector<std::string> got;
    for (const ConfigError& e : outcome.errors) got.push_back(e.to_string());
    CHECK(got == std::vector<std::string>{
                     conf.path() + ":3: authoritative: 'maybe' is not yes or no",
                     conf.path() + ":4: max-received: '0' is not a number from 1 to 9999",
                     conf.path() + ":2: shared-domain: needs routing-domain as well",
                     conf.path() + ":2: shared-domain: needs local-recipients as well",
                     conf.path() + ":2: shared-domain: needs cloud-recipients unless forward-unknown is yes"});
    CHECK_FALSE(outcome.config.shared_space);
  }
  SECTION("shared space keys without shared-domain are errors") {
    const ConfigOutcome outcome = parse({"-r", "/etc/rules", "--routing-domain", "live.contoso.edu"});
    REQUIRE(outcome.errors.size() == 1);
    CHECK(outcome.errors[0].to_string() == "command line: --routing-domain: has no effect without shared-domain");
  }
}

TEST_CASE("shared space --check-config validates the lists", "[shared_space_session]") {
  TempFile rules("rules", kSharedRules);
  TempFile local("local", "staff@contoso.edu\n");
  TempFile cloud("cloud", "student@contoso.edu\n");
  const std::vector<std::string> base{"-n", "-r", rules.path(), "--shared-domain", "contoso.edu",
                                      "--routing-domain", "live.contoso.edu", "--local-recipients", local.path(),
                                      "--cloud-recipients", cloud.path()};
  std::ostringstream out;
  std::ostringstream err;
  SECTION("good lists") {
    local.write("staff@contoso.edu\nPostmaster@contoso.edu\n");
    CHECK(check_config(parse(base), out, err) == kExitOk);
    CHECK(out.str() == "configuration OK: 2 rules from " + rules.path() +
                           "\nshared address space contoso.edu -> live.contoso.edu: 2 local, 1 cloud recipients\n");
    CHECK(err.str().empty());
  }
  SECTION("a local list without postmaster: a warning, and postmaster stays local") {
    CHECK(check_config(parse(base), out, err) == kExitOk);
    CHECK(out.str() == "configuration OK: 2 rules from " + rules.path() +
                           "\nshared address space contoso.edu -> live.contoso.edu: 1 local, 1 cloud recipients\n"
                           "warning: " + local.path() + " does not list postmaster@contoso.edu; it is delivered "
                           "locally all the same (RFC 5321)\n");
  }
  SECTION("postmaster in the cloud list: no warning, it is forwarded") {
    cloud.write("student@contoso.edu\npostmaster@contoso.edu\n");
    CHECK(check_config(parse(base), out, err) == kExitOk);
    CHECK(out.str().find("warning") == std::string::npos);
  }
  SECTION("a recipient in both lists, and a missing list") {
    cloud.write("student@contoso.edu\nstaff@contoso.edu\n");
    CHECK(check_config(parse(base), out, err) == kExitConfig);
    CHECK(err.str() == cloud.path() + ":2: 'staff@contoso.edu' is also listed in " + local.path() +
                           ": a recipient is either local or in the cloud\n");
    std::filesystem::remove(local.path());
    std::ostringstream err2;
    CHECK(check_config(parse(base), out, err2) == kExitConfig);
    CHECK(err2.str() == local.path() + ": cannot open recipient list: No such file or directory\n");
  }
}

}  // namespace
}  // namespace rewrite::milter
