#!/usr/bin/env python3
"""crash_test.py - a message that got "250 ... queued as ID" survives a
crash.  Client threads send a bounded stream of messages (each with a
token at its start and end); during the stream the SMTP service is
killed with SIGKILL, later the master too, and a new master is started.
At the end every queue id a client saw must be a whole queue file in
incoming: it parses (version to end record) and holds its message from
the first token to the last."""
import os
import signal
import smtplib
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer, children  # noqa: E402
from queue_file import parse  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("crash")
MAX_MESSAGES = 30000      # the stream is bounded in count ...
MAX_SECONDS = 60          # ... and in time
THREADS = 4

acked = {}                # queue id -> token
lock = threading.Lock()
stop = threading.Event()
errors = []

def sender(port, n0):
    n = n0
    deadline = time.monotonic() + MAX_SECONDS
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            s = smtplib.SMTP("127.0.0.1", port, timeout=10)
            s.ehlo("crash.example")
            for _ in range(5):
                with lock:
                    if len(acked) >= MAX_MESSAGES:
                        stop.set()
                if stop.is_set():
                    break
                n += THREADS
                token = f"tok{n:07d}"
                body = f"Subject: {token}\r\n\r\nBEGIN {token}\r\n" + ("x" * 70 + "\r\n") * 50 + f"END {token}\r\n"
                s.mail("crash@example.org")
                s.rcpt("alice@mx.ferry.test")
                code, text = s.data(body.encode())
                if code == 250 and b"queued as " in text:
                    qid = text.split(b"queued as ")[1].split()[0].decode()
                    with lock:
                        acked[qid] = token
            s.quit()
        except (OSError, smtplib.SMTPException):
            time.sleep(0.05)  # the server is down or restarting: try again


def main():
    srv = FerryServer("crash", main_cf={"local_recipient_maps": "inline:{alice=yes}"})
    srv.start()
    threads = [threading.Thread(target=sender, args=(srv.port, i)) for i in range(THREADS)]
    for t in threads:
        t.start()
    try:
        def count():
            with lock:
                return len(acked)

        deadline = time.monotonic() + 20
        while count() < 100 and not stop.is_set() and time.monotonic() < deadline:
            time.sleep(0.02)
        T.check(count() >= 100, "the stream is flowing before the first kill", str(count()))
        # Let the smtpd process live past the master's start-up throttle window.
        time.sleep(2.5)
        smtpd = children(srv.master_pid())
        T.check(len(smtpd) == 1, "one smtpd process under the master", str(smtpd))
        before_kill = count()
        for pid in smtpd:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while count() < before_kill + 100 and time.monotonic() < deadline:
            time.sleep(0.02)
        T.check(count() >= before_kill + 100, "the master restarted smtpd and mail flows again",
                f"{before_kill} -> {count()}")
        master = srv.master_pid()
        os.kill(master, signal.SIGKILL)
        srv.proc.wait()
        time.sleep(0.3)
        T.check(all(not children(master) for _ in [0]), "services end with their master")
        mid = count()
        srv.start()  # over the dead master's pid file
        deadline = time.monotonic() + 15
        while count() < mid + 100 and time.monotonic() < deadline:
            time.sleep(0.02)
        T.check(count() >= mid + 100, "a new master takes over and mail flows again", f"{mid} -> {count()}")
    finally:
        stop.set()
        for t in threads:
            t.join()
    lost, broken = [], []
    for qid, token in acked.items():
        path = os.path.join(srv.queue, "incoming", qid)
        if not os.path.exists(path):
            lost.append(qid)
            continue
        try:
            q = parse(path)
            content = q["content"].decode()
            if f"BEGIN {token}\n" not in content or not content.endswith(f"END {token}\n"):
                broken.append(qid)
        except ValueError as e:
            broken.append(f"{qid}: {e}")
    print(f"crash: {len(acked)} messages acknowledged across two kills")
    T.check(len(acked) >= 300, "enough messages acknowledged to mean something", str(len(acked)))
    T.eq(lost, [], "every acknowledged message is in the queue")
    T.eq(broken, [], "every acknowledged message is whole")
    srv.stop()
    T.eq(srv.problems(expect_kills=True), [], "no sanitizer report from any Ferry process")
    srv.__exit__(None, None, None)
    T.finish()


if __name__ == "__main__":
    main()
