# SPDX-License-Identifier: BSD-2-Clause
"""Postfix + rewrite-milter in a real organisation's mail flow: address extensions (Debian's Postfix
sets recipient_delimiter = +), the original recipient of a replaced one, and mail that never leaves
the organisation.

Rules: harness.SEED_RULES with the milter's defaults (recipient-delimiter = +, rewrite-internal-mail =
no). Spec: rewrite-milter.conf(5) recipient-delimiter and internal-domains: an address rule is looked
up whole, then without its extension, which the result keeps (as Postfix canonical(5)); outbound mail
whose envelope recipients are all internal keeps its sender-side addresses.
"""

import os
import pwd
import sys
import time

from harness import FOREIGN_CLIENT, Environment, PostfixTestCase, crlf, main, open_session
from postfix_instance import PostfixInstance

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "sendmail"))
from milter_probe import MilterProbe  # noqa: E402  (a passive milter that records what it is sent)

DATE = "Date: Mon, 2 Jan 2023 10:00:00 +0000\n"


class AddressExtensionTest(PostfixTestCase):
    """user+tag through the address rules, both ways."""

    def test_inbound_extension_is_routed_back_with_it(self):
        head = "From: customer@fabrikam.com\nTo: adam+news@contoso.com\nSubject: flow-ext-in\n" + DATE
        self.send_inbound("customer@fabrikam.com", ["adam+news@contoso.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("flow-ext-in"), "customer@fabrikam.com",
                             ["adam+news@fourthcoffee.com"], head, "hi\n")
        self.assertIn("rcpt=<adam+news@contoso.com> -> <adam+news@fourthcoffee.com> rule=adam",
                      self.env.milter.log_text())

    def test_outbound_extension_keeps_it_in_the_rewritten_address(self):
        head = ("From: Support <support+desk@contoso.com>\nTo: customer@fabrikam.com\n"
                "Subject: flow-ext-out\n" + DATE)
        self.send_outbound("support+desk@contoso.com", ["customer@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("flow-ext-out"), "support+desk@wingtiptoys.com",
                             ["customer@fabrikam.com"],
                             "From: Support <support+desk@wingtiptoys.com>\nTo: customer@fabrikam.com\n"
                             "Subject: flow-ext-out\n" + DATE, "hi\n")


class OriginalRecipientTest(PostfixTestCase):
    """A replaced recipient keeps the address the sender wrote as its original recipient."""

    def test_replaced_recipient_names_the_address_the_client_wrote(self):
        # Without ORCPT from the client, Postfix would record the milter's new address as the original
        # recipient (dsn_orig_rcpt, X-Original-To, DSNs); the milter gives it the one the client wrote.
        with open_session(self.env.postfix.smtp_port, FOREIGN_CLIENT) as session:
            self.assertEqual(250, session.mail("customer@fabrikam.com", [])[0])
            self.assertEqual(250, session.rcpt("support@wingtiptoys.com", ["NOTIFY=FAILURE"])[0])
            self.assertEqual(250, session.rcpt("adam+news@contoso.com", [])[0])
            self.assertEqual(250, session.data(crlf("Subject: flow-orcpt\n\nx\n"))[0])
        delivery = self.delivered("flow-orcpt")
        params = {r: set(a.split()) for r, a in zip(delivery.rcpt_to, delivery.rcpt_args)}
        self.assertEqual({"support@contoso.com": {"NOTIFY=FAILURE", "ORCPT=rfc822;support@wingtiptoys.com"},
                          "adam+news@fourthcoffee.com": {"ORCPT=rfc822;adam+2Bnews@contoso.com"}}, params)


class InternalMailTest(PostfixTestCase):
    """Mail that stays inside keeps its addresses; mail that leaves is rewritten, for every recipient."""

    def test_mail_for_internal_recipients_only_is_left_alone(self):
        head = ("From: Chris <chris@sales.contoso.com>\nTo: maria@europe.contoso.com\n"
                "Cc: adam@fourthcoffee.com, lee@legal.contoso.com\nSubject: flow-internal\n" + DATE)
        rcpts = ["maria@europe.contoso.com", "adam@fourthcoffee.com", "lee@legal.contoso.com"]
        result = self.send_outbound("chris@sales.contoso.com", rcpts, head + "\nhi\n")
        self.assertDelivered(self.delivered("flow-internal"), "chris@sales.contoso.com", rcpts, head, "hi\n")
        self.assertIn("%s: unchanged (internal recipients)" % result.queue_id, self.env.milter.log_text())

    def test_one_external_recipient_rewrites_the_copy_all_receive(self):
        head = ("From: Chris <chris@sales.contoso.com>\nTo: maria@europe.contoso.com, bob@fabrikam.com\n"
                "Subject: flow-mixed\n" + DATE)
        rcpts = ["maria@europe.contoso.com", "bob@fabrikam.com"]
        self.send_outbound("chris@sales.contoso.com", rcpts, head + "\nhi\n")
        self.assertDelivered(self.delivered("flow-mixed"), "chris@contoso.com", rcpts,
                             "From: Chris <chris@contoso.com>\nTo: maria@contoso.com, bob@fabrikam.com\n"
                             "Subject: flow-mixed\n" + DATE, "hi\n")


class ChainedEnvironment(Environment):
    """rewrite-milter, then a recording probe milter, in one Postfix: smtpd_milters = rewrite, probe."""

    def start_order(self):
        yield self.sink
        yield self.milter
        self.probe = MilterProbe(os.path.join(self.base_dir, "probe.sock"))
        yield self.probe
        os.chmod(self.probe.socket_path, 0o666)  # Postfix's daemons run as user postfix
        self.postfix = PostfixInstance(self.base_dir, self.sink.port,
                                       self.milter.postfix_socket + ", unix:" + self.probe.socket_path)
        yield self.postfix


class BouncingPostfix(PostfixInstance):
    """A Postfix that cannot deliver to contoso.com: every such recipient bounces at once."""

    def write_config(self) -> None:
        super().write_config()
        transport = os.path.join(self.config_dir, "transport")
        with open(transport, "w") as f:
            f.write("contoso.com error:5.1.1 mailbox unavailable (test)\n")
        with open(os.path.join(self.config_dir, "main.cf"), "a") as f:
            f.write("transport_maps = texthash:%s\n" % transport)


class BouncingEnvironment(Environment):
    """Sink + rewrite-milter + a Postfix whose mail for contoso.com bounces."""

    def start_order(self):
        yield self.sink
        yield self.milter
        self.postfix = BouncingPostfix(self.base_dir, self.sink.port, self.milter.postfix_socket)
        yield self.postfix


class BounceTest(PostfixTestCase):
    """The bounce of a replaced recipient names the address the sender wrote, not the internal one."""

    ENVIRONMENT = BouncingEnvironment

    def test_bounce_names_the_original_recipient(self):
        with open_session(self.env.postfix.smtp_port, FOREIGN_CLIENT) as session:
            self.assertEqual(250, session.mail("customer@fabrikam.com", [])[0])
            self.assertEqual(250, session.rcpt("support@wingtiptoys.com", [])[0])
            self.assertEqual(250, session.data(crlf("Subject: flow-bounce\n\nx\n"))[0])
        bounce = self.env.sink.wait_for_marker("Subject: Undelivered Mail Returned to Sender", 30.0)
        self.assertEqual("", bounce.mail_from)  # a bounce, from the null sender
        self.assertEqual(["customer@fabrikam.com"], bounce.rcpt_to)
        report = bounce.data.decode("utf-8", "replace")
        # The DSN (RFC 3464) tells the sender which of its own addresses failed. Postfix still names the
        # final recipient too, in Final-Recipient and in its human-readable text.
        self.assertIn("\r\nOriginal-Recipient: rfc822;support@wingtiptoys.com\r\n", report)
        self.assertIn("\r\nFinal-Recipient: rfc822; support@contoso.com\r\n", report)


class MailboxPostfix(PostfixInstance):
    """A Postfix that delivers contoso.com itself, to Maildirs, with virtual(8) (which adds X-Original-To)."""

    def write_config(self) -> None:
        super().write_config()
        self.mailboxes = os.path.join(self.base_dir, "mailboxes")
        os.makedirs(self.mailboxes, exist_ok=True)
        pw = pwd.getpwnam("postfix")
        os.chown(self.mailboxes, pw.pw_uid, pw.pw_gid)
        maps = os.path.join(self.config_dir, "vmailbox")
        with open(maps, "w") as f:
            f.write("support@contoso.com support/\n")
        with open(os.path.join(self.config_dir, "main.cf"), "a") as f:
            f.write("virtual_mailbox_domains = contoso.com\nvirtual_mailbox_base = %s\n"
                    "virtual_mailbox_maps = texthash:%s\nvirtual_uid_maps = static:%d\n"
                    "virtual_gid_maps = static:%d\nvirtual_minimum_uid = 1\n"
                    % (self.mailboxes, maps, pw.pw_uid, pw.pw_gid))
        with open(os.path.join(self.config_dir, "master.cf"), "a") as f:
            f.write("virtual   unix  -       n       n       -       -       virtual\n")


class MailboxEnvironment(Environment):
    """Sink + rewrite-milter + a Postfix that keeps contoso.com's mail in its own mailboxes."""

    def start_order(self):
        yield self.sink
        yield self.milter
        self.postfix = MailboxPostfix(self.base_dir, self.sink.port, self.milter.postfix_socket,
                                      relay_domains="wingtiptoys.com, fourthcoffee.com, fabrikam.com")
        yield self.postfix


class XOriginalToTest(PostfixTestCase):
    """What Postfix's X-Original-To names for a replaced recipient (a limit of the milter protocol)."""

    ENVIRONMENT = MailboxEnvironment

    def test_delivered_mail_says_which_address_the_sender_used(self):
        with open_session(self.env.postfix.smtp_port, FOREIGN_CLIENT) as session:
            self.assertEqual(250, session.mail("customer@fabrikam.com", [])[0])
            self.assertEqual(250, session.rcpt("support@wingtiptoys.com", [])[0])
            self.assertEqual(250, session.data(crlf("Subject: flow-xot\n\nx\n"))[0])
        new = os.path.join(self.env.postfix.mailboxes, "support", "new")
        deadline = time.time() + 30
        while time.time() < deadline and not (os.path.isdir(new) and os.listdir(new)):
            time.sleep(0.2)
        self.assertTrue(os.path.isdir(new) and os.listdir(new), self.env.diagnostics())
        with open(os.path.join(new, os.listdir(new)[0]), "rb") as f:
            head = f.read().split(b"\n\n", 1)[0].decode()
        # Measured on Postfix 3.7: a recipient a milter adds gets itself as its original recipient, and
        # ORCPT does not change that, so X-Original-To names the internal address; only the DSN's
        # Original-Recipient (BounceTest) names the one the sender used. rewrite-milter(8) says so.
        self.assertIn("\nX-Original-To: support@contoso.com\n", head)
        self.assertIn("\nDelivered-To: support@contoso.com\n", head)


class MilterOrderTest(PostfixTestCase):
    """What a milter listed after rewrite-milter sees: rewrite-milter(8), order of milters."""

    ENVIRONMENT = ChainedEnvironment

    def test_a_later_milter_sees_the_rewritten_header_but_the_original_envelope_sender(self):
        head = "From: Chris <chris@sales.contoso.com>\nTo: bob@fabrikam.com\nSubject: flow-chain\n" + DATE
        self.send_outbound("chris@sales.contoso.com", ["bob@fabrikam.com"], head + "\nhi\n")
        self.assertDelivered(self.delivered("flow-chain"), "chris@contoso.com", ["bob@fabrikam.com"],
                             head.replace("chris@sales.contoso.com", "chris@contoso.com"), "hi\n")
        seen = [c for c in self.env.probe.connections() if c.mail]
        self.assertEqual(1, len(seen), seen)
        # The envelope sender as the client sent it: a signer after us must key on the From field.
        self.assertEqual("<chris@sales.contoso.com>", seen[0].mail[0][0])
        values = {name.lower(): value for name, value in seen[0].headers}
        self.assertEqual("Chris <chris@contoso.com>", values["from"].strip())


if __name__ == "__main__":
    main()
