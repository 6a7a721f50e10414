#!/usr/bin/env python3
"""A database outage must never turn into "not found".

1. A long-running reader (one table handle, through the module ABI) looks
   keys up in a stream; the server is killed (SIGKILL) in the middle of the
   stream.  Every answer must be the right one or a temporary failure.
   The server is started again on the same port and data: the same handle
   must answer correctly again within a bounded time, without restarting
   anything.
2. The same for Ferry's `postmap -q -` reading keys from a pipe: the lines
   it prints are right, and the outage ends it with exit 75 (EX_TEMPFAIL)
   and a reason naming the table and the server, never a silent miss.

usage: mysql_outage_test.py MODULE.so TABLE_READER
"""
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mariadb_server import MariaDB  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tally import Tally  # noqa: E402

MODULE, READER = sys.argv[1], sys.argv[2]
FERRY_POSTMAP = os.path.join(os.environ["FERRY_TEST_BIN"], "postmap")

EXPECT = {
    "alice@example.com": "FOUND\texample.com/alice/",
    "bob@example.com": "FOUND\texample.com/bob/",
    "dave@mail.example.net": "FOUND\tmail.example.net/dave/",
    "nobody@example.com": "NOTFOUND",
    "carol@example.org": "NOTFOUND",  # inactive
    "o'brien@example.com": "FOUND\texample.com/obrien/",
}
KEYS = list(EXPECT)
RECOVERY_TIMEOUT = 20  # seconds for lookups to work again after a restart

T = Tally("mysql_outage")


def check(name, ok, detail=""):
    T.check(ok, name, detail)


def write_cf(root, db):
    path = os.path.join(root, "outage.cf")
    with open(path, "w") as f:
        f.write("hosts = inet:127.0.0.1:%d\nuser = postfix\npassword = Pf-secret\n"
                "dbname = ferry_test\n"
                "query = SELECT maildir FROM users WHERE address='%%s' AND active=1\n"
                "retry_interval = 1\nconnect_timeout = 5\nquery_timeout = 5\n" % db.port)
    os.utime(path, (0, 0))
    return path


