#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""walkthrough.py: an administrator's first setup, done only as the installed documentation says.

Usage: walkthrough.py --prefix DIR     (after `cmake --install` into DIR; run as root)

Everything is read from the installed files, not written here: the commands of systemd/README.md,
the example rewrite-milter.conf, the installed unit's ExecStart=, ExecReload=, KillSignal=,
RuntimeDirectory=, User=, Group= and CapabilityBoundingSet=, the chroot drop-in's ExecStartPre=, and
the Postfix main.cf and master.cf snippets. Only these stand-ins differ from a real system:
  /etc/rewrite-milter, /var/spool/postfix, /run/rewrite-milter   -> directories under a temp dir
  user and group rewrite-milter (postfix a member)                -> user nobody, group postfix
  systemd                                                         -> this script runs the unit's commands
  systemd-sysusers, systemd-tmpfiles, adduser                     -> not run (the stand-ins exist)
  the submission service's TLS and SASL lines                     -> left out (no certificates here)
Postfix is a private instance on 127.0.0.1 whose smtpd and cleanup run chrooted in its queue
directory, as Debian's do, and which relays everything to a capture sink.

The walk: install the configuration and rules, check them, create the socket directory, start the
daemon, send mail on the submission port, through sendmail(1) and on port 25, check the rewritten
envelope and header and the log lines of rewrite-milter(8) LOGGING, reload both documented ways,
stop, and check that the socket and pid file are gone and that Postfix then answers 4xx.
Exit 0 when every check passed, 1 otherwise, 77 without root or Postfix.
"""
import argparse
import grp
import os
import pwd
import re
import shlex
import shutil
import signal
import smtplib
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from capture_sink import CaptureSink  # noqa: E402
from check_install import SKIP, Checker  # noqa: E402
from harness import FOREIGN_CLIENT, crlf, open_session, send  # noqa: E402  (FOREIGN_CLIENT: not internal)
from postfix_instance import PostfixInstance, preconditions_problem  # noqa: E402

USER, GROUP = "nobody", "postfix"  # stand-ins for user and group rewrite-milter (postfix is a member)
SERVICE_ACCOUNT = "rewrite-milter"


class Stand:
    """Maps the documented paths, names and commands onto this test's stand-ins."""

    def __init__(self, prefix, root):
        self.prefix = prefix
        self.etc = os.path.join(root, "etc/rewrite-milter")
        self.spool = os.path.join(root, "spool")
        self.run = os.path.join(root, "run")
        self.pairs = [
            ("/usr/local/sbin/rewrite-milter", os.path.join(prefix, "sbin/rewrite-milter")),
            ("/etc/rewrite-milter", self.etc),
            ("/var/spool/postfix", self.spool),
            ("/run/", self.run + "/"),
            ("-o " + SERVICE_ACCOUNT + " ", "-o %s " % USER),
            ("-g " + SERVICE_ACCOUNT + " ", "-g %s " % GROUP),
        ]

    def text(self, text):
        """The documented text with every path and name replaced by its stand-in."""
        for documented, here in self.pairs:
            text = text.replace(documented, here)
        text = re.sub(r"(?m)^user = %s$" % SERVICE_ACCOUNT, "user = " + USER, text)
        text = re.sub(r"(?m)^group = %s$" % SERVICE_ACCOUNT, "group = " + GROUP, text)
        return re.sub(r"^rewrite-milter ", os.path.join(self.prefix, "sbin/rewrite-milter") + " ", text)

    def account(self, name, stand_in):
        """The stand-in for a user or group the unit names."""
        return stand_in if name == SERVICE_ACCOUNT else name


def chroot_socket_line(config_text):
    """rewrite-milter.conf edited as systemd/README.md says for a chrooted Postfix: its second socket
    line (commented out) replaces the first."""
    lines = config_text.splitlines(keepends=True)
    active = [i for i, line in enumerate(lines) if line.startswith("socket = ")]
    commented = [i for i, line in enumerate(lines) if line.startswith("#socket = ")]
    if len(active) != 1 or not commented:
        return config_text
    lines[active[0]] = "#" + lines[active[0]]
    lines[commented[0]] = lines[commented[0]][1:]
    return "".join(lines)


def readme_commands(path):
    """The shell commands of the first indented block of a README (four spaces in)."""
    commands, seen = [], False
    with open(path) as f:
        for line in f:
            if line.startswith("    "):
                seen = True
                command = line.strip()
                if command and not command.startswith("#"):
                    commands.append(command)
            elif seen and line.strip():
                break
    return commands


