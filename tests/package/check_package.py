#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""check_package.py: builds the Debian package, lints it, installs it with apt on this machine, uses
it as an administrator would, then removes and purges it and checks what is left.

Usage: check_package.py --source DIR --work DIR --version X.Y.Z     (run as root)

The steps, each a list of checks (all are run; the exit status counts the failures):
  build     a copy of the source tree: `dpkg-buildpackage -us -uc -b` makes rewrite-milter_X.Y.Z_ARCH.deb,
            and debian/changelog names the version CMake has
  lintian   no error or warning (pedantic included); the only information tags are the one kept and, on
            rewrite-test alone, the fortify heuristic
  install   `apt-get install ./rewrite-milter_...deb`: every promised path, the conffiles, the system
            user and group, the runtime directory, the man pages lint clean
  use       `rewrite-milter -n` with the shipped configuration (0 rules), `systemd-analyze verify` on
            the installed unit; then the unit's ExecStart= run as the unit runs it (User=, Group=, no
            capability) against a private Postfix on 127.0.0.1 that has the documented milter line:
            with the rules as installed a message passes unchanged, with the admin's rules one is
            rewritten and logged; SIGTERM stops it cleanly each time
  remove    `apt-get remove`: programs and unit gone, configuration kept
  purge     `apt-get purge`: configuration and runtime directory gone; the system user stays
Exit 0 when every check passed, 1 otherwise, 77 when not root or a packaging tool is missing.
"""
import argparse
import grp
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "install"))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from capture_sink import CaptureSink  # noqa: E402
from check_install import SKIP, Checker, verify_unit  # noqa: E402
from postfix_instance import PostfixInstance, preconditions_problem  # noqa: E402
from walkthrough import Daemon, as_unit_runs, delivered, exec_command, smtp_answer, unit_settings  # noqa: E402

PACKAGE = "rewrite-milter"
ACCOUNT = "rewrite-milter"
CONFIG = "/etc/rewrite-milter/rewrite-milter.conf"
RULES = "/etc/rewrite-milter/rules"
UNIT = "/lib/systemd/system/rewrite-milter.service"
EXAMPLES = "/usr/share/doc/rewrite-milter/examples"
SOCKET = "/run/rewrite-milter/rewrite-milter.sock"
INSTALLED = ["/usr/sbin/rewrite-milter", "/usr/bin/rewrite-test",
             "/usr/share/man/man1/rewrite-test.1.gz", "/usr/share/man/man5/rewrite-milter.conf.5.gz",
             "/usr/share/man/man5/rewrite-rules.5.gz", "/usr/share/man/man8/rewrite-milter.8.gz",
             CONFIG, RULES, UNIT, "/usr/lib/sysusers.d/rewrite-milter.conf",
             "/usr/lib/tmpfiles.d/rewrite-milter.conf", "/usr/share/doc/rewrite-milter/copyright",
             EXAMPLES + "/systemd/postfix-chroot.conf", EXAMPLES + "/rules/merger.rules"]
# Information tags kept, each explained in README.md "Install on a server".
KEPT_INFO_TAGS = {"package-supports-alternative-init-but-no-init.d-script"}
FORTIFY_HINT = "hardening-no-fortify-functions"
TOOLS = ["dpkg-buildpackage", "dpkg-parsechangelog", "lintian", "apt-get", "dpkg-query", "setpriv",
         "systemd-analyze", "mandoc", "adduser", "gpasswd"]


def run(argv, **kwargs):
    """argv's CompletedProcess, text output, no input."""
    return subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, **kwargs)


def copy_source(source, destination):
    """The source tree without build directories, version control or an earlier package build."""
    skip_top = {".git", "debian/rewrite-milter", "debian/.debhelper", "debian/tmp"}

    def ignore(directory, names):
        relative = os.path.relpath(directory, source)
        ignored = []
        for name in names:
            path = os.path.normpath(os.path.join(relative, name))
            if path in skip_top or (relative == "." and (name.startswith(("build", "obj-")))):
                ignored.append(name)
        return ignored

    shutil.copytree(source, destination, ignore=ignore, symlinks=True)


