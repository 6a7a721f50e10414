#!/usr/bin/env python3
"""reload_test.py - `postfix reload` under load drops no session: client
threads keep sessions open across two reloads, sending messages with
pauses; every message must get "250 ... queued as", no connection may be
refused or cut, the old smtpd generation must exit once its sessions end,
and a new one must serve new connections."""
import os
import smtplib
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer, postfix, children  # noqa: E402
from smtp_client import RawClient  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("reload")
THREADS = 6
SESSIONS = 4            # per thread, bounded
MESSAGES = 6            # per session
PAUSE = 0.1             # between messages: sessions stay open across reloads

ok, failures = [], []
lock = threading.Lock()

def client(port, n):
    for s_no in range(SESSIONS):
        try:
            s = smtplib.SMTP("127.0.0.1", port, timeout=20)
            s.ehlo(f"reload{n}.example")
            for m in range(MESSAGES):
                s.mail("r@example.org")
                s.rcpt("alice@mx.ferry.test")
                code, text = s.data(f"Subject: {n}-{s_no}-{m}\r\n\r\nbody\r\n".encode())
                with lock:
                    (ok if code == 250 else failures).append((n, s_no, m, code, text))
                time.sleep(PAUSE)
            s.quit()
        except (OSError, smtplib.SMTPException) as e:
            with lock:
                failures.append((n, s_no, repr(e)))


def main():
    with FerryServer("reload", main_cf={"local_recipient_maps": "inline:{alice=yes}"}) as srv:
        master = srv.master_pid()
        first = children(master)
        # One session stays idle across the reloads: the old generation
        # must keep serving it while a new generation takes new ones.
        held = RawClient(srv.port)
        T.eq(held.cmd("EHLO held.example")[:4], "250-", "held session opened before the reloads")
        threads = [threading.Thread(target=client, args=(srv.port, i)) for i in range(THREADS)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        for _ in range(2):
            r = postfix("-c", srv.dir, "reload")
            T.eq(r.returncode, 0, "postfix reload")
            time.sleep(0.7)
        during = children(master)
        for t in threads:
            t.join()
        T.check(len(during) >= 2 and any(p in during for p in first),
                "the old generation lives on beside the new one while a session is open", f"{first} -> {during}")
        T.eq(held.cmd("MAIL FROM:<held@example.org>"), "250 2.1.0 Ok\r\n", "held session still served after reloads")
        held.cmd("RCPT TO:<alice@mx.ferry.test>")
        held.cmd("DATA")
        held.send("Subject: held\r\n\r\nbody\r\n.\r\n")
        T.check(held.reply().startswith("250 2.0.0 Ok: queued as"), "held session's message queued by the old generation")
        T.eq(held.cmd("QUIT"), "221 2.0.0 Bye\r\n", "held session ends normally")
        held.close()
        T.eq(failures, [], "no message refused and no session cut during reloads")
        T.eq(len(ok), THREADS * SESSIONS * MESSAGES, "every message queued")
        deadline = time.monotonic() + 10
        while any(p in children(master) for p in first) and time.monotonic() < deadline:
            time.sleep(0.05)
        T.check(not any(p in children(master) for p in first), "the first generation exits after its sessions",
                f"first {first}, now {children(master)}")
        now = children(master)
        T.check(len(now) == 1 and now[0] not in first, "one new-generation smtpd serves", f"{first} -> {now}")
        s = smtplib.SMTP("127.0.0.1", srv.port, timeout=10)
        T.eq(s.noop()[0], 250, "a new connection after the reloads is served")
        s.quit()
        T.eq(srv.log().count("reload -- version"), 2, "the master logged both reloads")
        srv.stop()
        T.eq(srv.problems(), [], "no Ferry process died, failed or reported a sanitizer error")
    T.finish()


if __name__ == "__main__":
    main()
