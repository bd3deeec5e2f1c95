# SPDX-License-Identifier: BSD-2-Clause
"""Baseline without the milter: the private Postfix, the capture sink and the SMTP helpers.

These pin down what Postfix itself does to a message in this setup (prepends one Received header,
keeps everything else byte for byte), so the milter tests can attribute every other change to the
milter. They also prove XCLIENT presents a foreign client and that sendmail(1) reaches the instance.
"""

from harness import FOREIGN_CLIENT, PostfixTestCase, crlf, main, open_session, send

MESSAGE = """\
Return-Path: <alice@sales.contoso.com>
Received: from old.example.net by hop.example.net; Mon, 2 Jan 2023 10:00:00 +0000
From: Alice Example <alice@sales.contoso.com>
To: bob@fabrikam.com
Subject: {subject}
Message-ID: <m1@sales.contoso.com>

body line
.leading dot
"""


class PostfixAloneTest(PostfixTestCase):
    WITH_MILTER = False

    def test_smtp_message_passes_unchanged_but_for_received(self):
        text = MESSAGE.format(subject="baseline-smtp")
        self.send_outbound("alice@sales.contoso.com", ["bob@fabrikam.com"], text)
        d = self.delivered("baseline-smtp")
        header, body = text.split("\n\n", 1)
        self.assertDelivered(d, "alice@sales.contoso.com", ["bob@fabrikam.com"], header + "\n", body)

    def test_xclient_presents_foreign_client(self):
        text = "Subject: baseline-xclient\n\nx\n"
        self.send_inbound("someone@fabrikam.com", ["support@wingtiptoys.com"], text)
        d = self.delivered("baseline-xclient")
        first = d.header_block().split(b"\r\n")[0:2]
        self.assertIn(("[%s]" % FOREIGN_CLIENT).encode(), b" ".join(first))

    def test_several_messages_per_connection(self):
        with open_session(self.env.postfix.smtp_port) as session:
            for n in range(3):
                result = send(session, "a%d@fabrikam.com" % n, ["b@fabrikam.com"],
                              crlf("Subject: baseline-multi-%d\n\nx\n" % n))
                self.assertEqual(250, result.code, result.text)
        for n in range(3):
            self.assertEqual("a%d@fabrikam.com" % n, self.delivered("baseline-multi-%d" % n).mail_from)

    def test_sendmail_submission(self):
        self.env.postfix.sendmail(b"Subject: baseline-sendmail\n\nx\n", "alice@sales.contoso.com", ["bob@fabrikam.com"])
        d = self.delivered("baseline-sendmail")
        self.assertEqual("alice@sales.contoso.com", d.mail_from)
        self.assertEqual(["bob@fabrikam.com"], d.rcpt_to)


if __name__ == "__main__":
    main()
