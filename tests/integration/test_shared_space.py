# SPDX-License-Identifier: BSD-2-Clause
"""Shared address space with on-premises relay (seed 000) end to end with two private Postfix instances.

On-premises (with rewrite-milter, authoritative for contoso.edu) and cloud (no milter, routing domain
live.contoso.edu, contoso.edu non-authoritative: relayed back on-premises); see shared_space_env.py.
Expected values follow DESIGN.md section 5 and rewrite-milter(8) "Shared address space": local
mailboxes unchanged, cloud users forwarded as user@live.contoso.edu with the trace header, unknown
recipients refused at RCPT with 550 5.1.1 (no bounce), mail that would be forwarded again refused
with 554 5.4.6, cloud senders leaving as @contoso.edu. Operations, rewrite-milter(8) SIGNALS: SIGUSR1
reloads the recipient lists (a broken list keeps the last good ones); SIGTERM lets a message in progress
end (for up to five seconds), then stops at once. The shared space is where the milter answers RCPT,
so a test knows the milter has seen a message begin.
"""

import os
import signal
import smtplib
import time
import unittest

from harness import FOREIGN_CLIENT, crlf, main, open_session
from milter_process import milter_binary
from postfix_instance import preconditions_problem
from shared_space_env import CLOUD_RECIPIENTS, TRACE_HEADER, SharedSpaceEnvironment, send_all_replies

INTERNET_SENDER = "friend@example.net"
DATE = "Date: Mon, 2 Jan 2023 10:00:00 +0000\n"


def message(subject: str, to: str, extra_head: str = "", sender: str = INTERNET_SENDER) -> bytes:
    """A small message with a unique Subject (the marker the sinks are searched for)."""
    return crlf("From: %s\nTo: %s\nSubject: %s\n%s%s\nbody of %s\n" % (sender, to, subject, DATE, extra_head, subject))


