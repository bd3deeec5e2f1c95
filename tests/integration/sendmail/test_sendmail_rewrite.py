# SPDX-License-Identifier: BSD-2-Clause
"""Sendmail + rewrite-milter: the seed scenarios end to end, with exact envelope and header bytes.

Rules: sendmail_harness.SEED_RULES. Outbound = the Name=ORIGINATING listener ({daemon_name}); inbound
= the Name=MTA listener (127.0.0.1 is not an internal host in these tests); a local `sendmail -bs`
submission is outbound. Expected values follow DESIGN.md sections 3, 4 and 7 and rewrite-rules(5):
outbound rewrites MAIL FROM and the top-level From, Sender, Reply-To, To, Cc, Return-Receipt-To,
Disposition-Notification-To, Resent-From, Resent-Sender; inbound rewrites RCPT TO only, keeping its
DSN parameters; the null sender is never rewritten.
"""

from sendmail_harness import DATE, SendmailTestCase, crlf, main, open_session, send


class SeedScenariosTest(SendmailTestCase):
    """DESIGN.md section 1, one test per use."""

    def test_group_consolidation_outbound(self):
        head = ("From: Alice Example <alice@sales.contoso.com>\n"
                "Sender: assistant@research.contoso.com\n"
                "Reply-To: alice@sales.contoso.com\n"
                "To: Bob <bob@fabrikam.com>, carol@research.contoso.com\n"
                "Cc: dave@hr.contoso.com\n"
                "Subject: sm-group\n" + DATE +
                "Message-ID: <group-1@sales.contoso.com>\n")
        rcpts = ["bob@fabrikam.com", "carol@research.contoso.com", "dave@hr.contoso.com"]
        self.send_outbound("alice@sales.contoso.com", rcpts, head + "\nhello\n")
        self.assertDelivered(
            self.delivered("sm-group"), "alice@contoso.com", rcpts,
            "From: Alice Example <alice@contoso.com>\n"
            "Sender: assistant@contoso.com\n"
            "Reply-To: alice@contoso.com\n"
            "To: Bob <bob@fabrikam.com>, carol@contoso.com\n"
            "Cc: dave@contoso.com\n"
            "Subject: sm-group\n" + DATE +
            "Message-ID: <group-1@sales.contoso.com>\n",
            "hello\n")

    def test_more_specific_domain_beats_wildcard_and_exceptions_hold(self):
        head = ("From: Masato <masato@japan.sales.contoso.com>\n"
                "Cc: lee@legal.contoso.com, ray@ip.legal.contoso.com, kim@sales.contoso.com\n"
                "Subject: sm-japan\n" + DATE +
                "Message-ID: <japan-1@japan.sales.contoso.com>\n")
        self.send_outbound("masato@japan.sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("sm-japan"), "masato@contoso.jp", ["x@fabrikam.com"],
            "From: Masato <masato@contoso.jp>\n"
            "Cc: lee@legal.contoso.com, ray@ip.legal.contoso.com, kim@contoso.com\n"
            "Subject: sm-japan\n" + DATE +
            "Message-ID: <japan-1@japan.sales.contoso.com>\n", "hi\n")

    def test_legal_exception_sender_is_not_rewritten(self):
        head = ("From: Lee <lee@legal.contoso.com>\nSubject: sm-legal\n" + DATE +
                "Message-ID: <legal-1@legal.contoso.com>\n")
        self.send_outbound("lee@legal.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("sm-legal"), "lee@legal.contoso.com", ["x@fabrikam.com"], head, "hi\n")

    def test_merger_domain_rule_is_exact(self):
        head = ("From: Some One <someone@fourthcoffee.com>\n"
                "Cc: eve@eu.fourthcoffee.com\n"
                "Subject: sm-merger\n" + DATE +
                "Message-ID: <merger-1@fourthcoffee.com>\n")
        self.send_outbound("someone@fourthcoffee.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("sm-merger"), "someone@contoso.com", ["x@fabrikam.com"],
            "From: Some One <someone@contoso.com>\n"
            "Cc: eve@eu.fourthcoffee.com\n"
            "Subject: sm-merger\n" + DATE +
            "Message-ID: <merger-1@fourthcoffee.com>\n", "hi\n")

    def test_partner_addresses_outbound(self):
        head = ("From: Contoso Support <support@contoso.com>\n"
                "Reply-To: kate@contoso.com\n"
                "To: customer@fabrikam.com\n"
                "Subject: sm-wingtip-out\n" + DATE +
                "Message-ID: <wingtip-1@contoso.com>\n")
        self.send_outbound("support@contoso.com", ["customer@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("sm-wingtip-out"), "support@wingtiptoys.com", ["customer@fabrikam.com"],
            "From: Contoso Support <support@wingtiptoys.com>\n"
            "Reply-To: kate@wingtiptoys.com\n"
            "To: customer@fabrikam.com\n"
            "Subject: sm-wingtip-out\n" + DATE +
            "Message-ID: <wingtip-1@contoso.com>\n", "hi\n")

    def test_partner_address_inbound_rewrites_recipient_only(self):
        # Inbound (Name=MTA): only the bidirectional rule applies, only to RCPT TO; the headers stay
        # as sent and a forged internal sender is not rewritten.
        head = ("From: Alice <alice@sales.contoso.com>\n"
                "To: support@wingtiptoys.com, kate@wingtiptoys.com\n"
                "Subject: sm-wingtip-in\n" + DATE +
                "Message-ID: <wingtip-in@fabrikam.com>\n")
        self.send_inbound("alice@sales.contoso.com", ["support@wingtiptoys.com", "kate@wingtiptoys.com"],
                          head + "\nhi\n")
        self.assertDelivered(self.delivered("sm-wingtip-in"), "alice@sales.contoso.com",
                             ["support@contoso.com", "kate@wingtiptoys.com"], head, "hi\n")

    def test_reply_to_flattened_address_is_not_rewritten_inbound(self):
        head = ("From: customer@fabrikam.com\nTo: alice@contoso.com\nSubject: sm-reply\n" + DATE +
                "Message-ID: <reply-1@fabrikam.com>\n")
        self.send_inbound("customer@fabrikam.com", ["alice@contoso.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("sm-reply"), "customer@fabrikam.com", ["alice@contoso.com"], head, "hi\n")


class DirectionTest(SendmailTestCase):
    """DESIGN.md section 4 on Sendmail: {daemon_name} and local submission."""

    def test_originating_listener_does_not_rewrite_recipients(self):
        # Outbound mail to the partner's address keeps its recipient: RCPT TO is rewritten inbound only.
        head = ("From: alice@sales.contoso.com\nTo: support@wingtiptoys.com\nSubject: sm-dir-out-rcpt\n" + DATE +
                "Message-ID: <dir-1@sales.contoso.com>\n")
        self.send_outbound("alice@sales.contoso.com", ["support@wingtiptoys.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("sm-dir-out-rcpt"), "alice@contoso.com", ["support@wingtiptoys.com"],
                             head.replace("From: alice@sales.contoso.com", "From: alice@contoso.com"), "hi\n")

    def test_mta_listener_from_loopback_is_inbound(self):
        # Same client address (127.0.0.1) as the outbound tests: only the listener's Name= differs.
        head = ("From: alice@sales.contoso.com\nTo: bob@fabrikam.com\nSubject: sm-dir-mta\n" + DATE +
                "Message-ID: <dir-2@sales.contoso.com>\n")
        self.send_inbound("alice@sales.contoso.com", ["bob@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("sm-dir-mta"), "alice@sales.contoso.com", ["bob@fabrikam.com"],
                             head, "hi\n")

    def test_local_smtp_submission_is_outbound(self):
        # `sendmail -bs`: SMTP on standard input, no client address and no {daemon_name}; the milter
        # still runs and must treat the message as locally submitted, hence outbound.
        head = ("From: Alice <alice@sales.contoso.com>\nTo: bob@fabrikam.com\nSubject: sm-dir-local\n" + DATE +
                "Message-ID: <dir-3@sales.contoso.com>\n")
        replies = self.env.sendmail.local_smtp([
            b"EHLO localhost", b"MAIL FROM:<alice@sales.contoso.com>", b"RCPT TO:<bob@fabrikam.com>", b"DATA",
            crlf(head + "\nhi"), b"QUIT"])
        self.assertEqual(["220", "250", "250", "250", "354", "250", "221"], [r[:3] for r in replies],
                         "\n".join(replies))
        self.assertDelivered(self.delivered("sm-dir-local"), "alice@contoso.com", ["bob@fabrikam.com"],
                             head.replace("From: Alice <alice@sales.contoso.com>", "From: Alice <alice@contoso.com>"),
                             "hi\n")

    def test_queue_id_is_logged_from_mail_stage(self):
        # Sendmail sends {i} with MAIL: the change log line carries the queue id of the 250 reply.
        head = ("From: zoe@research.contoso.com\nSubject: sm-dir-log\n" + DATE +
                "Message-ID: <dir-4@research.contoso.com>\n")
        result = self.send_outbound("zoe@research.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.delivered("sm-dir-log")
        self.assertRegex(result.queue_id, r"^[0-9A-Za-z]{14}$", result.text)
        self.assertIn("%s: from=<zoe@research.contoso.com> -> <zoe@contoso.com> rule=flatten" % result.queue_id,
                      self.env.milter.log_text())


class MessageHandlingTest(SendmailTestCase):
    """What must stay byte for byte, per-connection state, header indexes, DSN, the null sender."""

    def test_several_messages_per_connection_do_not_leak(self):
        plans = [
            ("alice@sales.contoso.com", "alice@contoso.com"),
            ("someone@fabrikam.com", "someone@fabrikam.com"),
            ("masato@japan.sales.contoso.com", "masato@contoso.jp"),
            ("lee@legal.contoso.com", "lee@legal.contoso.com"),
            ("someone@fourthcoffee.com", "someone@contoso.com"),
        ]
        with open_session(self.env.sendmail.originating_port) as session:
            # An abandoned transaction first: its state must not reach the next message.
            self.assertEqual(250, session.mail("kim@sales.contoso.com")[0])
            self.assertEqual(250, session.rcpt("x@fabrikam.com")[0])
            self.assertEqual(250, session.rset()[0])
            for n, (sender, _) in enumerate(plans):
                head = "From: %s\nTo: x@fabrikam.com\nSubject: sm-multi-%d\n%sMessage-ID: <multi-%d@example.net>\n" % (
                    sender, n, DATE, n)
                result = send(session, sender, ["x@fabrikam.com"], crlf(head + "\nbody %d\n" % n))
                self.assertEqual(250, result.code, result.text)
        for n, (sender, expected) in enumerate(plans):
            self.assertDelivered(
                self.delivered("sm-multi-%d" % n), expected, ["x@fabrikam.com"],
                "From: %s\nTo: x@fabrikam.com\nSubject: sm-multi-%d\n%sMessage-ID: <multi-%d@example.net>\n" % (
                    expected, n, DATE, n),
                "body %d\n" % n)

    def test_several_inbound_messages_per_connection(self):
        plans = [(["support@wingtiptoys.com"], ["support@contoso.com"]),
                 (["kate@wingtiptoys.com"], ["kate@wingtiptoys.com"]),
                 (["x@fabrikam.com", "support@wingtiptoys.com"], ["x@fabrikam.com", "support@contoso.com"]),
                 (["y@fabrikam.com"], ["y@fabrikam.com"])]
        heads = []
        with open_session(self.env.sendmail.mta_port) as session:
            for n, (rcpts, _) in enumerate(plans):
                head = "From: c@fabrikam.com\nTo: %s\nSubject: sm-multi-in-%d\n%sMessage-ID: <in-%d@fabrikam.com>\n" % (
                    ", ".join(rcpts), n, DATE, n)
                heads.append(head)
                result = send(session, "c@fabrikam.com", rcpts, crlf(head + "\nhi\n"))
                self.assertEqual(250, result.code, result.text)
        for n, (_, expected) in enumerate(plans):
            self.assertDelivered(self.delivered("sm-multi-in-%d" % n), "c@fabrikam.com", expected, heads[n], "hi\n")

    def test_untouched_headers_and_body_are_byte_identical(self):
        head_before = ("Received: from client.sales.contoso.com (client.sales.contoso.com [192.0.2.7])\n"
                       "\tby relay.sales.contoso.com with ESMTP id 1234; Mon, 2 Jan 2023 09:59:00 +0000\n"
                       "X-Tight:alice@sales.contoso.com\n"
                       "X-Spaces:    four spaces   \n"
                       "From: Alice Example <alice@sales.contoso.com>\n")
        head_after = ("To: \"Bob (Fabrikam)\" <bob@fabrikam.com>\n"
                      "Subject: sm-untouched\n" + DATE +
                      "Message-ID: <untouched-1@sales.contoso.com>\n"
                      "In-Reply-To: <x@sales.contoso.com>\n"
                      "References: <a@sales.contoso.com>\n <b@sales.contoso.com>\n"
                      "Comments: written by alice@sales.contoso.com\n"
                      "X-Folded: one\n\ttwo alice@sales.contoso.com\n    three\n"
                      "MIME-Version: 1.0\n"
                      "Content-Type: multipart/mixed; boundary=\"b1\";\n\tx-owner=\"alice@sales.contoso.com\"\n")
        body = ("--b1\n"
                "Content-Type: text/plain\n\n"
                "From: alice@sales.contoso.com (a body line, not a header)\n"
                "--b1\n"
                "Content-Type: message/rfc822\n\n"
                "From: Alice <alice@sales.contoso.com>\n"
                "Subject: inner\n\n"
                "inner body\n"
                "--b1--\n")
        self.send_outbound("alice@sales.contoso.com", ["bob@fabrikam.com"], head_before + head_after + "\n" + body)
        self.assertDelivered(self.delivered("sm-untouched"), "alice@contoso.com", ["bob@fabrikam.com"],
                             head_before.replace("From: Alice Example <alice@sales.contoso.com>",
                                                 "From: Alice Example <alice@contoso.com>") + head_after,
                             body)

    def test_message_without_internal_address_is_untouched(self):
        head = ("From: \"Someone, Else\" <someone@fabrikam.com>\n"
                "To: bob@fabrikam.com\n"
                "Subject: sm-noop\n" + DATE +
                "Message-ID: <noop-1@fabrikam.com>\n"
                "X-Odd:  two spaces\n")
        self.send_outbound("someone@fabrikam.com", ["bob@fabrikam.com"], head + "\nsame\n")
        self.assertDelivered(self.delivered("sm-noop"), "someone@fabrikam.com", ["bob@fabrikam.com"], head, "same\n")

    def test_first_and_duplicated_header_fields_change_in_place(self):
        # smfi_chgheader counts instances of a name (case-insensitively) from 1: the first field of
        # the message, the second To and the first and third Cc change; the others stay in place.
        head = ("From: alice@sales.contoso.com\n"
                "To: bob@fabrikam.com\n"
                "Cc: carol@research.contoso.com\n"
                "To: dave@hr.contoso.com\n"
                "cc: erin@fabrikam.com\n"
                "CC: frank@sales.contoso.com\n"
                "Subject: sm-index\n" + DATE +
                "Message-ID: <index-1@sales.contoso.com>\n")
        self.send_outbound("alice@sales.contoso.com", ["bob@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("sm-index"), "alice@contoso.com", ["bob@fabrikam.com"],
            "From: alice@contoso.com\n"
            "To: bob@fabrikam.com\n"
            "Cc: carol@contoso.com\n"
            "To: dave@contoso.com\n"
            "cc: erin@fabrikam.com\n"
            "CC: frank@contoso.com\n"
            "Subject: sm-index\n" + DATE +
            "Message-ID: <index-1@sales.contoso.com>\n", "hi\n")

    def test_long_address_list_rewritten_whole(self):
        # Every address of a long folded list is rewritten and none is lost. Sendmail re-emits address
        # lists itself (", " separators, folded before column 78 with eight spaces; see
        # test_sendmail_harness), so the expected bytes are that layout of the rewritten list.
        folded = ",\n\t".join("user%02d@sales.contoso.com" % i for i in range(8))
        head = ("From: alice@sales.contoso.com\nTo: " + folded + "\nSubject: sm-long\n" + DATE +
                "Message-ID: <long-1@sales.contoso.com>\n")
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("sm-long"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: alice@contoso.com\n"
            "To: user00@contoso.com, user01@contoso.com, user02@contoso.com,\n"
            "        user03@contoso.com, user04@contoso.com, user05@contoso.com,\n"
            "        user06@contoso.com, user07@contoso.com\n"
            "Subject: sm-long\n" + DATE +
            "Message-ID: <long-1@sales.contoso.com>\n", "hi\n")

    def test_every_default_sender_side_field(self):
        head = ("From: alice@sales.contoso.com\n"
                "Return-Receipt-To: alice@sales.contoso.com\n"
                "Disposition-Notification-To: Alice <alice@sales.contoso.com>\n"
                "Resent-From: bob@research.contoso.com\n"
                "Resent-Sender: carol@hr.contoso.com\n"
                "Resent-To: x@fabrikam.com\n"
                "Resent-Date: Mon, 2 Jan 2023 11:00:00 +0000\n"
                "Resent-Message-ID: <resent-1@research.contoso.com>\n"
                "Subject: sm-fields\n" + DATE +
                "Message-ID: <fields-1@sales.contoso.com>\n")
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("sm-fields"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: alice@contoso.com\n"
            "Return-Receipt-To: alice@contoso.com\n"
            "Disposition-Notification-To: Alice <alice@contoso.com>\n"
            "Resent-From: bob@contoso.com\n"
            "Resent-Sender: carol@contoso.com\n"
            "Resent-To: x@fabrikam.com\n"
            "Resent-Date: Mon, 2 Jan 2023 11:00:00 +0000\n"
            "Resent-Message-ID: <resent-1@research.contoso.com>\n"
            "Subject: sm-fields\n" + DATE +
            "Message-ID: <fields-1@sales.contoso.com>\n", "hi\n")

    def test_dsn_parameters_survive_recipient_rewrite(self):
        # Inbound rewrite replaces the recipient (smfi_delrcpt + smfi_addrcpt_par with the original
        # ESMTP parameters): Sendmail keeps NOTIFY and ORCPT (ORCPT still names the address the
        # client used), and the untouched recipient keeps its own parameters.
        head = ("From: c@fabrikam.com\nTo: support@wingtiptoys.com\nSubject: sm-dsn-in\n" + DATE +
                "Message-ID: <dsn-in@fabrikam.com>\n")
        self.send_inbound("c@fabrikam.com",
                          [("support@wingtiptoys.com", ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;support@wingtiptoys.com"]),
                           ("kate@wingtiptoys.com", ["NOTIFY=NEVER"])],
                          head + "\nhi\n", mail_options=["RET=HDRS", "ENVID=sm-dsn-in-1"])
        delivery = self.delivered("sm-dsn-in")
        self.assertDelivered(delivery, "c@fabrikam.com", ["support@contoso.com", "kate@wingtiptoys.com"], head, "hi\n")
        self.assertEqual({"support@contoso.com": "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;support@wingtiptoys.com",
                          "kate@wingtiptoys.com": "NOTIFY=NEVER"}, delivery.rcpt_params())
        params = delivery.mail_params.split()
        self.assertIn("RET=HDRS", params)
        self.assertIn("ENVID=sm-dsn-in-1", params)

    def test_dsn_parameters_survive_sender_rewrite(self):
        head = ("From: alice@sales.contoso.com\nTo: x@fabrikam.com\nSubject: sm-dsn-out\n" + DATE +
                "Message-ID: <dsn-out@sales.contoso.com>\n")
        self.send_outbound("alice@sales.contoso.com",
                           [("x@fabrikam.com", ["NOTIFY=DELAY", "ORCPT=rfc822;x@fabrikam.com"])],
                           head + "\nhi\n", mail_options=["RET=FULL", "ENVID=sm-dsn-out-1"])
        delivery = self.delivered("sm-dsn-out")
        self.assertEqual("alice@contoso.com", delivery.mail_from)
        self.assertEqual({"x@fabrikam.com": "NOTIFY=DELAY ORCPT=rfc822;x@fabrikam.com"}, delivery.rcpt_params())
        params = delivery.mail_params.split()
        self.assertIn("RET=FULL", params)
        self.assertIn("ENVID=sm-dsn-out-1", params)

    def test_null_sender_outbound_keeps_envelope(self):
        head = ("From: MAILER-DAEMON@mail.sales.contoso.com\n"
                "To: bob@fabrikam.com\n"
                "Subject: sm-null-out\n" + DATE +
                "Message-ID: <null-out@mail.sales.contoso.com>\n")
        self.send_outbound("<>", ["bob@fabrikam.com"], head + "\nbounce\n")
        self.assertDelivered(
            self.delivered("sm-null-out"), "", ["bob@fabrikam.com"],
            head.replace("MAILER-DAEMON@mail.sales.contoso.com", "MAILER-DAEMON@contoso.com"), "bounce\n")

    def test_null_sender_inbound_recipient_rewrite(self):
        head = ("From: MAILER-DAEMON@fabrikam.com\nTo: support@wingtiptoys.com\nSubject: sm-null-in\n" + DATE +
                "Message-ID: <null-in@fabrikam.com>\n")
        self.send_inbound("<>", ["support@wingtiptoys.com"], head + "\nbounce\n")
        self.assertDelivered(self.delivered("sm-null-in"), "", ["support@contoso.com"], head, "bounce\n")


class MilterDownTest(SendmailTestCase):
    """INPUT_MAIL_FILTER with F=T: without the milter Sendmail must refuse temporarily, never relay
    the message unrewritten."""

    def test_unreachable_milter_tempfails(self):
        # Sendmail answers MAIL with 451 4.3.2 when the F=T filter cannot be reached, on every listener.
        self.env.milter.stop()
        for port in (self.env.sendmail.originating_port, self.env.sendmail.mta_port):
            with open_session(port) as session:
                code, text = session.mail("alice@sales.contoso.com")
                self.assertEqual((451, b"4.3.2 Please try again later"), (code, text))
        self.assertEqual([], self.env.sink.deliveries())

if __name__ == "__main__":
    main()
