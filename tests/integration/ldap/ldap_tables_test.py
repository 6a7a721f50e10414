#!/usr/bin/env python3
"""ldap: tables against a real, throwaway slapd: every ldap_table(5)
parameter, key escaping, special-attribute recursion and its limit, the
failure answers (always a temporary failure naming table and server, never
"not found"), and bad configuration files (an error naming file and line).

Lookups go through Ferry's postmap (exit 0 found, 1 not found, 75 temporary
failure) or, where a key holds bytes a command line cannot, through
ldap_reader (the module's C ABI).

usage: ldap_tables_test.py LDAP_READER
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldap_helpers import ConfDir, Reader, Tally, ferry, FERRY_BIN  # noqa: E402
from slapd_fixture import BASE, BIND_DN, BIND_PW, Slapd, free_port  # noqa: E402

READER = sys.argv[1]
T = Tally("ldap_tables")

FOUND, NOTFOUND, TEMPFAIL = 0, 1, 75


def base_cf(s, extra="", version=3):
    return (f"server_host = {s.url}\nsearch_base = {BASE}\nversion = {version}\n" + extra)


def expect(cd, table, key, status, value=None, what="", sort=False, err_has=()):
    rc, out, err = ferry(cd, table, key)
    label = f"{what or table} [{key}]"
    T.eq(rc, status, label + " status")
    if value is not None and rc == FOUND:
        got = out.rstrip("\n")
        if sort:
            got, value = sorted(got.split(",")), sorted(value.split(","))
        T.eq(got, value, label + " value")
    for needle in err_has:
        T.check(needle in err, label + f" stderr names {needle!r}", err)
    return rc, out, err


def test_basics(s, cd):
    t = cd.cf("default-version", f"server_host = {s.url}\nsearch_base = {BASE}\n")
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "version 3 default")
    # LDAPv2 has no search references: keep the referral entry out of scope.
    t = cd.cf("v2", f"server_host = {s.url}\nsearch_base = ou=people,{BASE}\nversion = 2\n")
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "version 2")
    t = cd.cf("v3", base_cf(s))
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com")
    expect(cd, t, "ALICE@Example.COM", FOUND, "alice@mail.example.com", "folded key")
    expect(cd, t, "bob@example.com", FOUND, "bob@mail.example.com,bob@backup.example.com")
    expect(cd, t, "nobody@example.com", NOTFOUND)
    rc, out, err = ferry(cd, t, "ALICE@example.com", flags=["-f"])
    T.eq(rc, FOUND, "-f: the directory matches case-insensitively anyway")
    # postmap -q - : several keys over one kept connection.
    from ldap_helpers import postmap
    rc, out, err = postmap(FERRY_BIN, cd, t, keys=["alice@example.com", "nobody@example.com",
                                                   "carol@example.com"])
    T.eq(out, "alice@example.com\talice@mail.example.com\n"
              "carol@example.com\tcarol@mail.example.com\n", "postmap -q -")
    T.eq(rc, FOUND, "postmap -q - status")


def test_server_host(s, cd, blackhole_port):
    dead = free_port()
    host_port = s.url[len("ldap://"):]
    cases = {
        "plain-host": f"server_host = 127.0.0.1\nserver_port = {s.port}\n",
        "host-port": f"server_host = {host_port}\n",
        "ldapi": f"server_host = {s.ldapi_url}\n",
        "failover": f"server_host = ldap://127.0.0.1:{dead} {s.url}\n",
        "failover-comma": f"server_host = 127.0.0.1:{dead}, {host_port}\n",
    }
    for name, text in cases.items():
        t = cd.cf("host-" + name, text + f"search_base = {BASE}\nversion = 3\n")
        expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", name)
    t = cd.cf("host-down", f"server_host = ldap://127.0.0.1:{dead}\nsearch_base = {BASE}\n"
                           "version = 3\n")
    expect(cd, t, "alice@example.com", TEMPFAIL, what="server down",
           err_has=(t, f"127.0.0.1:{dead}"))
    t = cd.cf("timeout", f"server_host = ldap://127.0.0.1:{blackhole_port}\n"
                         f"search_base = {BASE}\nversion = 3\ntimeout = 1\n")
    start = time.monotonic()
    expect(cd, t, "alice@example.com", TEMPFAIL, what="timeout",
           err_has=(t, f"127.0.0.1:{blackhole_port}"))
    T.check(time.monotonic() - start < 10, "timeout = 1 is honoured",
            f"{time.monotonic() - start:.1f}s")


def test_tls(s, cd):
    ca = s.ca_file
    other = os.path.join(s.dir, "other-ca.pem")
    cadir = os.path.join(s.dir, "cadir")
    os.makedirs(cadir, exist_ok=True)
    shutil.copy(ca, os.path.join(cadir, "ca.pem"))
    base = f"search_base = {BASE}\n"
    good = {
        "ldaps": f"server_host = {s.ldaps_url}\ntls_ca_cert_file = {ca}\ntls_require_cert = yes\n",
        "ldaps-cadir": f"server_host = {s.ldaps_url}\ntls_ca_cert_dir = {cadir}\n"
                       "tls_require_cert = yes\n",
        "ldaps-noverify": f"server_host = {s.ldaps_url}\ntls_ca_cert_file = {other}\n"
                          "tls_require_cert = no\n",
        "starttls": f"server_host = {s.url}\nstart_tls = yes\nversion = 3\n"
                    f"tls_ca_cert_file = {ca}\ntls_require_cert = yes\n",
        "client-cert": f"server_host = {s.ldaps_url}\ntls_ca_cert_file = {ca}\n"
                       f"tls_cert = {s.dir}/server.pem\ntls_key = {s.dir}/server.key\n"
                       "tls_cipher_suite = NORMAL\n",
    }
    for name, text in good.items():
        t = cd.cf("tls-" + name, text + base)
        expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", name)
    bad = {
        "ldaps-wrong-ca": f"server_host = {s.ldaps_url}\ntls_ca_cert_file = {other}\n"
                          "tls_require_cert = yes\n",
        "starttls-wrong-ca": f"server_host = {s.url}\nstart_tls = yes\nversion = 3\n"
                             f"tls_ca_cert_file = {other}\ntls_require_cert = yes\n",
        "missing-cert": f"server_host = {s.ldaps_url}\ntls_ca_cert_file = {ca}\n"
                        f"tls_cert = {s.dir}/nonexistent.pem\ntls_key = {s.dir}/server.key\n",
    }
    for name, text in bad.items():
        t = cd.cf("tls-" + name, text + base)
        expect(cd, t, "alice@example.com", TEMPFAIL, what=name, err_has=(t,))


def test_search(s, cd):
    t = cd.cf("scope-one", base_cf(s, "scope = one\n"))
    expect(cd, t, "alice@example.com", NOTFOUND, what="scope one at the suffix")
    t = cd.cf("scope-one-people", base_cf(s, "scope = ONE\n").replace(
        f"search_base = {BASE}", f"search_base = ou=people,{BASE}"))
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "scope one")
    t = cd.cf("scope-base", f"server_host = {s.url}\nversion = 3\nscope = base\n"
                            f"search_base = uid=%u,ou=people,{BASE}\n"
                            "query_filter = (objectClass=*)\n")
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "dynamic base")
    expect(cd, t, "nobody@example.com", NOTFOUND, what="dynamic base, no such entry")
    # RFC 4514: DN metacharacters in the key are escaped, the entry found.
    for key, drop in [("comma,user@example.com", "comma@mail.example.com"),
                      ("plus+user@example.com", "plus@mail.example.com"),
                      ("semi;user@example.com", "semi@mail.example.com"),
                      ("space user@example.com", "space@mail.example.com"),
                      ("jörg@example.com", "joerg@mail.example.com")]:
        expect(cd, t, key, FOUND, drop, "DN escaping")
    for key in ["x,ou=people@example.com", "alice,ou=people@example.com",
                "#alice@example.com", "alice\\@example.com", "=@example.com"]:
        expect(cd, t, key, NOTFOUND, what="DN injection")
    t = cd.cf("static-missing-base", base_cf(s).replace(f"search_base = {BASE}",
                                                        f"search_base = ou=gone,{BASE}"))
    expect(cd, t, "alice@example.com", TEMPFAIL, what="fixed base missing", err_has=(t,))

    t = cd.cf("filter-u", base_cf(s, "query_filter = (&(objectClass=inetOrgPerson)(uid=%u))\n"))
    expect(cd, t, "alice@anywhere.org", FOUND, "alice@mail.example.com", "%u")
    t = cd.cf("filter-d", base_cf(s, "query_filter = (mail=%u.smith@%d)\n"))
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "%d")
    expect(cd, t, "alice", NOTFOUND, what="%d without a domain: no query")
    t = cd.cf("filter-12", base_cf(s, "query_filter = (mail=%u.smith@%2.%1)\n"))
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "%1 %2")
    expect(cd, t, "alice@com", NOTFOUND, what="%2 missing")
    t = cd.cf("filter-pct", base_cf(s, "query_filter = (|(uid=%s)(cn=100%%))\n"))
    expect(cd, t, "alice", FOUND, "alice@mail.example.com", "%%")
    t = cd.cf("bad-filter", base_cf(s, "query_filter = (mailacceptinggeneralid=%s\n"))
    expect(cd, t, "alice@example.com", TEMPFAIL, what="bad filter",
           err_has=(t, s.url, "filter"))


def test_escaping(s, cd):
    t = cd.cf("escape", base_cf(s))
    for key, drop in [("st*r@example.com", "star@mail.example.com"),
                      ("(paren)@example.com", "paren@mail.example.com"),
                      ("back\\slash@example.com", "backslash@mail.example.com"),
                      ("comma,user@example.com", "comma@mail.example.com"),
                      ("plus+user@example.com", "plus@mail.example.com"),
                      ("jörg@example.com", "joerg@mail.example.com"),
                      ("JÖRG@example.com", None)]:
        if drop is None:
            continue
        expect(cd, t, key, FOUND, drop, "filter escaping")
    for key in ["*", "*@example.com", "a*@example.com", "alice@example.com)(uid=*",
                "*)(|(mailacceptinggeneralid=*", "\\2a@example.com", "st\\2ar@example.com",
                "(*)@example.com"]:
        expect(cd, t, key, NOTFOUND, what="filter injection")
    r = Reader(READER, t)
    try:
        T.eq(r.lookup("alice@example.com"), ("FOUND", "alice@mail.example.com"), "reader")
        T.eq(r.lookup("alice@example.com\0"), ("NOTFOUND", ""), "NUL at the end")
        T.eq(r.lookup("\0"), ("NOTFOUND", ""), "NUL key")
        T.eq(r.lookup("*\0*"), ("NOTFOUND", ""), "NUL between wildcards")
        T.eq(r.lookup_line("%%FF@example.com"), ("NOTFOUND", ""), "non-UTF-8 key")
        T.eq(r.lookup("%alice"), ("NOTFOUND", ""), "percent key")
    finally:
        r.close()


def test_results(s, cd):
    t = cd.cf("attr-mail", base_cf(s, "result_attribute = mail\n"))
    expect(cd, t, "alice@example.com", FOUND, "alice.smith@example.com", "result_attribute")
    t = cd.cf("attr-two", base_cf(s, "result_attribute = maildrop, mail\n"))
    expect(cd, t, "alice@example.com", FOUND,
           "alice@mail.example.com,alice.smith@example.com", "two attributes", sort=True)
    t = cd.cf("format", base_cf(s, "result_format = smtp:[%d]\n"))
    expect(cd, t, "alice@example.com", FOUND, "smtp:[mail.example.com]", "result_format %d")
    t = cd.cf("format-u", base_cf(s, "result_format = %u+%U\n"))
    expect(cd, t, "bob@example.com", FOUND, "bob+bob,bob+bob", "result_format %u %U")
    t = cd.cf("result-filter", base_cf(s, "result_filter = <%s>\n"))
    expect(cd, t, "alice@example.com", FOUND, "<alice@mail.example.com>", "legacy result_filter")

    t = cd.cf("domain", base_cf(s, "domain = example.com, example.net\n"))
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "domain listed")
    expect(cd, t, "alice@other.org", NOTFOUND, what="domain not listed")
    expect(cd, t, "alice", NOTFOUND, what="domain: no @")
    t = cd.cf("domain-other", base_cf(s, "domain = other.org\n"))
    expect(cd, t, "alice@example.com", NOTFOUND, what="domain restricts")

    t = cd.cf("size-1", base_cf(s, "size_limit = 1\n"))
    expect(cd, t, "dup@example.com", TEMPFAIL, what="size_limit exceeded", err_has=(t,))
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "size_limit kept")
    t = cd.cf("size-2", base_cf(s, "size_limit = 2\n"))
    expect(cd, t, "dup@example.com", FOUND, "dup1@mail.example.com,dup2@mail.example.com",
           "size_limit 2", sort=True)
    t = cd.cf("exp-1", base_cf(s, "expansion_limit = 1\n"))
    expect(cd, t, "bob@example.com", TEMPFAIL, what="expansion_limit", err_has=(t,))
    expect(cd, t, "dup@example.com", TEMPFAIL, what="expansion_limit sets size_limit")
    t = cd.cf("exp-2", base_cf(s, "expansion_limit = 2\nsize_limit = 0\n"))
    expect(cd, t, "bob@example.com", FOUND, "bob@mail.example.com,bob@backup.example.com",
           "expansion_limit 2")

    t = cd.cf("deref-0", base_cf(s, "query_filter = (uid=%u)\n").replace(
        f"search_base = {BASE}", f"search_base = ou=aliases,{BASE}"))
    expect(cd, t, "alice@example.com", NOTFOUND, what="dereference = 0")
    t = cd.cf("deref-3", base_cf(s, "query_filter = (uid=%u)\ndereference = 3\n").replace(
        f"search_base = {BASE}", f"search_base = ou=aliases,{BASE}"))
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "dereference = 3")

    t = cd.cf("referral-no", base_cf(s, "query_filter = (uid=%u)\n").replace(
        f"search_base = {BASE}", f"search_base = ou=ref,{BASE}"))
    expect(cd, t, "alice@example.com", TEMPFAIL, what="referral not chased", err_has=(t,))
    t = cd.cf("referral-yes", base_cf(s, "query_filter = (uid=%u)\nchase_referrals = yes\n")
              .replace(f"search_base = {BASE}", f"search_base = ou=ref,{BASE}"))
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "chase_referrals")


def test_recursion(s, cd):
    alice, bob = "alice@mail.example.com", "bob@mail.example.com,bob@backup.example.com"
    t = cd.cf("special", base_cf(s, "special_result_attribute = member\n"))
    expect(cd, t, "staff@example.com", FOUND, f"staff-archive@example.com,{alice},{bob}",
           "special_result_attribute", sort=True)
    expect(cd, t, "all@example.com", FOUND,
           f"staff-archive@example.com,{alice},{bob},carol@mail.example.com",
           "nested groups", sort=True)
    expect(cd, t, "loop@example.com", TEMPFAIL, what="member loop hits recursion_limit",
           err_has=(t, "recursion"))
    expect(cd, t, "dangling@example.com", FOUND, alice, "missing member skipped")
    for limit, status in [(1, TEMPFAIL), (2, TEMPFAIL), (3, FOUND)]:
        t = cd.cf(f"rec-{limit}", base_cf(s, "special_result_attribute = member\n"
                                             f"recursion_limit = {limit}\n"))
        expect(cd, t, "all@example.com", status, what=f"recursion_limit = {limit}")
    t = cd.cf("terminal", base_cf(s, "special_result_attribute = member\n"
                                     "terminal_result_attribute = ferryForward\n"))
    expect(cd, t, "redirected@example.com", FOUND, "elsewhere@example.net", "terminal")
    expect(cd, t, "via-redirect@example.com", FOUND,
           "elsewhere@example.net,carol@mail.example.com", "terminal below a group", sort=True)
    expect(cd, t, "alice@example.com", FOUND, alice, "terminal attribute absent")
    t = cd.cf("leaf", base_cf(s, "special_result_attribute = member\n"
                                 "leaf_result_attribute = mail\n"))
    expect(cd, t, "staff@example.com", FOUND,
           f"staff-archive@example.com,{alice},alice.smith@example.com,{bob},"
           "bob.jones@example.com", "leaf attributes from members only", sort=True)
    expect(cd, t, "alice@example.com", FOUND, f"{alice},alice.smith@example.com",
           "a leaf entry", sort=True)


def test_bind(s, cd):
    t = cd.cf("bind-ok", base_cf(s, f"bind_dn = {BIND_DN}\nbind_pw = {BIND_PW}\n"))
    expect(cd, t, "secret@example.com", FOUND, "secret@mail.example.com", "bind")
    t = cd.cf("bind-anon", base_cf(s, "bind = no\n"))
    expect(cd, t, "secret@example.com", NOTFOUND, what="anonymous cannot read")
    expect(cd, t, "alice@example.com", FOUND, "alice@mail.example.com", "bind = no")
    t = cd.cf("bind-bad", base_cf(s, f"bind_dn = {BIND_DN}\nbind_pw = wrong\n"))
    expect(cd, t, "secret@example.com", TEMPFAIL, what="wrong password",
           err_has=(t, s.url, "bind"))
    t = cd.cf("bind-nouser", base_cf(s, f"bind = simple\nbind_dn = cn=ghost,{BASE}\n"
                                        "bind_pw = x\n"))
    expect(cd, t, "alice@example.com", TEMPFAIL, what="unknown bind dn", err_has=(t,))


def test_bad_config(s, cd):
    cases = [
        ("unknown", base_cf(s, "serverhost = x\n"), 4, "serverhost"),
        ("version", base_cf(s, "timeout = 5\n").replace("version = 3", "version = 7"), 3,
         "version"),
        ("scope", base_cf(s, "scope = tree\n"), 4, "scope"),
        ("deref", base_cf(s, "\n\ndereference = 9\n"), 6, "dereference"),
        ("chase", base_cf(s, "chase_referrals = maybe\n"), 4, "chase_referrals"),
        ("timeout", base_cf(s, "timeout = soon\n"), 4, "timeout"),
        ("bind", base_cf(s, "bind = kerberos\n"), 4, "bind"),
        ("badurl", "server_host = ldap://[::1\n", 1, "server_host"),
        ("badhost", "server_host = host/path\n", 1, "server_host"),
        ("template", base_cf(s, "query_filter = (uid=%x)\n"), 4, "query_filter"),
        ("format", base_cf(s, "result_format = %z\n"), 4, "result_format"),
        ("noequals", base_cf(s, "just words\n"), 4, "line 4"),
        ("recursion", base_cf(s, "recursion_limit = 0\n"), 4, "recursion_limit"),
    ]
    for name, text, line, needle in cases:
        t = cd.cf("bad-" + name, text)
        rc, out, err = ferry(cd, t, "alice@example.com")
        T.check(rc != FOUND and "fatal" in err, f"bad config {name} refused",
                f"rc {rc} {err}")
        T.check(t[len("ldap:"):] in err and f"line {line}" in err and needle in err,
                f"bad config {name}: error names file, line {line} and {needle}", err)
        T.check(out == "", f"bad config {name}: no answer", out)
    t = "ldap:" + os.path.join(cd.dir, "missing.cf")
    rc, out, err = ferry(cd, t, "alice@example.com")
    T.check(rc != FOUND and "missing.cf" in err, "missing .cf file", err)
    # Accepted with a warning: what Postfix accepts and ignores.
    t = cd.cf("ignored", base_cf(s, "cache = yes\ndebuglevel = 0\n"))
    rc, out, err = ferry(cd, t, "alice@example.com")
    T.eq(rc, FOUND, "cache/debuglevel accepted")
    T.check("ignoring cache" in err, "cache ignored with a warning", err)
    # ferry map refuses to build an ldap: table, as Postfix does.
    src = os.path.join(cd.dir, "build.cf")
    with open(src, "w") as f:
        f.write(base_cf(s))
    p = subprocess.run([FERRY_BIN, "-c", cd.dir, "ldap:" + src], capture_output=True,
                       text=True, timeout=30)
    T.check(p.returncode != 0 and "ldap" in p.stderr and "bulk-mode" in p.stderr,
            "postmap refuses to build ldap:", p.stderr)
    p = subprocess.run([FERRY_BIN, "-c", cd.dir, "-d", "alice@example.com", "ldap:" + src],
                       capture_output=True, text=True, timeout=30)
    T.check(p.returncode != 0 and "ldap" in p.stderr, "postmap -d refuses ldap:", p.stderr)
    postconf = os.path.join(os.path.dirname(FERRY_BIN), "postconf")
    p = subprocess.run([postconf, "-c", cd.dir, "-m"], capture_output=True, text=True,
                       timeout=30)
    T.check("ldap" in p.stdout.split(), "postconf -m lists ldap", p.stdout)


def test_kept_connection(s, cd):
    """One session per table: many lookups, one socket; a dead first server
    is logged once, not per lookup."""
    dead = free_port()
    t = cd.cf("kept", f"server_host = ldap://127.0.0.1:{dead} {s.url}\n"
                      f"search_base = {BASE}\nversion = 3\n")
    r = Reader(READER, t)
    try:
        answers = [r.lookup("alice@example.com") for _ in range(30)]
        T.check(all(a == ("FOUND", "alice@mail.example.com") for a in answers),
                "failover answers", str(answers[:3]))
        fds = os.listdir(f"/proc/{r.proc.pid}/fd")
        socks = [f for f in fds if os.readlink(f"/proc/{r.proc.pid}/fd/{f}").startswith("socket:")]
        T.eq(len(socks), 1, "one kept connection for 30 lookups")
        log = r.log()
        T.eq(log.count(f"127.0.0.1:{dead}"), 1, "dead server logged once")
    finally:
        r.close()


def blackhole():
    """A TCP port that accepts connections and never answers."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


def main():
    root = tempfile.mkdtemp(prefix="ferry-ldap-test-")
    hole = blackhole()
    try:
        with Slapd() as s:
            cd = ConfDir(root)
            for test in (test_basics, lambda s, cd: test_server_host(s, cd, hole.getsockname()[1]),
                         test_tls, test_search, test_escaping, test_results, test_recursion,
                         test_bind, test_bad_config, test_kept_connection):
                test(s, cd)
    finally:
        hole.close()
        shutil.rmtree(root, ignore_errors=True)
    T.finish()


if __name__ == "__main__":
    main()