def unit_settings(*paths):
    """Key -> list of values of a systemd unit and its drop-ins, in file order."""
    settings = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith(("#", ";", "[")) and "=" in line:
                    key, value = line.split("=", 1)
                    settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def run_shell(c, command, what, cwd=None, expect=0):
    """Runs one documented shell command; checks its exit status."""
    result = subprocess.run(["sh", "-c", command], cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=60)
    c.check(result.returncode == expect, f"{what}: `{command}` exits {result.returncode}, expected {expect}",
            result.stdout + result.stderr)
    return result


def exec_command(value):
    """A systemd Exec*= value as an argument list, without its prefix characters (+, -, @, !, :)."""
    return shlex.split(value.lstrip("+-@!:"))


class DocumentedPostfix(PostfixInstance):
    """The private Postfix, with the installed main.cf and master.cf snippets as its milter settings,
    smtpd and cleanup chrooted in the queue directory (Debian's master.cf), the queue directory standing
    in for /var/spool/postfix."""

    def __init__(self, base_dir, sink_port, queue_dir, postfix_examples):
        super().__init__(base_dir, sink_port, milter="")
        self.queue_dir = queue_dir
        self.postfix_examples = postfix_examples
        self.dropped_options = []

    def write_config(self):
        """The test instance's configuration with the documented milter lines in place of its own."""
        super().write_config()
        main_cf = os.path.join(self.config_dir, "main.cf")
        with open(main_cf) as f:
            own = [line for line in f if not re.match(r"(smtpd_milters|non_smtpd_milters|milter_default_action)\b", line)]
        with open(os.path.join(self.postfix_examples, "main.cf")) as f:
            documented = f.read()
        with open(main_cf, "w") as f:
            f.write("".join(own) + "\n# contrib/postfix/main.cf as installed:\n" + documented)
        master_cf = os.path.join(self.config_dir, "master.cf")
        with open(master_cf) as f:
            own = [line for line in f if not line.startswith(("127.0.0.1:", "  -o"))]
        own = [re.sub(r"^(cleanup\s+unix\s+n\s+-\s+)n", r"\1y", line) for line in own]  # Debian: cleanup chrooted
        lines = ["127.0.0.1:%d inet n - y - - smtpd\n" % self.smtp_port]  # Debian's smtp line, on a free port
        lines += self.submission_service()
        with open(master_cf, "w") as f:
            f.write("".join(lines + own))

    def submission_service(self):
        """The installed master.cf's submission entry on 127.0.0.1, without the TLS and SASL lines."""
        with open(os.path.join(self.postfix_examples, "master.cf")) as f:
            entry = [line for line in f if line.strip() and not line.startswith("#")]
        entry[0] = re.sub(r"^submission\b", "127.0.0.1:%d" % self.submission_port, entry[0])
        kept = [entry[0]]
        for line in entry[1:]:
            if re.search(r"-o (smtpd_tls_|smtpd_sasl_|smtpd_client_restrictions|smtpd_relay_restrictions)", line):
                self.dropped_options.append(line.strip())
            else:
                kept.append(line)
        return kept


def as_unit_runs(argv, user, group, capabilities):
    """argv run as systemd runs a command of the unit: under its User= and Group= (with the user's
    supplementary groups), its capability bounding set and NoNewPrivileges."""
    caps = "".join(",+" + cap.lower()[4:] for cap in capabilities)
    return ["setpriv", "--reuid", str(pwd.getpwnam(user).pw_uid), "--regid", str(grp.getgrnam(group).gr_gid),
            "--init-groups", "--bounding-set", "-all" + caps, "--no-new-privs", "--"] + argv


class Daemon:
    """The installed daemon started as the unit starts it (as_unit_runs), standard error (the journal)
    into a file."""

    def __init__(self, argv, log_path):
        self.log_path = log_path
        self.argv = argv
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def log_text(self):
        """What the daemon has logged so far."""
        with open(self.log_path) as f:
            return f.read()

    def wait_for_log(self, text, count=1, timeout=10):
        """True once text appears count times in the log."""
        deadline = time.monotonic() + timeout
        while self.log_text().count(text) < count:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                return self.log_text().count(text) >= count
            time.sleep(0.05)
        return True

    def stop(self, signum):
        """Sends signum as systemd's KillSignal= would; returns the exit status, None if it did not stop in 10 s."""
        self.proc.send_signal(signum)
        try:
            return self.proc.wait(10)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        """Ends the daemon if it still runs (only after a failed check)."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def process_ids(pid):
    """(real uid, real gid) of a running process."""
    ids = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid"):
                ids[key] = int(value.split()[0])
    return ids.get("Uid"), ids.get("Gid")


def owner_and_mode(path):
    """(user, group, permission bits) of path, or None when it does not exist."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name, stat.S_IMODE(st.st_mode)


