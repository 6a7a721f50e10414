#!/usr/bin/env python3
"""Outage test: slapd is killed in the middle of a lookup stream and
restarted under a reader that keeps its table open.

 1. One server.  A reader thread looks keys up without pause (bounded in
    count and time) while slapd is killed (SIGKILL) and, two seconds later,
    restarted on the same port.  Every answer must be the right one or a
    temporary failure naming the table and the server, never "not found"
    for a key the directory has; the reader answers again after the restart
    without being restarted; the failure is logged once per state change,
    not once per lookup.
 2. Two servers.  Killing the one in use moves the reader to the other with
    no failed lookup at all; killing that one after the first came back
    moves it back once retry_interval has passed.

usage: ldap_outage_test.py LDAP_READER
"""
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldap_helpers import ConfDir, Reader, Tally  # noqa: E402
from slapd_fixture import BASE, Slapd  # noqa: E402

READER = sys.argv[1]
T = Tally("ldap_outage")

EXPECTED = {
    "alice@example.com": ("FOUND", "alice@mail.example.com"),
    "nobody@example.com": ("NOTFOUND", ""),
    "bob@example.com": ("FOUND", "bob@mail.example.com,bob@backup.example.com"),
}
KEYS = ["alice@example.com", "nobody@example.com", "bob@example.com"]


class Stream(threading.Thread):
    """Look keys up in turn until stopped, at most max_lookups or
    max_seconds; record (time, key, answer)."""

    def __init__(self, reader, max_lookups=100000, max_seconds=60):
        super().__init__(daemon=True)
        self.reader = reader
        self.max_lookups = max_lookups
        self.max_seconds = max_seconds
        self.answers = []
        self.stop = threading.Event()
        self.error = None

    def run(self):
        start = time.monotonic()
        try:
            for i in range(self.max_lookups):
                if self.stop.is_set() or time.monotonic() - start > self.max_seconds:
                    break
                key = KEYS[i % len(KEYS)]
                self.answers.append((time.monotonic(), key, self.reader.lookup(key)))
                # A failing table answers in microseconds: pace the stream
                # so its bound in count outlasts the outage.
                time.sleep(0.001)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e


def check_answers(answers, table, label, allow_tempfail=True):
    wrong = []
    tempfails = 0
    for _, key, (status, text) in answers:
        want = EXPECTED[key]
        if (status, text) == want:
            continue
        if status == "TEMPFAIL" and allow_tempfail:
            tempfails += 1
            if table not in text or "ldap://127.0.0.1:" not in text:
                wrong.append((key, status, text))
            continue
        wrong.append((key, status, text))
    T.check(not wrong, f"{label}: every answer right or a temporary failure",
            f"{len(wrong)} wrong, first {wrong[:3]}")
    return tempfails


