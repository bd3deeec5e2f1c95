# SPDX-License-Identifier: BSD-2-Clause
"""Postfix + rewrite-milter: the seed scenarios end to end, with exact envelope and header bytes.

Rules: harness.SEED_RULES. Outbound = a client on 127.0.0.1 (internal host by default), the
submission port (daemon name ORIGINATING) or sendmail(1); inbound = a foreign client presented
through XCLIENT. Expected values follow DESIGN.md sections 3 and 4: outbound rewrites MAIL FROM and
the top-level From, Sender, Reply-To, To, Cc, Resent-* ... headers; inbound rewrites RCPT TO only.
"""

import os
import re
import subprocess
import time

from harness import FOREIGN_CLIENT, PostfixTestCase, crlf, main, open_session, send, send_one
from postfix_instance import SBIN

DATE = "Date: Mon, 2 Jan 2023 10:00:00 +0000\n"
DKIM_SIGNATURE = ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sales.contoso.com; s=s1;\n"
                  "\th=From:To:Subject:Date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n"
                  "\tb=dGVzdHNpZ25hdHVyZQ==\n")


class SeedScenariosTest(PostfixTestCase):
    """DESIGN.md section 1, one test per use."""

    def test_group_consolidation_outbound(self):
        head = ("From: Alice Example <alice@sales.contoso.com>\n"
                "Sender: assistant@research.contoso.com\n"
                "Reply-To: alice@sales.contoso.com\n"
                "To: Bob <bob@fabrikam.com>, carol@research.contoso.com\n"
                "Cc: dave@hr.contoso.com\n"
                "Subject: seed-group\n" + DATE +
                "Message-ID: <group-1@sales.contoso.com>\n")
        rcpts = ["bob@fabrikam.com", "carol@research.contoso.com", "dave@hr.contoso.com"]
        self.send_outbound("alice@sales.contoso.com", rcpts, head + "\nhello\n")
        self.assertDelivered(
            self.delivered("seed-group"), "alice@contoso.com", rcpts,
            "From: Alice Example <alice@contoso.com>\n"
            "Sender: assistant@contoso.com\n"
            "Reply-To: alice@contoso.com\n"
            "To: Bob <bob@fabrikam.com>, carol@contoso.com\n"
            "Cc: dave@contoso.com\n"
            "Subject: seed-group\n" + DATE +
            "Message-ID: <group-1@sales.contoso.com>\n",
            "hello\n")

    def test_more_specific_domain_beats_wildcard_and_exceptions_hold(self):
        head = ("From: Masato <masato@japan.sales.contoso.com>\n"
                "Cc: lee@legal.contoso.com, ray@ip.legal.contoso.com, kim@sales.contoso.com\n"
                "Subject: seed-japan\n" + DATE)
        self.send_outbound("masato@japan.sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("seed-japan"), "masato@contoso.jp", ["x@fabrikam.com"],
            "From: Masato <masato@contoso.jp>\n"
            "Cc: lee@legal.contoso.com, ray@ip.legal.contoso.com, kim@contoso.com\n"
            "Subject: seed-japan\n" + DATE, "hi\n")

    def test_legal_exception_sender_is_not_rewritten(self):
        head = "From: Lee <lee@legal.contoso.com>\nSubject: seed-legal\n" + DATE
        self.send_outbound("lee@legal.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("seed-legal"), "lee@legal.contoso.com", ["x@fabrikam.com"], head, "hi\n")

    def test_merger_domain_rule_is_exact(self):
        head = ("From: Some One <someone@fourthcoffee.com>\n"
                "Cc: eve@eu.fourthcoffee.com\n"
                "Subject: seed-merger\n" + DATE)
        self.send_outbound("someone@fourthcoffee.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("seed-merger"), "someone@contoso.com", ["x@fabrikam.com"],
            "From: Some One <someone@contoso.com>\n"
            "Cc: eve@eu.fourthcoffee.com\n"
            "Subject: seed-merger\n" + DATE, "hi\n")

    def test_merger_reply_inbound_reaches_old_mailbox(self):
        head = "From: customer@fabrikam.com\nTo: Adam <adam@contoso.com>\nSubject: seed-merger-in\n" + DATE
        self.send_inbound("customer@fabrikam.com", ["adam@contoso.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("seed-merger-in"), "customer@fabrikam.com", ["adam@fourthcoffee.com"],
                             head, "hi\n")

    def test_merger_address_rule_outbound(self):
        head = "From: Adam <adam@fourthcoffee.com>\nSubject: seed-merger-adam\n" + DATE
        self.send_outbound("adam@fourthcoffee.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("seed-merger-adam"), "adam@contoso.com", ["x@fabrikam.com"],
                             "From: Adam <adam@contoso.com>\nSubject: seed-merger-adam\n" + DATE, "hi\n")

    def test_partner_addresses_outbound(self):
        head = ("From: Contoso Support <support@contoso.com>\n"
                "Reply-To: kate@contoso.com\n"
                "To: customer@fabrikam.com\n"
                "Subject: seed-wingtip-out\n" + DATE)
        self.send_outbound("support@contoso.com", ["customer@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("seed-wingtip-out"), "support@wingtiptoys.com", ["customer@fabrikam.com"],
            "From: Contoso Support <support@wingtiptoys.com>\n"
            "Reply-To: kate@wingtiptoys.com\n"
            "To: customer@fabrikam.com\n"
            "Subject: seed-wingtip-out\n" + DATE, "hi\n")

    def test_partner_address_inbound_rewrites_recipient_only(self):
        # Inbound: only the bidirectional rule applies, and only to RCPT TO; headers stay as sent
        # and a forged internal sender is not "rewritten out".
        head = ("From: Alice <alice@sales.contoso.com>\n"
                "To: support@wingtiptoys.com, kate@wingtiptoys.com\n"
                "Subject: seed-wingtip-in\n" + DATE)
        self.send_inbound("alice@sales.contoso.com", ["support@wingtiptoys.com", "kate@wingtiptoys.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("seed-wingtip-in"), "alice@sales.contoso.com",
            ["support@contoso.com", "kate@wingtiptoys.com"], head, "hi\n")

    def test_reply_to_flattened_address_is_not_rewritten_inbound(self):
        head = "From: customer@fabrikam.com\nTo: alice@contoso.com\nSubject: seed-reply\n" + DATE
        self.send_inbound("customer@fabrikam.com", ["alice@contoso.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("seed-reply"), "customer@fabrikam.com", ["alice@contoso.com"], head, "hi\n")


class DirectionTest(PostfixTestCase):
    """DESIGN.md section 4: who counts as outbound."""

    def test_submission_daemon_name_makes_foreign_client_outbound(self):
        head = "From: alice@sales.contoso.com\nSubject: dir-submission\n" + DATE
        result = send_one(self.env.postfix.submission_port, "alice@sales.contoso.com", ["x@fabrikam.com"],
                          crlf(head + "\nhi\n"), client_addr=FOREIGN_CLIENT)
        self.assertEqual(250, result.code, result.text)
        self.assertDelivered(self.delivered("dir-submission"), "alice@contoso.com", ["x@fabrikam.com"],
                             "From: alice@contoso.com\nSubject: dir-submission\n" + DATE, "hi\n")

    def test_authenticated_foreign_client_is_outbound(self):
        # XCLIENT LOGIN sets the SASL login, which Postfix hands to the milter as {auth_authen}.
        head = "From: alice@sales.contoso.com\nSubject: dir-auth\n" + DATE
        result = send_one(self.env.postfix.smtp_port, "alice@sales.contoso.com", ["x@fabrikam.com"],
                          crlf(head + "\nhi\n"), client_addr=FOREIGN_CLIENT, login="alice")
        self.assertEqual(250, result.code, result.text)
        self.assertDelivered(self.delivered("dir-auth"), "alice@contoso.com", ["x@fabrikam.com"],
                             "From: alice@contoso.com\nSubject: dir-auth\n" + DATE, "hi\n")

    def test_foreign_client_on_smtp_port_is_inbound(self):
        head = "From: alice@sales.contoso.com\nSubject: dir-foreign\n" + DATE
        self.send_inbound("alice@sales.contoso.com", ["support@wingtiptoys.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("dir-foreign"), "alice@sales.contoso.com", ["support@contoso.com"],
                             head, "hi\n")

    def test_sendmail_submission_is_outbound(self):
        head = ("From: Alice <alice@sales.contoso.com>\n"
                "To: bob@fabrikam.com\n"
                "Subject: dir-sendmail\n" + DATE +
                "Message-ID: <sendmail-1@sales.contoso.com>\n")
        self.env.postfix.sendmail(head.encode() + b"\nhi\n", "alice@sales.contoso.com", ["bob@fabrikam.com"])
        self.assertDelivered(
            self.delivered("dir-sendmail"), "alice@contoso.com", ["bob@fabrikam.com"],
            "From: Alice <alice@contoso.com>\n"
            "To: bob@fabrikam.com\n"
            "Subject: dir-sendmail\n" + DATE +
            "Message-ID: <sendmail-1@sales.contoso.com>\n", "hi\n")

    def test_sendmail_null_sender(self):
        head = ("From: MAILER-DAEMON@mail.sales.contoso.com\n"
                "To: bob@fabrikam.com\n"
                "Subject: dir-sendmail-null\n" + DATE +
                "Message-ID: <sendmail-null@sales.contoso.com>\n")
        self.env.postfix.sendmail(head.encode() + b"\nbounce\n", "<>", ["bob@fabrikam.com"])
        self.assertDelivered(
            self.delivered("dir-sendmail-null"), "", ["bob@fabrikam.com"],
            head.replace("MAILER-DAEMON@mail.sales.contoso.com", "MAILER-DAEMON@contoso.com"), "bounce\n")


class LeanHeaderMacrosTest(DirectionTest):
    """contrib/postfix: with milter_end_of_header_macros empty (no macro packet before each header field),
    nothing the milter reads is lost: every test of DirectionTest again (daemon name, SASL login, client
    address, sendmail(1)), and the queue id in the log lines."""

    POSTFIX_SETTINGS = {"milter_end_of_header_macros": ""}

    def test_setting_is_in_force_and_log_lines_carry_the_queue_id(self):
        shown = subprocess.run([os.path.join(SBIN, "postconf"), "-c", self.env.postfix.config_dir, "milter_end_of_header_macros"],
                               capture_output=True, text=True, timeout=30)
        self.assertEqual("milter_end_of_header_macros =", shown.stdout.strip(), shown.stderr)
        head = "From: alice@sales.contoso.com\nSubject: lean-queue-id\n" + DATE
        result = self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.delivered("lean-queue-id")
        self.assertTrue(result.queue_id, result.text)
        line = "%s: header=From <alice@sales.contoso.com> -> <alice@contoso.com> rule=" % result.queue_id
        deadline = time.monotonic() + 10
        while line not in self.env.milter.log_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn(line, self.env.milter.log_text())


class InternalHostsTest(PostfixTestCase):
    """--internal-hosts replaces the default (loopback): only the listed networks are outbound."""

    MILTER_ARGS = ("--internal-hosts", "192.0.2.0/24,198.51.100.7/32", "--outbound-daemon-names", "ORIGINATING")

    def test_listed_network_is_outbound(self):
        head = "From: alice@sales.contoso.com\nSubject: hosts-listed\n" + DATE
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n", client_addr="192.0.2.10")
        self.assertDelivered(self.delivered("hosts-listed"), "alice@contoso.com", ["x@fabrikam.com"],
                             "From: alice@contoso.com\nSubject: hosts-listed\n" + DATE, "hi\n")

    def test_loopback_is_no_longer_internal(self):
        head = "From: alice@sales.contoso.com\nTo: support@wingtiptoys.com\nSubject: hosts-loopback\n" + DATE
        self.send_outbound("alice@sales.contoso.com", ["support@wingtiptoys.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("hosts-loopback"), "alice@sales.contoso.com", ["support@contoso.com"],
                             head, "hi\n")

    def test_sendmail_stays_outbound(self):
        head = ("From: alice@sales.contoso.com\nTo: x@fabrikam.com\nSubject: hosts-sendmail\n" + DATE +
                "Message-ID: <hosts-sendmail@sales.contoso.com>\n")
        self.env.postfix.sendmail(head.encode() + b"\nhi\n", "alice@sales.contoso.com", ["x@fabrikam.com"])
        self.assertDelivered(self.delivered("hosts-sendmail"), "alice@contoso.com", ["x@fabrikam.com"],
                             head.replace("alice@sales.contoso.com", "alice@contoso.com"), "hi\n")


class MessageHandlingTest(PostfixTestCase):
    """What must stay byte for byte, per-connection state, signed mail, header-change quirks."""

    def test_several_messages_per_connection_do_not_leak(self):
        plans = [
            ("alice@sales.contoso.com", "alice@contoso.com"),
            ("someone@fabrikam.com", "someone@fabrikam.com"),
            ("masato@japan.sales.contoso.com", "masato@contoso.jp"),
            ("lee@legal.contoso.com", "lee@legal.contoso.com"),
            ("someone@fourthcoffee.com", "someone@contoso.com"),
        ]
        with open_session(self.env.postfix.smtp_port) as session:
            for n, (sender, _) in enumerate(plans):
                if n == 2:
                    session.rset()
                text = "From: %s\nSubject: multi-%d\n%s\nbody %d\n" % (sender, n, DATE, n)
                result = send(session, sender, ["x@fabrikam.com"], crlf(text))
                self.assertEqual(250, result.code, result.text)
        for n, (_, expected) in enumerate(plans):
            self.assertDelivered(self.delivered("multi-%d" % n), expected, ["x@fabrikam.com"],
                                 "From: %s\nSubject: multi-%d\n%s" % (expected, n, DATE), "body %d\n" % n)

    def test_several_inbound_messages_per_connection_do_not_leak(self):
        plans = [
            (["support@wingtiptoys.com"], ["support@contoso.com"]),
            (["someone@fabrikam.com"], ["someone@fabrikam.com"]),
            (["kate@wingtiptoys.com", "adam@contoso.com"], ["kate@wingtiptoys.com", "adam@fourthcoffee.com"]),
        ]
        with open_session(self.env.postfix.smtp_port, FOREIGN_CLIENT) as session:
            for n, (rcpts, _) in enumerate(plans):
                text = "From: customer@fabrikam.com\nSubject: multi-in-%d\n%s\nbody %d\n" % (n, DATE, n)
                result = send(session, "customer@fabrikam.com", rcpts, crlf(text))
                self.assertEqual(250, result.code, result.text)
        for n, (_, expected) in enumerate(plans):
            self.assertDelivered(self.delivered("multi-in-%d" % n), "customer@fabrikam.com", expected,
                                 "From: customer@fabrikam.com\nSubject: multi-in-%d\n%s" % (n, DATE),
                                 "body %d\n" % n)

    def test_untouched_headers_mime_parts_and_embedded_message(self):
        head_before = (
            "Return-Path: <alice@sales.contoso.com>\n"
            "Received: from laptop.sales.contoso.com (laptop.sales.contoso.com [192.0.2.7])\n"
            "\tby mail.sales.contoso.com with ESMTP id 4Q1\n"
            "\tfor <carol@research.contoso.com>; Mon, 2 Jan 2023 09:59:59 +0000\n"
            "From: Alice Example <alice@sales.contoso.com>\n"
            "To: bob@fabrikam.com, \"Fabrikam Sales\" <sales@fabrikam.com>\n"
            "Subject: untouched-mime\n" + DATE +
            "Message-ID: <mime-1@sales.contoso.com>\n"
            "In-Reply-To: <earlier@research.contoso.com>\n"
            "References: <earlier@research.contoso.com>\n"
            "X-Original-Sender: alice@sales.contoso.com\n"
            "MIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=\"b1=alice@sales.contoso.com\"\n")
        body = (
            "--b1=alice@sales.contoso.com\n"
            "Content-Type: text/plain; charset=us-ascii\n"
            "From: alice@sales.contoso.com\n"
            "\n"
            "Write to alice@sales.contoso.com.\n"
            "--b1=alice@sales.contoso.com\n"
            "Content-Type: message/rfc822\n"
            "Content-Disposition: attachment; filename=\"alice@sales.contoso.com.eml\"\n"
            "\n"
            "From: Alice <alice@sales.contoso.com>\n"
            "To: carol@research.contoso.com\n"
            "Subject: embedded\n"
            "Message-ID: <embedded@sales.contoso.com>\n"
            "\n"
            "embedded body\n"
            "--b1=alice@sales.contoso.com--\n")
        self.send_outbound("alice@sales.contoso.com", ["bob@fabrikam.com", "sales@fabrikam.com"],
                           head_before + "\n" + body)
        head_after = head_before.replace("From: Alice Example <alice@sales.contoso.com>",
                                         "From: Alice Example <alice@contoso.com>")
        self.assertDelivered(self.delivered("untouched-mime"), "alice@contoso.com",
                             ["bob@fabrikam.com", "sales@fabrikam.com"], head_after, body)

    def test_message_without_internal_addresses_is_untouched(self):
        head = ("From: \"Bob, Fabrikam\" <bob@fabrikam.com>\n"
                "To: =?UTF-8?B?SsO8cmdlbg==?= <juergen@fabrikam.com>, (comment) x@evilcontoso.com\n"
                "Cc: undisclosed-recipients:;\n"
                "Reply-To: y@contoso.com.evil.net\n"
                "Subject: untouched-external\n" + DATE)
        self.send_outbound("bob@fabrikam.com", ["x@evilcontoso.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("untouched-external"), "bob@fabrikam.com", ["x@evilcontoso.com"],
                             head, "hi\n")

    def test_null_sender_smtp(self):
        head = "From: MAILER-DAEMON@mail.sales.contoso.com\nTo: bob@fabrikam.com\nSubject: null-smtp\n" + DATE
        self.send_outbound("", ["bob@fabrikam.com"], head + "\nbounce\n")
        self.assertDelivered(
            self.delivered("null-smtp"), "", ["bob@fabrikam.com"],
            head.replace("MAILER-DAEMON@mail.sales.contoso.com", "MAILER-DAEMON@contoso.com"), "bounce\n")

    def test_dkim_covered_headers_left_alone_envelope_rewritten(self):
        head = (DKIM_SIGNATURE +
                "From: Alice <alice@sales.contoso.com>\n"
                "To: carol@research.contoso.com\n"
                "Reply-To: alice@sales.contoso.com\n"
                "Subject: dkim-signed\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["carol@research.contoso.com", "x@fabrikam.com"], head + "\nsigned\n")
        self.assertDelivered(self.delivered("dkim-signed"), "alice@contoso.com", ["carol@research.contoso.com", "x@fabrikam.com"],
                             head.replace("Reply-To: alice@sales.contoso.com", "Reply-To: alice@contoso.com"),
                             "signed\n")

    def test_dsn_parameters_survive_rewriting(self):
        # Replaced recipient keeps NOTIFY and its ORCPT (the address the client used); a changed
        # sender keeps RET and ENVID. Postfix passes them on to the next hop, which offers DSN.
        def rcpt_params(delivery):
            return {r: set(a.split()) for r, a in zip(delivery.rcpt_to, delivery.rcpt_args)}

        with open_session(self.env.postfix.smtp_port, FOREIGN_CLIENT) as session:
            self.assertEqual(250, session.mail("customer@fabrikam.com", ["RET=HDRS", "ENVID=in-1"])[0])
            for rcpt in ("support@wingtiptoys.com", "kate@wingtiptoys.com"):
                self.assertEqual(250, session.rcpt(rcpt, ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;" + rcpt])[0])
            self.assertEqual(250, session.data(crlf("Subject: dsn-inbound\n\nx\n"))[0])
        inbound = self.delivered("dsn-inbound")
        self.assertEqual({"support@contoso.com": {"NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;support@wingtiptoys.com"},
                          "kate@wingtiptoys.com": {"NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;kate@wingtiptoys.com"}},
                         rcpt_params(inbound))
        self.assertTrue({"RET=HDRS", "ENVID=in-1"} <= set(inbound.mail_args.split()), inbound.mail_args)

        with open_session(self.env.postfix.smtp_port) as session:
            self.assertEqual(250, session.mail("alice@sales.contoso.com", ["RET=FULL", "ENVID=out-1"])[0])
            self.assertEqual(250, session.rcpt("x@fabrikam.com", ["NOTIFY=NEVER"])[0])
            self.assertEqual(250, session.data(crlf("Subject: dsn-outbound\n\nx\n"))[0])
        outbound = self.delivered("dsn-outbound")
        self.assertEqual("alice@contoso.com", outbound.mail_from)
        self.assertTrue({"RET=FULL", "ENVID=out-1"} <= set(outbound.mail_args.split()), outbound.mail_args)
        # Postfix itself adds ORCPT (the recipient as received) when it relays with DSN.
        self.assertEqual({"x@fabrikam.com": {"NOTIFY=NEVER", "ORCPT=rfc822;x@fabrikam.com"}}, rcpt_params(outbound))

    def test_rewritten_field_is_first_header(self):
        head = "From: alice@sales.contoso.com\nTo: bob@fabrikam.com\nSubject: first-header\n" + DATE
        self.send_outbound("alice@sales.contoso.com", ["bob@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("first-header"), "alice@contoso.com", ["bob@fabrikam.com"],
                             head.replace("alice@sales.contoso.com", "alice@contoso.com"), "hi\n")

    def test_duplicated_headers_change_in_place(self):
        # Second Cc changes, first does not; both To change; Resent-From appears twice.
        head = ("To: carol@research.contoso.com\n"
                "Resent-From: alice@sales.contoso.com\n"
                "Cc: bob@fabrikam.com\n"
                "From: Alice <alice@sales.contoso.com>\n"
                "Cc: dave@hr.contoso.com\n"
                "Resent-From: ed@fabrikam.com\n"
                "To: frank@eng.contoso.com\n"
                "Subject: duplicated-headers\n" + DATE)
        expected = ("To: carol@contoso.com\n"
                    "Resent-From: alice@contoso.com\n"
                    "Cc: bob@fabrikam.com\n"
                    "From: Alice <alice@contoso.com>\n"
                    "Cc: dave@contoso.com\n"
                    "Resent-From: ed@fabrikam.com\n"
                    "To: frank@contoso.com\n"
                    "Subject: duplicated-headers\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["carol@research.contoso.com", "x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("duplicated-headers"), "alice@contoso.com",
                             ["carol@research.contoso.com", "x@fabrikam.com"], expected, "hi\n")

    def test_sendmail_first_header_rewritten(self):
        head = ("From: alice@sales.contoso.com\nTo: bob@fabrikam.com\nSubject: sendmail-first\n" + DATE +
                "Message-ID: <sendmail-first@sales.contoso.com>\n")
        self.env.postfix.sendmail(head.encode() + b"\nhi\n", "alice@sales.contoso.com", ["bob@fabrikam.com"])
        self.assertDelivered(self.delivered("sendmail-first"), "alice@contoso.com", ["bob@fabrikam.com"],
                             head.replace("alice@sales.contoso.com", "alice@contoso.com"), "hi\n")

    def test_change_is_logged_with_rule_name(self):
        head = "From: logme@sales.contoso.com\nSubject: logged-change\n" + DATE
        result = self.send_outbound("logme@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.delivered("logged-change")
        pattern = r"%s: .*from=<logme@sales\.contoso\.com> -> <logme@contoso\.com> rule=flatten" % result.queue_id
        self.assertRegex(self.env.milter.log_text(), re.compile(pattern))



class SignedRewriteTest(PostfixTestCase):
    """--signed-headers rewrite: DKIM-covered fields are rewritten anyway."""

    MILTER_ARGS = ("--signed-headers", "rewrite")

    def test_dkim_covered_headers_rewritten_when_configured(self):
        head = (DKIM_SIGNATURE +
                "From: Alice <alice@sales.contoso.com>\n"
                "To: carol@research.contoso.com\n"
                "Subject: dkim-rewrite\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["carol@research.contoso.com", "x@fabrikam.com"], head + "\nsigned\n")
        self.assertDelivered(self.delivered("dkim-rewrite"), "alice@contoso.com", ["carol@research.contoso.com", "x@fabrikam.com"],
                             DKIM_SIGNATURE +
                             "From: Alice <alice@contoso.com>\n"
                             "To: carol@contoso.com\n"
                             "Subject: dkim-rewrite\n" + DATE, "signed\n")


if __name__ == "__main__":
    main()
