#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""check_install.py: checks what `cmake --install` puts into a prefix, using only installed files.

Usage: check_install.py STEP --build DIR --prefix DIR --version X.Y.Z --data DIR

STEP is one of:
  install   wipe PREFIX and run `cmake --install BUILD --prefix PREFIX`; check the file list
  daemon    the installed rewrite-milter: --version, --check-config on the installed examples
            (exit 0), on broken files (exit 78, file:line on standard error) and bad options (64)
  stop      the installed rewrite-milter stops at once on SIGTERM, SIGINT and SIGHUP (unix and inet)
  tool      the installed rewrite-test on the installed example rules, in each of its modes
  man       the four installed man pages are mdoc with a fixed date, `mandoc -Tlint -W style` clean
  systemd   the installed unit names the installed binary and runs unprivileged; with the drop-in it
            passes `systemd-analyze verify`; sysusers.d and tmpfiles.d work in a scratch root
  postfix   the installed main.cf and master.cf snippets are accepted by postconf(1)
Exit 0 when every check passed, 1 otherwise, 77 when a tool the step needs is missing.
Expected values come from the example files and the documented behaviour, not from runs.
"""
import argparse
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

SKIP = 77

MAN_PAGES = ["man1/rewrite-test.1", "man5/rewrite-milter.conf.5", "man5/rewrite-rules.5",
             "man8/rewrite-milter.8"]
EXAMPLES = ["README.md", "rewrite-milter.conf",
            "rules/group-consolidation.rules", "rules/merger.rules", "rules/partner.rules",
            "rules/shared-address-space.rules", "rules/exchange-export.csv", "rules/empty.rules",
            "shared-address-space/rewrite-milter.conf", "shared-address-space/local-recipients",
            "shared-address-space/cloud-recipients", "shared-address-space/main.cf.snippet",
            "postfix/main.cf", "postfix/master.cf", "postfix/README.md",
            "sendmail/rewrite-milter.mc",
            "systemd/postfix-chroot.conf", "systemd/README.md",
            "ldap/rewrite-milter.schema", "ldap/rewrite-milter.ldif",
            "prometheus/rewrite-milter.yml", "prometheus/rewrite-milter.rules.yml", "prometheus/README.md"]
UNIT = "lib/systemd/system/rewrite-milter.service"
SYSUSERS = "lib/sysusers.d/rewrite-milter.conf"
TMPFILES = "lib/tmpfiles.d/rewrite-milter.conf"
SERVICE_USER = "rewrite-milter"


class Checker:
    """Collects failed checks so that one run reports all of them."""

    def __init__(self):
        self.failures = []

    def check(self, ok, what, detail=""):
        """Records what as failed unless ok (printing detail, if any, below it); returns ok."""
        print(("ok   " if ok else "FAIL ") + what)
        if not ok:
            self.failures.append(what)
            if detail:
                print("---\n" + detail.rstrip() + "\n---")
        return ok

    def exit_status(self):
        """0 when every check passed; otherwise says how many failed and returns 1."""
        if self.failures:
            print(f"{len(self.failures)} check(s) failed")
            return 1
        return 0

    def run(self, argv, expect_exit, stdout_lines=(), stdout_has=(), stderr_has=(),
            stderr_empty=False, stdout_empty=False, cwd=None):
        """Runs argv and checks its exit status and output; returns (stdout, stderr)."""
        result = subprocess.run(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, timeout=60, text=True)
        name = " ".join(os.path.basename(a) if os.path.isabs(a) else a for a in argv)
        ok = self.check(result.returncode == expect_exit,
                        f"{name}: exit {result.returncode}, expected {expect_exit}")
        lines = result.stdout.splitlines()
        for line in stdout_lines:
            ok &= self.check(line in lines, f"{name}: stdout line {line!r}")
        for text in stdout_has:
            ok &= self.check(text in result.stdout, f"{name}: stdout has {text!r}")
        for text in stderr_has:
            ok &= self.check(text in result.stderr, f"{name}: stderr has {text!r}")
        if stderr_empty:
            ok &= self.check(result.stderr == "", f"{name}: stderr empty")
        if stdout_empty:
            ok &= self.check(result.stdout == "", f"{name}: stdout empty")
        if not ok:
            print(f"--- stdout:\n{result.stdout}--- stderr:\n{result.stderr}---")
        return result.stdout, result.stderr


def step_install(c, options):
    """Installs into a fresh prefix and checks that every promised file is there."""
    if os.path.exists(options.prefix):
        shutil.rmtree(options.prefix)
    c.run(["cmake", "--install", options.build, "--prefix", options.prefix], 0)
    for binary in ["sbin/rewrite-milter", "bin/rewrite-test"]:
        path = os.path.join(options.prefix, binary)
        c.check(os.path.isfile(path) and os.access(path, os.X_OK), f"{binary} installed, executable")
    for page in MAN_PAGES:
        c.check(os.path.isfile(os.path.join(options.prefix, "share/man", page)), f"share/man/{page} installed")
    examples = os.path.join(options.prefix, "share/doc/rewrite-milter/examples")
    for example in EXAMPLES:
        c.check(os.path.isfile(os.path.join(examples, example)), f"examples/{example} installed")
    for path in [UNIT, SYSUSERS, TMPFILES]:
        c.check(os.path.isfile(os.path.join(options.prefix, path)), f"{path} installed")
    stray = [os.path.join(d, f) for d, _, files in os.walk(examples) for f in files
             if f == "CMakeLists.txt" or f.endswith((".in", ".cmake", ".sysusers", ".tmpfiles"))]
    c.check(not stray, f"no build file among the installed examples {stray}")
    c.check(not os.path.exists(os.path.join(options.prefix, "etc")), "nothing under etc/ unless REWRITE_INSTALL_ETC")


def current_user_and_group():
    """Returns the names of the user and group running the test (they exist on any machine)."""
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


def step_daemon(c, options):
    """The installed daemon: version, configuration checks that pass and that fail."""
    milter = os.path.join(options.prefix, "sbin/rewrite-milter")
    examples = os.path.join(options.prefix, "share/doc/rewrite-milter/examples")
    rules = os.path.join(examples, "rules")
    c.run([milter, "--version"], 0, stdout_lines=[f"rewrite-milter {options.version}"])
    # The example configuration names user "rewrite-milter" and files under /etc, which a build machine
    # lacks; the command line wins, so point those settings at what exists.
    user, group = current_user_and_group()
    overrides = ["-u", user, "-g", group]
    config = os.path.join(examples, "rewrite-milter.conf")
    for name, count in [("group-consolidation.rules", 2), ("merger.rules", 2), ("partner.rules", 2),
                        ("shared-address-space.rules", 1), ("exchange-export.csv", 3)]:
        path = os.path.join(rules, name)
        c.run([milter, "--check-config", "-c", config, "-r", path] + overrides, 0,
              stdout_lines=[f"configuration OK: {count} rules from {path}"], stderr_empty=True)
    shared = os.path.join(examples, "shared-address-space")
    c.run([milter, "-n", "-c", os.path.join(shared, "rewrite-milter.conf"),
           "-r", os.path.join(rules, "shared-address-space.rules"),
           "--local-recipients", os.path.join(shared, "local-recipients"),
           "--cloud-recipients", os.path.join(shared, "cloud-recipients")] + overrides, 0,
          stdout_has=["shared address space contoso.edu -> live.contoso.edu:"], stderr_empty=True)

    with tempfile.TemporaryDirectory() as tmp:
        bad_rules = os.path.join(tmp, "bad.rules")
        with open(bad_rules, "w") as f:
            f.write("# two errors, on lines 2 and 4\n"
                    "*contoso.com      contoso.com\n"
                    "fourthcoffee.com  contoso.com\n"
                    "sales.*.com       contoso.com\n")
        c.run([milter, "-n", "-c", config, "-r", bad_rules] + overrides, 78,
              stderr_has=[f"{bad_rules}:2: ", f"{bad_rules}:4: "])
        bad_config = os.path.join(tmp, "bad.conf")
        with open(bad_config, "w") as f:
            f.write("# a bad value on line 3, an unknown key on line 4\n"
                    f"rules = {os.path.join(rules, 'merger.rules')}\n"
                    "on-failure = maybe\n"
                    "no-such-setting = 1\n")
        c.run([milter, "-n", "-c", bad_config] + overrides, 78,
              stderr_has=[f"{bad_config}:3: on-failure", f"{bad_config}:4: unknown setting"])
        c.run([milter, "-n", "-c", os.path.join(tmp, "missing.conf")], 78, stderr_has=["missing.conf"])
    # sysexits(3): a bad command line is a usage error in both programs, whatever the mode.
    c.run([milter, "--frobnicate"], 64, stderr_has=["frobnicate"])
    c.run([milter, "-n", "-c", config, "-r", os.path.join(rules, "merger.rules"), "--on-failure", "maybe"] + overrides,
          64, stderr_has=["--on-failure"])
    c.run([os.path.join(options.prefix, "bin/rewrite-test"), "--frobnicate"], 64, stderr_has=["frobnicate"])


def wait_until(condition, timeout):
    """True once condition() holds, False when timeout seconds pass first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def accepts(spec):
    """True when the socket of a unix:/path or inet:PORT@127.0.0.1 spec accepts a connection."""
    family, address = ((socket.AF_UNIX, spec[5:]) if spec.startswith("unix:")
                       else (socket.AF_INET, ("127.0.0.1", int(spec[5:].split("@")[0]))))
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.connect(address)
            return True
        except OSError:
            return False


