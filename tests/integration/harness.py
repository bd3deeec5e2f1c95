# SPDX-License-Identifier: BSD-2-Clause
"""Test harness: one private Postfix + rewrite-milter + capture sink, SMTP helpers and assertions.

Environment (set by CMake): REWRITE_MILTER is the daemon binary. Everything runs on 127.0.0.1 and is
stopped by PID in tearDown/cleanup, also when a test fails.
"""

import os
import re
import smtplib
import sys
import unittest
from dataclasses import dataclass
from typing import Dict, Optional, Sequence

from capture_sink import CaptureSink, Delivery
from milter_process import MilterProcess, milter_binary
from postfix_instance import PostfixInstance, preconditions_problem
from staged_environment import StagedEnvironment

SKIP_EXIT_CODE = 77  # ctest SKIP_RETURN_CODE: reported as "Skipped", never as passed

# The seed scenarios (DESIGN.md section 1) as one rule table.
SEED_RULES = """\
# Group consolidation: every contoso.com subdomain leaves as contoso.com, legal keeps its own.
*.contoso.com               contoso.com            except=legal.contoso.com name=flatten
# The more specific domain rule beats the wildcard (seed: masato@japan.sales.contoso.com).
japan.sales.contoso.com     contoso.jp             name=japan
# Merger: Fourth Coffee mail leaves as contoso.com.
fourthcoffee.com            contoso.com            name=merger
# Replies to adam@contoso.com reach Adam's Fourth Coffee mailbox (address rules are bidirectional).
adam@fourthcoffee.com       adam@contoso.com       name=adam
# Partner: Contoso support staff leave as Wingtip Toys; replies to Wingtip come back (bidirectional).
support@contoso.com         support@wingtiptoys.com  name=wingtip-support
kate@contoso.com            kate@wingtiptoys.com   outbound-only name=wingtip-kate
"""

FOREIGN_CLIENT = "203.0.113.5"


def crlf(text: str) -> bytes:
    """Encode a message written with LF line ends as SMTP bytes (CRLF)."""
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")


@dataclass
class SendResult:
    """What the MTA answered to one message: the first non-2xx reply, or the final 250."""

    code: int
    text: str
    queue_id: str = ""

    @property
    def accepted(self) -> bool:
        """True when the message was queued."""
        return self.code == 250


def open_session(port: int, client_addr: Optional[str] = None, login: Optional[str] = None,
                 helo: str = "client.example.net", timeout: float = 30.0) -> smtplib.SMTP:
    """Connect to Postfix; with client_addr (and login) present that client through XCLIENT."""
    session = smtplib.SMTP("127.0.0.1", port, timeout=timeout)
    session.ehlo(helo)
    if client_addr or login:
        attrs = []
        if client_addr:
            attrs += ["ADDR=" + client_addr, "NAME=[UNAVAILABLE]"]
        if login:
            attrs.append("LOGIN=" + login)
        code, text = session.docmd("XCLIENT", " ".join(attrs))
        if code != 220:
            raise AssertionError("XCLIENT refused: %d %s" % (code, text))
        session.ehlo(helo)
    return session


def send(session: smtplib.SMTP, sender: str, recipients: Sequence[str], data: bytes) -> SendResult:
    """Run one mail transaction on an open session; return the reply that decided it."""
    code, text = session.mail(sender)
    if code != 250:
        session.rset()
        return SendResult(code, text.decode(errors="replace"))
    for rcpt in recipients:
        code, text = session.rcpt(rcpt)
        if code not in (250, 251):
            session.rset()
            return SendResult(code, text.decode(errors="replace"))
    code, text = session.data(data)
    decoded = text.decode(errors="replace")
    match = re.search(r"queued as ([0-9A-Za-z]+)", decoded)
    return SendResult(code, decoded, match.group(1) if match else "")


def send_one(port: int, sender: str, recipients: Sequence[str], data: bytes,
             client_addr: Optional[str] = None, login: Optional[str] = None) -> SendResult:
    """Send one message on its own connection."""
    with open_session(port, client_addr, login) as session:
        return send(session, sender, recipients, data)


def split_first_header(header_block: bytes):
    """Split off the first header field (with its continuation lines): (first, rest)."""
    lines = header_block.split(b"\r\n")
    end = 1
    while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
        end += 1
    return b"\r\n".join(lines[:end]) + b"\r\n", b"\r\n".join(lines[end:])


class Environment(StagedEnvironment):
    """Capture sink + rewrite-milter + private Postfix in one temp dir."""

    def __init__(self, rules: str = SEED_RULES, milter_args: Sequence[str] = (), with_milter: bool = True,
                 postfix_settings: Optional[Dict[str, str]] = None):
        super().__init__("rewrite-it-")
        self.postfix_settings = dict(postfix_settings or {})
        self.rules_path = self.write_file("rules", rules)
        self.sink = CaptureSink()
        self.milter: Optional[MilterProcess] = None
        if with_milter:
            self.milter = MilterProcess(milter_binary(), self.base_dir, self.rules_path, list(milter_args))
        self.postfix: Optional[PostfixInstance] = None

    def start_order(self):
        """Sink, milter, then Postfix (which needs the sink's port and the milter's socket)."""
        yield self.sink
        if self.milter:
            yield self.milter
        self.postfix = PostfixInstance(self.base_dir, self.sink.port, self.milter.postfix_socket if self.milter else "")
        self.postfix.extra_settings.update(self.postfix_settings)
        yield self.postfix

    def write_rules(self, text: str) -> None:
        """Replace the rules file atomically (write + rename), as an admin's deploy would."""
        self.write_file("rules", text)

    def diagnostics(self) -> str:
        """Return the tails of the Postfix and milter logs, for failure messages."""
        parts = []
        if self.postfix:
            parts.append("--- postfix log (tail) ---\n" + self.postfix.log_text()[-4000:])
        if self.milter:
            parts.append("--- milter log (tail) ---\n" + self.milter.log_text()[-4000:])
        return "\n".join(parts)


