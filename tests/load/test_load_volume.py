# SPDX-License-Identifier: BSD-2-Clause
"""Volume: LOAD_MESSAGES (default 20,000) messages over LOAD_SESSIONS (default 50) concurrent SMTP
sessions through Postfix + rewrite-milter to smtp-sink, which dumps every message to a file.

Spec (DESIGN.md sections 2-3, seed rules of tests/integration/harness.py): every message is delivered
exactly once, and its envelope sender, From and Cc come out rewritten by the rule its sender falls
under. Nothing is refused: without faults the milter never answers 4xx. The milter is the same
process at the end and still rewrites.
"""

import collections
import sys
import time
import unittest

from loadkit import Job, LoadEnvironment, env_int, run_load
from harness import SEED_RULES, main

# Sender -> expected envelope sender, one per kind of rule in SEED_RULES (and one no rule covers).
SENDERS = [
    ("alice@sales.contoso.com", "alice@contoso.com"),            # wildcard *.contoso.com
    ("masato@japan.sales.contoso.com", "masato@contoso.jp"),     # more specific domain rule wins
    ("someone@fourthcoffee.com", "someone@contoso.com"),         # domain rule
    ("adam@fourthcoffee.com", "adam@contoso.com"),               # address rule beats domain rule
    ("lee@legal.contoso.com", "lee@legal.contoso.com"),          # wildcard exception
    ("kate@contoso.com", "kate@wingtiptoys.com"),                # outbound-only address rule
    ("guest@fabrikam.com", "guest@fabrikam.com"),                # not internal: never touched
]
RECIPIENT = "x@fabrikam.com"
CC_IN, CC_OUT = "carol@research.contoso.com", "carol@contoso.com"  # rewritten: every message is outbound


def load_message(seq: int, sender: str) -> bytes:
    """Message number seq, with a counter header and a unique Message-ID."""
    return ("From: \"Sender %d\" <%s>\r\n"
            "To: %s\r\n"
            "Cc: %s\r\n"
            "Subject: load %d\r\n"
            "Date: Mon, 2 Jan 2023 10:00:00 +0000\r\n"
            "Message-ID: <load-%d@load.example.net>\r\n"
            "X-Load-Seq: %d\r\n"
            "\r\n"
            "body of message %d\r\n"
            ".a line with a leading dot\r\n" % (seq, sender, RECIPIENT, CC_IN, seq, seq, seq, seq)).encode()


class VolumeTest(unittest.TestCase):

    def test_every_message_delivered_once_and_rewritten(self):
        count = env_int("LOAD_MESSAGES", 20000)
        sessions = env_int("LOAD_SESSIONS", 50)
        env = LoadEnvironment(SEED_RULES)
        self.addCleanup(env.stop)
        env.start()
        pid = env.milter.pid

        jobs = [Job(str(n), SENDERS[n % len(SENDERS)][0], [RECIPIENT], load_message(n, SENDERS[n % len(SENDERS)][0]))
                for n in range(count)]
        report = run_load(env.postfix.smtp_port, jobs, sessions=sessions, per_connection=10, timeout=900)
        accepted_at = time.monotonic()
        refused = [(j.key, j.refusals) for j in jobs if j.refusals]
        self.assertEqual([], refused[:5], "without faults nothing may be refused (%d refused)\n%s"
                         % (len(refused), env.diagnostics()))
        self.assertEqual(count, report.accepted, "messages accepted")
        env.wait_drained(count, timeout=600)
        drained = time.monotonic() - accepted_at + report.seconds

        by_seq = collections.defaultdict(list)
        for d in env.sink.dumps():
            seq = d.header("X-Load-Seq")
            self.assertIsNotNone(seq, "a message without its counter: %s" % d.name)
            by_seq[int(seq)].append(d)
        missing = [n for n in range(count) if n not in by_seq]
        twice = [n for n, ds in by_seq.items() if len(ds) != 1]
        self.assertEqual([], missing[:20], "%d messages never delivered" % len(missing))
        self.assertEqual([], twice[:20], "%d messages delivered more than once" % len(twice))
        wrong = []
        for n, (d,) in sorted(by_seq.items()):
            sender, expected = SENDERS[n % len(SENDERS)]
            # Outbound by client (127.0.0.1), so Cc is rewritten whoever the sender is.
            got = (d.mail_from, d.rcpt_to, d.header("From"), d.header("Cc"))
            want = (expected, [RECIPIENT], (" \"Sender %d\" <%s>" % (n, expected)).encode(), (" " + CC_OUT).encode())
            if got != want:
                wrong.append((n, got, want))
        self.assertEqual([], wrong[:5], "%d messages rewritten wrongly" % len(wrong))

        self.assertTrue(env.milter.running(), "the milter died under load")
        self.assertEqual(pid, env.milter.pid, "the milter was restarted")
        print("\nvolume: %d messages, %d sessions, %d connections: accepted in %.1f s (%.0f msgs/s), "
              "all delivered after %.1f s (%.0f msgs/s end to end)"
              % (count, sessions, report.sessions_opened, report.seconds, count / report.seconds, drained,
                 count / drained), file=sys.stderr)


if __name__ == "__main__":
    main()