def step_build(c, options):
    """Builds the package in a copy of the source; returns the path of the .deb and of the .changes."""
    tree = os.path.join(options.work, f"{PACKAGE}-{options.version}")
    copy_source(options.source, tree)
    changelog = run(["dpkg-parsechangelog", "-S", "Version"], cwd=tree).stdout.strip()
    c.check(changelog == options.version, f"debian/changelog version {changelog} is CMake's {options.version}")
    result = run(["dpkg-buildpackage", "-us", "-uc", "-b"], cwd=tree, timeout=1200)
    c.check(result.returncode == 0, f"dpkg-buildpackage -us -uc -b: exit {result.returncode}",
            result.stdout[-4000:] + result.stderr[-4000:])
    arch = run(["dpkg", "--print-architecture"]).stdout.strip()
    deb = os.path.join(options.work, f"{PACKAGE}_{options.version}_{arch}.deb")
    changes = os.path.join(options.work, f"{PACKAGE}_{options.version}_{arch}.changes")
    c.check(os.path.isfile(deb), f"{os.path.basename(deb)} built")
    return deb, changes


def step_lintian(c, changes):
    """lintian on the .changes (the .deb and the build info): nothing but the kept information tags."""
    result = run(["lintian", "--display-info", "--pedantic", "--display-experimental", changes], timeout=600)
    tags = [line for line in result.stdout.splitlines() if re.match(r"^[EWIPX]: ", line)]
    print("lintian:\n  " + "\n  ".join(tags or ["(no tag)"]))
    serious = [t for t in tags if not t.startswith("I: ")]
    c.check(result.returncode == 0 and not serious, f"lintian: no error, warning, pedantic or experimental tag {serious}",
            result.stderr)
    info = {t.split()[2] for t in tags if t.startswith("I: ")}
    # hardening-no-fortify-functions is a heuristic: it names a binary built with _FORTIFY_SOURCE that
    # happens to call no libc function fortification replaces. Allowed for rewrite-test only; the
    # daemon, built with the same flags, must not carry it (which shows the flags are applied).
    fortify = [t for t in tags if t.startswith("I: ") and t.split()[2] == FORTIFY_HINT]
    c.check(all("usr/bin/rewrite-test" in t for t in fortify),
            f"lintian: {FORTIFY_HINT} on rewrite-test at most ({fortify})")
    c.check(info - {FORTIFY_HINT} == KEPT_INFO_TAGS, f"lintian: information tags are the kept ones (got {sorted(info)})")


def purge_earlier_install(c):
    """A package left by an earlier, interrupted run is purged first."""
    if run(["dpkg-query", "-W", "-f=${Status}", PACKAGE]).stdout.strip().endswith("installed"):
        c.check(run(["apt-get", "purge", "-y", PACKAGE]).returncode == 0, "earlier installation purged")