def message(sender, recipient, subject):
    """A small message whose header names its sender and recipient."""
    return crlf(f"From: Sender <{sender}>\nTo: <{recipient}>\nSubject: {subject}\n"
                f"Message-ID: <{subject}@walkthrough.test>\n\nWalkthrough body.\n")


def smtp_answer(port, sender, recipient, subject, client=FOREIGN_CLIENT):
    """Sends one message; returns (code, queue id) of the reply that decided it."""
    try:
        with open_session(port, client) as session:
            result = send(session, sender, [recipient], message(sender, recipient, subject))
            return result.code, result.queue_id
    except smtplib.SMTPResponseException as e:
        return e.smtp_code, ""
    except smtplib.SMTPServerDisconnected:
        return 0, ""


def walk(c, prefix, root):
    """The whole documented setup, use, reload and stop; records every check in c."""
    examples = os.path.join(prefix, "share/doc/rewrite-milter/examples")
    stand = Stand(prefix, root)
    os.chmod(root, 0o755)  # Postfix (user postfix) and the daemon (user nobody) must traverse it
    os.makedirs(stand.run)

    # systemd/README.md, step by step: configuration, rules, check. The unit files are read, not installed.
    config_path = os.path.join(stand.etc, "rewrite-milter.conf")
    for documented in readme_commands(os.path.join(examples, "systemd/README.md")):
        if documented.startswith(("adduser ", "systemctl ", "install -D ", "systemd-sysusers ", "systemd-tmpfiles ")):
            continue
        run_shell(c, stand.text(documented), "systemd/README.md", cwd=os.path.join(examples, "systemd"))
        if re.match(r"cp \S*rewrite-milter\.conf ", documented) and os.path.exists(config_path):
            with open(config_path) as f:  # "edit it": the stand-ins
                text = f.read()
            with open(config_path, "w") as f:
                f.write(stand.text(chroot_socket_line(text)))
    with open(config_path) as f:
        config = dict(re.findall(r"(?m)^([a-z-]+) = (.*)$", f.read()))
    socket_path = config.get("socket", "").replace("unix:", "", 1)
    pid_path = config.get("pid-file", "")
    c.check(socket_path == os.path.join(stand.spool, "rewrite/rewrite.sock"),
            "example rewrite-milter.conf: socket in Postfix's queue directory, rewrite/rewrite.sock")
    c.check(pid_path.startswith(stand.run + "/rewrite-milter/"), "example rewrite-milter.conf: pid file in /run/rewrite-milter")

    unit = unit_settings(os.path.join(prefix, "lib/systemd/system/rewrite-milter.service"),
                         os.path.join(examples, "systemd/postfix-chroot.conf"))
    user = stand.account(unit.get("User", [""])[0], USER)
    group = stand.account(unit.get("Group", [""])[0], GROUP)
    c.check((user, group) == (USER, GROUP), "unit: User= and Group= name the service account")
    capabilities = " ".join(unit.get("CapabilityBoundingSet", [])).split()
    c.check(capabilities == [], f"unit: empty capability bounding set (got {capabilities})")
    sink = CaptureSink().start()
    postfix = DocumentedPostfix(root, sink.port, stand.spool, os.path.join(examples, "postfix"))
    daemon = None
    try:
        postfix.start()
        print("submission: left out " + "; ".join(postfix.dropped_options))
        c.check(any("milter_macro_daemon_name=ORIGINATING" in o for o in open(os.path.join(postfix.config_dir, "master.cf"))),
                "master.cf snippet: submission service hands the milter ORIGINATING")

        # What systemd does at start: RuntimeDirectory= (owned by User=), then ExecStartPre= (the
        # drop-in), then ExecStart=.
        for name in unit.get("RuntimeDirectory", []):
            mode = unit.get("RuntimeDirectoryMode", ["0755"])[0]
            subprocess.run(["install", "-d", "-o", user, "-g", group, "-m", mode, os.path.join(stand.run, name)], check=True)
        for value in unit.get("ExecStartPre", []):
            run_shell(c, shlex.join(exec_command(stand.text(value))), "ExecStartPre")
        socket_dir = os.path.dirname(socket_path)
        c.check(owner_and_mode(socket_dir) == (USER, GROUP, 0o750),
                f"socket directory {USER}:{GROUP} 0750 (got {owner_and_mode(socket_dir)})")
        daemon = Daemon(as_unit_runs(exec_command(stand.text(unit["ExecStart"][0])), user, group, capabilities),
                        os.path.join(root, "journal.log"))
        if not c.check(daemon.wait_for_log("NOQUEUE: starting: 2 rules"), "daemon started with the 2 merger rules",
                       daemon.log_text()):
            return
        c.check(owner_and_mode(socket_path) == (USER, GROUP, 0o770),
                f"socket {USER}:{GROUP} 0770 (got {owner_and_mode(socket_path)})")
        c.check(process_ids(daemon.proc.pid) == (pwd.getpwnam(USER).pw_uid, grp.getgrnam(GROUP).gr_gid),
                f"daemon runs as {USER}:{GROUP}")
        with open(pid_path) as f:
            c.check(f.read().strip() == str(daemon.proc.pid), "pid file holds the daemon's pid")

        check_mail(c, postfix, sink, daemon)
        check_reload(c, stand, unit, daemon, config_path, postfix, sink,
                     lambda argv: as_unit_runs(argv, user, group, capabilities))

        # What systemd does at stop: KillSignal=, wait, ExecStopPost= (if any); RuntimeDirectoryPreserve=
        # keeps the directory.
        signum = getattr(signal, unit.get("KillSignal", ["SIGTERM"])[0])
        status = daemon.stop(signum)
        c.check(status == 0, f"daemon stops on {signum.name} with exit 0 (got {status})")
        c.check("NOQUEUE: stopping" in daemon.log_text(), "stop logged")
        for value in unit.get("ExecStopPost", []):
            run_shell(c, shlex.join(exec_command(stand.text(value))), "ExecStopPost")
        c.check(unit.get("RuntimeDirectoryPreserve") == ["yes"], "unit: the runtime directory is kept between restarts")
        c.check(not os.path.lexists(socket_path), "socket gone after stop (removed by the daemon)")
        c.check(not os.path.lexists(pid_path), "pid file gone after stop")
        code, _ = smtp_answer(postfix.submission_port, "eve@fourthcoffee.com", "partner@fabrikam.com", "after-stop")
        c.check(400 <= code < 500, f"milter stopped: Postfix answers 4xx (milter_default_action = tempfail), got {code}")
    finally:
        if daemon:
            daemon.kill()
        postfix.stop()
        sink.stop()
        if c.failures:
            print("--- daemon log:\n" + (daemon.log_text() if daemon else "") + "--- postfix log:\n" + postfix.log_text())


