// SPDX-License-Identifier: BSD-2-Clause
// test_session.cpp: scripted fake-MTA sessions through the milter session logic: what is changed, with
// which smfi_* requests and indexes, what is logged, and what happens on failures and across messages.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "milter_test_support.h"
#include "session.h"

namespace rewrite::milter {
namespace {

using test::FakeMta;
using test::TempFile;
using Calls = std::vector<std::string>;

const ClientInfo kInternal{ClientInfo::Family::inet, "ws1.contoso.com", "127.0.0.1", 40000};
const ClientInfo kExternal{ClientInfo::Family::inet, "mx.example.net", "192.0.2.10", 51000};
const ClientInfo kPostfixNonSmtp{ClientInfo::Family::inet, "localhost", "127.0.0.1", 0};

// One daemon's worth of shared state around a session under test.
struct Harness {
  TempFile rules{"rules", test::kRules};
  RuleStore store{rules.path()};
  SessionSettings settings;
  MemoryLogger log;
  Session session{settings, store, log};

  Harness() {
    settings.classify.internal_hosts.push_back(cidr("127.0.0.0/8"));
    // The recipient edits below are checked without the ORCPT that original-recipient adds; its own
    // test case turns it on.
    settings.plan.original_recipient = false;
    settings.classify.outbound_daemon_names = {"ORIGINATING"};
    REQUIRE(store.reload().empty());
  }

  static Cidr cidr(const std::string& text) {
    auto network = parse_cidr(text);
    REQUIRE(network);
    return *network;
  }

