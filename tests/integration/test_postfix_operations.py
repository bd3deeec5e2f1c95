# SPDX-License-Identifier: BSD-2-Clause
"""Operating rewrite-milter: the metrics endpoint scraped with a real HTTP client after real mail through
Postfix, its format checked with promtool, the log-only rollout compared byte for byte with Postfix
alone, rewrite-test --compare on a real Postfix queue (postcat -bh), and the systemd notifications
(sd_notify) of start, reload and stop.

Rules: harness.SEED_RULES. Spec: rewrite-milter(8) METRICS, LOG-ONLY ROLLOUT and the systemd unit;
rewrite-milter.conf(5) metrics and mode. Expected counts follow from the messages sent and the rules:
chris@sales.contoso.com is flattened (rule flatten) in the envelope and in From:, support@wingtiptoys.com
inbound is routed to support@contoso.com (rule wingtip-support), mail from example.org is not ours,
and mail for maria@europe.contoso.com only never leaves.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from capture_sink import CaptureSink
from harness import SEED_RULES, Environment, PostfixTestCase, crlf, main, send_one, split_first_header
from milter_process import MilterProcess, milter_binary
from postfix_instance import PostfixInstance, free_port, preconditions_problem

DATE = "Date: Mon, 2 Jan 2023 10:00:00 +0000\n"
METRICS_PORT = free_port()
LOG_ONLY_METRICS_PORT = free_port()


def scrape(port, path="/metrics", method="GET"):
    """(status, content type, body) of an HTTP request to the milter's metrics server."""
    request = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def samples(text):
    """{series: value} of every sample line of an exposition."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            series, _, value = line.rpartition(" ")
            values[series] = float(value)
    return values


class MetricsTest(PostfixTestCase):
    """The counters after real mail, read over HTTP on 127.0.0.1."""

    MILTER_ARGS = PostfixTestCase.MILTER_ARGS + ("--metrics", "127.0.0.1:%d" % METRICS_PORT)

    def counts(self):
        status, content_type, body = scrape(METRICS_PORT)
        self.assertEqual(200, status)
        self.assertEqual("text/plain; version=0.0.4; charset=utf-8", content_type)
        return samples(body)

    def wait_sessions_closed(self):
        """Postfix closes its milter connection when the SMTP session ends; wait for that."""
        deadline = time.monotonic() + 10
        while self.counts()["rewrite_milter_sessions_in_progress"] != 0 and time.monotonic() < deadline:
            time.sleep(0.1)

    def test_counts_follow_the_mail(self):
        self.wait_sessions_closed()
        before = self.counts()
        flatten = ("From: Chris <chris@sales.contoso.com>\nTo: partner@fabrikam.com\nSubject: ops-flatten\n" + DATE)
        self.send_outbound("chris@sales.contoso.com", ["partner@fabrikam.com"], flatten + "\nhi\n")
        inbound = "From: c@fabrikam.com\nTo: support@wingtiptoys.com\nSubject: ops-inbound\n" + DATE
        self.send_inbound("c@fabrikam.com", ["support@wingtiptoys.com"], inbound + "\nhi\n")
        foreign = "From: someone@example.org\nTo: partner@fabrikam.com\nSubject: ops-foreign\n" + DATE
        self.send_outbound("someone@example.org", ["partner@fabrikam.com"], foreign + "\nhi\n")
        inside = "From: chris@sales.contoso.com\nTo: maria@europe.contoso.com\nSubject: ops-inside\n" + DATE
        self.send_outbound("chris@sales.contoso.com", ["maria@europe.contoso.com"], inside + "\nhi\n")
        for marker in ["ops-flatten", "ops-inbound", "ops-foreign", "ops-inside"]:
            self.delivered(marker)
        self.wait_sessions_closed()
        after = self.counts()

        def delta(series):
            return after.get(series, 0) - before.get(series, 0)

        self.assertEqual(3, delta('rewrite_milter_messages_total{direction="outbound"}'))
        self.assertEqual(1, delta('rewrite_milter_messages_total{direction="inbound"}'))
        self.assertEqual(1, delta('rewrite_milter_messages_changed_total{direction="outbound"}'))
        self.assertEqual(1, delta('rewrite_milter_messages_changed_total{direction="inbound"}'))
        self.assertEqual(1, delta('rewrite_milter_header_fields_changed_total{direction="outbound"}'))
        self.assertEqual(2, delta('rewrite_milter_rule_hits_total{rule="flatten"}'))  # envelope and From
        self.assertEqual(1, delta('rewrite_milter_rule_hits_total{rule="wingtip-support"}'))
        self.assertEqual(0, delta('rewrite_milter_rule_hits_total{rule="merger"}'))
        self.assertEqual(1, delta('rewrite_milter_skips_total{reason="not_ours"}'))
        self.assertEqual(1, delta('rewrite_milter_skips_total{reason="internal_recipients"}'))
        self.assertEqual(0, after['rewrite_milter_sessions_in_progress'])
        self.assertEqual(6, after["rewrite_milter_rules"])
        self.assertEqual(0, after["rewrite_milter_log_only"])
        self.assertEqual(0, sum(v for k, v in after.items() if k.startswith("rewrite_milter_failures_total")))

    def test_promtool_accepts_the_exposition(self):
        promtool = os.environ.get("PROMTOOL", "")
        self.assertTrue(promtool and os.access(promtool, os.X_OK), "PROMTOOL must name promtool (ctest sets it)")
        _, _, body = scrape(METRICS_PORT)
        result = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, text=True,
                                timeout=60)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        self.assertEqual("", (result.stdout + result.stderr).strip())

    def test_only_metrics_only_get_only_loopback(self):
        self.assertEqual(404, scrape(METRICS_PORT, "/")[0])
        self.assertEqual(404, scrape(METRICS_PORT, "/metrics/x")[0])
        self.assertEqual(405, scrape(METRICS_PORT, method="POST")[0])
        self.assertEqual(200, scrape(METRICS_PORT, method="HEAD")[0])
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            self.assertNotEqual(0, s.connect_ex(("127.0.0.2", METRICS_PORT)), "bound to 127.0.0.1 only")

    def test_reloads_are_counted(self):
        before = self.counts()
        self.env.milter.reload()
        self.assertTrue(self.wait_for(lambda c: c['rewrite_milter_reloads_total{result="succeeded"}'] ==
                                      before['rewrite_milter_reloads_total{result="succeeded"}'] + 1))
        self.env.write_rules(SEED_RULES + "*bad.example contoso.com\n")
        try:
            self.env.milter.reload()
            self.assertTrue(self.wait_for(lambda c: c['rewrite_milter_reloads_total{result="failed"}'] ==
                                          before['rewrite_milter_reloads_total{result="failed"}'] + 1))
        finally:
            self.env.write_rules(SEED_RULES)
        after = self.counts()
        self.assertEqual(6, after["rewrite_milter_rules"])  # the failed reload kept the rules
        self.assertGreaterEqual(after["rewrite_milter_last_reload_success_timestamp_seconds"],
                                before["rewrite_milter_last_reload_success_timestamp_seconds"])
        self.assertGreater(after["rewrite_milter_last_reload_success_timestamp_seconds"], 1.7e9)

    def wait_for(self, condition, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self.counts()):
                return True
            time.sleep(0.05)
        return False


class LogOnlyTest(PostfixTestCase):
    """mode = log-only: Postfix delivers exactly what it delivers without the milter; the log and the
    counters say what would have changed."""

    MILTER_ARGS = PostfixTestCase.MILTER_ARGS + ("--mode", "log-only", "--metrics", "127.0.0.1:%d" % LOG_ONLY_METRICS_PORT)
    MESSAGES = [
        # (outbound?, sender, recipients, header, what the log says would change)
        (True, "chris@sales.contoso.com", ["partner@fabrikam.com"],
         "From: Chris <chris@sales.contoso.com>\nTo: partner@fabrikam.com\nCc: support@contoso.com\n"
         "Subject: lo-flatten\n" + DATE,
         ["would change from=<chris@sales.contoso.com> -> <chris@contoso.com> rule=flatten",
          "would change header=From <chris@sales.contoso.com> -> <chris@contoso.com> rule=flatten",
          "would change header=Cc <support@contoso.com> -> <support@wingtiptoys.com> rule=wingtip-support"]),
        (False, "c@fabrikam.com", ["support@wingtiptoys.com", "adam@contoso.com"],
         "From: c@fabrikam.com\nTo: support@wingtiptoys.com, adam@contoso.com\nSubject: lo-inbound\n" + DATE,
         ["would change rcpt=<support@wingtiptoys.com> -> <support@contoso.com> rule=wingtip-support",
          "would change rcpt=<adam@contoso.com> -> <adam@fourthcoffee.com> rule=adam"]),
        (True, "masato@japan.sales.contoso.com", ["partner@fabrikam.com"],
         "From: masato@japan.sales.contoso.com\nTo: partner@fabrikam.com\nSubject: lo-japan\n" + DATE,
         ["would change from=<masato@japan.sales.contoso.com> -> <masato@contoso.jp> rule=japan"]),
    ]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alone = Environment(SEED_RULES, (), with_milter=False)
        cls.addClassCleanup(cls.alone.stop)
        cls.alone.start()

    def test_delivered_exactly_as_postfix_alone(self):
        for outbound, sender, recipients, header, _ in self.MESSAGES:
            marker = header.split("Subject: ")[1].split("\n")[0]
            with self.subTest(marker):
                text = crlf(header + "\nBody of %s.\n" % marker)
                client = None if outbound else "203.0.113.5"
                for env in (self.env, self.alone):
                    result = send_one(env.postfix.smtp_port, sender, recipients, text, client_addr=client)
                    self.assertEqual(250, result.code, result.text)
                with_milter = self.delivered(marker)
                try:
                    without = self.alone.sink.wait_for_marker("Subject: %s\r\n" % marker, 30)
                except (TimeoutError, AssertionError) as e:
                    self.fail("Postfix alone: %s" % e)
                self.assertEqual(without.mail_from, with_milter.mail_from)
                self.assertEqual(sorted(without.rcpt_to), sorted(with_milter.rcpt_to))
                # Only Postfix's own Received: line differs (queue id, time); every other byte is the same.
                self.assertEqual(split_first_header(without.header_block())[1],
                                 split_first_header(with_milter.header_block())[1])
                self.assertEqual(without.body(), with_milter.body())
                self.assertEqual(text.split(b"\r\n\r\n", 1)[1], with_milter.body())

    def test_log_says_what_would_change(self):
        for outbound, sender, recipients, header, lines in self.MESSAGES:
            send_one(self.env.postfix.smtp_port, sender, recipients,
                     crlf(header.replace("Subject: ", "Subject: log-") + "\nx\n"),
                     client_addr=None if outbound else "203.0.113.5")
        deadline = time.monotonic() + 20
        wanted = [line for message in self.MESSAGES for line in message[4]]
        while time.monotonic() < deadline and not all(w in self.env.milter.log_text() for w in wanted):
            time.sleep(0.1)
        log = self.env.milter.log_text()
        for line in wanted:
            self.assertIn(": " + line + "\n", log)
        for line in log.splitlines():
            if " rule=" in line:
                self.assertIn(": would change ", line, "every change line says would")
        _, _, body = scrape(LOG_ONLY_METRICS_PORT)
        counts = samples(body)
        self.assertEqual(1, counts["rewrite_milter_log_only"])
        self.assertGreaterEqual(counts['rewrite_milter_messages_changed_total{direction="inbound"}'], 1)
        self.assertGreaterEqual(counts['rewrite_milter_rule_hits_total{rule="japan"}'], 1)


class DeferringPostfix(PostfixInstance):
    """A private Postfix that keeps every message in its queue (defer_transports = smtp)."""

    def write_config(self):
        super().write_config()
        with open(os.path.join(self.config_dir, "main.cf"), "a") as f:
            f.write("defer_transports = smtp\n")


class CompareQueueTest(unittest.TestCase):
    """rewrite-test --compare on the queued mail of a real Postfix, as `postcat -bh` prints it."""

    CHANGED_RULES = SEED_RULES.replace("japan.sales.contoso.com     contoso.jp             name=japan\n", "") + \
        "tailspintoys.com            contoso.com            name=tailspin\n"

    def setUp(self):
        problem = preconditions_problem()
        if problem:
            self.skipTest(problem)
        self.dir = tempfile.mkdtemp(prefix="rewrite-compare-")
        os.chmod(self.dir, 0o755)
        self.sink = CaptureSink().start()
        self.postfix = DeferringPostfix(self.dir, self.sink.port, "")
        self.addCleanup(subprocess.run, ["rm", "-rf", self.dir])
        self.addCleanup(self.sink.stop)
        self.addCleanup(self.postfix.stop)
        self.postfix.start()

    def test_compare_reads_postcat_output(self):
        messages = [
            ("masato@japan.sales.contoso.com", "From: Masato <masato@japan.sales.contoso.com>\nTo: p@fabrikam.com\n"),
            ("chris@sales.contoso.com", "From: chris@sales.contoso.com\nTo: p@fabrikam.com\n"),
        ]
        queue_ids = []
        for sender, header in messages:
            result = send_one(self.postfix.smtp_port, sender, ["p@fabrikam.com"],
                              crlf(header + "Subject: queued\n" + DATE + "\nbody\n"))
            self.assertEqual(250, result.code, result.text)
            queue_ids.append(result.queue_id)
        queued = os.path.join(self.dir, "queued")
        os.mkdir(queued)
        for queue_id in queue_ids:
            for _ in range(50):  # until cleanup has finished the queue file
                shown = subprocess.run(["postcat", "-c", self.postfix.config_dir, "-bh", "-q", queue_id],
                                       capture_output=True, text=True)
                if shown.returncode == 0 and "\n\nbody\n" in shown.stdout:
                    break
                time.sleep(0.1)
            self.assertIn("Subject: queued\n", shown.stdout, shown.stderr)
            with open(os.path.join(queued, queue_id), "w") as f:
                f.write(shown.stdout)
        current = os.path.join(self.dir, "rules")
        changed = os.path.join(self.dir, "rules.new")
        with open(current, "w") as f:
            f.write(SEED_RULES)
        with open(changed, "w") as f:
            f.write(self.CHANGED_RULES)
        tool = os.environ["REWRITE_TEST"]
        result = subprocess.run([tool, "-r", current, "--compare", changed, "--messages", queued],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(1, result.returncode, result.stdout + result.stderr)
        first = os.path.join(queued, queue_ids[0])
        self.assertIn("%s: - header=From <masato@japan.sales.contoso.com> -> <masato@contoso.jp> rule=japan\n" % first,
                      result.stdout)
        self.assertIn("%s: + header=From <masato@japan.sales.contoso.com> -> <masato@contoso.com> rule=flatten\n" % first,
                      result.stdout)
        self.assertNotIn(os.path.join(queued, queue_ids[1]) + ":", result.stdout)  # chris: flatten both times
        self.assertIn("unused: rule tailspin (%s:" % changed, result.stdout)
        self.assertIn("compare: 0 of 0 addresses and 1 of 2 messages differ", result.stdout)
        same = subprocess.run([tool, "-r", current, "--compare", current, "--messages", queued],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(0, same.returncode, same.stdout + same.stderr)


class PrometheusFilesTest(unittest.TestCase):
    """contrib/prometheus: the scrape job and the alerts as Prometheus's own checker reads them."""

    CONTRIB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib", "prometheus")

    def promtool(self, *args):
        promtool = os.environ.get("PROMTOOL", "")
        self.assertTrue(promtool and os.access(promtool, os.X_OK), "PROMTOOL must name promtool (ctest sets it)")
        return subprocess.run([promtool, *args], capture_output=True, text=True, timeout=60)

    def test_alert_rules_are_valid(self):
        result = self.promtool("check", "rules", os.path.join(self.CONTRIB, "rewrite-milter.rules.yml"))
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        self.assertIn("SUCCESS: 4 rules found", result.stdout)

    def test_scrape_job_is_valid_and_names_the_documented_address(self):
        with open(os.path.join(self.CONTRIB, "rewrite-milter.yml")) as f:
            job = f.read()
        self.assertIn('"127.0.0.1:9811"', job)
        with open(os.path.join(self.CONTRIB, "README.md")) as f:
            self.assertIn("metrics = 127.0.0.1:9811", f.read())
        with tempfile.TemporaryDirectory() as tmp:
            config = os.path.join(tmp, "prometheus.yml")
            with open(config, "w") as f:
                f.write("scrape_configs:\n" + "".join("  " + line + "\n" for line in job.splitlines()))
            result = self.promtool("check", "config", config)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)