def delivered(c, sink, subject, what):
    """The one message with this subject that reached the sink, or None (a failed check) after 15 s."""
    try:
        return sink.wait_for_marker("Subject: " + subject, timeout=15)
    except (TimeoutError, AssertionError) as e:
        c.check(False, f"{what}: delivered ({e})")
        return None


def check_mail(c, postfix, sink, daemon):
    """Outbound on submission and through sendmail(1), inbound on port 25: rewritten and logged."""
    code, qid = smtp_answer(postfix.submission_port, "eve@fourthcoffee.com", "partner@fabrikam.com", "submission")
    got = c.check(code == 250 and qid, f"submission from an Internet address: accepted (got {code})") and \
        delivered(c, sink, "submission", "submission")
    if got:
        c.check(got.mail_from == "eve@contoso.com", f"submission: envelope sender rewritten (got {got.mail_from})")
        c.check(b"\r\nFrom: Sender <eve@contoso.com>\r\n" in b"\r\n" + got.data, "submission: From: rewritten")
        c.check(daemon.wait_for_log(f"{qid}: from=<eve@fourthcoffee.com> -> <eve@contoso.com> rule=fourthcoffee"),
                "log: QUEUEID: from=<a> -> <b> rule=NAME")
        c.check(daemon.wait_for_log(f"{qid}: header=From <eve@fourthcoffee.com> -> <eve@contoso.com> rule=fourthcoffee"),
                "log: QUEUEID: header=From <a> -> <b> rule=NAME")

    postfix.sendmail(message("dan@fourthcoffee.com", "partner@fabrikam.com", "sendmail"), "dan@fourthcoffee.com",
                     ["partner@fabrikam.com"])
    got = delivered(c, sink, "sendmail", "sendmail(1)")
    c.check(got is not None and got.mail_from == "dan@contoso.com",
            f"sendmail(1) (non_smtpd_milters): sender rewritten (got {got and got.mail_from})")
    c.check(re.search(r"rewrite-milter: [0-9A-F]{6,}: from=<dan@fourthcoffee\.com> -> <dan@contoso\.com> rule=fourthcoffee",
                      daemon.log_text()) is not None, "log: sendmail(1) message logged with its queue id")

    code, qid = smtp_answer(postfix.smtp_port, "someone@example.net", "adam@contoso.com", "inbound")
    got = c.check(code == 250 and qid, f"port 25 from an Internet address: accepted (got {code})") and \
        delivered(c, sink, "inbound", "port 25")
    if got:
        c.check(got.rcpt_to == ["adam@fourthcoffee.com"], f"port 25: recipient routed back (got {got.rcpt_to})")
        c.check(got.mail_from == "someone@example.net", "port 25: sender left alone")
        c.check(daemon.wait_for_log(f"{qid}: rcpt=<adam@contoso.com> -> <adam@fourthcoffee.com> rule=adam"),
                "log: QUEUEID: rcpt=<a> -> <b> rule=NAME")


