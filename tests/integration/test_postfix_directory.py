# SPDX-License-Identifier: BSD-2-Clause
"""The shared address space's recipient lists from a real LDAP directory: a private slapd on 127.0.0.1
and an ldapi socket, rewrite-milter reading it, a private Postfix sending real mail through both.

Directory (slapd_instance.py): ou=staff holds 250 inetOrgPerson entries with mail (more than the
server's size limit of 100, so only a paged search reads them all) and dean, who also has an address in
another domain; ou=students holds cloud users the way Active Directory keeps them, in proxyAddresses
with SMTP:/smtp: prefixes beside other address types. Spec: rewrite-milter.conf(5) DIRECTORY: only
addresses of the shared domain count, only smtp-typed proxyAddresses; the lists are read at start, on
SIGUSR1 and every ldap-refresh seconds, all or nothing; the last good snapshot serves a restart while
the directory is down; with neither the daemon does not start.
"""

import os
import pwd
import shutil
import subprocess
import time
import unittest

from capture_sink import CaptureSink
from harness import FOREIGN_CLIENT, crlf, main, send_one
from milter_process import MilterProcess, milter_binary
from postfix_instance import PostfixInstance, preconditions_problem as postfix_problem
from slapd_instance import SERVICE_DN, SERVICE_PASSWORD, SUFFIX, SlapdInstance, preconditions_problem as slapd_problem
from staged_environment import StagedEnvironment

STAFF = "".join("dn: uid=staff%d,ou=staff,%s\nobjectClass: inetOrgPerson\nuid: staff%d\ncn: Staff %d\nsn: %d\n"
                "mail: staff%d@contoso.edu\n\n" % (i, SUFFIX, i, i, i, i) for i in range(250))
DIRECTORY = (
    "dn: ou=staff,%s\nobjectClass: organizationalUnit\nou: staff\n\n" % SUFFIX + STAFF +
    "dn: uid=dean,ou=staff,%s\nobjectClass: inetOrgPerson\nuid: dean\ncn: Dean\nsn: Dean\n"
    "mail: Dean@Contoso.EDU\nmail: dean@elsewhere.example\n\n" % SUFFIX +
    "dn: ou=students,%s\nobjectClass: organizationalUnit\nou: students\n\n" % SUFFIX +
    "dn: uid=ana,ou=students,%s\nobjectClass: inetOrgPerson\nobjectClass: rewriteTestMailUser\nuid: ana\ncn: Ana\n"
    "sn: Ana\nproxyAddresses: SMTP:ana@contoso.edu\nproxyAddresses: smtp:ana.alias@contoso.edu\n"
    "proxyAddresses: X500:/o=Contoso/ou=Students/cn=ana.x500@contoso.edu\nproxyAddresses: smtp:ana@live.contoso.edu\n\n"
    % SUFFIX)
STAFF_URL = "/ou=staff,%s?mail?sub?(objectClass=inetOrgPerson)" % SUFFIX
STUDENTS_URL = "/ou=students,%s?proxyAddresses?one?(objectClass=rewriteTestMailUser)" % SUFFIX


def student(uid: str, address: str) -> str:
    return ("dn: uid=%s,ou=students,%s\nchangetype: add\nobjectClass: inetOrgPerson\nobjectClass: rewriteTestMailUser\n"
            "uid: %s\ncn: %s\nsn: %s\nproxyAddresses: SMTP:%s\n\n" % (uid, SUFFIX, uid, uid, uid, address))


class DirectoryEnvironment(StagedEnvironment):
    """slapd, a capture sink, rewrite-milter (lists from slapd, simple bind) and Postfix."""

    def __init__(self):
        super().__init__("rewrite-it-ldap-")
        self.slapd = SlapdInstance(self.base_dir, DIRECTORY)
        self.sink = CaptureSink()
        postfix_uid = pwd.getpwnam("postfix").pw_uid
        self.cache = os.path.join(self.base_dir, "cache")
        os.mkdir(self.cache)
        os.chown(self.cache, postfix_uid, -1)  # the milter runs as postfix
        self.password_file = os.path.join(self.base_dir, "ldap.secret")
        with open(self.password_file, "w") as f:
            f.write(SERVICE_PASSWORD + "\n")
        os.chown(self.password_file, postfix_uid, -1)
        os.chmod(self.password_file, 0o600)
        rules = os.path.join(self.base_dir, "rules")
        with open(rules, "w") as f:
            f.write("live.contoso.edu  contoso.edu  name=cloud-senders\n")
        os.chmod(rules, 0o644)
        self.milter_args = ["--shared-domain", "contoso.edu", "--routing-domain", "live.contoso.edu",
                            "--local-recipients", self.slapd.ldap_url + STAFF_URL,
                            "--cloud-recipients", self.slapd.ldapi_url + STUDENTS_URL,
                            "--ldap-bind", "simple", "--ldap-bind-dn", SERVICE_DN,
                            "--ldap-password-file", self.password_file, "--ldap-cache", self.cache,
                            "--ldap-refresh", "10"]
        self.milter = MilterProcess(milter_binary(), self.base_dir, rules, self.milter_args)
        self.postfix = None

    def start_order(self):
        yield self.slapd
        yield self.sink
        yield self.milter
        self.postfix = PostfixInstance(self.base_dir, self.sink.port, self.milter.postfix_socket,
                                       "contoso.edu, live.contoso.edu, fabrikam.com")
        yield self.postfix