class WatchTest(PostfixTestCase):
    """watch = yes: a changed rules file is reloaded without a signal, and mail follows it."""

    MILTER_ARGS = PostfixTestCase.MILTER_ARGS + ("--watch", "yes")

    def test_a_changed_rules_file_is_reloaded(self):
        self.env.write_rules(SEED_RULES + "tailspintoys.com  contoso.com  name=tailspin\n")  # by rename
        deadline = time.monotonic() + 15
        while "NOQUEUE: reload: 7 rules loaded" not in self.env.milter.log_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn("NOQUEUE: reload: 7 rules loaded", self.env.milter.log_text())
        head = "From: sam@tailspintoys.com\nTo: p@fabrikam.com\nSubject: ops-watch\n" + DATE
        self.send_outbound("sam@tailspintoys.com", ["p@fabrikam.com"], head + "\nhi\n")
        self.assertEqual("sam@contoso.com", self.delivered("ops-watch").mail_from)
        # A broken edit is refused as on SIGUSR1: the seven rules stay.
        self.env.write_rules(SEED_RULES + "*bad.example contoso.com\n")
        deadline = time.monotonic() + 15
        while "reload failed" not in self.env.milter.log_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn("NOQUEUE: reload failed: keeping the previous rules", self.env.milter.log_text())


