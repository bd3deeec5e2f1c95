# SPDX-License-Identifier: BSD-2-Clause
"""What Sendmail hands a milter, recorded by a passive probe milter (milter_probe.py).

These are the MTA facts rewrite-milter relies on (DESIGN.md section 7, DIFFERENCES.md): macros by
stage ({daemon_name} from DAEMON_OPTIONS Name= at connect, {i} already at MAIL), MAIL FROM and RCPT
TO in angle brackets with their ESMTP parameters as further arguments, the null sender as "<>", a
local `sendmail -bs` submission without a client address, Sendmail's own Received header kept from
the milter, and header values with one leading space stripped unless SMFIP_HDR_LEADSPC is negotiated.
"""

import os
import unittest

from dsn_sink import DsnSink
from milter_probe import MilterConnection, MilterProbe
from sendmail_harness import DATE, SendmailTestCase, crlf, main, open_session, send
from sendmail_instance import SendmailInstance, preconditions_problem
from staged_environment import StagedEnvironment

MESSAGE = crlf("From: Alice <alice@sales.contoso.com>\n"
               "To:  two-spaces@fabrikam.com\n"
               "X-Tight:value\n"
               "X-Tab:\ttab\n"
               "X-Folded: a\n\tb\n"
               "Subject: probe\n" + DATE +
               "Message-ID: <probe@sales.contoso.com>\n\nhi\n")


class ProbeEnvironment(StagedEnvironment):
    """Capture sink + probe milter + Sendmail (the probe in place of rewrite-milter)."""

    def __init__(self):
        super().__init__("rewrite-sm-probe-")
        self.sink = DsnSink()
        self.probe = MilterProbe(os.path.join(self.base_dir, "probe.sock"))
        self.sendmail = SendmailInstance(self.base_dir, self.sink.port, self.probe.socket_path)

    def start_order(self):
        """Sink, probe, then Sendmail."""
        yield self.sink
        yield self.probe
        yield self.sendmail

    def diagnostics(self) -> str:
        """Sendmail's output and traffic."""
        return self.sendmail.log_text()


