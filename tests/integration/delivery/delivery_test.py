#!/usr/bin/env python3
"""delivery_test.py - a message received by smtpd for a local user ends in
its mailbox: qmgr moves it to active/, starts local(8), and local writes the
Maildir (through the transport-maildir module) or the mbox.  Also: aliases
to two users, an unknown user bounced, a remote recipient deferred and
retried, and a file left in active/ by a crash delivered at start."""
import glob
import os
import shutil
import smtplib
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer, wait_for  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("delivery")


def rows(port, qmgr=True):
    r = [f"127.0.0.1:{port} inet n - n - - smtpd"]
    if qmgr:
        r += ["qmgr unix n - n 300 1 qmgr", "local unix - n n - - local"]
    return r


def server(name, spool_suffix="/", extra=None, qmgr=True):
    """A Ferry whose mail spool is under its own temporary directory, open
    to every user (the deliveries run as the recipient, e.g. daemon)."""
    from ferry_server import free_port
    port = free_port()
    params = {"compatibility_level": "3.6", "local_recipient_maps": "", "home_mailbox": "",
              "mydestination": "$myhostname, localhost", "queue_run_delay": "1s",
              "alias_maps": "inline:{ {team = root, daemon}, {far = someone@example.org}, "
                            "{pipe = \"|/bin/cat\"}, {selfish = selfish} }"}
    params.update(extra or {})
    srv = FerryServer(name, main_cf=params, master_cf=rows(port, qmgr), port=port)
    spool = os.path.join(srv.dir, "mail")
    os.chmod(srv.dir, 0o755)
    os.mkdir(spool)
    os.chmod(spool, 0o1777)
    with open(os.path.join(srv.dir, "main.cf"), "a") as f:
        f.write(f"mail_spool_directory = {spool}{spool_suffix}\n")
    srv.spool = spool
    return srv


def send(srv, rcpts, body="Subject: hello\r\n\r\nbody line\r\n", sender="sender@example.org"):
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as s:
        s.ehlo("client.example")
        s.sendmail(sender, rcpts, body)

def logged(srv, text):
    """The log lines with `text`, waiting for the first: a file can appear
    (Maildir, queue) a moment before the line that reports it."""
    wait_for(lambda: lines(srv, text))
    return lines(srv, text)


def lines(srv, text):
    return [line for line in srv.log().splitlines() if text in line]


def queue_files(srv, queue):
    return [p for p in glob.glob(os.path.join(srv.queue, queue, "*")) if not p.endswith(".tmp")]


def maildir_files(srv, user):
    return sorted(glob.glob(os.path.join(srv.spool, user, "new", "*")))