def running(pid):
    """True while process pid exists and is not a zombie (a detached daemon's parent may not reap it)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return not any(line.startswith("State:") and "Z" in line.split()[1] for line in f)
    except OSError:
        return False


class ForegroundDaemon:
    """The installed daemon in the foreground (-f) on a socket, its output in a log file; killed at the
    end of the with-block if it is still running."""

    def __init__(self, milter, rules, spec, user, group, log_path):
        self.spec, self.log_path = spec, log_path
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen([milter, "-f", "-r", rules, "-s", spec, "-u", user, "-g", group],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def log_text(self):
        """What the daemon has written so far."""
        with open(self.log_path) as f:
            return f.read()

    def started(self, timeout):
        """True once it accepts connections and has logged its start (its signal handling is up)."""
        return wait_until(lambda: self.proc.poll() is not None or accepts(self.spec), timeout) and \
            self.proc.poll() is None and wait_until(lambda: "NOQUEUE: starting: " in self.log_text(), timeout)

    def check_stop(self, c, name, signum, limit, wait=10):
        """Sends signum and checks a clean stop: exit 0 within limit seconds, the stop logged by the
        daemon's own handler, the unix socket removed. Returns the log."""
        signalled = time.monotonic()
        self.proc.send_signal(signum)
        try:
            status = self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            status = None
        took = time.monotonic() - signalled
        text = self.log_text()
        c.check(status == 0, f"{name}: exit {status}, expected 0")
        c.check(took < limit, f"{name}: stopped after {took:.2f} s, expected under {limit:g} s")
        c.check(f"NOQUEUE: stop requested by {signum.name}" in text, f"{name}: stop logged by the daemon's handler")
        if self.spec.startswith("unix:"):
            c.check(not os.path.exists(self.spec[5:]), f"{name}: socket file removed")
        return text


