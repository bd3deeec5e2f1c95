# SPDX-License-Identifier: BSD-2-Clause
"""The shared address space's recipient lists, and the rules, from a real LDAP directory: a private slapd
on 127.0.0.1 (ldap and ldaps) and an ldapi socket, rewrite-milter reading it, a private Postfix sending
real mail through both.

Directory (slapd_instance.py): ou=staff holds 250 inetOrgPerson entries with mail (more than the
server's size limit of 100, so only a paged search reads them all) and dean, who also has an address in
another domain; ou=students holds cloud users the way Active Directory keeps them, in proxyAddresses
with SMTP:/smtp: prefixes beside other address types. Spec: rewrite-milter.conf(5) DIRECTORY: only
addresses of the shared domain count, only smtp-typed proxyAddresses; the lists are read at start, on
SIGUSR1 and every ldap-refresh seconds, all or nothing; the last good snapshot serves a restart while
the directory is down; with neither the daemon does not start. ou=rewrite holds rules as entries of
contrib/ldap/rewrite-milter.schema, read over ldaps (the server's certificate checked against
ldap-tls-ca-file): checked as a rules file, errors naming the DN, all or nothing, cached as rules.csv.
"""

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
import unittest
import urllib.request

from capture_sink import CaptureSink
from harness import FOREIGN_CLIENT, crlf, main, send_one
from milter_process import MilterProcess, milter_binary
from postfix_instance import PostfixInstance, free_port, preconditions_problem as postfix_problem
from slapd_instance import (CONTRIB_LDAP, SCHEMA_DIR, SERVICE_DN, SERVICE_PASSWORD, SUFFIX, SlapdInstance,
                            preconditions_problem as slapd_problem)
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
RULES = (
    "dn: ou=rewrite,%s\nobjectClass: organizationalUnit\nou: rewrite\n\n" % SUFFIX +
    "dn: cn=Cloud senders,ou=rewrite,%s\nobjectClass: addressRewriteEntry\ncn: Cloud senders\n"
    "addressRewriteInternal: live.contoso.edu\naddressRewriteExternal: contoso.edu\n\n" % SUFFIX +
    "dn: cn=Flatten,ou=rewrite,%s\nobjectClass: addressRewriteEntry\ncn: Flatten\n"
    "addressRewriteInternal: *.contoso.edu\naddressRewriteExternal: contoso.edu\n"
    "addressRewriteOption: except=legal.contoso.edu\n\n" % SUFFIX +
    "dn: cn=Help desk,ou=rewrite,%s\nobjectClass: addressRewriteEntry\ncn: Help desk\n"
    "addressRewriteInternal: helpdesk@it.contoso.edu\naddressRewriteExternal: help@contoso.edu\n"
    "addressRewriteOption: outbound-only\naddressRewriteOption: name=helpdesk\n\n" % SUFFIX)
RULES_URL = ("/ou=rewrite,%s?addressRewriteInternal,addressRewriteExternal,addressRewriteOption?one?"
             "(objectClass=addressRewriteEntry)" % SUFFIX)
STAFF_URL = "/ou=staff,%s?mail?sub?(objectClass=inetOrgPerson)" % SUFFIX
STUDENTS_URL = "/ou=students,%s?proxyAddresses?one?(objectClass=rewriteTestMailUser)" % SUFFIX


def student(uid: str, address: str) -> str:
    return ("dn: uid=%s,ou=students,%s\nchangetype: add\nobjectClass: inetOrgPerson\nobjectClass: rewriteTestMailUser\n"
            "uid: %s\ncn: %s\nsn: %s\nproxyAddresses: SMTP:%s\n\n" % (uid, SUFFIX, uid, uid, uid, address))


def rule_entry(name: str, internal: str, external: str, *options: str) -> str:
    return ("dn: cn=%s,ou=rewrite,%s\nchangetype: add\nobjectClass: addressRewriteEntry\ncn: %s\n"
            "addressRewriteInternal: %s\naddressRewriteExternal: %s\n" % (name, SUFFIX, name, internal, external) +
            "".join("addressRewriteOption: %s\n" % option for option in options) + "\n")


class DirectoryEnvironment(StagedEnvironment):
    """slapd, a capture sink, rewrite-milter (lists from slapd, simple bind) and Postfix; with
    rules_from_directory, the rules too, over ldaps."""

    def __init__(self, rules_from_directory: bool = False):
        super().__init__("rewrite-it-ldap-")
        self.slapd = SlapdInstance(self.base_dir, DIRECTORY + RULES, tls=rules_from_directory)
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
                            "--ldap-refresh", "10", "--metrics", "127.0.0.1:%d" % free_port()]
        if rules_from_directory:
            rules = self.slapd.ldaps_url + RULES_URL
            self.milter_args += ["--ldap-tls-ca-file", os.path.join(self.slapd.dir, "ca.pem")]
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

    RULES_FROM_DIRECTORY = False

    def setUp(self):
        problem = postfix_problem() or slapd_problem()
        if problem:
            self.skipTest(problem)
        self.env = DirectoryEnvironment(self.RULES_FROM_DIRECTORY)
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
        # ... and the metrics count the failed load beside the first one.
        metrics_address = self.env.milter_args[self.env.milter_args.index("--metrics") + 1]
        with urllib.request.urlopen("http://%s/metrics" % metrics_address, timeout=10) as response:
            metrics = response.read().decode()
        failed = re.search(r'^rewrite_milter_reloads_total\{result="failed"\} (\d+)$', metrics, re.M)
        self.assertTrue(failed, metrics)
        self.assertGreaterEqual(int(failed.group(1)), 1)  # the signal's (and perhaps a refresh's) by now
        self.assertIn('rewrite_milter_reloads_total{result="succeeded"} 1\n', metrics)
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