class Reader:
    def __init__(self, cf):
        self.p = subprocess.Popen([READER, MODULE, "mysql", cf, "fold"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  bufsize=1)
        self.ready = self.p.stdout.readline().rstrip("\n")

    def ask(self, key):
        self.p.stdin.write(key + "\n")
        self.p.stdin.flush()
        return self.p.stdout.readline().rstrip("\n")

    def close(self):
        self.p.stdin.close()
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        return self.p.stderr.read()


def right_or_tempfail(key, answer):
    return answer == EXPECT[key] or answer.startswith("TEMPFAIL\t")


def test_reader(db, root):
    cf = write_cf(root, db)
    r = Reader(cf)
    check("reader ready", r.ready == "READY", r.ready)

    # Before: every answer right.
    before = [(k, r.ask(k)) for k in KEYS * 5]
    check("before outage: all answers right", all(a == EXPECT[k] for k, a in before),
          repr([x for x in before if x[1] != EXPECT[x[0]]][:3]))

    # Kill the server while a thread keeps looking up.
    answers = []
    stop = threading.Event()

    def stream():
        i = 0
        while not stop.is_set() and i < 20000:
            k = KEYS[i % len(KEYS)]
            answers.append((k, r.ask(k)))
            i += 1

    t = threading.Thread(target=stream)
    t.start()
    time.sleep(0.5)
    db.kill()
    time.sleep(1.5)
    stop.set()
    t.join(timeout=60)
    check("stream thread finished", not t.is_alive())
    bad = [x for x in answers if not right_or_tempfail(*x)]
    check("during outage: every answer right or a temporary failure, never not-found",
          not bad and len(answers) > 10, "%d answers, wrong: %r" % (len(answers), bad[:5]))
    fails = [a for _, a in answers if a.startswith("TEMPFAIL")]
    check("during outage: temporary failures seen", len(fails) > 0, "%d answers" % len(answers))
    check("temporary failure names table and server",
          fails and cf in fails[-1] and "127.0.0.1:%d" % db.port in fails[-1],
          fails[-1] if fails else "")
    # Down for a while: still never "not found".
    down = [(k, r.ask(k)) for k in KEYS * 3]
    check("server down: only temporary failures for existing keys",
          all(a.startswith("TEMPFAIL\t") for _, a in down), repr(down[:3]))

    # Back up: the same handle recovers without a restart.
    db.start()
    deadline = time.monotonic() + RECOVERY_TIMEOUT
    recovered = False
    while time.monotonic() < deadline:
        a = r.ask("alice@example.com")
        if a == EXPECT["alice@example.com"]:
            recovered = True
            break
        check("recovering: right or temporary failure",
              right_or_tempfail("alice@example.com", a), a)
        time.sleep(0.2)
    check("lookups work again after restart", recovered)
    after = [(k, r.ask(k)) for k in KEYS * 5]
    check("after restart: all answers right", all(a == EXPECT[k] for k, a in after),
          repr([x for x in after if x[1] != EXPECT[x[0]]][:3]))
    log = r.close()
    warnings = [l for l in log.splitlines() if l.startswith("LOG 1 ")]
    infos = [l for l in log.splitlines() if l.startswith("LOG 0 ")]
    # One warning when the server went away (a query on the dead connection
    # and the reconnect may each report), not one per failed lookup.
    check("outage logged once per state change, not per lookup",
          1 <= len(warnings) <= 2 and len(fails) + len(down) > 2 * len(warnings),
          "%d warnings for %d failed lookups: %r" % (len(warnings), len(fails) + len(down),
                                                    warnings))
    check("recovery logged", any("restored" in l for l in infos), repr(infos))


def test_postmap_stream(db, root):
    cf = write_cf(root, db)
    confdir = os.path.join(root, "conf")
    os.makedirs(confdir, exist_ok=True)
    with open(os.path.join(confdir, "main.cf"), "w"):
        pass
    os.utime(os.path.join(confdir, "main.cf"), (0, 0))
    p = subprocess.Popen([FERRY_POSTMAP, "-c", confdir, "-q", "-", "mysql:" + cf],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sent = 0
    try:
        for i in range(200):
            p.stdin.write((KEYS[i % len(KEYS)] + "\n").encode())
            p.stdin.flush()
            sent += 1
            time.sleep(0.002)
        time.sleep(0.3)
        db.kill()
        for i in range(200):
            p.stdin.write((KEYS[i % len(KEYS)] + "\n").encode())
            p.stdin.flush()
            time.sleep(0.002)
        p.stdin.close()
    except BrokenPipeError:
        pass  # postmap stopped at the first temporary failure: expected
    out, err = p.communicate(timeout=120)
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    lines = out.splitlines()
    wrong = []
    for line in lines:
        k, _, v = line.partition("\t")
        if EXPECT.get(k) != "FOUND\t" + v:
            wrong.append(line)
    found_keys = [k for k in KEYS if EXPECT[k].startswith("FOUND")]
    check("postmap -q - before the outage answered", len(lines) >= len(found_keys) * 10,
          "%d lines" % len(lines))
    check("postmap -q - printed only right answers", not wrong, repr(wrong[:3]))
    check("postmap -q - exits 75 on the outage", p.returncode == 75,
          "rc %d stderr %r" % (p.returncode, err))
    check("postmap -q - says why, naming table and server",
          "fatal: table mysql:" + cf + ": query error: " in err and
          "127.0.0.1:%d" % db.port in err, err)
    db.start()


def main():
    root = tempfile.mkdtemp(prefix="ferry-mysql-outage-")
    try:
        with MariaDB(os.path.join(root, "server")) as db:
            for t in (test_reader, test_postmap_stream):
                t0 = time.monotonic()
                t(db, root)
                print("%s: %.1fs" % (t.__name__, time.monotonic() - t0))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    T.finish()


if __name__ == "__main__":
    main()