def step_stop(c, options):
    """The installed daemon stops promptly on SIGTERM, SIGINT and SIGHUP (libmilter alone takes up to five
    seconds), exits 0, logs why and removes its unix socket."""
    milter = os.path.join(options.prefix, "sbin/rewrite-milter")
    rules = os.path.join(options.prefix, "share/doc/rewrite-milter/examples/rules/merger.rules")
    user, group = current_user_and_group()
    with tempfile.TemporaryDirectory() as tmp:
        unix_spec = "unix:" + os.path.join(tmp, "milter.sock")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            inet_spec = "inet:%d@127.0.0.1" % probe.getsockname()[1]
        for signum, spec in [(signal.SIGTERM, unix_spec), (signal.SIGTERM, unix_spec), (signal.SIGTERM, unix_spec),
                             (signal.SIGINT, unix_spec), (signal.SIGHUP, unix_spec), (signal.SIGTERM, inet_spec)]:
            name = f"rewrite-milter -s {spec.split(':')[0]}: {signum.name}"
            with ForegroundDaemon(milter, rules, spec, user, group, os.path.join(tmp, "log")) as daemon:
                if c.check(daemon.started(10), f"{name}: daemon accepts connections and has started"):
                    daemon.check_stop(c, name, signum, 2.0)
        check_detached_stop(c, milter, rules, user, group, tmp)
        check_stop_during_reload(c, milter, user, group, tmp)