  // MAIL FROM with sender as the MTA passes it.
  Reply mail(const std::string& sender, const std::vector<std::string>& args = {}, const std::string& auth = "") {
    MailEvent event;
    event.sender = sender;
    event.esmtp_args = args;
    event.auth_authen = auth;
    return session.mail_from(event);
  }
};

TEST_CASE("outbound: sender and header fields are rewritten with per-name indexes", "[session]") {
  Harness h;
  FakeMta mta;
  h.session.connect(kInternal, "");
  h.mail("<masato@japan.sales.contoso.com>", {"SIZE=1200", "BODY=8BITMIME"});
  h.session.rcpt_to("<friend@example.net>", {});
  h.session.header("Received", "from ws1 by mail");
  h.session.header("From", "Masato <masato@japan.sales.contoso.com>");
  h.session.header("To", "friend@example.net");
  h.session.header("Cc", "a@example.org");
  h.session.header("CC", "Chris <chris@sales.contoso.com>");
  const Reply reply = h.session.end_of_message("4AbC123", mta);

  CHECK(reply.verdict == Verdict::proceed);
  CHECK(mta.calls == Calls{"chgfrom <masato@contoso.jp>",
                           "chgheader From 1 [Masato <masato@contoso.jp>]",
                           "chgheader CC 2 [Chris <chris@contoso.com>]"});
  CHECK(h.log.contains("4AbC123: from=<masato@japan.sales.contoso.com> -> <masato@contoso.jp> rule=japan"));
  CHECK(h.log.contains("4AbC123: header=From <masato@japan.sales.contoso.com> -> <masato@contoso.jp> rule=japan"));
  CHECK(h.log.contains("4AbC123: header=CC <chris@sales.contoso.com> -> <chris@contoso.com> rule=flatten"));
  CHECK_FALSE(h.session.in_message());
}

TEST_CASE("outbound with SMFIP_HDR_LEADSPC: values keep exactly the white space they came with", "[session]") {
  // The MTA then writes "Name:" + value, so a value goes back with its own leading space, with none when
  // it had none ("Reply-To:joe@..."), and with a fold right after the colon left as it was.
  Harness h;
  FakeMta mta;
  h.session.set_header_leading_space(true);
  h.session.connect(kInternal, "");
  h.mail("<joe@fourthcoffee.com>");
  h.session.rcpt_to("<friend@example.net>", {});
  h.session.header("From", " Joe <joe@fourthcoffee.com>");
  h.session.header("Reply-To", "joe@fourthcoffee.com");
  h.session.header("Cc", "\n\tann@fourthcoffee.com,\n\t bo@fourthcoffee.com");
  h.session.header("To", "\t friend@example.net");
  h.session.end_of_message("Q1", mta);
  CHECK(mta.calls == Calls{"chgfrom <joe@contoso.com>", "chgheader From 1 [ Joe <joe@contoso.com>]",
                           "chgheader Reply-To 1 [joe@contoso.com]",
                           "chgheader Cc 1 [\n\tann@contoso.com,\n\t bo@contoso.com]"});
}

TEST_CASE("inbound: a recipient of a bidirectional rule is replaced, keeping its ESMTP arguments", "[session]") {
  Harness h;
  FakeMta mta;
  h.session.connect(kExternal, "");
  h.mail("<someone@example.net>");
  h.session.rcpt_to("<other@wingtiptoys.com>", {});
  h.session.rcpt_to("<Support@WingtipToys.com>", {"NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;support@wingtiptoys.com"});
  h.session.header("From", "someone@example.net");
  h.session.header("To", "support@wingtiptoys.com");
  h.session.end_of_message("5XyZ", mta);
  CHECK(mta.calls == Calls{"delrcpt <Support@WingtipToys.com>",
                           "addrcpt <support@contoso.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;support@wingtiptoys.com"});
  CHECK(h.log.contains("5XyZ: rcpt=<Support@WingtipToys.com> -> <support@contoso.com> rule=partner"));
}

TEST_CASE("inbound: the sender and outbound-only rules are left alone", "[session]") {
  Harness h;
  FakeMta mta;
  h.session.connect(kExternal, "");
  h.mail("<masato@japan.sales.contoso.com>");
  h.session.rcpt_to("<joe@fourthcoffee.com>", {});
  h.session.header("From", "masato@japan.sales.contoso.com");
  h.session.end_of_message("Q", mta);
  CHECK(mta.calls.empty());
}

TEST_CASE("the null sender is never rewritten, in either spelling", "[session]") {
  for (const std::string sender : {"<>", "", " <> "}) {
    Harness h;
    FakeMta mta;
    h.session.connect(kPostfixNonSmtp, "");
    h.mail(sender);
    h.session.rcpt_to("friend@example.net", {});
    h.session.header("From", "MAILER-DAEMON@example.net");
    h.session.end_of_message("Q", mta);
    CHECK(mta.calls.empty());
  }
}

TEST_CASE("Postfix non-SMTP submission is outbound and its bare sender is normalised", "[session]") {
  Harness h;
  h.settings.classify.internal_hosts.clear();  // not because of 127.0.0.1 being internal
  FakeMta mta;
  h.session.connect(kPostfixNonSmtp, "mail.contoso.com");
  h.mail("masato@japan.sales.contoso.com");
  h.session.rcpt_to("friend@example.net", {});
  h.session.end_of_message("", mta);
  CHECK(mta.calls == Calls{"chgfrom <masato@contoso.jp>"});
  CHECK(h.log.contains("NOQUEUE: from=<masato@japan.sales.contoso.com> -> <masato@contoso.jp> rule=japan"));
}

TEST_CASE("authenticated and daemon-name clients are outbound even from outside", "[session]") {
  SECTION("auth") {
    Harness h;
    FakeMta mta;
    h.session.connect(kExternal, "");
    h.mail("<joe@fourthcoffee.com>", {}, "joe");
    h.session.end_of_message("Q", mta);
    CHECK(mta.calls == Calls{"chgfrom <joe@contoso.com>"});
  }
  SECTION("daemon name at connect") {
    Harness h;
    FakeMta mta;
    h.session.connect(kExternal, "originating");
    h.mail("<joe@fourthcoffee.com>");
    h.session.end_of_message("Q", mta);
    CHECK(mta.calls == Calls{"chgfrom <joe@contoso.com>"});
  }
  SECTION("another daemon name stays inbound") {
    Harness h;
    FakeMta mta;
    h.session.connect(kExternal, "smtpd-inbound");
    h.mail("<joe@fourthcoffee.com>");
    h.session.end_of_message("Q", mta);
    CHECK(mta.calls.empty());
    CHECK(h.session.direction() == Direction::inbound);
  }
}

TEST_CASE("several messages on one connection each start from a clean state", "[session]") {
  Harness h;
  h.session.connect(kInternal, "");

  FakeMta first;
  h.mail("<joe@fourthcoffee.com>");
  h.session.rcpt_to("<a@example.net>", {});
  h.session.header("From", "joe@fourthcoffee.com");
  h.session.end_of_message("M1", first);
  CHECK(first.calls == Calls{"chgfrom <joe@contoso.com>", "chgheader From 1 [joe@contoso.com]"});

  FakeMta second;
  h.mail("<someone@example.org>");
  h.session.rcpt_to("<b@example.net>", {});
  h.session.header("From", "someone@example.org");
  h.session.end_of_message("M2", second);
  CHECK(second.calls.empty());

  FakeMta third;
  h.mail("<ann@research.contoso.com>");
  h.session.rcpt_to("<c@example.net>", {});
  h.session.header("From", "ann@research.contoso.com");
  h.session.end_of_message("M3", third);
  CHECK(third.calls == Calls{"chgfrom <ann@contoso.com>", "chgheader From 1 [ann@contoso.com]"});
}

TEST_CASE("abort forgets the message; the next one does not inherit its headers", "[session]") {
  Harness h;
  h.session.connect(kInternal, "");
  h.mail("<joe@fourthcoffee.com>");
  h.session.rcpt_to("<a@example.net>", {});
  h.session.header("From", "joe@fourthcoffee.com");
  h.session.abort();
  CHECK_FALSE(h.session.in_message());

  FakeMta after_abort;
  CHECK(h.session.end_of_message("Q", after_abort).verdict == Verdict::proceed);
  CHECK(after_abort.calls.empty());

  FakeMta next;
  h.mail("<someone@example.org>");
  h.session.rcpt_to("<a@example.net>", {});
  h.session.end_of_message("Q2", next);
  CHECK(next.calls.empty());
}

TEST_CASE("a refused smfi call yields the failure action and no further edits", "[session]") {
  const auto run = [](FailureAction action, int fail_at, Verdict expected, std::size_t calls_made) {
    Harness h;
    h.settings.on_failure = action;
    FakeMta mta;
    mta.fail_at = fail_at;
    h.session.connect(kInternal, "");
    h.mail("<joe@fourthcoffee.com>");
    h.session.rcpt_to("<a@example.net>", {});
    h.session.header("From", "joe@fourthcoffee.com");
    h.session.header("Sender", "joe@fourthcoffee.com");
    const Reply reply = h.session.end_of_message("QF", mta);
    CHECK(reply.verdict == expected);
    CHECK(mta.calls.size() == calls_made);
    CHECK(h.log.contains(std::string("QF: error: ")));
    CHECK(h.log.contains(std::string("action=") + to_string(action)));
    CHECK_FALSE(h.session.in_message());
  };
  SECTION("chgfrom refused, tempfail") { run(FailureAction::tempfail, 0, Verdict::tempfail, 1); }
  SECTION("first chgheader refused, tempfail") { run(FailureAction::tempfail, 1, Verdict::tempfail, 2); }
  SECTION("accept") { run(FailureAction::accept, 1, Verdict::accept, 2); }
  SECTION("reject") { run(FailureAction::reject, 2, Verdict::reject, 3); }
}

TEST_CASE("a failing delrcpt stops before the replacement recipient is added", "[session]") {
  Harness h;
  FakeMta mta;
  mta.fail_at = 0;
  h.session.connect(kExternal, "");
  h.mail("<x@example.net>");
  h.session.rcpt_to("<support@wingtiptoys.com>", {});
  const Reply reply = h.session.end_of_message("QR", mta);
  CHECK(reply.verdict == Verdict::tempfail);
  CHECK(reply.code == "451");
  CHECK(mta.calls == Calls{"delrcpt <support@wingtiptoys.com>"});
}

TEST_CASE("an exception while planning yields the failure action", "[session]") {
  TempFile rules("rules", test::kRules);
  RuleStore store(rules.path());
  REQUIRE(store.reload().empty());
  SessionSettings settings;
  settings.on_failure = FailureAction::reject;
  MemoryLogger log;
  Session session(settings, store, log,
                  [](const MessageCollector&) -> EndOfMessage { throw std::runtime_error("boom"); });
  FakeMta mta;
  session.connect(kInternal, "");
  session.mail_from(MailEvent{"<joe@fourthcoffee.com>", {}, "", "", ""});
  const Reply reply = session.end_of_message("QE", mta);
  CHECK(reply.verdict == Verdict::reject);
  CHECK(mta.calls.empty());
  CHECK(log.contains("QE: error: end of message: boom; action=reject"));
}

TEST_CASE("without a rule table MAIL fails and the failure is repeated where the MTA listens", "[session]") {
  TempFile rules("rules", "this is not a rule file with *bad* syntax@\n");
  RuleStore store(rules.path());
  REQUIRE_FALSE(store.reload().empty());
  SessionSettings settings;
  MemoryLogger log;
  Session session(settings, store, log);
  FakeMta mta;
  session.connect(kInternal, "");
  CHECK(session.mail_from(MailEvent{"<joe@fourthcoffee.com>", {}, "", "", ""}).verdict == Verdict::tempfail);
  CHECK(session.rcpt_to("<a@example.net>", {}).verdict == Verdict::tempfail);
  CHECK(session.end_of_message("", mta).verdict == Verdict::tempfail);
  CHECK(mta.calls.empty());
}

TEST_CASE("a message keeps the rules it started with across a reload", "[session]") {
  Harness h;
  h.session.connect(kInternal, "");
  h.mail("<joe@fourthcoffee.com>");
  h.rules.write("fourthcoffee.com  example.com  name=after\n");
  REQUIRE(h.store.reload().empty());
  FakeMta during;
  h.session.end_of_message("R1", during);
  CHECK(during.calls == Calls{"chgfrom <joe@contoso.com>"});

  FakeMta after;
  h.mail("<joe@fourthcoffee.com>");
  h.session.end_of_message("R2", after);
  CHECK(after.calls == Calls{"chgfrom <joe@example.com>"});
  CHECK(h.log.contains("R2: from=<joe@fourthcoffee.com> -> <joe@example.com> rule=after"));
}

TEST_CASE("a recipient given twice is replaced once", "[session]") {
  Harness h;
  FakeMta mta;
  h.session.connect(kExternal, "");
  h.mail("<x@example.net>");
  h.session.rcpt_to("<support@wingtiptoys.com>", {});
  h.session.rcpt_to("<support@wingtiptoys.com>", {});
  h.session.end_of_message("QD", mta);
  CHECK(mta.calls == Calls{"delrcpt <support@wingtiptoys.com>", "addrcpt <support@contoso.com>"});
}

TEST_CASE("a rewritten recipient the message already goes to is merged, not added twice", "[session]") {
  Harness h;
  FakeMta mta;
  h.session.connect(kExternal, "");
  h.mail("<x@example.net>");
  h.session.rcpt_to("<support@wingtiptoys.com>", {});
  h.session.rcpt_to("<Support@Contoso.com>", {});
  h.session.rcpt_to("<other@example.org>", {});
  h.session.end_of_message("QM", mta);
  CHECK(mta.calls == Calls{"delrcpt <support@wingtiptoys.com>"});
  CHECK(h.log.contains("QM: rcpt=<support@wingtiptoys.com> -> <support@contoso.com> rule=partner merged"));
}

TEST_CASE("DKIM-signed fields are skipped and logged; the envelope is still rewritten", "[session]") {
  Harness h;
  FakeMta mta;
  h.session.connect(kInternal, "");
  h.mail("<joe@fourthcoffee.com>");
  h.session.header("DKIM-Signature", "v=1; a=rsa-sha256; d=fourthcoffee.com; s=s1; h=from:subject; bh=x; b=y");
  h.session.header("From", "joe@fourthcoffee.com");
  h.session.header("Reply-To", "joe@fourthcoffee.com");
  h.session.end_of_message("QK", mta);
  CHECK(mta.calls == Calls{"chgfrom <joe@contoso.com>", "chgheader Reply-To 1 [joe@contoso.com]"});
  CHECK(h.log.contains("QK: header=From skipped: dkim-protected"));
}

TEST_CASE("queue id: {i} from MAIL is used when end of message has none", "[session]") {
  Harness h;
  FakeMta mta;
  h.session.connect(kInternal, "");
  h.session.mail_from(MailEvent{"<joe@fourthcoffee.com>", {}, "", "", "SENDMAILQ"});
  h.session.end_of_message("", mta);
  CHECK(h.log.contains("SENDMAILQ: from=<joe@fourthcoffee.com> -> <joe@contoso.com> rule=merger"));
}

TEST_CASE("an oversized header section leaves the header alone but not the envelope", "[session]") {
  Harness h;
  FakeMta mta;
  h.session.connect(kInternal, "");
  h.mail("<joe@fourthcoffee.com>");
  h.session.header("From", "joe@fourthcoffee.com");
  const std::string filler(64 * 1024, 'x');
  for (int i = 0; i < 20; ++i) h.session.header("X-Filler", filler);
  h.session.end_of_message("QB", mta);
  CHECK(mta.calls == Calls{"chgfrom <joe@contoso.com>"});
  CHECK(h.log.contains("QB: header larger than"));
}

}  // namespace
}  // namespace rewrite::milter

