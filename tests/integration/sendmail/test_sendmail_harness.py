# SPDX-License-Identifier: BSD-2-Clause
"""Sendmail alone, without the milter: the baseline the rewrite tests rely on.

Proves that the private Sendmail relays from both listeners to the capture sink, keeps header and body
bytes as sent, passes DSN parameters on, and records what Sendmail itself changes in address header
fields (so the rewrite tests only use header text Sendmail leaves alone).
"""


import os

from sendmail_harness import DATE, HERE, SendmailTestCase, crlf, main, open_session, send


class SendmailAloneTest(SendmailTestCase):
    """Sink <- Sendmail, no INPUT_MAIL_FILTER."""

    WITH_MILTER = False

    def test_relays_both_listeners_byte_for_byte(self):
        head = ("From: Alice Example <alice@sales.contoso.com>\n"
                "To: Bob <bob@fabrikam.com>, carol@research.contoso.com\n"
                "Subject: base-relay\n" + DATE +
                "Message-ID: <base-1@sales.contoso.com>\n"
                "X-Folded: first line\n\tsecond line\n")
        body = "line one\n.leading dot\n\nlast\n"
        self.send_outbound("alice@sales.contoso.com", ["bob@fabrikam.com", "carol@research.contoso.com"],
                           head + "\n" + body)
        self.assertDelivered(self.delivered("base-relay"), "alice@sales.contoso.com",
                             ["bob@fabrikam.com", "carol@research.contoso.com"], head, body)
        inbound = head.replace("base-relay", "base-relay-mta")
        self.send_inbound("x@fabrikam.com", ["support@wingtiptoys.com"], inbound + "\n" + body)
        self.assertDelivered(self.delivered("base-relay-mta"), "x@fabrikam.com", ["support@wingtiptoys.com"],
                             inbound, body)

    def test_dsn_parameters_are_relayed(self):
        head = "From: x@fabrikam.com\nTo: support@wingtiptoys.com\nSubject: base-dsn\n" + DATE
        self.send_inbound("x@fabrikam.com",
                          [("support@wingtiptoys.com", ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;support@wingtiptoys.com"]),
                           "kate@wingtiptoys.com"],
                          head + "\nhi\n", mail_options=["RET=HDRS", "ENVID=base-envid"])
        delivery = self.delivered("base-dsn")
        self.assertEqual({"support@wingtiptoys.com": "NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;support@wingtiptoys.com",
                          "kate@wingtiptoys.com": ""}, delivery.rcpt_params())
        params = delivery.mail_params.split()
        self.assertIn("RET=HDRS", params)
        self.assertIn("ENVID=base-envid", params)

    def test_null_sender(self):
        head = ("From: MAILER-DAEMON@mail.sales.contoso.com\nTo: bob@fabrikam.com\nSubject: base-null\n" + DATE +
                "Message-ID: <base-null@mail.sales.contoso.com>\n")
        self.send_outbound("<>", ["bob@fabrikam.com"], head + "\nbounce\n")
        self.assertDelivered(self.delivered("base-null"), "", ["bob@fabrikam.com"], head, "bounce\n")

    def test_sendmail_reformats_address_lists_itself(self):
        # Sendmail re-emits the address header fields it knows (From, To, Cc, Reply-To, Sender,
        # Resent-*, Disposition-Notification-To; not Return-Receipt-To) itself: ", " between
        # addresses, folded before column 78 with eight spaces, leading white space other than
        # spaces dropped. It adds Date and Message-Id when missing, Resent-Date and
        # Resent-Message-Id when a Resent- field is present without them. A property of Sendmail,
        # not of the milter (see DIFFERENCES.md); the rewrite tests use header text it leaves alone.
        folded = ",\n\t".join("user%02d@fabrikam.com" % i for i in range(8))
        with open_session(self.env.sendmail.originating_port) as session:
            result = send(session, "a@fabrikam.com", ["b@fabrikam.com"],
                          crlf("From: a@fabrikam.com,c@fabrikam.com\nTo: b@fabrikam.com ,  d@fabrikam.com\n"
                               "Cc:\t" + folded + "\nReturn-Receipt-To: a@fabrikam.com,c@fabrikam.com\n"
                               "Resent-From: a@fabrikam.com\nX-List: " + folded + "\n"
                               "X-Tight:value\nSubject: base-commaize\n\nx\n"))
        self.assertEqual(250, result.code, result.text)
        block = self.delivered("base-commaize").header_block().decode()
        added, rest = block.split("\r\nFrom: ", 1)
        rest = "From: " + rest
        self.assertEqual(["Date", "Message-Id", "Resent-Date", "Resent-Message-Id"],
                         sorted(line.split(":")[0] for line in added.split("\r\n")
                                if line[:1] not in (" ", "\t") and not line.startswith("Received:")), added)
        self.assertEqual(
            "From: a@fabrikam.com, c@fabrikam.com\r\n"
            "To: b@fabrikam.com, d@fabrikam.com\r\n"
            "Cc: user00@fabrikam.com, user01@fabrikam.com, user02@fabrikam.com,\r\n"
            "        user03@fabrikam.com, user04@fabrikam.com, user05@fabrikam.com,\r\n"
            "        user06@fabrikam.com, user07@fabrikam.com\r\n"
            "Return-Receipt-To: a@fabrikam.com,c@fabrikam.com\r\n"
            "Resent-From: a@fabrikam.com\r\n"
            "X-List: " + folded.replace("\n", "\r\n") + "\r\n"
            "X-Tight:value\r\n"
            "Subject: base-commaize\r\n", rest)

    def test_contrib_snippet_builds_the_filter_and_listeners(self):
        # contrib/sendmail/rewrite-milter.mc, included in a minimal .mc, gives the documented lines.
        snippet = os.path.join(HERE, "..", "..", "..", "contrib", "sendmail", "rewrite-milter.mc")
        cf = self.env.sendmail.build_cf("OSTYPE(`linux')dnl\ninclude(`%s')dnl\nMAILER(`smtp')dnl\n"
                                        % os.path.abspath(snippet), "contrib.mc")
        lines = cf.splitlines()
        self.assertIn("Xrewrite, S=unix:/run/rewrite-milter/rewrite-milter.sock, F=T, T=C:10s;S:30s;R:30s;E:5m",
                      lines)
        self.assertIn("O InputMailFilters=rewrite", lines)
        self.assertEqual(["O DaemonPortOptions=Port=smtp, Name=MTA",
                          "O DaemonPortOptions=Port=submission, Name=ORIGINATING, M=Ea"],
                         [line for line in lines if line.startswith("O DaemonPortOptions=")])


if __name__ == "__main__":
    main()