class DirectoryTest(unittest.TestCase):
    """One environment per test: each changes the directory or stops parts of it."""

    def setUp(self):
        problem = postfix_problem() or slapd_problem()
        if problem:
            self.skipTest(problem)
        self.env = DirectoryEnvironment()
        self.addCleanup(self.env.stop)
        self.env.start()

    def send(self, recipient, subject):
        """Send one inbound message; return the SMTP result."""
        text = crlf("From: friend@fabrikam.com\nTo: %s\nSubject: %s\n\nhi\n" % (recipient, subject))
        return send_one(self.env.postfix.smtp_port, "friend@fabrikam.com", [recipient], text, client_addr=FOREIGN_CLIENT)

    def routed(self, recipient, subject):
        """The envelope recipients the message for recipient reached the sink with."""
        result = self.send(recipient, subject)
        self.assertEqual(250, result.code, "%s: %s\n%s" % (recipient, result.text, self.diagnostics()))
        try:
            return self.env.sink.wait_for_marker("Subject: %s\r\n" % subject, 30).rcpt_to
        except (TimeoutError, AssertionError) as e:
            self.fail("%s\n%s" % (e, self.diagnostics()))

    def diagnostics(self):
        return "--- milter log:\n" + self.env.milter.log_text()[-3000:] + "\n--- slapd log:\n" + self.env.slapd.log_text()[-2000:]

    def wait_for_log(self, text, count=1, timeout=30):
        deadline = time.monotonic() + timeout
        while self.env.milter.log_text().count(text) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.env.milter.log_text().count(text) >= count

    def test_lists_come_from_the_directory(self):
        # The server's limit is real: the same search without paging fails for the service account.
        unpaged = subprocess.run(["ldapsearch", "-x", "-H", self.env.slapd.ldap_url, "-D", SERVICE_DN, "-w",
                                  SERVICE_PASSWORD, "-b", "ou=staff," + SUFFIX, "(objectClass=inetOrgPerson)", "mail"],
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(4, unpaged.returncode, unpaged.stderr)  # sizeLimitExceeded
        self.assertIn("shared space contoso.edu: 251 local and 2 cloud recipients", self.env.milter.log_text())
        self.assertEqual(["staff249@contoso.edu"], self.routed("staff249@contoso.edu", "ldap-paged"))  # past page 1
        self.assertEqual(["dean@contoso.edu"], self.routed("dean@contoso.edu", "ldap-dean"))
        self.assertEqual(["ana.alias@live.contoso.edu"], self.routed("ana.alias@contoso.edu", "ldap-alias"))
        self.assertEqual(["ana@live.contoso.edu"], self.routed("ana@contoso.edu", "ldap-primary"))
        for refused in ("nobody@contoso.edu", "ana.x500@contoso.edu"):
            result = self.send(refused, "ldap-refused")
            self.assertEqual(550, result.code, refused + ": " + result.text)
            self.assertIn("5.1.1", result.text)
        with open(os.path.join(self.env.cache, "cloud-recipients")) as f:
            snapshot = f.read()
        self.assertIn("ana.alias@contoso.edu # uid=ana,ou=students,dc=contoso,dc=edu\n", snapshot)
        self.assertNotIn("live.contoso.edu", snapshot.split("\n", 1)[1])

    def test_directory_changes_are_followed_on_reload_and_on_refresh(self):
        self.env.slapd.modify(student("newbie", "newbie@contoso.edu"))
        self.assertEqual(550, self.send("newbie@contoso.edu", "ldap-before").code)  # not read yet
        self.env.milter.reload()
        self.assertTrue(self.wait_for_log("reload: 1 rules loaded from"), self.diagnostics())
        self.assertTrue(self.wait_for_log("251 local and 3 cloud recipients"), self.diagnostics())
        self.assertEqual(["newbie@live.contoso.edu"], self.routed("newbie@contoso.edu", "ldap-after-reload"))
        # Without a signal: ldap-refresh (10 s) reads the directory again.
        self.env.slapd.modify(student("late", "late@contoso.edu"))
        self.assertTrue(self.wait_for_log("251 local and 4 cloud recipients", timeout=30), self.diagnostics())
        self.assertEqual(["late@live.contoso.edu"], self.routed("late@contoso.edu", "ldap-after-refresh"))

    def test_check_addresses_against_the_directory(self):
        # Two people called Chris in two subdomains: flattening would give both chris@contoso.edu.
        for uid, domain in (("chris.sales", "sales.contoso.edu"), ("chris.research", "research.contoso.edu")):
            self.env.slapd.modify("dn: uid=%s,ou=staff,%s\nchangetype: add\nobjectClass: inetOrgPerson\nuid: %s\n"
                                  "cn: Chris\nsn: Chris\nmail: chris@%s\n\n" % (uid, SUFFIX, uid, domain))
        rules = os.path.join(self.env.base_dir, "flatten.rules")
        with open(rules, "w") as f:
            f.write("*.contoso.edu  contoso.edu  name=flatten\n")
        url = self.env.slapd.ldap_url + "/%s?mail,proxyAddresses?sub?(|(mail=*)(proxyAddresses=*))" % SUFFIX
        result = subprocess.run([os.environ["REWRITE_TEST"], "-r", rules, "--check-addresses", url],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(1, result.returncode, result.stdout + result.stderr)
        collisions = [line for line in result.stdout.splitlines() if ": collision: " in line]
        self.assertEqual(1, len(collisions), result.stdout)
        self.assertTrue(collisions[0].startswith("uid=chris.research,ou=staff,%s: collision: " % SUFFIX) or
                        collisions[0].startswith("uid=chris.sales,ou=staff,%s: collision: " % SUFFIX), collisions[0])
        self.assertIn("chris@contoso.edu", collisions[0])
        # 250 staff + dean (2 addresses) + ana (3 smtp addresses) + the two Chrises.
        self.assertTrue(result.stdout.rstrip().endswith("257 addresses checked, %d findings" % (
            len([l for l in result.stdout.splitlines() if l.startswith("uid=")]))), result.stdout[-500:])

    def test_sasl_external_bind_over_ldapi(self):
        # rewrite-test runs as root: slapd maps root's peer credentials to the service account.
        conf = os.path.join(self.env.base_dir, "external.conf")
        rules = os.path.join(self.env.base_dir, "none.rules")
        with open(rules, "w") as f:
            f.write("# no rule\n")
        with open(conf, "w") as f:
            f.write("rules = %s\nldap-bind = external\n" % rules)
        url = self.env.slapd.ldapi_url + STAFF_URL
        result = subprocess.run([os.environ["REWRITE_TEST"], "-c", conf, "--check-addresses", url],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        # 250 staff, and dean with two mail values (the check takes every address of an entry).
        self.assertEqual("252 addresses checked, 0 findings", result.stdout.strip().splitlines()[-1])
        who = subprocess.run(["ldapwhoami", "-Y", "EXTERNAL", "-H", self.env.slapd.ldapi_url], capture_output=True,
                             text=True, timeout=60)
        self.assertIn("dn:" + SERVICE_DN, who.stdout, who.stderr)  # the identity the tool had, and its limits

    def test_when_the_directory_is_down(self):
        self.env.slapd.stop()
        # A reload fails as a whole and the lists in force stay.
        self.env.milter.reload()
        self.assertTrue(self.wait_for_log("reload failed: keeping the previous rules and recipient lists"),
                        self.diagnostics())
        self.assertEqual(["ana@live.contoso.edu"], self.routed("ana@contoso.edu", "ldap-down-kept"))
        # A restart serves the cached snapshot and says so.
        self.env.milter.stop()
        self.env.milter.start()
        self.assertTrue(self.wait_for_log("directory unreachable ("), self.diagnostics())
        self.assertIn("serving the cached snapshot " + os.path.join(self.env.cache, "cloud-recipients"),
                      self.env.milter.log_text())
        self.assertEqual(["ana.alias@live.contoso.edu"], self.routed("ana.alias@contoso.edu", "ldap-down-cached"))
        self.assertEqual(["staff7@contoso.edu"], self.routed("staff7@contoso.edu", "ldap-down-cached-local"))
        self.env.milter.stop()
        # Neither directory nor snapshot: the daemon refuses to start, and says why.
        shutil.rmtree(self.env.cache)
        os.mkdir(self.env.cache)
        result = subprocess.run(self.env.milter.command(), capture_output=True, text=True, timeout=60)
        self.assertEqual(78, result.returncode, result.stdout + result.stderr)
        self.assertIn("and no cached snapshot", result.stderr)
        self.assertIn(self.env.slapd.ldap_url + STAFF_URL, result.stderr)


if __name__ == "__main__":
    main()