def check_stop_during_reload(c, milter, user, group, tmp):
    """SIGTERM right after SIGUSR1, while a large table reloads: the daemon's own handler still takes it
    (a reload runs beside the signal handling), lets the reload finish, and stops cleanly."""
    name = "rewrite-milter: SIGTERM during a reload"
    big = os.path.join(tmp, "big.rules")
    with open(big, "w") as f:
        f.writelines("user%d@host%d.example.com  user%d@contoso.com\n" % (i, i % 1000, i) for i in range(200000))
    spec = "unix:" + os.path.join(tmp, "reload.sock")
    with ForegroundDaemon(milter, big, spec, user, group, os.path.join(tmp, "reload.log")) as daemon:
        if not c.check(daemon.started(60), f"{name}: daemon started"):
            return
        daemon.proc.send_signal(signal.SIGUSR1)
        time.sleep(0.05)
        text = daemon.check_stop(c, name, signal.SIGTERM, 4.0, wait=20)
        c.check("NOQUEUE: reload: 200000 rules loaded" in text, f"{name}: the reload in progress finished")


def check_detached_stop(c, milter, rules, user, group, tmp):
    """Detached, with a relative socket path and pid file: SIGTERM removes both (the daemon has changed
    to / by then, so it must have made them absolute at start)."""
    name = "rewrite-milter (detached) -s unix:relative.sock"
    socket_file, pid_file = os.path.join(tmp, "relative.sock"), os.path.join(tmp, "relative.pid")
    c.run([milter, "-r", rules, "-s", "unix:relative.sock", "-p", "relative.pid", "-u", user, "-g", group],
          0, cwd=tmp)
    made = wait_until(lambda: os.path.exists(pid_file) and os.path.exists(socket_file), 10)
    if not c.check(made, f"{name}: socket and pid file made"):
        return
    with open(pid_file) as f:
        pid = int(f.read().strip())
    os.kill(pid, signal.SIGTERM)
    # This signal may come before the daemon waits for signals; libmilter's own signal thread may then
    # take it, and its stop takes up to five seconds. Speed is checked above; here, the clean-up.
    if not c.check(wait_until(lambda: not running(pid), 8), f"{name}: stopped on SIGTERM"):
        os.kill(pid, signal.SIGKILL)
        return
    c.check(not os.path.exists(socket_file), f"{name}: relative socket removed at exit")
    c.check(not os.path.exists(pid_file), f"{name}: relative pid file removed at exit")