namespace rewrite::milter {
namespace {

TEST_CASE("a replaced recipient gets the address the client wrote as ORCPT, unless it gave one", "[session]") {
  Harness h;
  h.settings.plan.original_recipient = true;
  FakeMta mta;
  h.session.connect(kExternal, "");
  h.mail("<customer@example.net>");
  h.session.rcpt_to("<Support@WingtipToys.com>", {"NOTIFY=SUCCESS"});
  h.session.rcpt_to("<support+a=b@wingtiptoys.com>", {});
  CHECK(h.session.end_of_message("QO", mta).verdict == Verdict::proceed);
  CHECK(mta.calls == Calls{"delrcpt <Support@WingtipToys.com>",
                           "addrcpt <support@contoso.com> NOTIFY=SUCCESS ORCPT=rfc822;Support@WingtipToys.com",
                           "delrcpt <support+a=b@wingtiptoys.com>",
                           "addrcpt <support+a=b@contoso.com> ORCPT=rfc822;support+2Ba+3Db@wingtiptoys.com"});
  SECTION("a client's own ORCPT is kept as it is") {
    FakeMta kept;
    h.mail("<customer@example.net>");
    h.session.rcpt_to("<support@wingtiptoys.com>", {"ORCPT=rfc822;help@wingtiptoys.com"});
    h.session.end_of_message("QO2", kept);
    CHECK(kept.calls == Calls{"delrcpt <support@wingtiptoys.com>",
                              "addrcpt <support@contoso.com> ORCPT=rfc822;help@wingtiptoys.com"});
  }
  SECTION("original-recipient = no adds none") {
    h.settings.plan.original_recipient = false;
    FakeMta none;
    h.mail("<customer@example.net>");
    h.session.rcpt_to("<support@wingtiptoys.com>", {});
    h.session.end_of_message("QO3", none);
    CHECK(none.calls == Calls{"delrcpt <support@wingtiptoys.com>", "addrcpt <support@contoso.com>"});
  }
}

}  // namespace
}  // namespace rewrite::milter