def step_install(c, deb):
    """apt installs the package; every path, conffile, the account and the runtime directory exist."""
    result = run(["apt-get", "install", "-y", "--no-install-recommends", deb], timeout=600,
                 env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    if not c.check(result.returncode == 0, f"apt-get install ./{os.path.basename(deb)}: exit {result.returncode}",
                   result.stdout[-3000:] + result.stderr[-3000:]):
        return False
    for path in INSTALLED:
        c.check(os.path.isfile(path), f"{path} installed")
    for binary in INSTALLED[:2]:
        c.check(os.access(binary, os.X_OK), f"{binary} executable")
    conffiles = run(["dpkg-query", "-W", "-f=${Conffiles}", PACKAGE]).stdout.split()
    c.check(CONFIG in conffiles and RULES in conffiles, f"{CONFIG} and {RULES} are conffiles")
    with open(RULES) as f:
        rules = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    c.check(rules == [], "the shipped rules file has no rule (comments only)")
    try:
        account = pwd.getpwnam(ACCOUNT)
        group = grp.getgrnam(ACCOUNT)
    except KeyError:
        c.check(False, f"system user and group {ACCOUNT} exist")
        return True
    c.check(account.pw_uid < 1000 and account.pw_gid == group.gr_gid, f"{ACCOUNT} is a system user, its own group")
    c.check(account.pw_dir == "/nonexistent" and account.pw_shell == "/usr/sbin/nologin", f"{ACCOUNT}: no home, no shell")
    st = os.stat(os.path.dirname(SOCKET))
    c.check(st.st_uid == account.pw_uid and stat.S_IMODE(st.st_mode) == 0o750,
            "/run/rewrite-milter made at installation, owned by rewrite-milter, mode 0750")
    for page in [p for p in INSTALLED if "/man/" in p]:
        lint = run(["mandoc", "-Tlint", "-W", "warning", page])
        c.check(lint.returncode == 0 and not lint.stdout + lint.stderr, f"mandoc -Tlint -W warning {page}: clean",
                lint.stdout + lint.stderr)
    return True


def step_use(c, work):
    """The shipped configuration checks; the unit's command, run as the unit runs it, rewrites mail."""
    check = run(["/usr/sbin/rewrite-milter", "-n", "-c", CONFIG])
    c.check(check.returncode == 0 and check.stdout.strip() == f"configuration OK: 0 rules from {RULES}",
            f"rewrite-milter -n with the shipped configuration: 0 rules (got {check.returncode}: {check.stdout.strip()})",
            check.stderr)
    c.check(verify_unit("systemd-analyze", UNIT) == "", "systemd-analyze verify on the installed unit: no warning")
    unit = unit_settings(UNIT)
    user, group = unit.get("User", [""])[0], unit.get("Group", [""])[0]
    c.check((user, group) == (ACCOUNT, ACCOUNT), f"unit: User= and Group= are {ACCOUNT}")
    capabilities = " ".join(unit.get("CapabilityBoundingSet", [])).split()

    # The MTA's user in the socket's group and main.cf's milter line, as README.md says; first with
    # the rules as installed (nothing may change), then with the administrator's rules.
    c.check(run(["adduser", "postfix", ACCOUNT]).returncode == 0, f"adduser postfix {ACCOUNT}")
    sink = CaptureSink().start()
    postfix = PostfixInstance(work, sink.port, milter="unix:" + SOCKET)
    try:
        postfix.start()
        argv = as_unit_runs(exec_command(unit["ExecStart"][0]), user, group, capabilities)
        stop_signal = getattr(signal, unit.get("KillSignal", ["SIGTERM"])[0])
        with_daemon(c, argv, stop_signal, os.path.join(work, "journal-empty.log"), 0,
                    lambda daemon: check_unchanged(c, postfix, sink))
        shutil.copy(os.path.join(EXAMPLES, "rules/merger.rules"), RULES)
        with_daemon(c, argv, stop_signal, os.path.join(work, "journal.log"), 2,
                    lambda daemon: check_rewritten(c, postfix, sink, daemon))
    finally:
        postfix.stop()
        sink.stop()
        run(["gpasswd", "-d", "postfix", ACCOUNT])


def with_daemon(c, argv, stop_signal, log_path, rules, use):
    """Starts the installed daemon, checks its socket, calls use(daemon), stops it and checks the stop."""
    daemon = Daemon(argv, log_path)
    try:
        if not c.check(daemon.wait_for_log(f"NOQUEUE: starting: {rules} rules"),
                       f"installed daemon started with {rules} rules", daemon.log_text()):
            return
        mode = os.lstat(SOCKET)
        c.check(pwd.getpwuid(mode.st_uid).pw_name == ACCOUNT and stat.S_IMODE(mode.st_mode) == 0o770,
                f"socket {SOCKET}: {ACCOUNT}, mode 0770")
        use(daemon)
        status = daemon.stop(stop_signal)
        c.check(status == 0, f"installed daemon stops with exit 0 (got {status})")
        c.check(not os.path.lexists(SOCKET), "socket removed by the daemon at stop")
    finally:
        daemon.kill()


def check_unchanged(c, postfix, sink):
    """With the rules as installed, a message passes the milter untouched."""
    code, _ = smtp_answer(postfix.submission_port, "eve@fourthcoffee.com", "partner@fabrikam.com", "package-empty")
    got = c.check(code == 250, f"empty rules: message accepted through the milter (got {code})", postfix.log_text()) \
        and delivered(c, sink, "package-empty", "through the installed milter, empty rules")
    if got:
        c.check(got.mail_from == "eve@fourthcoffee.com" and b"\r\nFrom: Sender <eve@fourthcoffee.com>\r\n" in b"\r\n" + got.data,
                f"empty rules: envelope sender and From unchanged (got {got.mail_from})")


def check_rewritten(c, postfix, sink, daemon):
    """With the administrator's rules, a message is rewritten and the change logged."""
    code, qid = smtp_answer(postfix.submission_port, "eve@fourthcoffee.com", "partner@fabrikam.com", "package-test")
    got = c.check(code == 250, f"message accepted by Postfix with the milter (got {code})", postfix.log_text()) and \
        delivered(c, sink, "package-test", "through the installed milter")
    if got:
        c.check(got.mail_from == "eve@contoso.com", f"envelope sender rewritten (got {got.mail_from})")
        c.check(b"\r\nFrom: Sender <eve@contoso.com>\r\n" in b"\r\n" + got.data, "From: rewritten")
        c.check(daemon.wait_for_log(f"{qid}: from=<eve@fourthcoffee.com> -> <eve@contoso.com> rule=fourthcoffee"),
                "change logged with the queue id", daemon.log_text())


def step_remove(c):
    """Removing keeps the configuration; purging removes it and the runtime files, not the account."""
    c.check(run(["apt-get", "remove", "-y", PACKAGE], timeout=300).returncode == 0, "apt-get remove")
    for path in ["/usr/sbin/rewrite-milter", "/usr/bin/rewrite-test", UNIT]:
        c.check(not os.path.exists(path), f"removed: {path} gone")
    c.check(os.path.isfile(CONFIG) and os.path.isfile(RULES), "removed: the configuration stays")
    c.check(run(["apt-get", "purge", "-y", PACKAGE], timeout=300).returncode == 0, "apt-get purge")
    for path in ["/etc/rewrite-milter", "/run/rewrite-milter", "/usr/share/doc/rewrite-milter",
                 "/usr/lib/sysusers.d/rewrite-milter.conf"]:
        c.check(not os.path.exists(path), f"purged: {path} gone")
    status = run(["dpkg-query", "-W", "-f=${Status}", PACKAGE]).stdout.strip()
    c.check(status in ("", "unknown ok not-installed"), f"purged: dpkg knows nothing of it (got {status!r})")
    try:
        pwd.getpwnam(ACCOUNT)
        kept = True
    except KeyError:
        kept = False
    c.check(kept, f"purged: the system user {ACCOUNT} stays, as Debian packages leave theirs")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--version", required=True)
    options = parser.parse_args()
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    problem = preconditions_problem() or (missing and "missing: " + " ".join(missing)) or \
        (os.geteuid() != 0 and "installing a package needs root")
    if problem:
        print("skipped: " + problem)
        return SKIP
    shutil.rmtree(options.work, ignore_errors=True)
    os.makedirs(options.work)
    c = Checker()
    deb, changes = step_build(c, options)
    if os.path.isfile(deb):
        step_lintian(c, changes)
        purge_earlier_install(c)
        if step_install(c, deb):
            with tempfile.TemporaryDirectory(prefix="rewrite-package-") as work:
                os.chmod(work, 0o755)
                step_use(c, work)
            step_remove(c)
    return c.exit_status()


if __name__ == "__main__":
    sys.exit(main())