def step_tool(c, options):
    """The installed rewrite-test on the installed example rules, one run per mode."""
    tool = os.path.join(options.prefix, "bin/rewrite-test")
    rules = os.path.join(options.prefix, "share/doc/rewrite-milter/examples/rules")
    group = os.path.join(rules, "group-consolidation.rules")
    merger = os.path.join(rules, "merger.rules")
    c.run([tool, "--version"], 0, stdout_lines=[f"rewrite-test (rewrite-milter) {options.version}"])
    # One address, each direction.
    c.run([tool, "-r", group, "--outbound", "masato@japan.sales.contoso.com"], 0,
          stdout_lines=[f"outbound masato@japan.sales.contoso.com -> masato@contoso.jp (rule japan-sales, {group}:5)"])
    c.run([tool, "-r", merger, "--inbound", "adam@contoso.com", "--outbound", "eve@fourthcoffee.com"], 0,
          stdout_lines=[f"inbound adam@contoso.com -> adam@fourthcoffee.com (rule adam, {merger}:5)",
                        f"outbound eve@fourthcoffee.com -> eve@contoso.com (rule fourthcoffee, {merger}:2)"])
    csv = os.path.join(rules, "exchange-export.csv")
    c.run([tool, "-r", csv, "--outbound", "pat@legal.contoso.com"], 0,
          stdout_lines=["outbound pat@legal.contoso.com: unchanged"])
    # A message: printed rewritten, changes on standard error; then as a diff.
    message = os.path.join(options.data, "outbound.eml")
    out, _ = c.run([tool, "-r", group, "--message", message, "--mail-from", "chris@sales.contoso.com",
                    "--rcpt", "partner@example.net"], 0,
                   stdout_lines=["From: Chris <chris@contoso.com>", "To: partner@example.net",
                                 "Received: from ws1.sales.contoso.com by mx.contoso.com; Mon, 2 Mar 2026 10:00:00 +0000",
                                 "Sent by chris@sales.contoso.com."],
                   stderr_has=["from=<chris@sales.contoso.com> -> <chris@contoso.com> rule=flatten-contoso"])
    c.run([tool, "-r", group, "--message", message, "--mail-from", "chris@sales.contoso.com", "--diff"], 0,
          stdout_lines=["-MAIL FROM:<chris@sales.contoso.com>", "+MAIL FROM:<chris@contoso.com>",
                        "-From: Chris <chris@sales.contoso.com>", "+From: Chris <chris@contoso.com>"])
    # Cases: all pass; one wrong expectation fails with exit 1.
    c.run([tool, "-r", group, "--cases", os.path.join(options.data, "group-consolidation.cases")], 0,
          stdout_lines=["5 passed, 0 failed"])
    with tempfile.TemporaryDirectory() as tmp:
        wrong = os.path.join(tmp, "wrong.cases")
        with open(wrong, "w") as f:
            f.write("outbound masato@japan.sales.contoso.com masato@contoso.com\n")
        c.run([tool, "-r", group, "--cases", wrong], 1, stdout_lines=["0 passed, 1 failed"])
    # Address check: flattening makes two Chrises one.
    c.run([tool, "-r", group, "--check-addresses", os.path.join(options.data, "mailboxes.txt")], 1,
          stdout_has=["collision: chris@sales.contoso.com (line 1) and chris@research.contoso.com (line 2) both become chris@contoso.com"])


# mandoc's messages about finding other manuals depend on the machine's index, not on the pages.
MAN_LOOKUP_MESSAGES = ("referenced manual not found", "outdated mandoc.db")


def step_man(c, options):
    """Each installed man page is mdoc(7), has a fixed date and lints clean at every level, style
    included (only the cross-reference lookups, which depend on the machine's manual index, are set
    aside)."""
    mandoc = shutil.which("mandoc")
    if mandoc is None:
        print("mandoc not found: cannot lint the man pages")
        sys.exit(SKIP)
    for page in MAN_PAGES:
        path = os.path.join(options.prefix, "share/man", page)
        result = subprocess.run([mandoc, "-Tlint", "-W", "style", path], capture_output=True, text=True, timeout=60)
        messages = [line for line in (result.stdout + result.stderr).splitlines()
                    if not any(lookup in line for lookup in MAN_LOOKUP_MESSAGES)]
        c.check(not messages, f"mandoc -Tlint -W style {page}: clean", "\n".join(messages))
        with open(path) as f:
            text = f.read()
        c.check(re.search(r"(?m)^\.Dd [A-Z][a-z]+ [0-9]{1,2}, [0-9]{4}$", text) is not None and "\n.TH " not in text,
                f"{page}: mdoc with a fixed .Dd date")