def schema_definitions(ldif_text: str):
    """The olcAttributeTypes and olcObjectClasses values of an LDIF entry, unfolded, without their {N}
    ordering prefix, white space collapsed."""
    unfolded = re.sub(r"\n ", "", ldif_text)
    values = []
    for line in unfolded.splitlines():
        name, _, value = line.partition(": ")
        if name in ("olcAttributeTypes", "olcObjectClasses"):
            values.append((name, " ".join(re.sub(r"^\{\d+\}", "", value).split())))
    return values


class SchemaTest(unittest.TestCase):
    """contrib/ldap: the cn=config LDIF is the schema file as OpenLDAP itself converts it."""

    def test_ldif_matches_the_schema_file(self):
        if slapd_problem() or not shutil.which("slaptest", path=os.environ.get("PATH", "") + ":/usr/sbin"):
            self.skipTest("slapd is needed")
        work = tempfile.mkdtemp(prefix="rewrite-schema-")
        self.addCleanup(shutil.rmtree, work)
        conf, config_dir = os.path.join(work, "slapd.conf"), os.path.join(work, "slapd.d")
        os.mkdir(config_dir)
        with open(conf, "w") as f:
            f.write("include %s/core.schema\ninclude %s\n" % (SCHEMA_DIR, os.path.join(CONTRIB_LDAP, "rewrite-milter.schema")))
        slaptest = shutil.which("slaptest", path=os.environ.get("PATH", "") + ":/usr/sbin")
        result = subprocess.run([slaptest, "-f", conf, "-F", config_dir], capture_output=True, text=True, timeout=60)
        self.assertEqual(0, result.returncode, result.stderr)
        with open(os.path.join(config_dir, "cn=config", "cn=schema", "cn={1}rewrite-milter.ldif")) as f:
            converted = schema_definitions(f.read())
        with open(os.path.join(CONTRIB_LDAP, "rewrite-milter.ldif")) as f:
            shipped_text = f.read()
        self.assertEqual(4, len(converted))
        self.assertEqual(converted, schema_definitions(shipped_text))
        self.assertIn("dn: cn=rewrite-milter,cn=schema,cn=config\n", shipped_text)


