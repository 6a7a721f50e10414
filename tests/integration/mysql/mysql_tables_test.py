#!/usr/bin/env python3
"""mysql: tables against a throwaway MariaDB server.

1. Differential: the same .cf files and keys go to Postfix's postmap (with
   postfix-mysql) and to Ferry's; exit status (75 counted as 1) and output
   must agree, for every mysql_table(5) parameter.
2. Ferry only: bad configuration files (clear error naming file and line),
   escaping of hostile keys through the module ABI (NUL included),
   connection reuse, idle_interval, retry_interval, failover and logging
   once per state change, `postmap` refusing to build or change the table.

usage: mysql_tables_test.py MODULE.so TABLE_READER
"""
import os
import re
import socket
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mariadb_server import MariaDB, free_port  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tally import Tally  # noqa: E402

MODULE, READER = sys.argv[1], sys.argv[2]
FERRY_POSTMAP = os.path.join(os.environ["FERRY_TEST_BIN"], "postmap")
FERRY_POSTCONF = os.path.join(os.environ["FERRY_TEST_BIN"], "postconf")
POSTFIX_POSTMAP = "/usr/sbin/postmap"

T = Tally("mysql_tables")


def check(name, ok, detail=""):
    T.check(ok, name, detail)


# ---- helpers ------------------------------------------------------------

def make_confdir(root, name, main_cf=""):
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "main.cf")
    with open(path, "w") as f:
        f.write(main_cf)
    os.utime(path, (0, 0))  # Postfix pauses on a main.cf younger than 1 s
    return d


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    # Postfix also waits for a table file younger than a second.
    os.utime(path, (0, 0))
    return path


def run(binary, confdir, args, stdin=None):
    p = subprocess.run([binary, "-c", confdir] + args, input=stdin, capture_output=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def reader(table, fold=True):
    """A long-running reader on the module ABI: ask(key) -> answer line."""
    args = [READER, MODULE, "mysql", table] + (["fold"] if fold else [])
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, bufsize=1)
    first = p.stdout.readline().rstrip("\n")
    return p, first


def ask(p, key):
    p.stdin.write(key + "\n")
    p.stdin.flush()
    return p.stdout.readline().rstrip("\n")


def finish(p):
    p.stdin.close()
    try:
        p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return p.stderr.read()