class SharedAddressSpaceTest(unittest.TestCase):
    """One environment for the module; each test uses its own Subject marker."""

    env: SharedSpaceEnvironment

    @classmethod
    def setUpClass(cls):
        problem = preconditions_problem()
        if problem:
            raise unittest.SkipTest(problem)
        cls.env = SharedSpaceEnvironment(milter_binary())
        cls.addClassCleanup(cls.env.stop)
        cls.env.start()

    # ---- helpers ------------------------------------------------------------------------------
    def send_from_internet(self, recipients, data):
        """Send to on-premises as a foreign client (XCLIENT ADDR=203.0.113.5); return every reply."""
        with open_session(self.env.onprem.smtp_port, client_addr=FOREIGN_CLIENT) as session:
            return send_all_replies(session, INTERNET_SENDER, recipients, data)

    def wait_delivery(self, sink, subject: str, timeout: float = 30.0):
        """The one delivery of subject at sink; fail with both logs when it does not come."""
        try:
            return sink.wait_for_marker("Subject: %s\r\n" % subject, timeout)
        except (TimeoutError, AssertionError) as e:
            self.fail("%s\n%s" % (e, self.env.diagnostics()))

    def deliveries_of(self, sink, subject: str):
        """Every delivery at sink that contains subject anywhere (also inside a bounce)."""
        needle = ("Subject: %s\r\n" % subject).encode()
        return [d for d in sink.wait_for(lambda ds: True, 1) if needle in d.data]

    def assertQueuesEmpty(self):
        """Neither instance keeps anything queued (no deferred mail, no bounce waiting)."""
        self.assertTrue(self.env.queues_empty(), "queues not empty\n" + self.env.diagnostics())

    def assertNoTrace(self, delivery):
        """The delivery carries no trace header."""
        self.assertNotIn(b"X-Rewrite-Forwarded", delivery.header_block())

    def milter_log_has(self, text: str, timeout: float = 5.0, since: int = 0) -> bool:
        """True when the milter logged text, after the first `since` characters of its log (waits a
        little: the log is written asynchronously)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.env.milter.log_text()[since:]:
                return True
            time.sleep(0.1)
        return False

    # ---- tests --------------------------------------------------------------------------------
    def test_internet_to_local_staff_is_delivered_on_premises_unchanged(self):
        replies = self.send_from_internet(["staff@contoso.edu"], message("ssa-local", "staff@contoso.edu"))
        self.assertEqual(250, replies.data[0], replies)
        delivery = self.wait_delivery(self.env.onprem_sink, "ssa-local")
        self.assertEqual(INTERNET_SENDER, delivery.mail_from)
        self.assertEqual(["staff@contoso.edu"], delivery.rcpt_to)
        self.assertIn(b"\r\nTo: staff@contoso.edu\r\n", delivery.header_block())
        self.assertNoTrace(delivery)
        self.assertQueuesEmpty()
        self.assertEqual([], self.deliveries_of(self.env.cloud_sink, "ssa-local"))

    def test_internet_to_student_arrives_in_the_cloud_with_the_trace_header(self):
        replies = self.send_from_internet(["student@contoso.edu"], message("ssa-student", "student@contoso.edu"))
        self.assertEqual(250, replies.data[0], replies)
        delivery = self.wait_delivery(self.env.cloud_sink, "ssa-student")
        self.assertEqual(INTERNET_SENDER, delivery.mail_from)
        self.assertEqual(["student@live.contoso.edu"], delivery.rcpt_to)
        head = delivery.header_block().decode()
        self.assertIn("\r\n" + TRACE_HEADER + "\r\n", head)
        # Only the envelope changes: the To: field keeps the shared-domain address.
        self.assertIn("\r\nTo: student@contoso.edu\r\n", head)
        # One Received line from each instance.
        self.assertEqual(2, head.count("Received: "), head)
        self.assertTrue(self.milter_log_has(
            ": rcpt=<student@contoso.edu> -> <student@live.contoso.edu> shared-space=forward"))
        self.assertQueuesEmpty()
        self.assertEqual([], self.deliveries_of(self.env.onprem_sink, "ssa-student"))

    def test_one_message_to_staff_and_student_is_split_between_the_systems(self):
        replies = self.send_from_internet(["staff@contoso.edu", "student@contoso.edu"],
                                          message("ssa-both", "staff@contoso.edu, student@contoso.edu"))
        self.assertEqual(250, replies.data[0], replies)
        onprem = self.wait_delivery(self.env.onprem_sink, "ssa-both")
        cloud = self.wait_delivery(self.env.cloud_sink, "ssa-both")
        self.assertEqual(["staff@contoso.edu"], onprem.rcpt_to)
        self.assertEqual(["student@live.contoso.edu"], cloud.rcpt_to)
        self.assertIn(TRACE_HEADER.encode(), cloud.header_block())

    def test_extensions_of_listed_mailboxes_and_postmaster_are_accepted(self):
        # Debian's Postfix has recipient_delimiter = +: dean+lists is dean's, student+course is forwarded
        # with its extension, and postmaster (in any case, listed nowhere) is never refused (RFC 5321).
        rcpts = ["dean+lists@contoso.edu", "student+course@contoso.edu", "PostMaster@contoso.edu"]
        replies = self.send_from_internet(rcpts, message("ssa-ext", ", ".join(rcpts)))
        self.assertEqual([250, 250, 250], [code for code, _ in replies.rcpts], replies)
        onprem = self.wait_delivery(self.env.onprem_sink, "ssa-ext")
        cloud = self.wait_delivery(self.env.cloud_sink, "ssa-ext")
        self.assertEqual(["PostMaster@contoso.edu", "dean+lists@contoso.edu"], sorted(onprem.rcpt_to))
        self.assertEqual(["student+course@live.contoso.edu"], cloud.rcpt_to)
        self.assertQueuesEmpty()

    def test_unknown_recipient_is_refused_at_rcpt_and_nothing_bounces(self):
        replies = self.send_from_internet(["nobody@contoso.edu"], message("ssa-unknown", "nobody@contoso.edu"))
        self.assertEqual(550, replies.rcpts[0][0], replies)
        self.assertTrue(replies.rcpts[0][1].startswith("5.1.1 "), replies)
        self.assertIsNone(replies.data, "no DATA after every recipient was refused")
        self.assertTrue(self.milter_log_has(
            "NOQUEUE: rcpt=<nobody@contoso.edu> rejected: 5.1.1 unknown in shared domain"))
        self.assertQueuesEmpty()

    def test_unknown_beside_a_known_recipient_is_refused_alone(self):
        replies = self.send_from_internet(["nobody2@contoso.edu", "dean@contoso.edu"],
                                          message("ssa-unknown-mixed", "nobody2@contoso.edu, dean@contoso.edu"))
        self.assertEqual([550, 250], [code for code, _ in replies.rcpts], replies)
        self.assertEqual(250, replies.data[0], replies)
        delivery = self.wait_delivery(self.env.onprem_sink, "ssa-unknown-mixed")
        self.assertEqual(["dean@contoso.edu"], delivery.rcpt_to)
        self.assertQueuesEmpty()
        # No bounce anywhere: the refusal went to the sending client at RCPT.
        time.sleep(1)
        for sink in (self.env.onprem_sink, self.env.cloud_sink):
            self.assertEqual([], [d for d in sink.wait_for(lambda ds: True, 1)
                                  if d.mail_from == "" and b"nobody2@contoso.edu" in d.data],
                             "a bounce was generated")

    def test_student_reply_to_staff_stays_inside_and_keeps_its_cloud_address(self):
        # Mail between the two halves of one organisation never leaves it: like Exchange at the Edge,
        # the sender side is rewritten only for mail that leaves (rewrite-milter.conf(5)
        # internal-domains), so staff see, and reply to, the student's cloud address.
        data = message("ssa-reply", "Staff <staff@contoso.edu>", sender="Student <student@live.contoso.edu>")
        # A cloud user submits to the cloud instance (no XCLIENT: the cloud's own client).
        with open_session(self.env.cloud.smtp_port) as session:
            replies = send_all_replies(session, "student@live.contoso.edu", ["staff@contoso.edu"], data)
        self.assertEqual(250, replies.data[0], replies)
        delivery = self.wait_delivery(self.env.onprem_sink, "ssa-reply")
        self.assertEqual("student@live.contoso.edu", delivery.mail_from)
        self.assertEqual(["staff@contoso.edu"], delivery.rcpt_to)
        head = delivery.header_block().decode()
        self.assertIn("\r\nFrom: Student <student@live.contoso.edu>\r\n", head)
        self.assertNotIn("X-Rewrite-Forwarded", head)
        self.assertTrue(self.milter_log_has(": unchanged (internal recipients)"))
        self.assertQueuesEmpty()

    def test_message_that_went_round_once_is_refused_with_5_4_6(self):
        data = message("ssa-loop-trace", "student@contoso.edu", TRACE_HEADER + "\n")
        replies = self.send_from_internet(["student@contoso.edu"], data)
        self.assertEqual(554, replies.data[0], replies)
        self.assertTrue(replies.data[1].startswith("5.4.6 "), replies)
        self.assertTrue(self.milter_log_has(": loop: message was already forwarded to live.contoso.edu once"))
        self.assertQueuesEmpty()
        self.assertEqual([], self.deliveries_of(self.env.cloud_sink, "ssa-loop-trace"))
        self.assertEqual([], self.deliveries_of(self.env.onprem_sink, "ssa-loop-trace"))

    def test_too_many_received_fields_are_refused_and_the_limit_itself_passes(self):
        hops = "".join("Received: from hop%d.example.net by relay%d.example.net; %s" % (i, i, DATE[6:])
                       for i in range(31))
        replies = self.send_from_internet(["student@contoso.edu"], message("ssa-hops-31", "student@contoso.edu", hops))
        self.assertEqual(554, replies.data[0], replies)
        self.assertTrue(replies.data[1].startswith("5.4.6 "), replies)
        self.assertTrue(self.milter_log_has(": loop: too many hops (31 Received fields, limit 30)"))
        hops30 = "".join(hops.splitlines(True)[:30])
        replies = self.send_from_internet(["student@contoso.edu"], message("ssa-hops-30", "student@contoso.edu", hops30))
        self.assertEqual(250, replies.data[0], replies)
        delivery = self.wait_delivery(self.env.cloud_sink, "ssa-hops-30")
        self.assertEqual(["student@live.contoso.edu"], delivery.rcpt_to)
        self.assertQueuesEmpty()
        self.assertEqual([], self.deliveries_of(self.env.cloud_sink, "ssa-hops-31"))

    def test_cloud_sending_an_unknown_user_back_is_stopped_after_one_round(self):
        # ghost is a cloud user on-premises, but the cloud does not know it and relays it back.
        replies = self.send_from_internet(["ghost@contoso.edu"], message("ssa-ghost", "ghost@contoso.edu"))
        self.assertEqual(250, replies.data[0], replies)
        # The cloud's delivery back on-premises is refused (5.4.6); the cloud bounces to the sender once.
        bounces = self.env.cloud_sink.wait_for(
            lambda ds: any(d.mail_from == "" and b"Subject: ssa-ghost\r\n" in d.data for d in ds), 60)
        bounce = [d for d in bounces if d.mail_from == "" and b"Subject: ssa-ghost\r\n" in d.data]
        self.assertEqual(1, len(bounce), self.env.diagnostics())
        self.assertEqual([INTERNET_SENDER], bounce[0].rcpt_to)
        self.assertIn(b"5.4.6", bounce[0].data)
        self.assertTrue(self.milter_log_has(": rcpt=<ghost@contoso.edu> -> <ghost@live.contoso.edu> shared-space=forward"))
        self.assertTrue(self.milter_log_has(": loop: message was already forwarded to live.contoso.edu once"))
        self.assertQueuesEmpty()
        self.assertEqual([], self.deliveries_of(self.env.onprem_sink, "ssa-ghost"))
        self.assertEqual(1, self.env.milter.log_text().count("-> <ghost@live.contoso.edu> shared-space=forward"))

    def test_reloaded_recipient_lists_apply_to_the_next_message_and_a_broken_list_keeps_them(self):
        self.addCleanup(self.restore_cloud_list)
        # Not in either list yet: refused at RCPT.
        replies = self.send_from_internet(["newcomer@contoso.edu"], message("ssa-new-0", "newcomer@contoso.edu"))
        self.assertEqual(550, replies.rcpts[0][0], replies)

        self.rewrite_cloud_list(CLOUD_RECIPIENTS + "newcomer@contoso.edu\n")
        self.assertTrue(self.milter_log_has("shared space contoso.edu: 2 local and 3 cloud recipients"),
                        self.env.milter.log_text()[-2000:])
        replies = self.send_from_internet(["newcomer@contoso.edu"], message("ssa-new-1", "newcomer@contoso.edu"))
        self.assertEqual(250, replies.data[0], replies)
        self.assertEqual(["newcomer@live.contoso.edu"], self.wait_delivery(self.env.cloud_sink, "ssa-new-1").rcpt_to)

        # A list with a bad line is refused whole: the three cloud users of the last good load stay.
        self.rewrite_cloud_list(CLOUD_RECIPIENTS + "newcomer@contoso.edu\nnot an address\n")
        self.assertTrue(self.milter_log_has("%s:4: 'not an address' is not an address (local@domain)"
                                            % self.env.cloud_path), self.env.milter.log_text()[-2000:])
        self.assertTrue(self.milter_log_has("reload failed: keeping the previous rules and recipient lists"))
        replies = self.send_from_internet(["newcomer@contoso.edu"], message("ssa-new-2", "newcomer@contoso.edu"))
        self.assertEqual(250, replies.data[0], replies)
        self.assertEqual(["newcomer@live.contoso.edu"], self.wait_delivery(self.env.cloud_sink, "ssa-new-2").rcpt_to)
        self.assertQueuesEmpty()
        self.assertEqual([], self.deliveries_of(self.env.onprem_sink, "ssa-new-1"))

    def test_stop_lets_a_message_in_progress_finish_then_exits_at_once(self):
        self.addCleanup(self.ensure_milter_running)
        log_before = len(self.env.milter.log_text())
        with open_session(self.env.onprem.smtp_port, client_addr=FOREIGN_CLIENT) as session:
            self.assertEqual(250, session.mail(INTERNET_SENDER)[0])
            # The milter answers RCPT here (shared space), so it has seen this message start.
            self.assertEqual(250, session.rcpt("student@contoso.edu")[0])
            self.env.milter.proc.send_signal(signal.SIGTERM)
            time.sleep(1.0)
            self.assertIsNone(self.env.milter.proc.poll(), "the milter must wait for the message in progress")
            code, _ = session.data(message("ssa-stop-drain", "student@contoso.edu"))
            self.assertEqual(250, code)
            stopped = time.monotonic()
            self.env.milter.proc.wait(10)
            self.assertLess(time.monotonic() - stopped, 2.0, "the milter must stop once the message is done")
        self.assertEqual(0, self.env.milter.proc.returncode)
        self.assertEqual(["student@live.contoso.edu"],
                         self.wait_delivery(self.env.cloud_sink, "ssa-stop-drain").rcpt_to)
        log = self.env.milter.log_text()[log_before:]
        self.assertIn("NOQUEUE: stop requested by SIGTERM", log)
        self.assertNotIn("in progress", log, "nothing was left in progress")

    def test_stop_gives_up_on_a_stalled_message_after_five_seconds_and_it_is_tempfailed(self):
        self.addCleanup(self.ensure_milter_running)
        with open_session(self.env.onprem.smtp_port, client_addr=FOREIGN_CLIENT) as session:
            self.assertEqual(250, session.mail(INTERNET_SENDER)[0])
            self.assertEqual(250, session.rcpt("student@contoso.edu")[0])
            signalled = time.monotonic()
            self.env.milter.proc.send_signal(signal.SIGTERM)
            self.env.milter.proc.wait(15)
            waited = time.monotonic() - signalled
            self.assertGreaterEqual(waited, 4.5, "the milter must wait for the message in progress")
            self.assertLess(waited, 8.0, "the milter must not wait for a stalled message much beyond five seconds")
            self.assertTrue(self.milter_log_has(
                "NOQUEUE: stopping with 1 message in progress; the MTA applies its milter default action"))
            try:
                code = session.data(message("ssa-stop-stalled", "student@contoso.edu"))[0]
            except smtplib.SMTPResponseException as e:
                code = e.smtp_code
            self.assertTrue(400 <= code < 500, "expected a 4xx (milter_default_action = tempfail), got %d" % code)
        self.assertQueuesEmpty()

    def ensure_milter_running(self) -> None:
        """Start the milter again after a test stopped it (the module shares one environment)."""
        if self.env.milter.proc.poll() is not None:
            self.env.milter.start()

    def rewrite_cloud_list(self, text: str) -> None:
        """Replace the cloud recipient list on disk and signal the milter to reload (SIGUSR1)."""
        with open(self.env.cloud_path, "w") as f:
            f.write(text)
        self.env.milter.reload()

    def restore_cloud_list(self) -> None:
        """Put the module's cloud list back and wait until the milter has loaded it again."""
        since = len(self.env.milter.log_text())
        self.rewrite_cloud_list(CLOUD_RECIPIENTS)
        self.milter_log_has("shared space contoso.edu: 2 local and 2 cloud recipients", since=since)


if __name__ == "__main__":
    main()
