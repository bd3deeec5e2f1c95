#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The README's first command keeps working: runs scripts/demo.py (the part of scripts/demo after the
build) against the built daemon and checks that every scenario's AFTER block shows what the seed rules
say, and that the milter log names the rules that fired. Expected values come from the rules in
harness.SEED_RULES, not from a previous run."""

import os
import re
import subprocess
import sys
import unittest
from typing import Dict, List

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

from harness import SKIP_EXIT_CODE  # noqa: E402
from postfix_instance import preconditions_problem  # noqa: E402


def after_blocks(output: str) -> Dict[int, List[str]]:
    """Map each scenario number to the lines of its AFTER block (envelope and '| ' header lines)."""
    blocks: Dict[int, List[str]] = {}
    number = 0
    inside = False
    for line in output.splitlines():
        heading = re.match(r"=== (\d+)\. ", line)
        if heading:
            number, inside = int(heading.group(1)), False
        elif line.startswith("  AFTER (as delivered"):
            inside = True
            blocks[number] = []
        elif inside and line.startswith("    "):
            blocks[number].append(line.strip())
        else:
            inside = False
    return blocks


class DemoTest(unittest.TestCase):
    output = ""
    status = 0

    @classmethod
    def setUpClass(cls):
        run = subprocess.run([sys.executable, "-B", os.path.join(ROOT, "scripts", "demo.py"),
                              "--milter", os.environ["REWRITE_MILTER"]],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=180)
        cls.output = run.stdout.decode("utf-8", "replace")
        cls.status = run.returncode
        cls.blocks = after_blocks(cls.output)

    def after(self, number: int) -> List[str]:
        self.assertIn(number, self.blocks, "scenario %d was not delivered:\n%s" % (number, self.output))
        return self.blocks[number]

    def test_exits_zero_with_every_scenario_delivered(self):
        self.assertEqual(0, self.status, self.output)
        self.assertEqual(list(range(1, 9)), sorted(self.blocks), self.output)

    def test_group_consolidation_flattens_the_sender_side(self):
        after = self.after(1)
        self.assertIn("MAIL FROM:<alice@contoso.com>", after)
        self.assertIn("| From: Alice Example <alice@contoso.com>", after)
        self.assertIn("| Reply-To: alice@contoso.com", after)
        self.assertIn("| To: Bob <bob@fabrikam.com>, carol@contoso.com", after)
        self.assertIn("| Message-ID: <q1@sales.contoso.com>", after)  # never touched

    def test_most_specific_rule_and_exception(self):
        self.assertIn("MAIL FROM:<masato@contoso.jp>", self.after(2))
        self.assertIn("| From: Masato <masato@contoso.jp>", self.after(2))
        self.assertIn("MAIL FROM:<lee@legal.contoso.com>", self.after(3))
        self.assertIn("| From: Lee <lee@legal.contoso.com>", self.after(3))

    def test_merger_outbound_and_reply_inbound(self):
        self.assertIn("MAIL FROM:<someone@contoso.com>", self.after(4))
        self.assertIn("| From: Some One <someone@contoso.com>", self.after(4))
        inbound = self.after(5)
        self.assertIn("RCPT TO:<adam@fourthcoffee.com>", inbound)
        self.assertIn("| To: Adam <adam@contoso.com>", inbound)  # inbound headers are off by default

    def test_partner_outbound_and_inbound(self):
        outbound = self.after(6)
        self.assertIn("MAIL FROM:<support@wingtiptoys.com>", outbound)
        self.assertIn("| From: Support <support@wingtiptoys.com>", outbound)
        self.assertIn("| Reply-To: kate@wingtiptoys.com", outbound)
        self.assertIn("RCPT TO:<support@contoso.com>", self.after(7))

    def test_foreign_addresses_pass_untouched(self):
        after = self.after(8)
        self.assertIn("MAIL FROM:<bob@fabrikam.com>", after)
        self.assertIn("RCPT TO:<eve@contoso.com.evil.net>", after)
        self.assertIn("| To: eve@contoso.com.evil.net", after)

    def test_milter_log_names_the_rules(self):
        log = self.output.split("Milter log:", 1)[-1]
        for rule in ("flatten", "japan", "merger", "adam", "wingtip-support", "wingtip-kate"):
            self.assertRegex(log, r"rule=%s\b" % re.escape(rule))


if __name__ == "__main__":
    problem = preconditions_problem()
    if problem:
        print("SKIPPED: " + problem, file=sys.stderr)
        sys.exit(SKIP_EXIT_CODE)
    unittest.main(verbosity=2)
