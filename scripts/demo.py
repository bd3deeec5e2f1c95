#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""demo.py: shows rewrite-milter at work on a real, private Postfix on 127.0.0.1.

It starts a capture sink, the rewrite-milter daemon (from ./build unless REWRITE_MILTER or --milter
names another binary) and a throw-away Postfix instance in a temp dir, sends one message per seed
scenario, and prints each message as sent (BEFORE) and as delivered (AFTER: envelope and headers).
Everything it started is stopped by PID at the end, also on error or Ctrl-C. Needs root (Postfix
runs its daemons as user postfix); the system Postfix is neither configured nor started.
"""

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

from harness import FOREIGN_CLIENT, SEED_RULES, Environment, crlf, send_one  # noqa: E402
from postfix_instance import preconditions_problem  # noqa: E402

DATE = "Date: Mon, 2 Jan 2023 10:00:00 +0000\n"

# (title, inbound?, MAIL FROM, RCPT TO, headers as sent)
SCENARIOS = [
    ("Group consolidation: *.contoso.com leaves as contoso.com", False,
     "alice@sales.contoso.com", ["bob@fabrikam.com"],
     "From: Alice Example <alice@sales.contoso.com>\nReply-To: alice@sales.contoso.com\n"
     "To: Bob <bob@fabrikam.com>, carol@research.contoso.com\nSubject: Quarterly figures\n" + DATE +
     "Message-ID: <q1@sales.contoso.com>\n"),
    ("The most specific rule wins: japan.sales.contoso.com -> contoso.jp beats *.contoso.com", False,
     "masato@japan.sales.contoso.com", ["bob@fabrikam.com"],
     "From: Masato <masato@japan.sales.contoso.com>\nTo: bob@fabrikam.com\nSubject: Tokyo office\n" + DATE),
    ("Wildcard exception: legal.contoso.com keeps its own domain", False,
     "lee@legal.contoso.com", ["bob@fabrikam.com"],
     "From: Lee <lee@legal.contoso.com>\nTo: bob@fabrikam.com\nSubject: Contract\n" + DATE),
    ("Merger: someone@fourthcoffee.com leaves as someone@contoso.com", False,
     "someone@fourthcoffee.com", ["bob@fabrikam.com"],
     "From: Some One <someone@fourthcoffee.com>\nTo: bob@fabrikam.com\nSubject: Hello from Contoso\n" + DATE),
    ("Merger, reply inbound: adam@contoso.com is routed to adam@fourthcoffee.com", True,
     "bob@fabrikam.com", ["adam@contoso.com"],
     "From: Bob <bob@fabrikam.com>\nTo: Adam <adam@contoso.com>\nSubject: Re: Hello\n" + DATE),
    ("Partner, outbound: Contoso support leaves as Wingtip Toys", False,
     "support@contoso.com", ["customer@fabrikam.com"],
     "From: Support <support@contoso.com>\nReply-To: kate@contoso.com\nTo: customer@fabrikam.com\n"
     "Subject: Your ticket\n" + DATE),
    ("Partner, inbound: support@wingtiptoys.com is routed to support@contoso.com", True,
     "customer@fabrikam.com", ["support@wingtiptoys.com"],
     "From: customer@fabrikam.com\nTo: support@wingtiptoys.com\nSubject: Broken toy\n" + DATE),
    ("Not ours: addresses outside the internal domains are never touched", False,
     "bob@fabrikam.com", ["eve@contoso.com.evil.net"],
     "From: Bob <bob@fabrikam.com>\nTo: eve@contoso.com.evil.net\nSubject: Unrelated\n" + DATE),
]


def default_milter() -> str:
    """Return the daemon binary: --milter, $REWRITE_MILTER, or the one in ./build."""
    return os.environ.get("REWRITE_MILTER") or os.path.join(ROOT, "build", "milter", "daemon", "rewrite-milter")


def show(label: str, mail_from: str, rcpts, header_bytes: bytes) -> None:
    """Print an envelope and a header section, indented."""
    print("  %s" % label)
    print("    MAIL FROM:<%s>" % mail_from)
    for rcpt in rcpts:
        print("    RCPT TO:<%s>" % rcpt)
    for line in header_bytes.decode("utf-8", "replace").rstrip("\r\n").split("\r\n"):
        print("    | " + line)


def run(env: Environment) -> int:
    """Send every scenario and print it before and after; return the exit status."""
    print("Rules (%s):" % env.rules_path)
    for line in SEED_RULES.splitlines():
        print("    " + line)
    print()
    failures = 0
    for n, (title, inbound, sender, rcpts, headers) in enumerate(SCENARIOS, 1):
        data = crlf(headers + "\nThis is message %d of the demo.\n" % n)
        print("=== %d. %s (%s)" % (n, title, "inbound, client %s" % FOREIGN_CLIENT if inbound else "outbound"))
        result = send_one(env.postfix.smtp_port, sender, rcpts, data, client_addr=FOREIGN_CLIENT if inbound else None)
        show("BEFORE (as sent):", sender, rcpts, data.split(b"\r\n\r\n", 1)[0] + b"\r\n")
        if not result.accepted:
            print("  refused: %d %s\n" % (result.code, result.text))
            failures += 1
            continue
        marker = "message %d of the demo" % n
        try:
            delivery = env.sink.wait_for(lambda ds: any(marker.encode() in d.data for d in ds), 30)
        except TimeoutError as e:
            print("  not delivered: %s\n" % e)
            failures += 1
            continue
        delivered = [d for d in delivery if marker.encode() in d.data][0]
        show("AFTER (as delivered, queue id %s):" % result.queue_id, delivered.mail_from, delivered.rcpt_to,
             delivered.header_block())
        print()
    print("Milter log:")
    for line in env.milter.log_text().splitlines():
        print("    " + line)
    return 1 if failures else 0


def main() -> int:
    """Parse arguments, start everything, run the demo, stop everything."""
    parser = argparse.ArgumentParser(description="Show rewrite-milter on a private Postfix on 127.0.0.1.")
    parser.add_argument("--milter", default=default_milter(), help="rewrite-milter binary (default: %(default)s)")
    args = parser.parse_args()
    problem = preconditions_problem()
    if problem:
        print("demo: " + problem, file=sys.stderr)
        return 2
    if not os.access(args.milter, os.X_OK):
        print("demo: %s not found; build first (scripts/build)" % args.milter, file=sys.stderr)
        return 2
    os.environ["REWRITE_MILTER"] = args.milter
    env = Environment(SEED_RULES, ["--outbound-daemon-names", "ORIGINATING"])
    try:
        env.start()
        return run(env)
    finally:
        env.stop()


if __name__ == "__main__":
    sys.exit(main())
