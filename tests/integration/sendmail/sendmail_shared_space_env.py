# SPDX-License-Identifier: BSD-2-Clause
"""One private Sendmail as the on-premises MTA of a shared address space (seed 000), with rewrite-milter.

The milter runs with the shared address space on (contoso.edu shared with live.contoso.edu) and the
Sendmail harness's direction settings (Name=ORIGINATING is outbound, Name=MTA inbound). Sendmail
routes by a mailertable: live.contoso.edu goes with the esmtp mailer to the "cloud" sink; every other
domain goes to the smart host, the "on-premises" sink, which stands for local delivery and for the
Internet. So routed mail and local mail are told apart by the sink that got them as well as by their
envelope recipient. Both sinks announce DSN and keep each RCPT's ESMTP parameters. Sendmail's own
hop limit (MaxHopCount) can be set per environment: it counts Sendmail's own Received field too and
bounces after accepting, so it interacts with the milter's max-received (DIFFERENCES.md).
"""

import os
import subprocess
from typing import Optional, Sequence

from dsn_sink import DsnSink
from milter_process import MilterProcess, milter_binary
from sendmail_harness import MILTER_ARGS
from sendmail_instance import SendmailInstance
# The domains, rules and recipient lists of the Postfix shared-space test, so both MTAs run one case.
from shared_space_env import (CLOUD_RECIPIENTS, LOCAL_RECIPIENTS, ROUTING_DOMAIN, SHARED_DOMAIN,  # noqa: F401
                              SHARED_RULES, TRACE_HEADER)
from staged_environment import StagedEnvironment


# Added to the harness's .mc before MAILER(`smtp'): the esmtp mailer talks to the cloud sink's port
# (the relay mailer of the smart host keeps the on-premises sink's port) and a text mailertable sends
# the routing domain to it.
ROUTING_MC = """\
define(`ESMTP_MAILER_ARGS', `TCP $h @CLOUD_PORT@')dnl
FEATURE(`mailertable', `text -k0 -v1 -z, @DIR@/mailertable')dnl
"""
MAILER_LINE = "MAILER(`smtp')dnl"


class RoutedSendmailInstance(SendmailInstance):
    """A SendmailInstance that routes live.contoso.edu to a second port through a mailertable and,
    unless max_hop is None, sets Sendmail's own hop limit (MaxHopCount, default 25)."""

    def __init__(self, base_dir: str, sink_port: int, cloud_port: int, milter_socket: str,
                 max_hop: Optional[int] = None):
        super().__init__(base_dir, sink_port, milter_socket)
        self.cloud_port = cloud_port
        self.max_hop = max_hop

    def build_cf(self, mc: str, mc_name: str = "sendmail.mc") -> str:
        """Write the mailertable, add the routing lines to mc, then build sendmail.cf as the harness does."""
        if mc_name == "sendmail.mc":
            if MAILER_LINE not in mc:
                raise RuntimeError("the harness .mc has no %s line to put the routing before" % MAILER_LINE)
            os.makedirs(self.dir, exist_ok=True)
            with open(os.path.join(self.dir, "mailertable"), "w") as f:
                f.write("%s,esmtp:[127.0.0.1]\n" % ROUTING_DOMAIN)
            routing = ROUTING_MC.replace("@CLOUD_PORT@", str(self.cloud_port)).replace("@DIR@", self.dir)
            if self.max_hop is not None:
                routing = "define(`confMAX_HOP', `%d')dnl\n" % self.max_hop + routing
            mc = mc.replace(MAILER_LINE, routing + MAILER_LINE)
        return super().build_cf(mc, mc_name)

    def run_queue(self) -> str:
        """Run the queue once in the foreground (`sendmail -q`); return Sendmail's output."""
        result = subprocess.run(self.command("-q"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                env=self.environment(), timeout=60)
        return result.stdout.decode(errors="replace")


class SharedSpaceSendmailEnvironment(StagedEnvironment):
    """On-premises sink, cloud sink, rewrite-milter with the shared space, then Sendmail (max_hop:
    see RoutedSendmailInstance)."""

    def __init__(self, extra_milter_args: Sequence[str] = (), max_hop: Optional[int] = None):
        super().__init__("rewrite-sm-shared-")
        self.max_hop = max_hop
        self.rules_path = self.write_file("rules", SHARED_RULES)
        self.local_path = self.write_file("local-recipients", LOCAL_RECIPIENTS)
        self.cloud_path = self.write_file("cloud-recipients", CLOUD_RECIPIENTS)
        args = list(MILTER_ARGS) + [
            "--shared-domain", SHARED_DOMAIN, "--routing-domain", ROUTING_DOMAIN,
            "--local-recipients", self.local_path, "--cloud-recipients", self.cloud_path] + list(extra_milter_args)
        self.milter = MilterProcess(milter_binary(), self.base_dir, self.rules_path, args)
        self.onprem_sink = DsnSink()
        self.cloud_sink = DsnSink()
        self.sendmail: Optional[RoutedSendmailInstance] = None

    def start_order(self):
        """Both sinks, the milter, then Sendmail (which needs both sink ports and the milter socket)."""
        yield self.onprem_sink
        yield self.cloud_sink
        yield self.milter
        self.sendmail = RoutedSendmailInstance(self.base_dir, self.onprem_sink.port, self.cloud_sink.port,
                                               self.milter.socket_path, self.max_hop)
        yield self.sendmail

    def diagnostics(self) -> str:
        """Sendmail's output and traffic, its queue and the milter log, for failure messages."""
        parts = []
        if self.sendmail:
            parts += [self.sendmail.log_text(), "--- queue ---\n" + self.sendmail.queue_listing()]
        parts.append("--- milter log (tail) ---\n" + self.milter.log_text()[-4000:])
        return "\n".join(parts)
