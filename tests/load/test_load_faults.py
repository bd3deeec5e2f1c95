# SPDX-License-Identifier: BSD-2-Clause
"""Faults under load: LOAD_FAULT_MESSAGES (default 4,000) messages over 50 sessions through Postfix +
rewrite-milter while, at the same time,

  - the rules file alternates between two valid rule sets and SIGUSR1 is sent every 100 ms;
  - at 25% of the messages the milter is killed (SIGKILL) and restarted a second later;
  - at 50% a broken rules file is installed for a second (ten failed reloads), then fixed.

Spec (DESIGN.md sections 6-7, milter_default_action = tempfail): nothing is lost and nothing is
doubled: every message is either accepted once or refused with 4xx (never 5xx) and re-sent by the
client until accepted, and the sink holds each exactly once. Nothing is half-rewritten: envelope
sender, From and Cc of each message come from the same rule set. A bad reload keeps the daemon up.
"""

import collections
import sys
import threading
import time
import unittest

from loadkit import Job, LoadEnvironment, env_int, run_load
from harness import main

RULES_A = "*.contoso.com   contoso.com   name=set-a\n"
RULES_B = "*.contoso.com   contoso.net   name=set-b\n"
BROKEN = RULES_A + "sales.*.com   contoso.org\n"  # invalid wildcard: the whole file is rejected
SENDER, CC, RECIPIENT = "alice@sales.contoso.com", "carol@research.contoso.com", "x@fabrikam.com"


def fault_message(seq: int) -> bytes:
    """Message number seq."""
    return ("From: Alice <%s>\r\nTo: %s\r\nCc: %s\r\nSubject: fault %d\r\n"
            "Message-ID: <fault-%d@load.example.net>\r\nX-Load-Seq: %d\r\n\r\nbody %d\r\n"
            % (SENDER, RECIPIENT, CC, seq, seq, seq, seq)).encode()


class FaultInjector(threading.Thread):
    """Reloads every 100 ms with alternating rule sets; kills and restarts the milter, then installs a
    broken rules file and fixes it, when the accepted count passes the given marks."""

    def __init__(self, env: LoadEnvironment, total: int):
        super().__init__(name="faults", daemon=True)
        self.env = env
        self.total = total
        self.accepted = 0
        self.reloads = 0
        self.events = []  # (time, what)
        self.error = None
        self.stop_event = threading.Event()

    def on_accept(self, _job) -> None:
        """Called by the load client for every accepted message."""
        self.accepted += 1

    def reload(self, n: int, text: str) -> None:
        """Install a rules file and signal the daemon."""
        self.env.write_rules(text)
        if self.env.milter.running():
            self.env.milter.reload()
            self.reloads += 1

    def run(self) -> None:
        """The fault schedule, bounded by the stop event and a 15-minute limit."""
        try:
            killed = broken = False
            n = 0
            deadline = time.monotonic() + 900
            while not self.stop_event.is_set() and time.monotonic() < deadline:
                n += 1
                self.reload(n, RULES_A if n % 2 else RULES_B)
                if not killed and self.accepted >= self.total // 4:
                    killed = True
                    self.events.append((time.monotonic(), "SIGKILL pid %d" % self.env.milter.pid))
                    self.env.milter.kill()
                    time.sleep(1.0)
                    self.env.milter.start()
                    self.events.append((time.monotonic(), "restarted pid %d" % self.env.milter.pid))
                if not broken and self.accepted >= self.total // 2:
                    broken = True
                    self.events.append((time.monotonic(), "broken rules"))
                    for _ in range(10):
                        self.reload(n, BROKEN)
                        time.sleep(0.1)
                    self.events.append((time.monotonic(), "rules fixed"))
                time.sleep(0.1)
        except Exception as e:  # reported by the test, never lost in the thread
            self.error = e


class FaultTest(unittest.TestCase):

    def test_nothing_lost_doubled_or_half_rewritten(self):
        count = env_int("LOAD_FAULT_MESSAGES", 4000)
        env = LoadEnvironment(RULES_A)
        self.addCleanup(env.stop)
        env.start()
        faults = FaultInjector(env, count)
        self.addCleanup(faults.stop_event.set)

        jobs = [Job(str(n), SENDER, [RECIPIENT], fault_message(n)) for n in range(count)]
        faults.start()
        report = run_load(env.postfix.smtp_port, jobs, sessions=50, per_connection=10, retry_delay=0.2,
                          max_attempts=200, timeout=600, on_accept=faults.on_accept)
        faults.stop_event.set()
        faults.join(30)
        self.assertIsNone(faults.error, "fault injection failed: %r\n%s" % (faults.error, env.diagnostics()))
        self.assertEqual(["SIGKILL", "restarted", "broken", "rules"], [w.split()[0] for _, w in faults.events],
                         "every fault happened")
        env.write_rules(RULES_A)  # leave a valid file behind

        # Refused attempts: only 4xx replies or connections the MTA dropped, never 5xx.
        refusals = [r for j in jobs for r in j.refusals]
        permanent = [r for r in refusals if r.split()[1].startswith("5")]
        self.assertEqual([], permanent[:5], "permanent refusals")
        self.assertTrue(any(r.split()[1].startswith("4") for r in refusals),
                        "the killed milter should have caused 4xx replies")
        self.assertEqual(count, report.accepted, "every message accepted in the end")
        unsure = sum(j.unsure for j in jobs)

        env.wait_drained(count, timeout=300)
        by_seq = collections.defaultdict(list)
        for d in env.sink.dumps():
            by_seq[int(d.header("X-Load-Seq"))].append(d)
        missing = [n for n in range(count) if n not in by_seq]
        twice = [n for n, ds in by_seq.items() if len(ds) != 1]
        self.assertEqual([], missing[:20], "%d messages lost" % len(missing))
        self.assertEqual([], twice[:20], "%d messages delivered more than once (%d sends had no reply)"
                         % (len(twice), unsure))

        sets = collections.Counter()
        half = []
        for n, (d,) in sorted(by_seq.items()):
            domain = d.mail_from.split("@")[-1]
            want = ("alice@" + domain, b" Alice <alice@%s>" % domain.encode(), b" carol@%s" % domain.encode())
            if domain not in ("contoso.com", "contoso.net") or (d.mail_from, d.header("From"), d.header("Cc")) != want:
                half.append((n, d.mail_from, d.header("From"), d.header("Cc")))
            sets[domain] += 1
        self.assertEqual([], half[:5], "%d messages not rewritten by one rule set" % len(half))
        self.assertEqual(2, len(sets), "both rule sets were in force at some point: %s" % dict(sets))

        log = env.milter.log_text()
        self.assertIn("reload failed", log, "the broken rules file must be refused and logged")
        self.assertTrue(env.milter.running(), "the daemon must survive reloads")
        per_stage = collections.Counter(r.split()[0] + " " + r.split()[1] for r in refusals)
        print("\nfaults: %d messages in %.1f s (%.0f msgs/s), %d reload signals, %d refused attempts re-sent %s, "
              "%d sends without a reply; rule sets used: %s; events: %s"
              % (count, report.seconds, count / report.seconds, faults.reloads, len(refusals), dict(per_stage),
                 unsure, dict(sets), ["%s" % w for _, w in faults.events]), file=sys.stderr)


if __name__ == "__main__":
    main()