def read(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")


def maildir_cases():
    with server("deliver-maildir") as srv:
        send(srv, ["root@mx.ferry.test"])
        T.check(wait_for(lambda: maildir_files(srv, "root")), "root's Maildir receives the message", srv.log()[-1500:])
        files = maildir_files(srv, "root")
        if files:
            m = read(files[0])
            T.check(m.startswith("Return-Path: <sender@example.org>\nX-Original-To: root@mx.ferry.test\n"
                                 "Delivered-To: root@mx.ferry.test\n"), "Return-Path and Delivered-To first", m[:300])
            T.check("\nSubject: hello\n" in m and m.endswith("\nbody line\n"), "headers and body", m)
        sent = logged(srv, "to=<root@mx.ferry.test>, relay=local, delay=")
        T.check(sent and "dsn=2.0.0, status=sent (delivered to maildir)" in sent[0] and "postfix/local[" in sent[0],
                "local logs status=sent in Postfix's form", sent)
        T.check(lines(srv, "from=<sender@example.org>, size=") and lines(srv, "nrcpt=1 (queue active)"),
                "qmgr logs the (queue active) line", srv.log()[-800:])
        T.check(wait_for(lambda: lines(srv, ": removed")), "qmgr logs removed", srv.log()[-800:])
        T.eq(queue_files(srv, "active") + queue_files(srv, "incoming") + queue_files(srv, "deferred"), [],
             "the delivered queue file is gone")

        # An alias to two local users: one copy each; the delivery lines
        # name the alias as orig_to.
        send(srv, ["team@mx.ferry.test"], body="Subject: team\r\n\r\nfor the team\r\n")
        T.check(wait_for(lambda: len(maildir_files(srv, "root")) == 2 and maildir_files(srv, "daemon")),
                "alias team -> root, daemon: one copy each", srv.log()[-1500:])
        d = maildir_files(srv, "daemon")
        if d:
            m = read(d[0])
            T.check("Delivered-To: daemon@mx.ferry.test\n" in m and "X-Original-To: team@mx.ferry.test\n" in m,
                    "the alias copy names the final and the original recipient", m[:300])
            st = os.stat(d[0])
            T.eq(st.st_uid, __import__("pwd").getpwnam("daemon").pw_uid, "daemon's copy is written as daemon")
        T.check(logged(srv, "to=<daemon@mx.ferry.test>, orig_to=<team@mx.ferry.test>, relay=local"),
                "orig_to in the alias delivery line", srv.log()[-1500:])

        # An alias that lists itself delivers to the user, not in a loop.
        send(srv, ["selfish@mx.ferry.test"])
        T.check(wait_for(lambda: lines(srv, "to=<selfish@mx.ferry.test>")), "self-listing alias is logged",
                srv.log()[-1000:])
        T.check(logged(srv, 'status=bounced (unknown user: "selfish")'),
                "self-listing alias reaches the password file", srv.log()[-1000:])

        # Unknown user: bounced (Postfix's words), the file removed.
        before = len(lines(srv, ": removed"))
        send(srv, ["nosuchuser@mx.ferry.test"])
        T.check(wait_for(lambda: lines(srv, 'status=bounced (unknown user: "nosuchuser")')),
                "unknown user is bounced", srv.log()[-1000:])
        b = logged(srv, "to=<nosuchuser@mx.ferry.test>")
        T.check(b and "dsn=5.1.1" in b[0], "bounce has dsn=5.1.1", b)
        T.check(wait_for(lambda: len(lines(srv, ": removed")) > before), "bounced message is removed", srv.log()[-600:])
        T.check(logged(srv, "bounce messages are not yet implemented"), "missing bounce notice is logged", "")

        # Remote and unsupported targets are deferred, retried, never dropped.
        send(srv, ["someone@example.org", "root@mx.ferry.test"])
        T.check(wait_for(lambda: queue_files(srv, "deferred")), "remote recipient: file moves to deferred/",
                srv.log()[-1000:])
        d = logged(srv, "to=<someone@example.org>, relay=none")
        T.check(d and "status=deferred" in d[0], "remote recipient logged as deferred", d)
        T.check(wait_for(lambda: len(lines(srv, "to=<someone@example.org>, relay=none")) >= 2, 10),
                "deferred/ is retried after queue_run_delay", srv.log()[-800:])
        T.check(wait_for(lambda: len(maildir_files(srv, "root")) == 3), "the local recipient of that message is delivered once",
                maildir_files(srv, "root"))
        time.sleep(1.5)
        T.eq(len(maildir_files(srv, "root")), 3, "a retry does not deliver to a done recipient again")
        send(srv, ["pipe@mx.ferry.test"])
        T.check(wait_for(lambda: lines(srv, 'delivery to command "/bin/cat" is not yet supported')),
                "|command alias is deferred as not yet supported", srv.log()[-800:])
        T.eq(srv.problems(), [], "no Ferry process failed")


def mbox_case():
    with server("deliver-mbox", spool_suffix="") as srv:
        send(srv, ["root@mx.ferry.test"], body="Subject: mbox\r\n\r\nFrom here on\r\n>From kept\r\nend\r\n")
        path = os.path.join(srv.spool, "root")
        T.check(wait_for(lambda: lines(srv, "status=sent (delivered to mailbox)")), "mbox delivery logged",
                srv.log()[-1000:])
        m = read(path) if os.path.exists(path) else ""
        T.check(m.startswith("From sender@example.org  "), "From_ line", m[:100])
        T.check("\nReturn-Path: <sender@example.org>\n" in m and "\nDelivered-To: root@mx.ferry.test\n" in m,
                "mbox headers", m[:300])
        T.check("\n>From here on\n>>From kept\n" not in m and "\n>From here on\n>From kept\nend\n\n" in m,
                "From quoting and the empty line after the message", m)
        send(srv, ["root@mx.ferry.test"], sender="")
        T.check(wait_for(lambda: read(path).count("\nFrom ") + read(path).startswith("From ") == 2),
                "second message appended", read(path) if os.path.exists(path) else "")
        T.check("\nFrom MAILER-DAEMON  " in read(path), "null sender is MAILER-DAEMON", read(path))
        T.eq(srv.problems(), [], "no Ferry process failed (mbox)")


def crash_recovery():
    srv = server("deliver-crash", qmgr=False)
    try:
        srv.start()
        send(srv, ["root@mx.ferry.test"], body="Subject: survivor\r\n\r\nleft in active\r\n")
        T.check(wait_for(lambda: queue_files(srv, "incoming")), "without qmgr the file stays in incoming")
        srv.stop()
        for p in queue_files(srv, "incoming"):
            os.rename(p, os.path.join(srv.queue, "active", os.path.basename(p)))
        with open(os.path.join(srv.dir, "master.cf"), "w") as f:
            f.write("\n".join(rows(srv.port)) + "\n")
        srv.start()
        T.check(wait_for(lambda: maildir_files(srv, "root")), "a file left in active/ is delivered at start",
                srv.log()[-1000:])
        T.check(wait_for(lambda: not queue_files(srv, "active")), "and removed", queue_files(srv, "active"))
        T.eq(srv.problems(), [], "no Ferry process failed (recovery)")
    finally:
        srv.stop()
        if not os.environ.get("FERRY_KEEP_TEST_DIRS"):
            shutil.rmtree(srv.dir, ignore_errors=True)


maildir_cases()
mbox_case()
crash_recovery()
T.finish()
