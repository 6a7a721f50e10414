"""slapd_fixture.py - a throwaway OpenLDAP slapd for the ldap: table tests.

Slapd() builds everything in a private temporary directory: a slapd.conf
(mdb backend, a small test schema, ACLs), a test CA and server certificate,
the fixture entries (loaded offline with slapadd), and then runs slapd in the
foreground-less debug mode on a random loopback port (ldap:// and ldaps://)
and on an ldapi:// socket in the directory.  Never a system service: no
/etc/ldap configuration is read or written.

The server is stopped on every exit path: use it as a context manager, and
an atexit hook kills it if the test dies some other way.  kill() / start()
simulate an outage and a recovery on the same ports and data.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

BASE = "dc=example,dc=com"
BIND_DN = "cn=reader," + BASE
BIND_PW = "reader-secret"

# A test-only schema: Postfix's usual attribute names (mailacceptinggeneralid,
# maildrop) plus a few for terminal/leaf tests, under a private OID arc.
SCHEMA = """
attributetype ( 1.3.6.1.4.1.99999.7.1.1 NAME 'mailacceptinggeneralid'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
attributetype ( 1.3.6.1.4.1.99999.7.1.2 NAME 'maildrop'
  EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch
  SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
attributetype ( 1.3.6.1.4.1.99999.7.1.3 NAME 'ferryForward'
  EQUALITY caseIgnoreMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.15 )
attributetype ( 1.3.6.1.4.1.99999.7.1.4 NAME 'ferryMember'
  SUP distinguishedName )
objectclass ( 1.3.6.1.4.1.99999.7.2.1 NAME 'ferryMailObject' AUXILIARY
  MAY ( mailacceptinggeneralid $ maildrop $ ferryForward $ ferryMember $ mail ) )
"""


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _user(uid, key, drops, mail=None, ou="people"):
    lines = [f"dn: uid={_dn_escape(uid)},ou={ou},{BASE}",
             "objectClass: inetOrgPerson", "objectClass: ferryMailObject",
             f"uid: {uid}", f"cn: {uid}", f"sn: {uid}"]
    if key:
        lines.append(f"mailacceptinggeneralid: {key}")
    lines += [f"maildrop: {d}" for d in drops]
    if mail:
        lines.append(f"mail: {mail}")
    return "\n".join(lines)


def _dn_escape(value):
    out = []
    for ch in value:
        if ch in ',+"\\<>;=':
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _group(cn, key, members, extra=(), ou="groups"):
    lines = [f"dn: cn={cn},ou={ou},{BASE}", "objectClass: groupOfNames",
             "objectClass: ferryMailObject", f"cn: {cn}"]
    if key:
        lines.append(f"mailacceptinggeneralid: {key}")
    lines += [f"member: {m}" for m in members]
    lines += list(extra)
    return "\n".join(lines)


def _people(uid):
    return f"uid={uid},ou=people,{BASE}"


def fixture_ldif(port):
    """The directory the tests query (see the test files for what each entry
    is for)."""
    entries = [
        f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\n"
        "dc: example\no: Example",
        f"dn: {BIND_DN}\nobjectClass: organizationalRole\n"
        f"objectClass: simpleSecurityObject\ncn: reader\nuserPassword: {BIND_PW}",
    ]
    for ou in ("people", "groups", "private", "aliases", "more"):
        entries.append(f"dn: ou={ou},{BASE}\nobjectClass: organizationalUnit\nou: {ou}")
    entries += [
        _user("alice", "alice@example.com", ["alice@mail.example.com"],
              mail="alice.smith@example.com"),
        _user("bob", "bob@example.com", ["bob@mail.example.com", "bob@backup.example.com"],
              mail="bob.jones@example.com"),
        _user("carol", "carol@example.com", ["carol@mail.example.com"],
              mail="carol.white@example.com"),
        _user("dup1", "dup@example.com", ["dup1@mail.example.com"]),
        _user("dup2", "dup@example.com", ["dup2@mail.example.com"]),
        # Keys with filter and DN metacharacters: found only when escaped
        # exactly (a wildcard would match several entries).
        _user("star", "st*r@example.com", ["star@mail.example.com"]),
        _user("paren", "(paren)@example.com", ["paren@mail.example.com"]),
        _user("backslash", "back\\slash@example.com", ["backslash@mail.example.com"]),
        _user("comma,user", "comma,user@example.com", ["comma@mail.example.com"]),
        _user("plus+user", "plus+user@example.com", ["plus@mail.example.com"]),
        _user("semi;user", "semi;user@example.com", ["semi@mail.example.com"]),
        _user("jörg", "jörg@example.com", ["joerg@mail.example.com"]),
        _user("space user", "space user@example.com", ["space@mail.example.com"]),
        # Only readable after binding as cn=reader.
        _user("secret", "secret@example.com", ["secret@mail.example.com"], ou="private"),
        # A user in another subtree, for scope tests.
        _user("dave", "dave@example.com", ["dave@mail.example.com"], ou="more"),
        # Groups: DN-valued members followed through special_result_attribute.
        _group("staff", "staff@example.com", [_people("alice"), _people("bob")],
               ["maildrop: staff-archive@example.com", "mail: staff-list@example.com"]),
        _group("all", "all@example.com",
               [f"cn=staff,ou=groups,{BASE}", _people("carol")]),
        _group("loop1", "loop@example.com", [f"cn=loop2,ou=groups,{BASE}"]),
        _group("loop2", None, [f"cn=loop1,ou=groups,{BASE}"]),
        _group("dangling", "dangling@example.com",
               [_people("alice"), f"uid=nobody,ou=people,{BASE}"]),
        # Terminal attribute: ferryForward stops the expansion of the entry.
        _group("redirected", "redirected@example.com", [_people("alice")],
               ["ferryForward: elsewhere@example.net", "maildrop: ignored@example.com"]),
        _group("via-redirect", "via-redirect@example.com",
               [f"cn=redirected,ou=groups,{BASE}", _people("carol")]),
        # Aliases (dereference) and a referral (chase_referrals).
        f"dn: cn=alice-alias,ou=aliases,{BASE}\nobjectClass: alias\n"
        f"objectClass: extensibleObject\ncn: alice-alias\n"
        f"aliasedObjectName: {_people('alice')}",
        f"dn: ou=ref,{BASE}\nobjectClass: referral\nobjectClass: extensibleObject\n"
        f"ou: ref\nref: ldap://127.0.0.1:{port}/ou=people,{BASE}",
    ]
    return "\n\n".join(entries) + "\n"


class Slapd:
    def __init__(self, tag="ldap"):
        self.dir = tempfile.mkdtemp(prefix=f"ferry-{tag}-")
        self.port = free_port()
        self.tls_port = free_port()
        self.ldapi_path = os.path.join(self.dir, "ldapi")
        self.proc = None
        self._make_tls()
        self._write_config()
        self._load()
        atexit.register(self.close)

    # -- URLs ------------------------------------------------------------
    @property
    def url(self):
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self):
        return f"ldaps://127.0.0.1:{self.tls_port}"

    @property
    def ldapi_url(self):
        return "ldapi://" + urllib.parse.quote(self.ldapi_path, safe="")

    @property
    def ca_file(self):
        return os.path.join(self.dir, "ca.pem")

    # -- set-up ----------------------------------------------------------
    def _run(self, argv, **kw):
        r = subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)
        if r.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({r.returncode}): {r.stderr}")
        return r

    def _make_tls(self):
        d = self.dir
        ossl = ["openssl"]
        self._run(ossl + ["req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                          "-subj", "/CN=Ferry Test CA", "-keyout", f"{d}/ca.key",
                          "-out", f"{d}/ca.pem"])
        self._run(ossl + ["req", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes",
                          "-subj", "/CN=127.0.0.1", "-keyout", f"{d}/server.key",
                          "-out", f"{d}/server.csr"])
        with open(f"{d}/ext.cnf", "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        self._run(ossl + ["x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.pem",
                          "-CAkey", f"{d}/ca.key", "-CAcreateserial", "-days", "2",
                          "-extfile", f"{d}/ext.cnf", "-out", f"{d}/server.pem"])
        # A second, unrelated CA: verification against it must fail.
        self._run(ossl + ["req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                          "-subj", "/CN=Other CA", "-keyout", f"{d}/other.key",
                          "-out", f"{d}/other-ca.pem"])

    def _write_config(self):
        d = self.dir
        os.makedirs(f"{d}/db", exist_ok=True)
        with open(f"{d}/ferry.schema", "w") as f:
            f.write(SCHEMA)
        schema = "/etc/ldap/schema"
        conf = f"""
include {schema}/core.schema
include {schema}/cosine.schema
include {schema}/inetorgperson.schema
include {d}/ferry.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {d}/slapd.pid
argsfile {d}/slapd.args
allow bind_v2
TLSCACertificateFile {d}/ca.pem
TLSCertificateFile {d}/server.pem
TLSCertificateKeyFile {d}/server.key
sizelimit unlimited
database mdb
maxsize 16777216
suffix "{BASE}"
rootdn "cn=admin,{BASE}"
rootpw admin-secret
directory {d}/db
index objectClass eq
index mailacceptinggeneralid eq
access to dn.subtree="ou=private,{BASE}"
  by dn.exact="{BIND_DN}" read
  by * none
access to attrs=userPassword
  by anonymous auth
  by * none
access to * by * read
"""
        self.conf = f"{d}/slapd.conf"
        with open(self.conf, "w") as f:
            f.write(conf)

    def _load(self):
        ldif = os.path.join(self.dir, "fixture.ldif")
        with open(ldif, "w", encoding="utf-8") as f:
            f.write(fixture_ldif(self.port))
        self._run(["slapadd", "-f", self.conf, "-l", ldif])

    # -- life cycle ------------------------------------------------------
    def start(self, timeout=20.0):
        assert self.proc is None
        urls = f"{self.url}/ {self.ldaps_url}/ {self.ldapi_url}/"
        log = open(os.path.join(self.dir, "slapd.log"), "ab")
        # -d 0: stay in the foreground (so we own the process), log nothing.
        self.proc = subprocess.Popen(["slapd", "-f", self.conf, "-h", urls, "-d", "0"],
                                     stdout=log, stderr=log, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.proc = None
                raise RuntimeError("slapd exited at start; see " +
                                   os.path.join(self.dir, "slapd.log"))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
                if os.path.exists(self.ldapi_path):
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("slapd did not start listening in time")

    def kill(self):
        """Stop slapd hard, as an outage would (SIGKILL, no clean shutdown)."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None
        # slapd leaves its ldapi socket behind when killed.
        try:
            os.unlink(self.ldapi_path)
        except FileNotFoundError:
            pass

    def close(self):
        self.kill()
        if self.dir and os.path.isdir(self.dir):
            shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
        return False


if __name__ == "__main__":
    # Manual check: start, print the URLs, wait for Ctrl-C.
    with Slapd() as s:
        print(s.url, s.ldaps_url, s.ldapi_url, flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
