# SPDX-License-Identifier: BSD-2-Clause
"""Two private Postfix instances for the shared address space (seed 000), built on the harness.

"on-premises" runs rewrite-milter with the shared address space on (contoso.edu shared with
live.contoso.edu), relays live.contoso.edu to "cloud" and everything else to its own capture sink.
"cloud" has no milter: it delivers live.contoso.edu to its own capture sink, relays contoso.edu back
to on-premises (non-authoritative: unknown recipients go back on-prem) and sends any other domain to
its sink as well (its Internet). Each instance lives in its own directory under one temp dir.
"""

import os
import smtplib
import time
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

from capture_sink import CaptureSink
from milter_process import MilterProcess
from postfix_instance import PostfixInstance
from staged_environment import StagedEnvironment

SHARED_DOMAIN = "contoso.edu"
ROUTING_DOMAIN = "live.contoso.edu"
TRACE_HEADER = "X-Rewrite-Forwarded: contoso.edu -> live.contoso.edu"

# Cloud users leave through on-premises with their shared-domain address (an ordinary rule).
SHARED_RULES = "live.contoso.edu  contoso.edu  name=cloud-senders\n"
LOCAL_RECIPIENTS = "staff@contoso.edu\ndean@contoso.edu\n"
# ghost is a cloud user on-premises that the cloud does not know: it sends ghost back (a real loop).
CLOUD_RECIPIENTS = "student@contoso.edu\nghost@contoso.edu\n"


class RoutedPostfixInstance(PostfixInstance):
    """A PostfixInstance whose main.cf gets extra lines (routing, host name) after the standard ones."""

    def __init__(self, base_dir: str, sink_port: int, milter: str = "", relay_domains: str = "",
                 extra_main_cf: str = ""):
        super().__init__(base_dir, sink_port, milter, relay_domains)
        self.extra_main_cf = extra_main_cf

    def write_config(self) -> None:
        """Write the standard config, then append the extra main.cf lines (later lines win)."""
        super().write_config()
        with open(os.path.join(self.config_dir, "main.cf"), "a") as f:
            f.write("# Shared address space test routing.\n" + self.extra_main_cf)


class SharedSpaceEnvironment(StagedEnvironment):
    """On-premises Postfix + rewrite-milter + sink, and cloud Postfix + sink, all on 127.0.0.1."""

    def __init__(self, binary: str, milter_args: Sequence[str] = ()):
        super().__init__("rewrite-it-shared-")
        self.onprem_dir = os.path.join(self.base_dir, "onprem")
        self.cloud_dir = os.path.join(self.base_dir, "cloud")
        for path in (self.onprem_dir, self.cloud_dir):
            os.makedirs(path)
        self.rules_path = self._write("rules", SHARED_RULES)
        self.local_path = self._write("local-recipients", LOCAL_RECIPIENTS)
        self.cloud_path = self._write("cloud-recipients", CLOUD_RECIPIENTS)
        args = ["--shared-domain", SHARED_DOMAIN, "--routing-domain", ROUTING_DOMAIN,
                "--local-recipients", self.local_path, "--cloud-recipients", self.cloud_path] + list(milter_args)
        self.milter = MilterProcess(binary, self.onprem_dir, self.rules_path, args)
        self.onprem_sink = CaptureSink()
        self.cloud_sink = CaptureSink()
        self.onprem: Optional[RoutedPostfixInstance] = None
        self.cloud: Optional[RoutedPostfixInstance] = None

    def _write(self, name: str, text: str) -> str:
        """Write a file under the on-premises directory (readable by the milter's user); return its path."""
        path = os.path.join(self.onprem_dir, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
        return path

    def start_order(self):
        """Both sinks, the milter, then both Postfix instances (each knows the other's port)."""
        yield self.onprem_sink
        yield self.cloud_sink
        yield self.milter
        self.onprem = RoutedPostfixInstance(self.onprem_dir, self.onprem_sink.port, self.milter.postfix_socket,
                                            "contoso.edu, live.contoso.edu")
        self.cloud = RoutedPostfixInstance(self.cloud_dir, self.cloud_sink.port, "",
                                           "contoso.edu, live.contoso.edu")
        self.onprem.extra_main_cf = (
            "transport_maps = inline:{ live.contoso.edu=smtp:[127.0.0.1]:%d }\n" % self.cloud.smtp_port)
        self.cloud.extra_main_cf = (
            "myhostname = cloud.example.test\n"
            "transport_maps = inline:{ contoso.edu=smtp:[127.0.0.1]:%d }\n" % self.onprem.smtp_port +
            "virtual_alias_maps = inline:{ ghost@live.contoso.edu=ghost@contoso.edu }\n")
        yield self.onprem
        yield self.cloud

    def queues_empty(self, timeout: float = 20.0) -> bool:
        """Wait until both queues are empty; return whether they became so."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.onprem.queue_is_empty() and self.cloud.queue_is_empty():
                return True
            time.sleep(0.2)
        return False

    def diagnostics(self) -> str:
        """Return the tails of both Postfix logs and the milter log."""
        parts = []
        for name, instance in (("on-premises", self.onprem), ("cloud", self.cloud)):
            if instance:
                parts.append("--- %s postfix log (tail) ---\n%s\n--- %s queue ---\n%s" % (
                    name, instance.log_text()[-4000:], name, instance.queue_listing()))
        parts.append("--- milter log (tail) ---\n" + self.milter.log_text()[-4000:])
        return "\n".join(parts)


@dataclass
class TransactionReplies:
    """Every reply of one SMTP transaction: MAIL, each RCPT, and DATA (None when DATA was not reached)."""

    mail: Tuple[int, str]
    rcpts: List[Tuple[int, str]] = field(default_factory=list)
    data: Optional[Tuple[int, str]] = None


def send_all_replies(session: smtplib.SMTP, sender: str, recipients: Sequence[str], data: bytes) -> TransactionReplies:
    """Run one transaction, going on to DATA when at least one RCPT was accepted; keep every reply."""
    code, text = session.mail(sender)
    replies = TransactionReplies((code, text.decode(errors="replace")))
    for rcpt in recipients:
        code, text = session.rcpt(rcpt)
        replies.rcpts.append((code, text.decode(errors="replace")))
    if any(code in (250, 251) for code, _ in replies.rcpts):
        try:
            code, text = session.data(data)
            replies.data = (code, text.decode(errors="replace"))
        except smtplib.SMTPDataError as e:
            replies.data = (e.smtp_code, e.smtp_error.decode(errors="replace"))
    else:
        session.rset()
    return replies
