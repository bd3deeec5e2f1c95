# SPDX-License-Identifier: BSD-2-Clause
"""Postfix + rewrite-milter under change: reload while mail flows, and the milter killed mid-stream.

Spec (DESIGN.md section 6): SIGUSR1 reloads the rules atomically; a bad reload keeps the old set
and logs why. With milter_default_action = tempfail, a dead milter makes Postfix answer 4xx, so a
client retries and nothing is lost, and no message ever leaves unrewritten.
"""

import smtplib
import threading
import time
from typing import List, Tuple

from harness import SEED_RULES, PostfixTestCase, SendResult, crlf, main, open_session, send_one

DATE = "Date: Mon, 2 Jan 2023 10:00:00 +0000\n"


class Traffic:
    """A thread that sends numbered messages one per connection until stopped, recording replies."""

    def __init__(self, port: int, sender: str, prefix: str, pause: float = 0.03):
        self.port = port
        self.sender = sender
        self.prefix = prefix
        self.pause = pause
        self.results: List[Tuple[str, SendResult]] = []  # (subject, reply) in send order
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="traffic", daemon=True)

    def message(self, subject: str) -> bytes:
        """Return the message with this Subject."""
        return crlf("From: Sender <%s>\nTo: x@fabrikam.com\nSubject: %s\n%s\nbody of %s\n"
                    % (self.sender, subject, DATE, subject))

    def send(self, subject: str) -> SendResult:
        """Send one message; a dropped connection counts as reply 0."""
        try:
            return send_one(self.port, self.sender, ["x@fabrikam.com"], self.message(subject))
        except (smtplib.SMTPException, OSError) as e:
            code = getattr(e, "smtp_code", 0)
            return SendResult(code if isinstance(code, int) else 0, str(e))

    def _run(self):
        """Send until stopped."""
        n = 0
        while not self._stop.is_set():
            subject = "%s-%03d" % (self.prefix, n)
            result = self.send(subject)
            with self._lock:
                self.results.append((subject, result))
            n += 1
            time.sleep(self.pause)

    def start(self) -> "Traffic":
        """Start sending."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sending and wait for the message in flight."""
        self._stop.set()
        self._thread.join(60)

    def snapshot(self) -> List[Tuple[str, SendResult]]:
        """Return the replies so far."""
        with self._lock:
            return list(self.results)

    def wait_until(self, predicate, timeout: float, what: str) -> None:
        """Wait until predicate(snapshot) holds, or raise naming what was awaited."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.snapshot()):
                return
            time.sleep(0.05)
        raise TimeoutError("traffic: %s not seen within %.0fs; replies: %s"
                           % (what, timeout, [(s, r.code) for s, r in self.snapshot()][-10:]))


def accepted_count(results) -> int:
    """Number of messages queued."""
    return sum(1 for _, r in results if r.accepted)


NEW_RULE = "dana@sales.contoso.com      dana.new@contoso.com   outbound-only name=dana-new\n"
BROKEN_RULES = (SEED_RULES +
                "dana@sales.contoso.com      dana.broken@contoso.com outbound-only name=dana-broken\n"
                "sales.*.com                 contoso.com\n")
BROKEN_LINE = BROKEN_RULES.count("\n")  # the invalid wildcard is the last line


class ResilienceTestCase(PostfixTestCase):
    """Shared checks: every message delivered exactly once, queue drained."""

    def _deliveries_by_subject(self, subjects):
        """Wait for every subject to be delivered exactly once; return {subject: delivery}."""
        wanted = {("Subject: %s\r\n" % s).encode(): s for s in subjects}

        def all_there(ds):
            return sum(1 for d in ds for k in wanted if k in d.data) >= len(wanted)

        try:
            deliveries = self.env.sink.wait_for(all_there, 60)
        except TimeoutError as e:
            self.fail("%s\n%s\n%s" % (e, self.env.postfix.queue_listing(), self.env.diagnostics()))
        found = {}
        for d in deliveries:
            for key, subject in wanted.items():
                if key in d.data:
                    self.assertNotIn(subject, found, "%s delivered twice" % subject)
                    found[subject] = d
        return found

    def _wait_queue_empty(self, timeout: float = 20.0):
        """Wait until the private Postfix holds no mail at all."""
        deadline = time.monotonic() + timeout
        while not self.env.postfix.queue_is_empty():
            if time.monotonic() > deadline:
                self.fail("mail left in the queue:\n" + self.env.postfix.queue_listing())
            time.sleep(0.2)


class ReloadUnderTrafficTest(ResilienceTestCase):

    def test_reload_applies_new_rules_atomically_and_bad_reload_keeps_them(self):
        env = self.env
        traffic = Traffic(env.postfix.smtp_port, "dana@sales.contoso.com", "reload").start()
        self.addCleanup(traffic.stop)
        traffic.wait_until(lambda rs: accepted_count(rs) >= 3, 20, "3 accepted before reload")

        env.write_rules(SEED_RULES + NEW_RULE)
        env.milter.reload()
        env.sink.wait_for(lambda ds: any(d.mail_from == "dana.new@contoso.com" for d in ds), 20)

        before_bad = len(traffic.snapshot())
        env.write_rules(BROKEN_RULES)
        env.milter.reload()
        traffic.wait_until(lambda rs: accepted_count(rs[before_bad:]) >= 10, 30, "10 accepted after bad reload")
        traffic.stop()
        results = traffic.snapshot()

        self.assertTrue(env.milter.running(), "a bad rules file must not stop the daemon")
        self.assertIn("%s:%d:" % (env.rules_path, BROKEN_LINE), env.milter.log_text(),
                      "the rejected reload must be logged as file:line: reason")
        refused = [(s, r.code, r.text) for s, r in results if not r.accepted]
        self.assertEqual([], refused, "reloading must not refuse mail")

        by_subject = self._deliveries_by_subject([s for s, _ in results])
        seen_new = False
        for n, (subject, _) in enumerate(results):
            delivery = by_subject[subject]
            self.assertIn(delivery.mail_from, ("dana@contoso.com", "dana.new@contoso.com"), subject)
            # Envelope and header come from the same rule table.
            self.assertIn(b"\r\nFrom: Sender <%s>\r\n" % delivery.mail_from.encode(), b"\r\n" + delivery.data, subject)
            if delivery.mail_from == "dana.new@contoso.com":
                seen_new = True
            else:
                self.assertFalse(seen_new, "%s used the old rules after a message used the new ones" % subject)
            if n >= before_bad:
                self.assertEqual("dana.new@contoso.com", delivery.mail_from,
                                 "%s: after a bad reload the last good rules stay" % subject)
        self.assertTrue(seen_new)

class MilterKilledTest(ResilienceTestCase):

    def test_killed_milter_tempfails_then_nothing_is_lost_and_all_is_rewritten(self):
        env = self.env
        traffic = Traffic(env.postfix.smtp_port, "alice@sales.contoso.com", "kill").start()
        self.addCleanup(traffic.stop)
        traffic.wait_until(lambda rs: accepted_count(rs) >= 3, 20, "3 accepted before the kill")

        # A transaction open in Postfix (and the milter) when the milter dies.
        in_flight = open_session(env.postfix.smtp_port)
        self.addCleanup(in_flight.close)
        self.assertEqual(250, in_flight.mail("alice@sales.contoso.com")[0])
        self.assertEqual(250, in_flight.rcpt("x@fabrikam.com")[0])

        env.milter.kill()
        before_kill = len(traffic.snapshot())
        try:
            code = in_flight.data(traffic.message("kill-in-flight"))[0]
        except smtplib.SMTPResponseException as e:
            code = e.smtp_code
        self.assertTrue(400 <= code < 500, "transaction open across the kill: expected 4xx, got %d" % code)
        env.postfix.sendmail(crlf("From: Alice <alice@sales.contoso.com>\nTo: x@fabrikam.com\n"
                                  "Subject: kill-sendmail\n" + DATE + "Message-ID: <kill@sales.contoso.com>\n"
                                  "\nbody of kill-sendmail\n"),
                             "alice@sales.contoso.com", ["x@fabrikam.com"])
        traffic.wait_until(lambda rs: sum(1 for _, r in rs[before_kill:] if not r.accepted) >= 3, 30,
                           "3 refusals while the milter is down")

        env.milter.start()
        before_restart = len(traffic.snapshot())
        traffic.wait_until(lambda rs: accepted_count(rs[before_restart:]) >= 3, 30, "3 accepted after restart")
        traffic.stop()
        results = traffic.snapshot()

        refused = [(s, r) for s, r in results if not r.accepted]
        self.assertTrue(refused, "the dead milter must have refused something")
        for subject, reply in refused:
            self.assertTrue(400 <= reply.code < 500, "%s: expected a 4xx while the milter is down, got %d %s"
                            % (subject, reply.code, reply.text))
        # The client retries what was refused, as an MTA would.
        for subject in [s for s, _ in refused] + ["kill-in-flight"]:
            retry = traffic.send(subject)
            self.assertEqual(250, retry.code, "%s retry: %s" % (subject, retry.text))

        subjects = [s for s, _ in results] + ["kill-sendmail", "kill-in-flight"]
        by_subject = self._deliveries_by_subject(subjects)
        for subject in subjects:
            delivery = by_subject[subject]
            self.assertEqual("alice@contoso.com", delivery.mail_from, subject)
            self.assertRegex(delivery.header_block().decode(), r"\r\nFrom: (Sender|Alice) <alice@contoso\.com>\r\n")
        self._wait_queue_empty()

if __name__ == "__main__":
    main()
