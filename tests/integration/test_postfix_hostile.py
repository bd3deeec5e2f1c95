# SPDX-License-Identifier: BSD-2-Clause
"""Postfix + rewrite-milter with hostile input: odd address syntax, odd header names and white space,
bare line ends, long and many-address fields, and odd envelopes, each checked byte for byte.

Rules: harness.SEED_RULES; every message is outbound (client 127.0.0.1) unless a test says otherwise.
Spec: DESIGN.md sections 3 and 7 and the house rule for bad input: a field the milter can read is
rewritten in its addr-spec only (route, comments, quoting, encoded words, folding and the other
addresses stay as sent); a field it cannot read is passed through untouched and a warning names it;
Return-Path, Received, Message-ID, MIME part headers, embedded messages, foreign addresses and the null
sender are never touched. What Postfix itself does to such input is stated where a test relies on it.
"""

import base64
import re

from harness import PostfixTestCase, crlf, main, open_session, send, send_one

DATE = "Date: Mon, 2 Jan 2023 10:00:00 +0000\n"


class HostileAddressSyntaxTest(PostfixTestCase):
    """RFC 5322 address forms that are legal but rare, and ones that are not legal at all."""

    def skipped_warning(self, queue_id: str, field: str) -> None:
        """Assert the milter logged that it left field alone as malformed in this message."""
        pattern = r"%s: header=%s skipped: malformed-header: " % (re.escape(queue_id), re.escape(field))
        self.assertRegex(self.env.milter.log_text(), pattern, "no malformed-header warning for %s" % field)

    def test_obsolete_route_addr_keeps_its_route(self):
        # The route (even one through an internal host) is not an address; only the addr-spec changes.
        head = ("From: Alice <@relay.fabrikam.com,@mail.sales.contoso.com:alice@sales.contoso.com>\n"
                "Reply-To: <@mail.research.contoso.com:bob@fabrikam.com>\n"
                "Subject: hostile-route\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-route"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: Alice <@relay.fabrikam.com,@mail.sales.contoso.com:alice@contoso.com>\n"
            "Reply-To: <@mail.research.contoso.com:bob@fabrikam.com>\n"
            "Subject: hostile-route\n" + DATE, "hi\n")

    def test_groups_and_the_empty_group(self):
        head = ("To: Sales Team: carol@research.contoso.com, Bob <bob@fabrikam.com>;, dave@hr.contoso.com\n"
                "Cc: undisclosed-recipients:;\n"
                "Bcc: Secret:;\n"
                "Subject: hostile-group\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-group"), "alice@contoso.com", ["x@fabrikam.com"],
            "To: Sales Team: carol@contoso.com, Bob <bob@fabrikam.com>;, dave@contoso.com\n"
            "Cc: undisclosed-recipients:;\n"
            "Subject: hostile-group\n" + DATE, "hi\n")  # Postfix drops Bcc (message_drop_headers)

    def test_comments_around_and_inside_addresses(self):
        # Comments around an address are kept, even one that repeats it. Comments and white space around
        # the '@' are legal RFC 5322 too: the address is rewritten and they stay where they stood, so no
        # internal address leaves in a field beside them. A group inside a group is not RFC 5322: left
        # whole and logged.
        head = ("From: (Sales dept) alice@sales.contoso.com (Alice, alice@sales.contoso.com)\n"
                "Sender: Assistant (temp) <assistant(x)@research.contoso.com>\n"
                "Reply-To: alice@(dept)sales.contoso.com\n"
                "Cc: chris(comment)@sales.contoso.com, maria@europe.contoso.com\n"
                "To: G1: G2: carol@research.contoso.com;;\n"
                "Subject: hostile-comments\n" + DATE)
        result = self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-comments"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: (Sales dept) alice@contoso.com (Alice, alice@sales.contoso.com)\n"
            "Sender: Assistant (temp) <assistant(x)@contoso.com>\n"
            "Reply-To: alice@(dept)contoso.com\n"
            "Cc: chris(comment)@contoso.com, maria@contoso.com\n"
            "To: G1: G2: carol@research.contoso.com;;\n"
            "Subject: hostile-comments\n" + DATE, "hi\n")
        self.skipped_warning(result.queue_id, "To")

    def test_invalid_addresses_are_left_alone_and_logged(self):
        # What is not a valid address is never rewritten: in the envelope (logged as invalid-address) and
        # in a header (the field is left whole, logged as malformed).
        # Postfix itself refuses "a@x..y" or a label starting with '-' in MAIL FROM (501 5.1.7), but takes
        # an xn-- label that is not punycode.
        head = ("From: alice@x..sales.contoso.com\n"
                "Reply-To: bob@-bad.sales.contoso.com, carol@research.contoso.com\n"
                "Subject: hostile-invalid\n" + DATE)
        result = self.send_outbound("alice@xn--zz.sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("hostile-invalid"), "alice@xn--zz.sales.contoso.com", ["x@fabrikam.com"],
                             head, "hi\n")
        self.assertRegex(self.env.milter.log_text(),
                         r"%s: from=<alice@xn--zz\.sales\.contoso\.com> skipped: invalid-address: invalid punycode"
                         % re.escape(result.queue_id))
        self.skipped_warning(result.queue_id, "From")
        self.skipped_warning(result.queue_id, "Reply-To")

    def test_quoted_local_parts(self):
        head = ("From: \"Alice Smith\" <\"alice smith\"@sales.contoso.com>\n"
                "Reply-To: \"alice@home\"@sales.contoso.com, \"a,b\"@research.contoso.com\n"
                "Cc: \"carol\"@hr.contoso.com\n"
                "Subject: hostile-quoted\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-quoted"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: \"Alice Smith\" <\"alice smith\"@contoso.com>\n"
            "Reply-To: \"alice@home\"@contoso.com, \"a,b\"@contoso.com\n"
            "Cc: \"carol\"@contoso.com\n"
            "Subject: hostile-quoted\n" + DATE, "hi\n")

    def test_domain_literals_trailing_dots_and_upper_case(self):
        head = ("From: ALICE <ALICE@SALES.CONTOSO.COM>\n"
                "Sender: alice@[192.0.2.1]\n"
                "To: bob@[IPv6:2001:db8::1], carol@Research.Contoso.Com.\n"
                "Cc: dave@hr.contoso.com., eve@fabrikam.com.\n"
                "Subject: hostile-domains\n" + DATE)
        self.send_outbound("ALICE@Sales.Contoso.COM", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-domains"), "ALICE@contoso.com", ["x@fabrikam.com"],
            "From: ALICE <ALICE@contoso.com>\n"
            "Sender: alice@[192.0.2.1]\n"
            "To: bob@[IPv6:2001:db8::1], carol@contoso.com\n"
            "Cc: dave@contoso.com, eve@fabrikam.com.\n"
            "Subject: hostile-domains\n" + DATE, "hi\n")

    def test_encoded_display_names(self):
        # Valid encoded words stay encoded; an address inside encoded text is text, not an address; an
        # invalid encoded word makes the field unreadable, so it is left whole and logged. (In a phrase,
        # RFC 2047 5(3) allows no '.' in Q-encoded text, so "=40" goes with "=2E".)
        hidden = base64.b64encode(b"alice@sales.contoso.com").decode()
        head = ("From: =?UTF-8?Q?Alice_M=C3=BCller?= <alice@sales.contoso.com>\n"
                "Sender: =?utf-8?q?assistant=40research=2Econtoso=2Ecom?= <assistant@research.contoso.com>\n"
                "Reply-To: =?utf-8?b?%s?= <bob@fabrikam.com>\n"
                "To: =?UTF-8?Q?a b?= <carol@research.contoso.com>\n"
                "Cc: =?utf-8?q?dave=40hr.contoso.com?= <dave@hr.contoso.com>\n"
                "Subject: hostile-encoded\n" % hidden + DATE)
        result = self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-encoded"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: =?UTF-8?Q?Alice_M=C3=BCller?= <alice@contoso.com>\n"
            "Sender: =?utf-8?q?assistant=40research=2Econtoso=2Ecom?= <assistant@contoso.com>\n"
            "Reply-To: =?utf-8?b?%s?= <bob@fabrikam.com>\n"
            "To: =?UTF-8?Q?a b?= <carol@research.contoso.com>\n"
            "Cc: =?utf-8?q?dave=40hr.contoso.com?= <dave@hr.contoso.com>\n"
            "Subject: hostile-encoded\n" % hidden + DATE, "hi\n")
        self.skipped_warning(result.queue_id, "To")
        self.skipped_warning(result.queue_id, "Cc")

    def test_no_address_and_empty_values(self):
        head = ("From: Alice\n"
                "Sender: <>\n"
                "Reply-To:\n"
                "To: \n"
                "Cc: ,\n"
                "Subject: hostile-empty\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("hostile-empty"), "alice@contoso.com", ["x@fabrikam.com"], head, "hi\n")

    def test_two_addresses_after_one_display_name_left_whole(self):
        # GMime reads "A <x> <y>" as two addresses: never guess, leave the field and say so.
        head = ("From: A <alice@sales.contoso.com> <bob@sales.contoso.com>\n"
                "To: carol@research.contoso.com\n"
                "Subject: hostile-two-angles\n" + DATE)
        result = self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-two-angles"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: A <alice@sales.contoso.com> <bob@sales.contoso.com>\n"
            "To: carol@contoso.com\n"
            "Subject: hostile-two-angles\n" + DATE, "hi\n")
        self.skipped_warning(result.queue_id, "From")