class NotifyTest(unittest.TestCase):
    """Type=notify: READY=1 with the rules as status, RELOADING=1 then READY=1 around each reload (its
    status saying whether it took), STOPPING=1 at stop, on the socket systemd names in NOTIFY_SOCKET."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="rewrite-notify-")
        os.chmod(self.dir, 0o755)
        self.rules = os.path.join(self.dir, "rules")
        with open(self.rules, "w") as f:
            f.write(SEED_RULES)
        os.chmod(self.rules, 0o644)
        self.notify_path = os.path.join(self.dir, "notify.sock")
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        os.chmod(self.notify_path, 0o777)  # the daemon writes to it after switching to user postfix
        self.notify.settimeout(10)
        self.milter = MilterProcess(milter_binary(), self.dir, self.rules)
        os.environ["NOTIFY_SOCKET"] = self.notify_path
        try:
            self.milter.start()
        finally:
            del os.environ["NOTIFY_SOCKET"]

    def tearDown(self):
        self.milter.stop()
        self.notify.close()
        subprocess.run(["rm", "-rf", self.dir])

    def next_message(self):
        try:
            return self.notify.recv(4096).decode()
        except socket.timeout:
            self.fail("no notification; daemon log:\n" + self.milter.log_text())

    def test_ready_reload_refused_reload_stop(self):
        summary = "6 rules loaded from " + self.rules
        self.assertEqual("READY=1\nSTATUS=" + summary, self.next_message())
        self.milter.reload()
        self.assertEqual("RELOADING=1", self.next_message())
        self.assertEqual("READY=1\nSTATUS=" + summary, self.next_message())
        with open(self.rules, "a") as f:
            f.write("*bad.example contoso.com\n")
        self.milter.reload()
        self.assertEqual("RELOADING=1", self.next_message())
        refused = self.next_message()
        bad_line = SEED_RULES.count("\n") + 1
        self.assertTrue(refused.startswith("READY=1\nSTATUS=reload failed (%s:%d: " % (self.rules, bad_line)), refused)
        self.assertTrue(refused.endswith("); keeping " + summary), refused)
        self.milter.proc.send_signal(signal.SIGTERM)
        self.assertEqual("STOPPING=1\nSTATUS=stopping", self.next_message())
        self.assertEqual(0, self.milter.proc.wait(10))


if __name__ == "__main__":
    main()
