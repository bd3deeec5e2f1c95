# SPDX-License-Identifier: BSD-2-Clause
"""Sendmail + rewrite-milter with hostile input, compared with what Sendmail alone delivers.

Sendmail re-emits the address fields it knows itself (see test_sendmail_harness: ", " separators,
folding, leading white space), and treats odd syntax in its own way, so the reference here is not the
text as sent: the same message also goes through a second private Sendmail without the milter, and
what that one delivers, with exactly the address changes the rules call for and nothing else, is what
the milter's Sendmail must deliver. Fields the milter cannot read must come out as Sendmail alone
delivers them, with a malformed-header warning in the milter log. Rules: sendmail_harness.SEED_RULES;
every message is outbound (the Name=ORIGINATING listener).
"""

import re
from typing import Dict, List, Sequence

from sendmail_harness import (DATE, MILTER_ARGS, SEED_RULES, Environment, SendmailTestCase, crlf, main,
                              open_session, send, split_first_header)


def unfold(header_block: bytes) -> str:
    """Undo folding (a line break and the white space after it become one space)."""
    return re.sub(r"\r\n[ \t]+", " ", header_block.decode("utf-8", "replace"))


class HostileAgainstSendmailAloneTest(SendmailTestCase):
    """Each message goes through Sendmail alone (the reference) and Sendmail with the milter."""

    alone: Environment

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alone = Environment(SEED_RULES, MILTER_ARGS, with_milter=False)
        cls.addClassCleanup(cls.alone.stop)
        cls.alone.start()

    def deliver_both(self, marker: str, sender: str, text: str, mail_options: Sequence[str] = ()):
        """Send text (Subject: marker) through both instances; return (alone, milter) deliveries."""
        found = []
        for env in (self.alone, self.env):
            with open_session(env.sendmail.originating_port) as session:
                result = send(session, sender, ["x@fabrikam.com"], text if isinstance(text, bytes) else crlf(text),
                              mail_options)
            self.assertEqual(250, result.code, "not accepted: %s\n%s" % (result.text, env.diagnostics()))
            needle = ("Subject: %s\r\n" % marker).encode()
            try:
                deliveries = env.sink.wait_for_marker(needle, 20)
            except TimeoutError as e:
                self.fail("%s\n%s" % (e, env.diagnostics()))
            self.assertEqual(1, len(deliveries), "%s delivered %d times" % (marker, len(deliveries)))
            found.append((deliveries[0], result.queue_id))
        return found[0][0], found[1][0], found[1][1]

    def assertRewrittenFromAlone(self, marker: str, sender: str, text: str, changes: Dict[str, str],
                                 rewritten_sender: str, skipped: List[str] = (), mail_options: Sequence[str] = ()):
        """Assert the milter's delivery is Sendmail alone's with each key of changes replaced by its value
        (the bytes after the Received field, unfolded, since Sendmail folds a field by its new length;
        the body exactly), and a warning for each skipped field."""
        alone, milter, queue_id = self.deliver_both(marker, sender, text, mail_options)
        self.assertEqual(sender, alone.mail_from, "Sendmail alone keeps the sender")
        self.assertEqual(rewritten_sender, milter.mail_from, "envelope sender")
        expected = unfold(split_first_header(alone.header_block())[1])
        for before, after in changes.items():
            self.assertIn(before, expected, "Sendmail alone delivers %r" % before)
            expected = expected.replace(before, after)
        got = unfold(split_first_header(milter.header_block())[1])
        self.assertEqual(expected, got, "header section\n%s" % self.env.diagnostics())
        self.assertEqual(alone.body(), milter.body(), "body")
        for field in skipped:
            self.assertRegex(self.env.milter.log_text(),
                             r"%s: header=%s skipped: malformed-header: " % (re.escape(queue_id), re.escape(field)))
        return alone, milter

    def test_route_group_comment_and_quoted_forms(self):
        head = ("From: Alice <@relay.fabrikam.com:alice@sales.contoso.com>\n"
                "To: Team: carol@research.contoso.com, bob@fabrikam.com;, undisclosed-recipients:;\n"
                "Cc: \"dave smith\"@hr.contoso.com (Dave, dave@hr.contoso.com)\n"
                "Reply-To: alice@(dept)sales.contoso.com\n"
                "Sender: Assistant <assistant(x)@research.contoso.com>\n"
                "Subject: smh-syntax\n" + DATE + "Message-ID: <smh-syntax@sales.contoso.com>\n")
        self.assertRewrittenFromAlone(
            "smh-syntax", "alice@sales.contoso.com", head + "\nhi\n",
            {"alice@sales.contoso.com>": "alice@contoso.com>",
             "carol@research.contoso.com": "carol@contoso.com",
             "\"dave smith\"@hr.contoso.com": "\"dave smith\"@contoso.com",
             # Comments around the '@' are legal: the milter rewrites the address and keeps them; Sendmail
             # then moves them after the addr-spec, as it does without the milter.
             "alice@sales.contoso.com (dept)": "alice@contoso.com (dept)",
             "assistant@research.contoso.com (x)": "assistant@contoso.com (x)"},
            "alice@contoso.com", skipped=[])

    def test_domains_case_literals_and_encoded_words(self):
        head = ("From: =?UTF-8?Q?Alice_M=C3=BCller?= <ALICE@SALES.CONTOSO.COM>\n"
                "To: bob@[192.0.2.1], carol@Research.Contoso.Com., eve@fabrikam.com.\n"
                "Cc: =?UTF-8?Q?a b?= <dave@hr.contoso.com>\n"
                "Subject: smh-domains\n" + DATE + "Message-ID: <smh-domains@sales.contoso.com>\n")
        self.assertRewrittenFromAlone(
            "smh-domains", "ALICE@Sales.Contoso.COM", head + "\nhi\n",
            # Sendmail itself drops the trailing dots.
            {"ALICE@SALES.CONTOSO.COM": "ALICE@contoso.com", "carol@Research.Contoso.Com,": "carol@contoso.com,"},
            "ALICE@contoso.com", skipped=["Cc"])

    def test_header_names_and_white_space(self):
        data = (b"FROM:alice@sales.contoso.com\r\n"
                b"to:\tcarol@research.contoso.com\r\n"
                b"Cc:    dave@hr.contoso.com\r\n"
                b"Reply-To: Alice\r\n <alice@sales.contoso.com>\r\n"
                b"Subject: smh-shape\r\n" + crlf(DATE) + b"Message-ID: <smh-shape@sales.contoso.com>\r\n"
                b"\r\nhi\r\n")
        self.assertRewrittenFromAlone(
            "smh-shape", "alice@sales.contoso.com", data,
            {"FROM:alice@sales.contoso.com": "FROM:alice@contoso.com", "<alice@sales.contoso.com>": "<alice@contoso.com>",
             "carol@research.contoso.com": "carol@contoso.com", "dave@hr.contoso.com": "dave@contoso.com"},
            "alice@contoso.com")

    def test_bare_lf_is_refused_by_sendmail_itself(self):
        # Unlike Postfix, Sendmail 8.17 refuses a bare LF in DATA (421 4.5.0), milter or not: nothing
        # reaches the milter, nothing is delivered half rewritten.
        data = b"From: Alice\n <alice@sales.contoso.com>\r\nSubject: smh-bare-lf\r\n\r\nhi\r\n"
        codes = []
        for env in (self.alone, self.env):
            with open_session(env.sendmail.originating_port) as session:
                codes.append(send(session, "alice@sales.contoso.com", ["x@fabrikam.com"], data).code)
        self.assertEqual([421, 421], codes)

    def test_1000_addresses_all_rewritten(self):
        # Sendmail folds the list its own way, so the addresses are compared, not the layout.
        to = "To: " + ",\n\t".join("u%04d@sales.contoso.com" % i for i in range(1000))
        head = to + "\nSubject: smh-1000\n" + DATE + "Message-ID: <smh-1000@sales.contoso.com>\n"
        alone, milter, _ = self.deliver_both("smh-1000", "alice@sales.contoso.com", head + "\nhi\n")

        def addresses(delivery):
            block = delivery.header_block().decode()
            field = re.search(r"(?m)^To:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*", block).group(0)
            return re.findall(r"[\w.]+@[\w.]+", field)

        expected = [a.replace("@sales.contoso.com", "@contoso.com") for a in addresses(alone)]
        self.assertEqual(1000, len(expected), "Sendmail alone delivers all 1000")
        self.assertEqual(expected, addresses(milter))
        self.assertEqual("alice@contoso.com", milter.mail_from)

    def test_body_type_and_size_survive_a_sender_rewrite(self):
        head = "From: alice@sales.contoso.com\nSubject: smh-8bit\n" + DATE + "Message-ID: <smh-8bit@x.example>\n"
        alone, milter = self.assertRewrittenFromAlone(
            "smh-8bit", "alice@sales.contoso.com", head + "\nGr\u00fc\u00dfe\n",
            {"alice@sales.contoso.com": "alice@contoso.com"}, "alice@contoso.com",
            mail_options=["SIZE=300", "BODY=8BITMIME"])

        def body_type(delivery):
            return [p.upper() for p in delivery.mail_params.split() if p.upper().startswith("BODY=")]

        self.assertIn("BODY=8BITMIME", body_type(alone), "Sendmail alone relays the body type")
        self.assertEqual(body_type(alone), body_type(milter), "the body type survives the new sender")


if __name__ == "__main__":
    main()