class HostileHeaderShapeTest(PostfixTestCase):
    """Header names in odd case, odd white space and line ends, long and many-address fields."""

    def test_header_names_in_any_case(self):
        # Field names match in any case and keep the case they were sent in; an index counts the fields
        # of one name in any case, so the right one of two changes.
        head = ("FROM: Alice <alice@sales.contoso.com>\n"
                "to: bob@fabrikam.com\n"
                "TO: carol@research.contoso.com\n"
                "cc: dave@hr.contoso.com\n"
                "rEpLy-To: alice@sales.contoso.com\n"
                "Subject: hostile-name-case\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-name-case"), "alice@contoso.com", ["x@fabrikam.com"],
            "FROM: Alice <alice@contoso.com>\n"
            "to: bob@fabrikam.com\n"
            "TO: carol@contoso.com\n"
            "cc: dave@contoso.com\n"
            "rEpLy-To: alice@contoso.com\n"
            "Subject: hostile-name-case\n" + DATE, "hi\n")

    def test_duplicate_from_changes_only_the_internal_one(self):
        head = ("From: bob@fabrikam.com\n"
                "From: Alice <alice@sales.contoso.com>\n"
                "Subject: hostile-two-from\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-two-from"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: bob@fabrikam.com\n"
            "From: Alice <alice@contoso.com>\n"
            "Subject: hostile-two-from\n" + DATE, "hi\n")

    def test_white_space_after_the_colon_is_kept(self):
        head = ("From:alice@sales.contoso.com\n"
                "Sender:\tassistant@research.contoso.com\n"
                "Reply-To:    alice@sales.contoso.com\n"
                "To:\n carol@research.contoso.com\n"
                "Subject: hostile-leading-space\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-leading-space"), "alice@contoso.com", ["x@fabrikam.com"],
            "From:alice@contoso.com\n"
            "Sender:\tassistant@contoso.com\n"
            "Reply-To:    alice@contoso.com\n"
            "To:\n carol@contoso.com\n"
            "Subject: hostile-leading-space\n" + DATE, "hi\n")

    def test_white_space_before_the_colon(self):
        # Obsolete RFC 822 syntax: white space between the field name and the colon. (A first line
        # "From : x" is taken by Postfix for a mailbox separator line, so the fields come later here.)
        # Postfix itself, milter or not, removes that white space from every field ("Cc :" becomes
        # "Cc:"); the milter gets the plain name, and the field is rewritten like any other, once.
        head = ("Subject: hostile-space-colon\n" + DATE +
                "From : Alice <alice@sales.contoso.com>\n"
                "To\t: carol@research.contoso.com\n"
                "Cc : bob@fabrikam.com\n")
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-space-colon"), "alice@contoso.com", ["x@fabrikam.com"],
            "Subject: hostile-space-colon\n" + DATE +
            "From: Alice <alice@contoso.com>\n"
            "To: carol@contoso.com\n"
            "Cc: bob@fabrikam.com\n", "hi\n")

    def test_folded_field_with_many_continuation_lines(self):
        names = ["u%02d" % i for i in range(40)]
        sent = "To: " + ",\n\t".join(
            "User %s\n  <%s@%s>" % (n, n, "sales.contoso.com" if i % 3 == 0 else "fabrikam.com")
            for i, n in enumerate(names))
        expected = sent.replace("@sales.contoso.com>", "@contoso.com>")
        head = ("From: Alice\n (the\n  sender)\n <alice@sales.contoso.com>\n" + sent + "\n"
                "Subject: hostile-folded\n" + DATE)
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(
            self.delivered("hostile-folded"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: Alice\n (the\n  sender)\n <alice@contoso.com>\n" + expected + "\n"
            "Subject: hostile-folded\n" + DATE, "hi\n")

    def test_bare_lf_before_white_space_is_folding(self):
        # Postfix ends a line at a bare LF, so "\n " folds the field; it delivers CRLF line ends.
        data = (b"From: Alice\n <alice@sales.contoso.com>\r\n"
                b"To: bob@fabrikam.com,\n\tcarol@research.contoso.com\r\n"
                b"Subject: hostile-bare-lf\r\n" + crlf(DATE) + b"\r\nhi\r\n")
        result = send_one(self.env.postfix.smtp_port, "alice@sales.contoso.com", ["x@fabrikam.com"], data)
        self.assertEqual(250, result.code, result.text)
        self.assertDelivered(
            self.delivered("hostile-bare-lf"), "alice@contoso.com", ["x@fabrikam.com"],
            "From: Alice\n <alice@contoso.com>\n"
            "To: bob@fabrikam.com,\n\tcarol@contoso.com\n"
            "Subject: hostile-bare-lf\n" + DATE, "hi\n")

    def test_exactly_1000_addresses_are_rewritten_and_1001_left_whole(self):
        # The bound (1000 addresses) is inclusive. Over it, the field is left whole and logged, never
        # half rewritten; the envelope and the other fields are still rewritten.
        def to_field(count):
            return "To: " + ",\n\t".join("u%04d@sales.contoso.com" % i for i in range(count))

        for count, marker in ((1000, "hostile-1000"), (1001, "hostile-1001")):
            with self.subTest(count=count):
                head = "From: alice@sales.contoso.com\n" + to_field(count) + "\nSubject: %s\n" % marker + DATE
                result = self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
                to_expected = to_field(count)
                if count == 1000:
                    to_expected = to_expected.replace("@sales.contoso.com", "@contoso.com")
                self.assertDelivered(
                    self.delivered(marker), "alice@contoso.com", ["x@fabrikam.com"],
                    "From: alice@contoso.com\n" + to_expected + "\nSubject: %s\n" % marker + DATE, "hi\n")
                if count == 1001:
                    self.assertRegex(self.env.milter.log_text(),
                                     r"%s: header=To skipped: malformed-header: more than 1000 addresses"
                                     % result.queue_id)


class HostileFieldCountTest(PostfixTestCase):
    """Many fields to change in one message. Postfix's cleanup re-reads every field changed before for
    each smfi_chgheader and refuses the queue file ("too many reverse jump records", 451) after about 140
    changes; the milter changes at most 100 fields of a message, and above that none (never half)."""

    def test_100_changed_fields_all_change(self):
        cc = "".join("Cc: u%03d@sales.contoso.com\n" % i for i in range(99))
        head = "From: alice@sales.contoso.com\n" + cc + "Subject: hostile-100-fields\n" + DATE
        self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("hostile-100-fields"), "alice@contoso.com", ["x@fabrikam.com"],
                             head.replace("@sales.contoso.com", "@contoso.com"), "hi\n")

    def test_more_than_100_changed_fields_none_change_and_mail_flows(self):
        cc = "".join("Cc: u%03d@sales.contoso.com\n" % i for i in range(150))
        head = "From: alice@sales.contoso.com\n" + cc + "Subject: hostile-151-fields\n" + DATE
        result = self.send_outbound("alice@sales.contoso.com", ["x@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("hostile-151-fields"), "alice@contoso.com", ["x@fabrikam.com"],
                             head, "hi\n")
        self.assertRegex(self.env.milter.log_text(),
                         r"%s: header skipped: too-many-edits: 151 fields would change, over the limit of 100"
                         % result.queue_id)


class HostileEnvelopeTest(PostfixTestCase):
    """ESMTP parameters, odd envelope addresses and the null sender."""

    def test_size_and_8bitmime_survive_a_sender_rewrite(self):
        body = "Gr\u00fc\u00dfe\n"
        with open_session(self.env.postfix.smtp_port) as session:
            self.assertEqual(250, session.mail("alice@sales.contoso.com", ["SIZE=400", "BODY=8BITMIME"])[0])
            self.assertEqual(250, session.rcpt("x@fabrikam.com")[0])
            reply = session.data(crlf("From: alice@sales.contoso.com\nSubject: hostile-8bitmime\n" + DATE +
                                      "\n" + body))
            self.assertEqual(250, reply[0], reply)
        delivery = self.delivered("hostile-8bitmime")
        self.assertDelivered(delivery, "alice@contoso.com", ["x@fabrikam.com"],
                             "From: alice@contoso.com\nSubject: hostile-8bitmime\n" + DATE, body)
        args = delivery.mail_args.upper().split()
        self.assertIn("BODY=8BITMIME", args, "the body type survives the new sender")
        self.assertTrue(any(a.startswith("SIZE=") for a in args), "Postfix announces a size: %s" % args)

    def test_null_sender_with_parameters_and_internal_header_from(self):
        head = ("From: Mail Delivery System <MAILER-DAEMON@mail.sales.contoso.com>\n"
                "Return-Path: <>\n"
                "Subject: hostile-null\n" + DATE)
        with open_session(self.env.postfix.smtp_port) as session:
            self.assertEqual(250, session.mail("", ["BODY=7BIT", "RET=HDRS", "ENVID=null-1"])[0])
            self.assertEqual(250, session.rcpt("x@fabrikam.com", ["NOTIFY=NEVER"])[0])
            self.assertEqual(250, session.data(crlf(head + "\nbounce\n"))[0])
        delivery = self.delivered("hostile-null")
        self.assertDelivered(delivery, "", ["x@fabrikam.com"],
                             head.replace("MAILER-DAEMON@mail.sales.contoso.com", "MAILER-DAEMON@contoso.com"),
                             "bounce\n")

    def send_raw_envelope(self, mail_path: str, rcpt_path: str, text: str) -> None:
        """Send with MAIL FROM and RCPT TO written exactly as given (smtplib would reparse them)."""
        with open_session(self.env.postfix.smtp_port) as session:
            for command in ("MAIL FROM:<%s>" % mail_path, "RCPT TO:<%s>" % rcpt_path):
                code, reply = session.docmd(command)
                self.assertEqual(250, code, "%s: %s" % (command, reply))
            code, reply = session.data(crlf(text))
            self.assertEqual(250, code, reply)

    def test_upper_case_and_quoted_envelope_addresses(self):
        head = "From: x@fabrikam.com\nSubject: hostile-env-case\n" + DATE
        self.send_raw_envelope("\"alice smith\"@SALES.contoso.com", "x@fabrikam.com", head + "\nhi\n")
        self.assertDelivered(self.delivered("hostile-env-case"), "\"alice smith\"@contoso.com", ["x@fabrikam.com"],
                             head, "hi\n")
        head = "From: customer@fabrikam.com\nSubject: hostile-env-case-in\n" + DATE
        self.send_inbound("customer@fabrikam.com", ["SUPPORT@WingtipToys.COM"], head + "\nhi\n")
        self.assertDelivered(self.delivered("hostile-env-case-in"), "customer@fabrikam.com",
                             ["support@contoso.com"], head, "hi\n")

    def test_local_submission_without_from_and_with_odd_case_duplicates(self):
        # sendmail(1): Postfix adds From (the sender, with the user's full name), Date and Message-Id to
        # a local message that lacks them, before the milter sees the header; the added From is an
        # ordinary From and is rewritten once. Odd-case duplicates change each by its own index.
        self.env.postfix.sendmail(b"To: carol@research.contoso.com\nSubject: hostile-local-no-from\n\nhi\n",
                                  "alice@sales.contoso.com", ["x@fabrikam.com"])
        self.env.postfix.sendmail(b"FROM: alice@sales.contoso.com\nfrom: bob@fabrikam.com\nFrom: dave@hr.contoso.com\n"
                                  b"Subject: hostile-local-case\nDate: Mon, 2 Jan 2023 10:00:00 +0000\n"
                                  b"Message-ID: <local-case@sales.contoso.com>\n\nhi\n",
                                  "alice@sales.contoso.com", ["x@fabrikam.com"])
        block = self.delivered("hostile-local-no-from").header_block().decode()
        self.assertIn("\r\nTo: carol@contoso.com\r\n", block)
        self.assertEqual(1, len(re.findall(r"(?mi)^from:", block)), block)
        self.assertRegex(block, r"(?m)^From: [^\r\n]*<alice@contoso\.com>\r$")
        self.assertDelivered(
            self.delivered("hostile-local-case"), "alice@contoso.com", ["x@fabrikam.com"],
            "FROM: alice@contoso.com\nfrom: bob@fabrikam.com\nFrom: dave@contoso.com\n"
            "Subject: hostile-local-case\n" + DATE + "Message-ID: <local-case@sales.contoso.com>\n", "hi\n")

    def test_source_routed_envelope_sender(self):
        # Postfix strips an obsolete source route from MAIL FROM before anyone sees it (it never reaches
        # the queue file); what is left is an ordinary internal sender and is rewritten.
        head = "From: x@fabrikam.com\nSubject: hostile-env-route\n" + DATE
        self.send_raw_envelope("@relay.fabrikam.com:alice@sales.contoso.com", "x@fabrikam.com", head + "\nhi\n")
        self.assertDelivered(self.delivered("hostile-env-route"), "alice@contoso.com", ["x@fabrikam.com"],
                             head, "hi\n")


if __name__ == "__main__":
    main()
