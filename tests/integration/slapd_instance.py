# SPDX-License-Identifier: BSD-2-Clause
"""A private OpenLDAP slapd for the directory tests: Debian's /usr/sbin/slapd with its own slapd.conf,
an mdb database under the test directory, listening on 127.0.0.1 only (a free port) and on an ldapi
socket of its own, started by this process and stopped by PID.

The schemas are Debian's core, cosine and inetorgperson, proxyAddresses as Active Directory has it
(with an auxiliary class to carry it) and the address rewrite entries of contrib/ldap/rewrite-milter.schema,
as shipped. With tls=True it also listens with ldaps on a port of its own, with a server certificate for
127.0.0.1 from a CA made for the test (ca_file). The size limit is 100 entries per search and per page, with no
limit on a paged search as a whole, so that only a paged search reads a larger branch (Active
Directory's MaxPageSize is 1000); it binds everyone but the root DN, so the milter binds as SERVICE_DN. Data is loaded with slapadd before the
start; changes at run time go through ldapmodify as the root DN.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from typing import Optional

from staged_environment import read_log

SLAPD = "/usr/sbin/slapd"
CONTRIB_LDAP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "contrib", "ldap")
SCHEMA_DIR = "/etc/ldap/schema"
SUFFIX = "dc=contoso,dc=edu"
ROOT_DN = "cn=admin," + SUFFIX
ROOT_PASSWORD = "test-only-secret"
# The milter's service account: an ordinary entry, subject to the size limits (the root DN is not).
SERVICE_DN = "cn=milter," + SUFFIX
SERVICE_PASSWORD = "test-only-milter-secret"

AD_SCHEMA = """\
# proxyAddresses as Active Directory defines it (multi-valued, case-insensitive strings).
attributetype ( 1.2.840.113556.1.2.210 NAME 'proxyAddresses'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
objectclass ( 1.3.6.1.4.1.32473.1.2.1 NAME 'rewriteTestMailUser' SUP top AUXILIARY
  MAY ( proxyAddresses ) )
"""


def preconditions_problem() -> Optional[str]:
    """Why a private slapd cannot run here, or None."""
    for tool in (SLAPD, shutil.which("slapadd") or "/usr/sbin/slapadd", shutil.which("ldapmodify") or ""):
        if not tool or not os.access(tool, os.X_OK):
            return "OpenLDAP's slapd and ldap-utils are needed (scripts/install-deps installs them)"
    if not os.path.exists(os.path.join(SCHEMA_DIR, "inetorgperson.schema")):
        return "Debian's OpenLDAP schemas are missing from " + SCHEMA_DIR
    return None


def make_test_ca(directory: str, host_ip: str = "127.0.0.1"):
    """A CA and a server certificate (subjectAltName IP host_ip) signed by it: (ca, cert, key) paths."""
    ca_key, ca = os.path.join(directory, "ca.key"), os.path.join(directory, "ca.pem")
    key, csr, cert = (os.path.join(directory, name) for name in ("server.key", "server.csr", "server.pem"))
    ext = os.path.join(directory, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName = IP:%s\nextendedKeyUsage = serverAuth\n" % host_ip)
    for command in (
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
             "-subj", "/CN=rewrite-milter test CA"],
            ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=test server"],
            ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
             "-days", "2", "-extfile", ext]):
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(" ".join(command) + ":\n" + result.stderr)
    os.chmod(ca, 0o644)  # the milter's user reads the CA
    return ca, cert, key


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SlapdInstance:
    """One slapd; ldif is the initial content below the suffix (the suffix entry itself is added)."""

    def __init__(self, base_dir: str, ldif: str, tls: bool = False):
        self.dir = os.path.join(base_dir, "slapd")
        self.db_dir = os.path.join(self.dir, "db")
        os.makedirs(self.db_dir)
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, "slapd.conf")
        self.socket_path = os.path.join(self.dir, "ldapi")
        self.port = free_port()
        self.ldif = ldif
        self.tls_port = free_port() if tls else 0
        self.ca_file = ""
        self.proc: Optional[subprocess.Popen] = None
        self.log_path = os.path.join(self.dir, "slapd.log")

    @property
    def ldap_url(self) -> str:
        """ldap://127.0.0.1:PORT"""
        return "ldap://127.0.0.1:%d" % self.port

    @property
    def ldapi_url(self) -> str:
        """ldapi://<the socket path, %-encoded>"""
        return "ldapi://" + urllib.parse.quote(self.socket_path, safe="")

    @property
    def ldaps_url(self) -> str:
        """ldaps://127.0.0.1:TLS_PORT"""
        return "ldaps://127.0.0.1:%d" % self.tls_port

    def listeners(self) -> str:
        urls = [self.ldap_url + "/", self.ldapi_url + "/"]
        if self.tls_port:
            urls.append(self.ldaps_url + "/")
        return " ".join(urls)

    def write_config(self) -> None:
        with open(os.path.join(self.dir, "ad.schema"), "w") as f:
            f.write(AD_SCHEMA)
        includes = "".join("include %s/%s.schema\n" % (SCHEMA_DIR, name) for name in ("core", "cosine", "inetorgperson"))
        with open(self.conf, "w") as f:
            f.write(includes +
                    "include %s/ad.schema\n" % self.dir +
                    "include %s\n" % os.path.abspath(os.path.join(CONTRIB_LDAP, "rewrite-milter.schema")) +
                    self.tls_config() +
                    "pidfile %s/slapd.pid\n" % self.dir +
                    "modulepath /usr/lib/ldap\nmoduleload back_mdb\n"
                    "sizelimit size.soft=100 size.hard=100 size.pr=100 size.prtotal=unlimited\n"
                    # SASL EXTERNAL over ldapi: root's processes are the service account.
                    # (the pattern is matched against the normalised DN: any case, '+' as any byte)
                    'authz-regexp "^gid[nN]umber=0.uid[nN]umber=0,cn=peercred,cn=external,cn=auth$" "%s"\n' % SERVICE_DN +
                    "database mdb\nmaxsize 1073741824\n"
                    'suffix "%s"\nrootdn "%s"\nrootpw %s\ndirectory %s\n' % (SUFFIX, ROOT_DN, ROOT_PASSWORD, self.db_dir) +
                    "index objectClass eq\n"
                    "access to attrs=userPassword by anonymous auth by * none\n"
                    "access to * by * read\n")
        base = ("dn: %s\nobjectClass: dcObject\nobjectClass: organization\ndc: contoso\no: Contoso University\n\n"
                "dn: %s\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: milter\n"
                "userPassword: %s\n\n" % (SUFFIX, SERVICE_DN, SERVICE_PASSWORD))
        data = os.path.join(self.dir, "data.ldif")
        with open(data, "w") as f:
            f.write(base + self.ldif)
        # -q: no consistency checks while loading (the data is generated), as for a large import.
        result = subprocess.run(["slapadd", "-q", "-f", self.conf, "-l", data], capture_output=True, text=True,
                                timeout=1800)
        if result.returncode != 0:
            raise RuntimeError("slapadd failed:\n" + result.stdout + result.stderr)

    def tls_config(self) -> str:
        if not self.tls_port:
            return ""
        self.ca_file, cert, key = make_test_ca(self.dir)
        return "TLSCACertificateFile %s\nTLSCertificateFile %s\nTLSCertificateKeyFile %s\n" % (self.ca_file, cert, key)

    def start(self) -> "SlapdInstance":
        if not os.path.exists(os.path.join(self.db_dir, "data.mdb")):
            self.write_config()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([SLAPD, "-d", "0", "-f", self.conf, "-h", self.listeners()],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("slapd exited with %d:\n%s" % (self.proc.returncode, self.log_text()))
            if all(self.listening(port) for port in (self.port, self.tls_port) if port) and os.path.exists(self.socket_path):
                os.chmod(self.socket_path, 0o777)  # the milter's user connects too
                return self
            time.sleep(0.05)
        raise TimeoutError("slapd did not listen on %d:\n%s" % (self.port, self.log_text()))

    @staticmethod
    def listening(port: int) -> bool:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    def stop(self) -> None:
        """Stop the slapd this object started (SIGTERM, then SIGKILL); idempotent."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def modify(self, ldif: str) -> None:
        """Apply an LDIF change as the root DN over the network port."""
        result = subprocess.run(["ldapmodify", "-x", "-H", self.ldap_url, "-D", ROOT_DN, "-w", ROOT_PASSWORD],
                                input=ldif, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError("ldapmodify failed:\n" + result.stdout + result.stderr)

    def log_text(self) -> str:
        """slapd's own log so far."""
        return read_log(self.log_path)