def check_reload(c, stand, unit, daemon, config_path, postfix, sink, as_unit):
    """`systemctl reload` (the unit's ExecReload= lines, run as the unit runs them) refuses broken rules
    and loads good ones as the unprivileged user; the pid-file command of rewrite-milter.conf reloads too."""
    rules = os.path.join(stand.etc, "rules")
    with open(rules) as f:
        original = f.read()
    reload_lines = [as_unit(exec_command(stand.text(v).replace("$MAINPID", str(daemon.proc.pid))))
                    for v in unit.get("ExecReload", [])]
    c.check(len(reload_lines) == 2, "unit: ExecReload= checks, then signals")
    with open(rules, "a") as f:
        f.write("*broken.example  contoso.com\n")
    check = subprocess.run(reload_lines[0], capture_output=True, text=True, timeout=60)
    c.check(check.returncode == 78 and f"{rules}:" in check.stderr,
            f"reload with broken rules: the check fails with 78 and file:line (got {check.returncode})", check.stderr)
    with open(rules, "w") as f:
        f.write(original + "tailspintoys.com  contoso.com  name=tailspin\n")
    for argv in reload_lines:
        c.check(subprocess.run(argv, capture_output=True, timeout=60).returncode == 0, f"reload: `{shlex.join(argv)}` exits 0")
    c.check(daemon.wait_for_log("NOQUEUE: reload: 3 rules loaded"), "reload logged: 3 rules loaded", daemon.log_text())
    code, qid = smtp_answer(postfix.submission_port, "sam@tailspintoys.com", "partner@fabrikam.com", "reloaded")
    got = c.check(code == 250, f"after reload: accepted (got {code})") and delivered(c, sink, "reloaded", "after reload")
    if got:
        c.check(got.mail_from == "sam@contoso.com", f"after reload: the new rule applies (got {got.mail_from})")

    with open(config_path) as f:
        documented = re.search(r"Reloaded with: (kill -USR1 .*)$", f.read(), re.M)
    if c.check(documented is not None, "rewrite-milter.conf names a reload command"):
        run_shell(c, documented.group(1), "rewrite-milter.conf reload command")
        c.check(daemon.wait_for_log("NOQUEUE: reload: 3 rules loaded", count=2), "pid-file reload logged")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prefix", required=True)
    options = parser.parse_args()
    problem = preconditions_problem()
    if problem:
        print("skipped: " + problem)
        return SKIP
    if not os.path.isdir(options.prefix):
        print(f"{options.prefix} does not exist: the install.prefix test must run first")
        return 1
    c = Checker()
    root = tempfile.mkdtemp(prefix="rewrite-walk-")
    try:
        walk(c, os.path.abspath(options.prefix), root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return c.exit_status()


if __name__ == "__main__":
    sys.exit(main())
