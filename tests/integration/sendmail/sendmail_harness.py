# SPDX-License-Identifier: BSD-2-Clause
"""Sendmail test harness: capture sink + rewrite-milter + private Sendmail, SMTP helpers, assertions.

Environment (set by CMake): SENDMAIL_DIR (unpacked by setup-sendmail), REWRITE_MILTER (the daemon).
Sendmail listens twice on 127.0.0.1: Name=ORIGINATING (the outbound submission listener) and Name=MTA
(mail from the outside). Sendmail has no XCLIENT, so the milter runs with --internal-hosts that do
not cover 127.0.0.1: a message is outbound only because of {daemon_name}=ORIGINATING. Every process
is stopped by PID in the class cleanup, also when a test fails.
"""

import os
import re
import smtplib
import sys
from typing import Optional, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # ../milter_process.py and ../harness.py, shared with the Postfix tests

from dsn_sink import Delivery, DsnSink  # noqa: E402
from harness import MtaTestCase, SendResult, crlf, run_tests, split_first_header  # noqa: E402,F401  (shared)
from milter_process import MilterProcess, milter_binary  # noqa: E402
from staged_environment import StagedEnvironment  # noqa: E402
from sendmail_instance import SendmailInstance, preconditions_problem  # noqa: E402


# The seed scenarios (DESIGN.md section 1) as one rule table; the expected values in the tests
# follow from these lines and rewrite-rules(5).
SEED_RULES = """\
*.contoso.com             contoso.com              except=legal.contoso.com name=flatten
japan.sales.contoso.com   contoso.jp               name=japan
fourthcoffee.com          contoso.com              name=merger
support@contoso.com       support@wingtiptoys.com  name=wingtip-support
kate@contoso.com          kate@wingtiptoys.com     outbound-only name=wingtip-kate
"""

# 127.0.0.1 is deliberately not internal: direction comes from the listener's Name= only.
MILTER_ARGS = ("--internal-hosts", "192.0.2.0/24", "--outbound-daemon-names", "ORIGINATING")

DATE = "Date: Mon, 2 Jan 2023 10:00:00 +0000\n"


def open_session(port: int, helo: str = "client.example.net", timeout: float = 30.0) -> smtplib.SMTP:
    """Connect to Sendmail on 127.0.0.1:port and say EHLO."""
    session = smtplib.SMTP("127.0.0.1", port, timeout=timeout)
    session.ehlo(helo)
    return session


def send(session: smtplib.SMTP, sender: str, recipients: Sequence, data: bytes,
         mail_options: Sequence[str] = ()) -> SendResult:
    """One transaction. recipients are addresses or (address, [ESMTP parameters]) pairs."""
    code, text = session.mail(sender, list(mail_options))
    if code != 250:
        session.rset()
        return SendResult(code, text.decode(errors="replace"))
    for rcpt in recipients:
        address, options = (rcpt, []) if isinstance(rcpt, str) else rcpt
        code, text = session.rcpt(address, list(options))
        if code not in (250, 251):
            session.rset()
            return SendResult(code, text.decode(errors="replace"))
    code, text = session.data(data)
    decoded = text.decode(errors="replace")
    match = re.search(r"^2\.0\.0 ([0-9A-Za-z]+) Message accepted", decoded)
    return SendResult(code, decoded, match.group(1) if match else "")


class Environment(StagedEnvironment):
    """Capture sink + rewrite-milter + private Sendmail in one temporary directory."""

    def __init__(self, rules: str = SEED_RULES, milter_args: Sequence[str] = MILTER_ARGS, with_milter: bool = True):
        super().__init__("rewrite-sm-")
        self.rules_path = self.write_file("rules", rules)
        self.sink = DsnSink()
        self.milter: Optional[MilterProcess] = None
        if with_milter:
            self.milter = MilterProcess(milter_binary(), self.base_dir, self.rules_path, list(milter_args))
        self.sendmail = SendmailInstance(self.base_dir, self.sink.port, self.milter.socket_path if self.milter else "")

    def start_order(self):
        """Sink, milter, then Sendmail."""
        yield self.sink
        if self.milter:
            yield self.milter
        yield self.sendmail

    def diagnostics(self) -> str:
        """Sendmail's output and traffic, the milter log and the queue, for failure messages."""
        parts = [self.sendmail.log_text(), "--- queue ---\n" + self.sendmail.queue_listing()]
        if self.milter:
            parts.append("--- milter log (tail) ---\n" + self.milter.log_text()[-4000:])
        return "\n".join(parts)


class SendmailTestCase(MtaTestCase):
    """One private Sendmail with rewrite-milter per test class."""

    RULES = SEED_RULES
    MILTER_ARGS: Sequence[str] = MILTER_ARGS
    OWN_RECEIVED = b"by mta.example.test (8."
    ENVIRONMENT = Environment
    PRECONDITIONS = staticmethod(preconditions_problem)
    env: Environment
    maxDiff = None

    # ---- sending ----------------------------------------------------------------------------
    def _send(self, port: int, sender: str, recipients: Sequence, text: str, mail_options=()) -> SendResult:
        """Send one message on its own connection; assert it was accepted."""
        with open_session(port) as session:
            result = send(session, sender, recipients, crlf(text), mail_options)
        self.assertEqual(250, result.code, "not accepted: %s\n%s" % (result.text, self.env.diagnostics()))
        return result

    def send_outbound(self, sender: str, recipients: Sequence, text: str, mail_options=()) -> SendResult:
        """Send through the Name=ORIGINATING listener (outbound by daemon name)."""
        return self._send(self.env.sendmail.originating_port, sender, recipients, text, mail_options)

    def send_inbound(self, sender: str, recipients: Sequence, text: str, mail_options=()) -> SendResult:
        """Send through the Name=MTA listener (inbound: 127.0.0.1 is not an internal host here)."""
        return self._send(self.env.sendmail.mta_port, sender, recipients, text, mail_options)

    def delivered(self, marker: str, timeout: float = 20.0) -> Delivery:
        """The one delivery whose Subject is marker; fail with the logs otherwise."""
        needle = ("Subject: %s\r\n" % marker).encode()
        try:
            found = self.env.sink.wait_for_marker(needle, timeout)
        except TimeoutError as e:
            self.fail("%s\n%s" % (e, self.env.diagnostics()))
        self.assertEqual(1, len(found), "marker %r delivered %d times" % (marker, len(found)))
        return found[0]


def main() -> None:
    """Run the Sendmail tests of the calling module (skipped when Sendmail cannot run here)."""
    run_tests(preconditions_problem())