class RulesFromDirectoryTest(DirectoryTest):
    """Rules read from ou=rewrite over ldaps; the tests above that read lists are not repeated."""

    RULES_FROM_DIRECTORY = True
    test_lists_come_from_the_directory = None
    test_directory_changes_are_followed_on_reload_and_on_refresh = None
    test_check_addresses_against_the_directory = None
    test_sasl_external_bind_over_ldapi = None
    test_when_the_directory_is_down = None

    def outbound(self, sender, subject):
        """Send one message from an internal client; return (MAIL FROM, From: field) as delivered."""
        text = crlf("From: %s\nTo: friend@fabrikam.com\nSubject: %s\n\nhi\n" % (sender, subject))
        result = send_one(self.env.postfix.smtp_port, sender, ["friend@fabrikam.com"], text)
        self.assertEqual(250, result.code, "%s: %s\n%s" % (sender, result.text, self.diagnostics()))
        try:
            message = self.env.sink.wait_for_marker("Subject: %s\r\n" % subject, 30)
        except (TimeoutError, AssertionError) as e:
            self.fail("%s\n%s" % (e, self.diagnostics()))
        from_field = [line for line in message.header_block().decode().split("\r\n") if line.startswith("From:")]
        return message.mail_from, from_field[0]

    def check_config(self):
        return subprocess.run(self.env.milter.command() + ["-n"], capture_output=True, text=True, timeout=120)

    def test_rules_come_from_the_directory_over_tls(self):
        url = self.env.slapd.ldaps_url + RULES_URL
        self.assertIn("3 rules loaded from " + url, self.env.milter.log_text())
        self.assertEqual(("staff7@contoso.edu", "From: staff7@contoso.edu"), self.outbound("staff7@sales.contoso.edu", "dir-flatten"))
        self.assertEqual(("kim@legal.contoso.edu", "From: kim@legal.contoso.edu"),
                         self.outbound("kim@legal.contoso.edu", "dir-except"))
        self.assertEqual(("help@contoso.edu", "From: help@contoso.edu"), self.outbound("helpdesk@it.contoso.edu", "dir-address"))
        self.assertTrue(self.wait_for_log("rule=helpdesk"), self.diagnostics())  # name= of the entry
        self.assertIn("rule=Flatten", self.env.milter.log_text())  # the entry's cn
        # The address rule is outbound-only: mail to help@contoso.edu is not routed back to the help desk
        # (bidirectional, the rule would own the recipient); in the shared space it is then unknown.
        self.assertEqual(550, self.send("help@contoso.edu", "dir-outbound-only").code)
        with open(os.path.join(self.env.cache, "rules.csv")) as f:
            snapshot = f.read()
        self.assertTrue(snapshot.startswith("# rewrite-milter: snapshot of %s at " % url), snapshot[:200])
        self.assertIn('"cn=Flatten,ou=rewrite,%s","Flatten","*.contoso.edu","contoso.edu","legal.contoso.edu","True"'
                      % SUFFIX, snapshot)
        check = self.check_config()
        self.assertEqual(0, check.returncode, check.stdout + check.stderr)
        self.assertIn("configuration OK: 3 rules from " + url, check.stdout)

    def test_rule_changes_are_followed_and_a_bad_entry_refuses_the_table(self):
        self.env.slapd.modify(rule_entry("Japan", "japan.contoso.edu", "contoso.jp"))
        self.env.milter.reload()
        self.assertTrue(self.wait_for_log("reload: 4 rules loaded from"), self.diagnostics())
        self.assertEqual(("masato@contoso.jp", "From: masato@contoso.jp"), self.outbound("masato@japan.contoso.edu", "dir-new-rule"))
        # An exception on a domain rule: refused as in a file, named by its DN; the table in force stays.
        self.env.slapd.modify(rule_entry("Broken", "sales.fabrikam.com", "fabrikam.com", "except=x.sales.fabrikam.com"))
        self.env.milter.reload()
        self.assertTrue(self.wait_for_log("reload failed: keeping the previous rules and recipient lists"), self.diagnostics())
        self.assertIn("cn=Broken,ou=rewrite,%s: exceptions are allowed only on wildcard rules" % SUFFIX,
                      self.env.milter.log_text())
        self.assertEqual(("masato@contoso.jp", "From: masato@contoso.jp"), self.outbound("masato@japan.contoso.edu", "dir-kept"))
        # A duplicate across entries names both DNs; the check refuses the whole table.
        self.env.slapd.modify(rule_entry("Flatten again", "*.Contoso.edu", "contoso.org"))
        check = self.check_config()
        self.assertEqual(78, check.returncode, check.stdout + check.stderr)
        self.assertIn("cn=Broken,ou=rewrite,%s: exceptions are allowed only on wildcard rules" % SUFFIX, check.stderr)
        self.assertIn("cn=Flatten again,ou=rewrite,%s: duplicate rule for '*.contoso.edu' (first at "
                      "cn=Flatten,ou=rewrite,%s)" % (SUFFIX, SUFFIX), check.stderr)

    def test_cached_rules_serve_while_the_directory_is_down(self):
        self.env.milter.stop()
        self.env.slapd.stop()
        self.env.milter.start()
        self.assertTrue(self.wait_for_log("serving the cached snapshot " + os.path.join(self.env.cache, "rules.csv")),
                        self.diagnostics())
        self.assertEqual(("lee@contoso.edu", "From: lee@contoso.edu"), self.outbound("lee@research.contoso.edu", "dir-cached"))
        self.assertTrue(self.wait_for_log("rule=Flatten"), self.diagnostics())

    def test_the_server_certificate_is_checked(self):
        url_path = "/ou=staff,%s?mail?sub?(objectClass=inetOrgPerson)" % SUFFIX
        rules = os.path.join(self.env.base_dir, "none.rules")
        with open(rules, "w") as f:
            f.write("# no rule\n")

        def check(url, ca_file):
            conf = os.path.join(self.env.base_dir, "tls.conf")
            with open(conf, "w") as f:
                f.write("rules = %s\n" % rules + ("ldap-tls-ca-file = %s\n" % ca_file if ca_file else ""))
            return subprocess.run([os.environ["REWRITE_TEST"], "-c", conf, "--check-addresses", url],
                                  capture_output=True, text=True, timeout=120)

        ca = os.path.join(self.env.slapd.dir, "ca.pem")
        good = check(self.env.slapd.ldaps_url + url_path, ca)
        self.assertEqual(0, good.returncode, good.stdout + good.stderr)
        self.assertEqual("252 addresses checked, 0 findings", good.stdout.strip().splitlines()[-1])
        # Without the test CA (Debian's CA store does not know it) the server is not trusted.
        untrusted = check(self.env.slapd.ldaps_url + url_path, "")
        self.assertNotEqual(0, untrusted.returncode, untrusted.stdout)
        self.assertIn("Can't contact LDAP server", untrusted.stderr)
        self.assertIn("certificate", untrusted.stderr.lower())
        # The certificate names 127.0.0.1 only: the same server as localhost is refused.
        wrong_name = check("ldaps://localhost:%d%s" % (self.env.slapd.tls_port, url_path), ca)
        self.assertNotEqual(0, wrong_name.returncode, wrong_name.stdout)
        self.assertIn("Can't contact LDAP server", wrong_name.stderr)


if __name__ == "__main__":
    main()
