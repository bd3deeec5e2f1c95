# SPDX-License-Identifier: BSD-2-Clause
"""Sendmail + rewrite-milter in a real organisation's mail flow: address extensions, the original
recipient of a replaced one, and mail that never leaves the organisation.

Rules: sendmail_harness.SEED_RULES; outbound = the Name=ORIGINATING listener, inbound = Name=MTA.
Spec: rewrite-milter.conf(5) recipient-delimiter (default +), original-recipient (default yes) and
internal-domains (mail for internal recipients only keeps its sender-side addresses).
"""

from sendmail_harness import DATE, SendmailTestCase, main


class SendmailMailFlowTest(SendmailTestCase):

    def test_inbound_extension_is_routed_with_it_and_keeps_the_client_address_as_orcpt(self):
        head = ("From: c@fabrikam.com\nTo: support+desk@wingtiptoys.com\nSubject: sm-flow-ext\n" + DATE +
                "Message-ID: <flow-ext@fabrikam.com>\n")
        self.send_inbound("c@fabrikam.com", [("support+desk@wingtiptoys.com", ["NOTIFY=FAILURE"])], head + "\nhi\n")
        delivery = self.delivered("sm-flow-ext")
        self.assertDelivered(delivery, "c@fabrikam.com", ["support+desk@contoso.com"], head, "hi\n")
        self.assertEqual({"support+desk@contoso.com": "NOTIFY=FAILURE ORCPT=rfc822;support+2Bdesk@wingtiptoys.com"},
                         delivery.rcpt_params())

    def test_sendmail_bounce_names_the_address_the_sender_wrote(self):
        self.env.sink.refuse("support+gone@contoso.com")
        head = ("From: c@fabrikam.com\nTo: support+gone@wingtiptoys.com\nSubject: sm-flow-bounce\n" + DATE +
                "Message-ID: <flow-bounce@fabrikam.com>\n")
        self.send_inbound("c@fabrikam.com", [("support+gone@wingtiptoys.com", ["NOTIFY=FAILURE"])],
                          head + "\nhi\n", mail_options=["RET=HDRS"])
        try:
            bounces = self.env.sink.wait_for_marker(b"\r\nFinal-Recipient: ", 30.0)
        except TimeoutError as e:
            self.fail("%s\n%s" % (e, self.env.diagnostics()))
        self.assertEqual(1, len(bounces))
        bounce = bounces[0]
        self.assertEqual("", bounce.mail_from)  # Sendmail's own DSN, from the null sender
        self.assertEqual(["c@fabrikam.com"], bounce.rcpt_to)
        report = bounce.data.decode("utf-8", "replace")
        self.assertIn("\r\nOriginal-Recipient: rfc822;support+gone@wingtiptoys.com\r\n", report)
        # Sendmail names the address it tried in Final-Recipient; rewrite-milter(8) says so.
        self.assertRegex(report, r"\r\nFinal-Recipient: (?i:rfc822); ?support\+gone@contoso\.com\r\n")
        self.assertIn("\r\nAction: failed\r\n", report)
        # Sendmail's delivery agents write no X-Original-To of their own.
        self.assertNotIn("X-Original-To:", report)

    def test_outbound_extension_is_kept(self):
        head = ("From: Support <support+desk@contoso.com>\nTo: c@fabrikam.com\nSubject: sm-flow-ext-out\n" + DATE +
                "Message-ID: <flow-ext-out@contoso.com>\n")
        self.send_outbound("support+desk@contoso.com", ["c@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("sm-flow-ext-out"), "support+desk@wingtiptoys.com", ["c@fabrikam.com"],
                             head.replace("<support+desk@contoso.com>", "<support+desk@wingtiptoys.com>"), "hi\n")

    def test_mail_for_internal_recipients_only_is_left_alone(self):
        head = ("From: Chris <chris@sales.contoso.com>\nTo: maria@europe.contoso.com\nSubject: sm-flow-internal\n"
                + DATE + "Message-ID: <flow-internal@sales.contoso.com>\n")
        self.send_outbound("chris@sales.contoso.com", ["maria@europe.contoso.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("sm-flow-internal"), "chris@sales.contoso.com",
                             ["maria@europe.contoso.com"], head, "hi\n")
        self.assertIn(": unchanged (internal recipients)", self.env.milter.log_text())


if __name__ == "__main__":
    main()