class MtaTestCase(unittest.TestCase):
    """Base of the Postfix and Sendmail test cases: one environment per test class (make_environment()),
    stopped even when setUpClass fails, and the exact-delivery assertion."""

    RULES = SEED_RULES
    MILTER_ARGS: Sequence[str] = ()
    WITH_MILTER = True
    OWN_RECEIVED = b""  # text in the Received header the MTA itself adds
    ENVIRONMENT: type  # the MTA's environment class, built from RULES, MILTER_ARGS and WITH_MILTER
    PRECONDITIONS = staticmethod(lambda: "")  # why the MTA cannot run here, or ""
    env: StagedEnvironment

    @classmethod
    def make_environment(cls) -> StagedEnvironment:
        """The environment the tests of the class share."""
        return cls.ENVIRONMENT(cls.RULES, cls.MILTER_ARGS, cls.WITH_MILTER)

    @classmethod
    def setUpClass(cls):
        problem = cls.PRECONDITIONS()
        if problem:
            raise unittest.SkipTest(problem)
        cls.env = cls.make_environment()
        cls.addClassCleanup(cls.env.stop)
        cls.env.start()

    def assertDelivered(self, delivery, mail_from: str, rcpt_to: Sequence[str], headers: str,
                        body: Optional[str] = None, received_lines: int = 1):
        """Assert the exact envelope, the exact header bytes after the MTA's own Received header(s), and
        (when given) the exact body bytes."""
        self.assertEqual(mail_from, delivery.mail_from, "envelope sender")
        self.assertEqual(sorted(rcpt_to), sorted(delivery.rcpt_to), "envelope recipients")
        rest = delivery.header_block()
        for _ in range(received_lines):
            first, rest = split_first_header(rest)
            self.assertTrue(first.startswith(b"Received: ") and self.OWN_RECEIVED in first,
                            "expected the MTA's own Received header first, got %r" % first)
        self.assertEqual(crlf(headers).decode(), rest.decode("utf-8", "replace"), "header section")
        if body is not None:
            self.assertEqual(crlf(body), delivery.body(), "body")


class PostfixTestCase(MtaTestCase):
    """One private Postfix with rewrite-milter per test class."""

    MILTER_ARGS: Sequence[str] = ("--outbound-daemon-names", "ORIGINATING")
    POSTFIX_SETTINGS: Dict[str, str] = {}  # main.cf lines added to the standard ones
    OWN_RECEIVED = b"by mta.example.test (Postfix"
    ENVIRONMENT = Environment
    PRECONDITIONS = staticmethod(preconditions_problem)
    env: Environment

    @classmethod
    def make_environment(cls) -> Environment:
        return cls.ENVIRONMENT(cls.RULES, cls.MILTER_ARGS, cls.WITH_MILTER, cls.POSTFIX_SETTINGS)

    # ---- sending ----------------------------------------------------------------------------
    def send_outbound(self, sender, recipients, text, **kw) -> SendResult:
        """Send from 127.0.0.1 (an internal host): outbound; assert it was queued."""
        result = send_one(self.env.postfix.smtp_port, sender, recipients, crlf(text), **kw)
        self.assertEqual(250, result.code, "not accepted: %s\n%s" % (result.text, self.env.diagnostics()))
        return result

    def send_inbound(self, sender, recipients, text) -> SendResult:
        """Send as a foreign client (XCLIENT ADDR=203.0.113.5): inbound; assert it was queued."""
        return self.send_outbound(sender, recipients, text, client_addr=FOREIGN_CLIENT)

    def delivered(self, marker: str, timeout: float = 30.0) -> Delivery:
        """Wait for the delivery whose Subject is marker; fail with the logs."""
        try:
            return self.env.sink.wait_for_marker("Subject: %s\r\n" % marker, timeout)
        except (TimeoutError, AssertionError) as e:
            self.fail("%s\nqueue:\n%s\n%s" % (e, self.env.postfix.queue_listing(), self.env.diagnostics()))


def run_tests(problem: str) -> None:
    """Run the tests of the calling module; exit 77 (skipped) when problem says the MTA cannot run here."""
    if problem:
        print("SKIPPED: " + problem, file=sys.stderr)
        sys.exit(SKIP_EXIT_CODE)
    unittest.main(verbosity=2)


def main() -> None:
    """Run the Postfix tests of the calling module (skipped when Postfix cannot run here)."""
    run_tests(preconditions_problem())