class SendmailMilterProtocolTest(SendmailTestCase):
    """One Sendmail in front of the probe; each test sends its own SMTP session and inspects it."""

    env: ProbeEnvironment

    @classmethod
    def setUpClass(cls):
        problem = preconditions_problem()
        if problem:
            raise unittest.SkipTest(problem)
        cls.env = ProbeEnvironment()
        cls.addClassCleanup(cls.env.stop)
        cls.env.start()

    def session_for(self, queue_id: str) -> MilterConnection:
        """The probe connection that saw the message with this queue id at MAIL."""
        for conn in self.env.probe.connections():
            if any(values.get("i") == queue_id for letter, values in conn.macros if letter == "M"):
                return conn
        self.fail("no milter connection saw {i}=%s at MAIL\n%s" % (queue_id, self.env.diagnostics()))

    def send_two(self, port: int, leading_space: bool):
        """Send a message and a null-sender message on one session; return both results."""
        self.env.probe.want_leading_space = leading_space
        with open_session(port) as session:
            first = send(session, "alice@sales.contoso.com",
                         [("support@wingtiptoys.com", ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;support@wingtiptoys.com"]),
                          "b@fabrikam.com"],
                         MESSAGE, ["RET=HDRS", "ENVID=probe-1"])
            second = send(session, "<>", ["b@fabrikam.com"], MESSAGE)
        self.assertEqual((250, 250), (first.code, second.code), (first.text, second.text))
        return first, second

    def test_macros_by_stage_and_envelope_arguments(self):
        first, second = self.send_two(self.env.sendmail.originating_port, leading_space=False)
        conn = self.session_for(first.queue_id)
        self.assertEqual(6, conn.mta_version)
        self.assertTrue(conn.mta_protocol & 0x00100000, "Sendmail offers SMFIP_HDR_LEADSPC")
        self.assertEqual(("localhost", "4", "127.0.0.1"), (conn.connect[0], conn.connect[1], conn.connect[3]))
        connect = conn.macros_at("C")
        self.assertEqual("ORIGINATING", connect.get("{daemon_name}"))
        self.assertEqual("mta.example.test", connect.get("j"))
        self.assertNotIn("i", connect)
        # {i} arrives with MAIL: one per message; the second message on the session gets its own.
        mail_ids = [values.get("i") for letter, values in conn.macros if letter == "M"]
        self.assertEqual([first.queue_id, second.queue_id], mail_ids)
        self.assertEqual([["<alice@sales.contoso.com>", "RET=HDRS", "ENVID=probe-1"], ["<>"]], conn.mail)
        self.assertEqual([["<support@wingtiptoys.com>", "NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;support@wingtiptoys.com"],
                          ["<b@fabrikam.com>"], ["<b@fabrikam.com>"]], conn.rcpt)
        # One milter connection carries both messages (no reconnect between transactions).
        self.assertEqual(2, conn.commands.count("M"))
        self.assertEqual(1, conn.commands.count("C"))

    def test_mta_listener_has_its_own_daemon_name(self):
        self.env.probe.want_leading_space = False
        with open_session(self.env.sendmail.mta_port) as session:
            result = send(session, "x@fabrikam.com", ["b@fabrikam.com"], MESSAGE)
        self.assertEqual(250, result.code, result.text)
        self.assertEqual("MTA", self.session_for(result.queue_id).macros_at("C").get("{daemon_name}"))

    def test_header_values_without_leading_space_negotiation(self):
        first, _ = self.send_two(self.env.sendmail.originating_port, leading_space=False)
        conn = self.session_for(first.queue_id)
        self.assertFalse(conn.leading_space)
        # Sendmail's own Received header is not shown to the milter; one space after the colon is
        # stripped (only a space: a tab stays); continuation lines are joined with LF.
        self.assertEqual([("From", "Alice <alice@sales.contoso.com>"),
                          ("To", " two-spaces@fabrikam.com"),
                          ("X-Tight", "value"),
                          ("X-Tab", "\ttab"),
                          ("X-Folded", "a\n\tb"),
                          ("Subject", "probe"),
                          ("Date", "Mon, 2 Jan 2023 10:00:00 +0000"),
                          ("Message-ID", "<probe@sales.contoso.com>")], conn.headers[:8])

    def test_header_values_with_leading_space_negotiation(self):
        first, _ = self.send_two(self.env.sendmail.originating_port, leading_space=True)
        conn = self.session_for(first.queue_id)
        self.assertTrue(conn.leading_space)
        self.assertEqual([("From", " Alice <alice@sales.contoso.com>"),
                          ("To", "  two-spaces@fabrikam.com"),
                          ("X-Tight", "value"),
                          ("X-Tab", "\ttab"),
                          ("X-Folded", " a\n\tb"),
                          ("Subject", " probe"),
                          ("Date", " Mon, 2 Jan 2023 10:00:00 +0000"),
                          ("Message-ID", " <probe@sales.contoso.com>")], conn.headers[:8])

    def test_local_submission_has_no_client_address(self):
        self.env.probe.want_leading_space = False
        replies = self.env.sendmail.local_smtp([
            b"EHLO localhost", b"MAIL FROM:<alice@sales.contoso.com>", b"RCPT TO:<bob@fabrikam.com>", b"DATA",
            MESSAGE.rstrip(b"\r\n"), b"QUIT"])
        self.assertEqual(["220", "250", "250", "250", "354", "250", "221"], [r[:3] for r in replies], replies)
        queue_id = replies[5].split()[2]
        conn = self.session_for(queue_id)
        # SMFIA_UNKNOWN ("U"): no address, no port; and no {daemon_name} (no listener was involved).
        self.assertEqual(("localhost", "U", 0, ""), conn.connect)
        self.assertNotIn("{daemon_name}", conn.macros_at("C"))
        self.assertEqual([["<alice@sales.contoso.com>"]], conn.mail)


if __name__ == "__main__":
    main()
