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