class CountingListener:
    """A TCP listener on 127.0.0.1 that counts connections and closes them
    at once: a 'server' that always fails, to watch retry_interval."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self.count += 1
            c.close()

    def close(self):
        self.stop = True
        self.thread.join(timeout=5)
        self.sock.close()


# ---- the tests ------------------------------------------------------------

def connection_lines(db, user="postfix", password="Pf-secret", hosts=None):
    return ("hosts = %s\nuser = %s\npassword = %s\ndbname = ferry_test\n"
            % (hosts or "inet:127.0.0.1:%d" % db.port, user, password))


USER_KEYS = ["alice@example.com", "ALICE@Example.COM", "carol@example.org",
             "josé@example.com", "o'brien@example.com", "back\\slash@example.com",
             "pct%x@example.com", "pct_x@example.com", "under_score@example.com",
             "under%score@example.com", "x' OR '1'='1", "' OR 1=1 -- ", "\\' OR 1=1 #",
             "%", "_", "localonly", "nul\\0byte@example.com", "nobody@example.com",
             "dave@mail.example.net", "\u65e5\u672c@example.com"]
ALIAS_KEYS = ["team@example.com", "postmaster@example.com", "list@example.com",
              "nulls@example.com", "empty@example.com", "nodomain@example.com",
              "atstart@example.com", "abuse", "upper@example.com", "big@example.com",
              "nobody@example.com"]
DOMAIN_KEYS = ["dave@mail.example.net", "x@example.net", "mail.example.net",
               "x@mail..example.net", "x@.mail.example.net", "a@example.com",
               "a@x.example.com", "a@com", "a@example..com", "@example.com", "bob@",
               "a@b@example.com"]


def differential_cases(db, root):
    c = connection_lines(db)
    q_users = "query = SELECT maildir FROM users WHERE address='%s' AND active=1\n"
    q_alias = "query = SELECT goto, extra FROM aliases WHERE alias='%s'\n"
    domfile = write(os.path.join(root, "domains.list"), "# listed\nexample.org\n")
    texthash = write(os.path.join(root, "domains.txt"), "example.org ok\n")
    # The .cf's user and password override an option file's (in Postfix
    # too), so the option file sets something a query can see instead.
    optfile = write(os.path.join(root, "client.cnf"),
                    "[client]\ninit-command=SET @ferry_tag='+client'\n"
                    "[ferrygroup]\ninit-command=SET @ferry_tag='+group'\n")
    q_tag = ("query = SELECT CONCAT(maildir, @ferry_tag) FROM users "
             "WHERE address='%s' AND active=1\n")
    badopt = write(os.path.join(root, "bad.cnf"), "[client]\npassword=wrong\n")
    dead = free_port()
    return [
        ("query %s", c + q_users, USER_KEYS),
        ("query %u %d", c + "query = SELECT maildir FROM users WHERE "
         "address=CONCAT('%u','@','%d')\n", USER_KEYS[:8] + DOMAIN_KEYS),
        ("query %U %D %S", c + "query = SELECT maildir FROM users WHERE "
         "address=CONCAT('%U','@','%D') OR address='%S'\n", USER_KEYS[:6] + DOMAIN_KEYS),
        ("query %1 %2 %3", c + "query = SELECT transport FROM domains WHERE "
         "domain=CONCAT('%3','.','%2','.','%1')\n", DOMAIN_KEYS),
        ("query %1 %2", c + "query = SELECT transport FROM domains WHERE "
         "domain=CONCAT('%2','.','%1')\n", DOMAIN_KEYS),
        ("query %%", c + "query = SELECT CONCAT('100%%:', '%s')\n", ["a", "b%c", "x'y"]),
        ("several rows and columns", c + q_alias, ALIAS_KEYS),
        ("result_format", c + q_alias + "result_format = smtp:[%s]\n", ALIAS_KEYS),
        ("result_format %u %d", c + q_alias + "result_format = %u+ext@%d\n", ALIAS_KEYS),
        ("result_format %U %D %S %1", c + q_alias +
         "result_format = %s for %U at %D (%1) key %S\n", ALIAS_KEYS),
        ("expansion_limit 1", c + q_alias + "expansion_limit = 1\n", ALIAS_KEYS),
        ("expansion_limit 4", c + q_alias + "expansion_limit = 4\n", ALIAS_KEYS),
        ("domain list", c + q_alias + "domain = example.com\n", ALIAS_KEYS + DOMAIN_KEYS),
        ("domain negated", c + q_alias + "domain = !team.example.com, Example.COM\n",
         ALIAS_KEYS),
        ("domain file", c + "query = SELECT maildir FROM users WHERE address='%s'\n"
         "domain = " + domfile + "\n",
         ["carol@example.org", "alice@example.com"]),
        ("domain table", c + "query = SELECT maildir FROM users WHERE address='%s'\n"
         "domain = texthash:" + texthash + "\n",
         ["carol@example.org", "alice@example.com", "x@EXAMPLE.ORG"]),
        ("legacy query", c + "select_field = maildir\ntable = users\nwhere_field = address\n"
         "additional_conditions = AND active = 1\n", USER_KEYS),
        ("query overrides legacy", c + q_users + "select_field = address\ntable = users\n"
         "where_field = maildir\n", USER_KEYS[:4]),
        ("hosts unix socket", connection_lines(db, hosts="unix:" + db.socket) + q_users,
         USER_KEYS[:4]),
        ("hosts plain name:port", connection_lines(db, hosts="127.0.0.1:%d" % db.port) +
         q_users, USER_KEYS[:4]),
        ("hosts dead then live", connection_lines(
            db, hosts="inet:127.0.0.1:%d, inet:127.0.0.1:%d" % (dead, db.port)) + q_users,
         USER_KEYS[:4]),
        ("hosts all dead", connection_lines(db, hosts="127.0.0.1:%d" % dead) + q_users,
         USER_KEYS[:2]),
        ("wrong password", connection_lines(db, password="wrong") + q_users, USER_KEYS[:2]),
        ("unknown database", c.replace("ferry_test", "nosuchdb") + q_users, USER_KEYS[:2]),
        ("user without rights", connection_lines(db, user="norights", password="No-secret")
         + q_users, USER_KEYS[:2]),
        ("query error", c + "query = SELECT nosuchcolumn FROM users WHERE address='%s'\n",
         USER_KEYS[:2]),
        ("option_file", c + "option_file = %s\n" % optfile + q_tag, USER_KEYS[:3]),
        ("option_group", c + "option_file = %s\noption_group = ferrygroup\n" % optfile
         + q_tag, USER_KEYS[:3]),
        ("option_file wrong password", "hosts = 127.0.0.1:%d\nuser = postfix\n"
         "dbname = ferry_test\noption_file = %s\n" % (db.port, badopt) + q_users,
         USER_KEYS[:2]),
        ("stored procedure", c + "query = CALL lookup_alias('%s')\n", ALIAS_KEYS[:4]),
        ("procedure without result set", c + "query = CALL no_result('%s')\n",
         ALIAS_KEYS[:2]),
        ("require_result_set no", c + "query = CALL no_result('%s')\n"
         "require_result_set = no\n", ALIAS_KEYS[:2]),
        ("two result sets", c + "query = CALL two_results('%s')\n", ALIAS_KEYS[:2]),
        ("statement without result set", c + "query = DO '%s'\nrequire_result_set = no\n",
         ["a"]),
        ("tls", connection_lines(db, user="tlsuser", password="Tls-secret") + q_users +
         "tls_CAfile = %s\ntls_verify_cert = yes\n" % db.tls_cert, USER_KEYS[:3]),
        ("tls required but not used", connection_lines(db, user="tlsuser",
                                                       password="Tls-secret") + q_users,
         USER_KEYS[:1]),
        ("intervals", c + q_users + "idle_interval = 5\nretry_interval = 5\n", USER_KEYS[:2]),
        ("comments and continuation", "# a comment\n" + c + "query = SELECT maildir\n"
         "  FROM users\n  # inside\n  WHERE address='%s'\n", USER_KEYS[:3]),
    ]


def normalise(rc, out, err, key):
    # Ferry exits 75 for a temporary failure where Postfix exits 1
    # (documented); the messages around failures are each tool's own, but
    # the "empty lookup result" warning is Postfix's text in both.
    # "fatal:" tells a failure from "not found" (both exit 1 in Postfix).
    warn = sorted(l for l in err.splitlines() if "empty lookup result" in l)
    return (1 if rc == 75 else rc), out, warn, "fatal:" in err


# Cases where no key can be found: every answer is a failure or "not found".
NOTHING_FOUND = {"hosts all dead", "wrong password", "unknown database", "user without rights",
                 "query error", "option_file wrong password", "procedure without result set",
                 "require_result_set no", "two result sets", "statement without result set",
                 "tls required but not used"}


def test_differential(db, root):
    pf_dir = make_confdir(root, "pf")
    fy_dir = make_confdir(root, "fy")
    for i, (name, text, keys) in enumerate(differential_cases(db, root)):
        cf = write(os.path.join(root, "case%02d.cf" % i), text)
        table = "mysql:" + cf
        found = 0
        for key in keys:
            k = key.encode("utf-8")
            t0 = time.monotonic()
            pf = normalise(*run(POSTFIX_POSTMAP, pf_dir, ["-q", k, table]), key)
            t1 = time.monotonic()
            fy = normalise(*run(FERRY_POSTMAP, fy_dir, ["-q", k, table]), key)
            t2 = time.monotonic()
            if t2 - t0 > 0.5:
                print("SLOW %s %r pf %.1f fy %.1f" % (name, key, t1 - t0, t2 - t1))
            check("diff %s: %r" % (name, key), pf == fy,
                  "postfix %r\n     ferry   %r" % (pf, fy))
            found += fy[0] == 0
        # A case that agrees only because both fail proves little.
        check("case %s finds %s" % (name, "nothing" if name in NOTHING_FOUND else "something"),
              (found == 0) == (name in NOTHING_FOUND), "%d keys found" % found)
        # The same keys as a stream (only when every key answers: a
        # temporary failure ends both streams with a fatal error).
        stream = "".join(k + "\n" for k in keys).encode("utf-8")
        pf = run(POSTFIX_POSTMAP, pf_dir, ["-q", "-", table], stream)
        fy = run(FERRY_POSTMAP, fy_dir, ["-q", "-", table], stream)
        pfn, fyn = (1 if pf[0] == 75 else pf[0]), (1 if fy[0] == 75 else fy[0])
        check("diff stream %s" % name, (pfn, pf[1]) == (fyn, fy[1]),
              "postfix %r %r\n     ferry   %r %r" % (pf[0], pf[1], fy[0], fy[1]))
    # Parameters from main.cf ("mysql:name" without a slash).
    main_cf = ("mytbl_hosts = inet:127.0.0.1:%d\nmytbl_user = postfix\n"
               "mytbl_password = Pf-secret\nmytbl_dbname = ferry_test\n"
               "mytbl_query = SELECT maildir FROM users WHERE address='%%s'\n" % db.port)
    pf_dir2 = make_confdir(root, "pf2", main_cf)
    fy_dir2 = make_confdir(root, "fy2", main_cf)
    for key in ["alice@example.com", "nobody"]:
        pf = run(POSTFIX_POSTMAP, pf_dir2, ["-q", key, "mysql:mytbl"])[:2]
        fy = run(FERRY_POSTMAP, fy_dir2, ["-q", key, "mysql:mytbl"])[:2]
        check("diff main.cf parameters %s" % key, pf == fy, "postfix %r ferry %r" % (pf, fy))


def test_bad_configs(db, root):
    fy_dir = make_confdir(root, "fy-bad")
    c = connection_lines(db)
    q = "query = SELECT maildir FROM users WHERE address='%s'\n"
    cases = [
        # name, text, expected rc, regexp the stderr must match
        ("unknown parameter", c + q + "qeury_timeout = 3\n", 0,
         r"warning: mysql:\S+: \S+\.cf, line 6: unknown parameter \"qeury_timeout\" ignored"),
        ("missing query", c, 1, r"fatal: mysql:\S+\.cf: \S+\.cf: missing \"query\" parameter"),
        ("legacy part missing", c + "table = users\nselect_field = maildir\n", 1,
         r"fatal: mysql:\S+: \S+\.cf: missing \"where_field\""),
        ("bad hosts port", c.replace("inet:127.0.0.1:%d" % db.port, "inet:127.0.0.1:nosuch")
         + q, 1, r"fatal: mysql:\S+: \S+\.cf, line 1: bad hosts entry \"inet:127.0.0.1:nosuch\": "
         r"bad port"),
        ("bad hosts socket", c.replace("inet:127.0.0.1:%d" % db.port, "unix:relative/sock")
         + q, 1, r"line 1: bad hosts entry \"unix:relative/sock\""),
        ("bad hosts empty host", c.replace("inet:127.0.0.1:%d" % db.port, "inet::3306") + q,
         1, r"line 1: bad hosts entry \"inet::3306\": empty host name"),
        ("unreadable option_file", c + q + "option_file = /nonexistent/my.cnf\n", 1,
         r"fatal: mysql:\S+: \S+\.cf, line 6: cannot read option_file /nonexistent/my.cnf: "
         r"No such file"),
        ("option_file is a directory", c + q + "option_file = /tmp\n", 1,
         r"line 6: cannot read option_file /tmp: Is a directory"),
        ("unreadable tls_CAfile", c + q + "tls_CAfile = /nonexistent/ca.pem\n", 1,
         r"line 6: cannot read tls_CAfile /nonexistent/ca.pem"),
        ("bad expansion_limit", c + q + "expansion_limit = many\n", 1,
         r"line 6: bad numerical value for \"expansion_limit = many\""),
        ("negative retry_interval", c + q + "retry_interval = -5\n", 1,
         r"line 6: value out of range for \"retry_interval = -5\""),
        ("bad boolean", c + q + "require_result_set = maybe\n", 1,
         r"line 6: bad boolean value for \"require_result_set = maybe\""),
        ("bad template", c + "query = SELECT x FROM y WHERE z='%x'\n", 1,
         r"line 5: invalid query template .*%x"),
        ("bad result_format", c + q + "result_format = %q\n", 1,
         r"line 6: invalid result template"),
        ("empty dbname", c.replace("dbname = ferry_test", "dbname =") + q, 1,
         r"line 4: parameter \"dbname\" must not be empty"),
        ("no equals sign", c + q + "this line is broken\n", 1,
         r"\.cf, line 6: missing '=' after parameter name"),
        ("unreadable domain file", c + q + "domain = /nonexistent/domains\n", 1,
         r"line 6: domain: open /nonexistent/domains"),
    ]
    for i, (name, text, want_rc, pattern) in enumerate(cases):
        cf = write(os.path.join(root, "bad%02d.cf" % i), text)
        rc, out, err = run(FERRY_POSTMAP, fy_dir, ["-q", "alice@example.com", "mysql:" + cf])
        ok = rc == want_rc and re.search(pattern, err) is not None
        check("bad config: %s" % name, ok, "rc %d stderr %r" % (rc, err))
        if want_rc == 0:
            check("bad config still answers: %s" % name, out == b"example.com/alice/\n",
                  repr(out))
    missing = os.path.join(root, "nonexistent.cf")
    rc, out, err = run(FERRY_POSTMAP, fy_dir, ["-q", "x", "mysql:" + missing])
    check("bad config: missing .cf file", rc == 1 and "open " + missing +
          ": No such file or directory" in err, err)


def test_postmap_refuses(db, root):
    fy_dir = make_confdir(root, "fy-ro")
    cf = write(os.path.join(root, "ro.cf"), connection_lines(db) +
               "query = SELECT maildir FROM users WHERE address='%s'\n")
    rc, _, err = run(FERRY_POSTMAP, fy_dir, ["mysql:" + cf])
    check("postmap refuses to build", rc == 1 and
          "unsupported dictionary type: mysql does not support bulk-mode creation" in err, err)
    rc, _, err = run(FERRY_POSTMAP, fy_dir, ["-d", "alice@example.com", "mysql:" + cf])
    check("postmap refuses to delete", rc == 1 and "mysql tables are read-only" in err, err)
    rc, _, err = run(FERRY_POSTMAP, fy_dir, ["-s", "mysql:" + cf])
    check("postmap refuses to list", rc == 1 and "sequence operation is not supported" in err,
          err)
    p = subprocess.run([FERRY_POSTCONF, "-c", fy_dir, "-m"], capture_output=True, text=True,
                       timeout=60)
    check("postconf -m lists mysql", "mysql" in p.stdout.split(), p.stdout)


def status(db, name):
    out = db.sql("SHOW GLOBAL STATUS LIKE '%s'" % name)
    return int(out.split()[1])


def test_escaping(db, root):
    cf = write(os.path.join(root, "esc.cf"), connection_lines(db) +
               "query = SELECT maildir FROM users WHERE address='%s'\n")
    expect = {
        "hex:" + b"nul\0byte@example.com".hex(): "FOUND\texample.com/nul/",
        "hex:" + b"x\0' OR '1'='1".hex(): "NOTFOUND",
        "o'brien@example.com": "FOUND\texample.com/obrien/",
        "back\\slash@example.com": "FOUND\texample.com/backslash/",
        "pct%x@example.com": "FOUND\texample.com/pct/",
        "josé@example.com": "FOUND\texample.com/jose/",
        "x' OR '1'='1": "NOTFOUND",
        "' OR 1=1 -- ": "NOTFOUND",
        "\\' OR 1=1 #": "NOTFOUND",
        "\\": "NOTFOUND",
        "'": "NOTFOUND",
        "%": "NOTFOUND",
        "_": "NOTFOUND",
        "%s": "NOTFOUND",
        "'; DROP TABLE users; --": "NOTFOUND",
        # GBK-style multibyte trick: 0xbf27 must not turn into a quote.
        "hex:" + b"\xbf' OR 1=1 -- ".hex(): "NOTFOUND",
        "\u65e5\u672c\u8a9e'@example.com": "NOTFOUND",
        "a" * 5000: "NOTFOUND",
    }
    p, first = reader(cf)
    check("reader opens", first == "READY", first)
    for key, want in expect.items():
        got = ask(p, key)
        check("escaping %r" % key[:40], got == want, "got %r want %r" % (got, want))
    finish(p)
    check("escaping left the table intact",
          db.sql("SELECT COUNT(*) FROM users", "ferry_test").strip() == "11")


def test_connection_reuse_and_idle(db, root):
    cf = write(os.path.join(root, "reuse.cf"), connection_lines(db) +
               "query = SELECT maildir FROM users WHERE address='%s'\nidle_interval = 2\n")
    p, first = reader(cf)
    before = status(db, "Connections")
    for _ in range(50):
        ask(p, "alice@example.com")
    after = status(db, "Connections")
    # +1 for the reader's one connection, +1 for our own status query.
    check("one connection reused for 50 lookups", after - before == 2,
          "connections %d -> %d" % (before, after))
    time.sleep(3.2)  # longer than idle_interval
    answer = ask(p, "alice@example.com")
    later = status(db, "Connections")
    check("idle connection reopened after idle_interval",
          answer == "FOUND\texample.com/alice/" and later - after == 2,
          "answer %r connections %d -> %d" % (answer, after, later))
    finish(p)


def test_retry_interval_and_logging(db, root):
    fake = CountingListener()
    try:
        cf = write(os.path.join(root, "retry.cf"), connection_lines(
            db, hosts="inet:127.0.0.1:%d" % fake.port) +
            "query = SELECT maildir FROM users WHERE address='%s'\nretry_interval = 2\n")
        p, first = reader(cf)
        answers = [ask(p, "alice@example.com") for _ in range(5)]
        tempfails = all(a.startswith("TEMPFAIL\t") for a in answers)
        check("dead host: temporary failure, never not-found", tempfails, repr(answers))
        check("dead host: reason names table and host",
              cf in answers[0] and "inet:127.0.0.1:%d" % fake.port in answers[0], answers[0])
        check("dead host: not retried before retry_interval", fake.count == 1,
              "connections %d" % fake.count)
        time.sleep(2.5)
        ask(p, "alice@example.com")
        check("dead host: retried after retry_interval", fake.count == 2,
              "connections %d" % fake.count)
        log = finish(p)
        warnings = [l for l in log.splitlines() if l.startswith("LOG 1 ")]
        check("dead host: logged once, not per lookup", len(warnings) == 1, repr(warnings))

        # Failover: the dead host and the live server; every lookup answers.
        cf = write(os.path.join(root, "failover.cf"), connection_lines(
            db, hosts="inet:127.0.0.1:%d inet:127.0.0.1:%d" % (fake.port, db.port)) +
            "query = SELECT maildir FROM users WHERE address='%s'\n")
        for _ in range(3):  # the host order is random: try a few handles
            p, first = reader(cf)
            answers = [ask(p, "alice@example.com") for _ in range(10)]
            log = finish(p)
            check("failover: every lookup answered",
                  answers == ["FOUND\texample.com/alice/"] * 10, repr(answers))
            check("failover: at most one warning",
                  len([l for l in log.splitlines() if l.startswith("LOG 1 ")]) <= 1, log)
    finally:
        fake.close()

    # A statement without a result set fails every lookup: one warning,
    # and one more only after a lookup got rows in between.
    cf = write(os.path.join(root, "noresult.cf"), connection_lines(db) +
               "query = CALL no_result('%s')\n")
    p, first = reader(cf)
    answers = [ask(p, "team@example.com") for _ in range(4)]
    log = finish(p)
    check("no result set: temporary failure",
          all(a.startswith("TEMPFAIL\t") and "no result set" in a for a in answers),
          repr(answers))
    warnings = [l for l in log.splitlines() if l.startswith("LOG 1 ") and "no result set" in l]
    check("no result set: logged once, not per lookup", len(warnings) == 1, repr(warnings))


def main():
    root = tempfile.mkdtemp(prefix="ferry-mysql-")
    try:
        with MariaDB(os.path.join(root, "server")) as db:
            for t in (test_differential, test_bad_configs, test_postmap_refuses, test_escaping,
                      test_connection_reuse_and_idle, test_retry_interval_and_logging):
                t0 = time.monotonic()
                t(db, root)
                print("%s: %.1fs" % (t.__name__, time.monotonic() - t0))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    T.finish()


if __name__ == "__main__":
    main()