def wait_until(pred, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def one_server(root):
    with Slapd("outage") as s:
        cd = ConfDir(root)
        table = cd.cf("outage", f"server_host = {s.url}\nsearch_base = {BASE}\n"
                                "timeout = 2\nretry_interval = 1\n")
        reader = Reader(READER, table)
        try:
            stream = Stream(reader)
            stream.start()
            T.check(wait_until(lambda: len(stream.answers) > 200, 20), "stream running",
                    str(len(stream.answers)))
            killed_at = time.monotonic()
            s.kill()
            time.sleep(2)
            restarted_at = time.monotonic()
            s.start()
            # Recovery: answers are right again within a bounded time.
            recovered = wait_until(
                lambda: any(t > restarted_at and a == EXPECTED[k]
                            for t, k, a in stream.answers[-50:]), 15)
            time.sleep(1.0)
            stream.stop.set()
            stream.join(30)
            T.check(stream.error is None, "reader kept answering", str(stream.error))
            T.check(recovered, "lookups work again after slapd restarts, reader not restarted")
            tempfails = check_answers(stream.answers, table, "one server")
            T.check(tempfails > 0, "the outage was seen as temporary failures",
                    f"{len(stream.answers)} answers")
            during = [a for t, _, a in stream.answers if killed_at + 0.2 < t < restarted_at]
            T.check(during and all(st == "TEMPFAIL" for st, _ in during),
                    "while slapd is down every lookup is a temporary failure",
                    str(during[:3]))
            back = [t for t, k, a in stream.answers
                    if t > restarted_at and a == EXPECTED[k] and a[0] == "FOUND"]
            back_at = back[0] if back else float("inf")
            after = [a == EXPECTED[k] for t, k, a in stream.answers if t > back_at]
            T.check(after and all(after), "all right once the server is back",
                    f"{after.count(False)} of {len(after)} wrong")
            log = reader.log()
            warnings = [l for l in log.splitlines() if "warning" in l]
            T.check(0 < len(warnings) <= 5, "failure logged once per state change",
                    f"{len(warnings)} warning lines for {tempfails} failed lookups:\n" +
                    "\n".join(warnings[:10]))
            T.check("answering again" in log, "recovery logged", log[-500:])
            print(f"one server: {len(stream.answers)} lookups, {tempfails} temporary "
                  f"failures, {len(warnings)} warning lines", flush=True)
        finally:
            reader.close()


def two_servers(root):
    with Slapd("outage-a") as a, Slapd("outage-b") as b:
        cd = ConfDir(root)
        table = cd.cf("failover", f"server_host = {a.url} {b.url}\nsearch_base = {BASE}\n"
                                  "timeout = 2\nretry_interval = 1\n")
        reader = Reader(READER, table)
        try:
            stream = Stream(reader)
            stream.start()
            wait_until(lambda: len(stream.answers) > 200, 20)
            a.kill()
            n = len(stream.answers)
            wait_until(lambda: len(stream.answers) > n + 300, 20)
            a.start()
            time.sleep(1.5)  # longer than retry_interval: a may be tried again
            b.kill()
            n = len(stream.answers)
            wait_until(lambda: len(stream.answers) > n + 300, 20)
            stream.stop.set()
            stream.join(30)
            T.check(stream.error is None, "failover reader kept answering", str(stream.error))
            check_answers(stream.answers, table, "two servers", allow_tempfail=False)
            log = reader.log()
            # b's session dying is not a failure of b: the reader reconnects
            # from the top of the list and finds a again.
            T.check(log.count(a.url) == 2 and "answering again" in log,
                    "a's failure and recovery logged once each", log[-800:])
            print(f"two servers: {len(stream.answers)} lookups, no failures", flush=True)
        finally:
            reader.close()


def postmap_stream(root):
    """postmap -q - through a kill: what it printed is a prefix of the right
    output (a "not found" in disguise would leave a found key's line out),
    and it ends with a temporary failure (75), not success."""
    from ldap_helpers import FERRY_BIN
    import subprocess
    with Slapd("outage-postmap") as s:
        cd = ConfDir(root)
        table = cd.cf("stream", f"server_host = {s.url}\nsearch_base = {BASE}\ntimeout = 2\n")
        keys = [KEYS[i % len(KEYS)] for i in range(60000)]
        want = [f"{k}\t{EXPECTED[k][1]}" for k in keys if EXPECTED[k][0] == "FOUND"]
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            p = subprocess.Popen([FERRY_BIN, "-c", cd.dir, "-q", "-", table],
                                 stdin=subprocess.PIPE, stdout=out, stderr=err, text=True)
            def feed():
                try:
                    p.stdin.write("".join(k + "\n" for k in keys))
                    p.stdin.close()
                except BrokenPipeError:
                    pass  # postmap stopped at the outage, as it should

            feeder = threading.Thread(target=feed, daemon=True)
            feeder.start()
            wait_until(lambda: out.tell() > 20000 or p.poll() is not None, 20)
            s.kill()
            try:
                rc = p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait()
            feeder.join(10)
            out.seek(0)
            got = out.read().splitlines()
            err.seek(0)
            T.eq(rc, 75, "postmap -q - ends with a temporary failure when slapd dies")
            T.check(0 < len(got) < len(want) and got == want[:len(got)],
                    "postmap -q - printed only right answers, none left out",
                    f"{len(got)} lines of {len(want)}")
            T.check(table[len("ldap:"):] in err.read(), "postmap names the table")
            print(f"postmap -q -: {len(got)} answers before the outage, then exit {rc}",
                  flush=True)


def main():
    root = tempfile.mkdtemp(prefix="ferry-ldap-outage-")
    try:
        one_server(root)
        two_servers(root)
        postmap_stream(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    T.finish()


if __name__ == "__main__":
    main()