def step_systemd(c, options):
    """The installed unit names the installed binary and verifies cleanly with its drop-in; the sysusers.d
    and tmpfiles.d entries create the system user and the runtime directory in a scratch root."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("systemd-analyze not found: cannot verify the unit")
        sys.exit(SKIP)
    examples = os.path.join(options.prefix, "share/doc/rewrite-milter/examples/systemd")
    milter = os.path.join(options.prefix, "sbin/rewrite-milter")
    with open(os.path.join(options.prefix, UNIT)) as f:
        unit = f.read()
    c.check(f"\nExecStart={milter} -f -c /etc/rewrite-milter/rewrite-milter.conf\n" in unit,
            "unit: ExecStart= names the installed binary (sbin path filled in at install time)")
    c.check(f"\nUser={SERVICE_USER}\n" in unit and f"\nGroup={SERVICE_USER}\n" in unit,
            f"unit: runs as {SERVICE_USER} from the start")
    c.check("\nCapabilityBoundingSet=\n" in unit, "unit: no capability at all")
    c.check("@SBINDIR@" not in unit, "unit: no placeholder left")
    c.check(verify_unit(analyze, os.path.join(options.prefix, UNIT), os.path.join(examples, "postfix-chroot.conf")) == "",
            "systemd-analyze verify: unit and chroot drop-in, no warning")
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "etc"))
        c.run(["systemd-sysusers", "--root=" + root, os.path.join(options.prefix, SYSUSERS)], 0)
        with open(os.path.join(root, "etc/passwd")) as f:
            entry = [line.strip().split(":") for line in f if line.startswith(SERVICE_USER + ":")]
        c.check(len(entry) == 1 and entry[0][5:] == ["/nonexistent", "/usr/sbin/nologin"],
                f"sysusers.d: system user {SERVICE_USER}, no home, no shell (got {entry})")
        c.run(["systemd-tmpfiles", "--root=" + root, "--create", os.path.join(options.prefix, TMPFILES)], 0)
        st = os.stat(os.path.join(root, "run/rewrite-milter"))
        uid = int(entry[0][2]) if entry else -1
        c.check(st.st_uid == uid and stat.S_IMODE(st.st_mode) == 0o750,
                f"tmpfiles.d: /run/rewrite-milter owned by {SERVICE_USER}, mode 0750")


def verify_unit(analyze, unit_path, *drop_ins):
    """What `systemd-analyze verify` prints for the unit with its drop-ins ("" when clean)."""
    with tempfile.TemporaryDirectory() as tmp:
        name = os.path.basename(unit_path)
        shutil.copy(unit_path, os.path.join(tmp, name))
        os.mkdir(os.path.join(tmp, name + ".d"))
        for drop_in in drop_ins:
            shutil.copy(drop_in, os.path.join(tmp, name + ".d"))
        env = dict(os.environ, SYSTEMD_UNIT_PATH=tmp + ":", SYSTEMD_LOG_LEVEL="info")
        result = subprocess.run([analyze, "verify", "--man=no", name], cwd=tmp, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, timeout=60)
        output = result.stdout.strip()
        if result.returncode != 0 and not output:
            output = f"exit {result.returncode}"
        if output:
            print(output)
        return output


def step_postfix(c, options):
    """The installed Postfix snippets, added to an empty configuration, are all known to postconf."""
    postconf = shutil.which("postconf") or ("/usr/sbin/postconf" if os.path.exists("/usr/sbin/postconf") else None)
    if postconf is None:
        print("postconf not found: cannot check the Postfix snippets")
        sys.exit(SKIP)
    examples = os.path.join(options.prefix, "share/doc/rewrite-milter/examples/postfix")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(os.path.join(examples, "main.cf"), os.path.join(tmp, "main.cf"))
        shutil.copy(os.path.join(examples, "master.cf"), os.path.join(tmp, "master.cf"))
        c.run([postconf, "-c", tmp, "-n"], 0, stderr_empty=True,
              stdout_lines=["smtpd_milters = unix:/rewrite/rewrite.sock",
                            "non_smtpd_milters = $smtpd_milters",
                            "milter_default_action = tempfail", "milter_protocol = 6"])
        # Expanded, the sendmail(1) path gets the same milter.
        c.run([postconf, "-c", tmp, "-x", "-h", "non_smtpd_milters"], 0,
              stdout_lines=["unix:/rewrite/rewrite.sock"])
        c.run([postconf, "-c", tmp, "-P", "submission/inet/milter_macro_daemon_name"], 0,
              stdout_lines=["submission/inet/milter_macro_daemon_name = ORIGINATING"], stderr_empty=True)
        c.run([postconf, "-c", tmp, "-M", "submission/inet"], 0,
              stdout_has=["submission inet  n       -       y       -       -       smtpd"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["install", "daemon", "stop", "tool", "man", "systemd", "postfix"])
    parser.add_argument("--build", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--data", required=True)
    options = parser.parse_args()
    if options.step != "install" and not os.path.isdir(options.prefix):
        print(f"{options.prefix} does not exist: the install.prefix test must run first")
        return 1
    c = Checker()
    globals()["step_" + options.step](c, options)
    return c.exit_status()


if __name__ == "__main__":
    sys.exit(main())
