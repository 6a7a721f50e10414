#!/usr/bin/env python3
"""delivery_test.py - a message received by smtpd for a local user ends in
its mailbox: qmgr moves it to active/, starts local(8), and local writes the
Maildir (through the transport-maildir module) or the mbox.  Also: aliases
to two users, an unknown user bounced, a remote recipient deferred and
retried, and a file left in active/ by a crash delivered at start; the
sender's non-delivery notification (RET, ORCPT, ENVID, NOTIFY=NEVER, no
bounce loop), defer reasons in mailq / postqueue -j, and sendmail -bv."""
import glob
import os
import stat
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
    srv.add_mail_spool(spool_suffix)
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
        # (From <>: the bounce is not the point here.)
        send(srv, ["selfish@mx.ferry.test"], sender="")
        T.check(wait_for(lambda: lines(srv, "to=<selfish@mx.ferry.test>")), "self-listing alias is logged",
                srv.log()[-1000:])
        T.check(logged(srv, 'status=bounced (unknown user: "selfish")'),
                "self-listing alias reaches the password file", srv.log()[-1000:])

        # Unknown user: bounced (Postfix's words), the file removed.  The
        # sender is <>: a bounce is never bounced (bounce_cases has the
        # notification a real sender gets).
        before = len(lines(srv, ": removed"))
        send(srv, ["nosuchuser@mx.ferry.test"], sender="")
        T.check(wait_for(lambda: lines(srv, 'status=bounced (unknown user: "nosuchuser")')),
                "unknown user is bounced", srv.log()[-1000:])
        b = logged(srv, "to=<nosuchuser@mx.ferry.test>")
        T.check(b and "dsn=5.1.1" in b[0], "bounce has dsn=5.1.1", b)
        T.check(wait_for(lambda: len(lines(srv, ": removed")) > before), "bounced message is removed", srv.log()[-600:])
        time.sleep(0.5)
        T.eq(lines(srv, "non-delivery notification"), [], "no notification for a message from <>")

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


def rcpt_queue_id(srv, rcpt):
    """The queue id of the delivery line for `rcpt`."""
    got = logged(srv, f"to=<{rcpt}>")
    return got[-1].split(": to=<")[0].split()[-1] if got else "?"


def parts_of(path):
    import email
    from email import policy
    with open(path, "rb") as f:
        return email.message_from_binary_file(f, policy=policy.compat32)


def bounce_cases():
    """Non-delivery notifications: the sender (a local user, daemon) gets
    Postfix's multipart/report in its Maildir; RET=HDRS, ORCPT and ENVID;
    NOTIFY=NEVER; a bounce to a sender that does not exist does not loop."""
    with server("deliver-bounce", extra={"queue_run_delay": "300s"}) as srv:
        send(srv, ["nosuchuser@mx.ferry.test"], sender="daemon@mx.ferry.test",
             body="Subject: lost\r\nMessage-Id: <lost-1@client.example>\r\n\r\nthe body line\r\n")
        T.check(wait_for(lambda: maildir_files(srv, "daemon")), "the sender receives the bounce", srv.log()[-1500:])
        orig = rcpt_queue_id(srv, "nosuchuser@mx.ferry.test")
        notes = logged(srv, f"{orig}: sender non-delivery notification: ")
        T.check(notes and "postfix/qmgr[" in notes[0], "qmgr logs Postfix's notification line", srv.log()[-1500:])
        new = notes[0].rsplit(" ", 1)[-1] if notes else "?"
        T.check(logged(srv, f"{new}: from=<>, size="), "the notification is queued from <>", srv.log()[-1500:])
        T.check(wait_for(lambda: lines(srv, f"{new}: removed")), "and delivered and removed", srv.log()[-1500:])
        files = maildir_files(srv, "daemon")
        m = parts_of(files[0]) if files else None
        if m is not None:
            T.eq(m["Return-Path"], "<>", "the bounce has the null sender")
            T.eq(m["From"], "MAILER-DAEMON@mx.ferry.test (Mail Delivery System)", "From: MAILER-DAEMON")
            T.eq(m["Subject"], "Undelivered Mail Returned to Sender", "bounce Subject")
            T.eq(m["To"], "daemon@mx.ferry.test", "bounce To")
            T.eq(m["Auto-Submitted"], "auto-replied", "Auto-Submitted")
            T.eq(m.get_content_type(), "multipart/report", "multipart/report")
            T.eq(m.get_param("report-type"), "delivery-status", "report-type=delivery-status")
            p = m.get_payload() if m.is_multipart() else []
            T.eq([x.get_content_type() for x in p], ["text/plain", "message/delivery-status", "message/rfc822"],
                 "three parts: text, delivery-status, the message")
            if len(p) == 3:
                text = p[0].get_payload()
                T.check(text.startswith("This is the mail system at host mx.ferry.test.\n\nI'm sorry to have to "
                                        "inform you that your message could not\n"), "Postfix's human text", text)
                T.check('<nosuchuser@mx.ferry.test>: unknown user: "nosuchuser"' in text, "the reason per recipient",
                        text)
                ds = "\n".join(str(x) for x in p[1].get_payload())
                for want in ("Reporting-MTA: dns; mx.ferry.test", f"X-Postfix-Queue-ID: {orig}",
                             "X-Postfix-Sender: rfc822; daemon@mx.ferry.test", "Arrival-Date: ",
                             "Final-Recipient: rfc822; nosuchuser@mx.ferry.test", "Action: failed", "Status: 5.1.1",
                             'Diagnostic-Code: X-Postfix; unknown user: "nosuchuser"'):
                    T.check(want in ds, f"delivery-status has {want}", ds)
                T.check("Original-Recipient" not in ds, "no Original-Recipient without ORCPT", ds)
                returned = p[2].get_payload()[0] if p[2].is_multipart() else None
                T.check(returned is not None and returned["Subject"] == "lost" and
                        "the body line" in returned.get_payload(), "RET default: the whole message returned",
                        str(returned))

        # RET=HDRS, ORCPT and ENVID, next to the full return above.
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            c.ehlo("client.example")
            c.sendmail("daemon@mx.ferry.test", ["nosuch2@mx.ferry.test"],
                       "Subject: headers only\r\n\r\nsecret body\r\n", mail_options=["RET=HDRS", "ENVID=env-42"],
                       rcpt_options=["NOTIFY=FAILURE", "ORCPT=rfc822;nosuch2@mx.ferry.test"])
        T.check(wait_for(lambda: len(maildir_files(srv, "daemon")) == 2), "second bounce delivered", srv.log()[-1500:])
        files = maildir_files(srv, "daemon")
        second = [f for f in files if "headers only" in read(f)]
        m = read(second[0]) if second else ""
        T.check("Content-Description: Undelivered Message Headers\nContent-Type: text/rfc822-headers\n" in m,
                "RET=HDRS: the headers part", m)
        T.check("Subject: headers only" in m and "secret body" not in m, "RET=HDRS: no body", m)
        T.check("Original-Recipient: rfc822;nosuch2@mx.ferry.test\n" in m, "ORCPT shown as Original-Recipient", m)
        T.check("Original-Envelope-Id: env-42\n" in m, "ENVID shown", m)

        # NOTIFY=NEVER: bounced, no notification.
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            c.ehlo("client.example")
            c.sendmail("daemon@mx.ferry.test", ["nosuch3@mx.ferry.test"], "Subject: never\r\n\r\nx\r\n",
                       rcpt_options=["NOTIFY=NEVER"])
        never = rcpt_queue_id(srv, "nosuch3@mx.ferry.test")
        T.check(wait_for(lambda: lines(srv, f"{never}: removed")), "NOTIFY=NEVER message removed", srv.log()[-800:])
        T.eq(lines(srv, f"{never}: sender non-delivery notification"), [], "NOTIFY=NEVER: no notification")
        time.sleep(1)
        T.eq(len(maildir_files(srv, "daemon")), 2, "NOTIFY=NEVER: nothing in the sender's mailbox")

        # A sender that does not exist: its bounce bounces and is dropped,
        # not bounced again.
        send(srv, ["nosuch4@mx.ferry.test"], sender="ghost@mx.ferry.test")
        loop = rcpt_queue_id(srv, "nosuch4@mx.ferry.test")
        notes = logged(srv, f"{loop}: sender non-delivery notification: ")
        new = notes[0].rsplit(" ", 1)[-1] if notes else "?"
        T.check(logged(srv, f'{new}: to=<ghost@mx.ferry.test>') and
                'status=bounced (unknown user: "ghost")' in logged(srv, f"{new}: to=<ghost@mx.ferry.test>")[0],
                "the bounce to the missing sender bounces", srv.log()[-1500:])
        T.check(wait_for(lambda: lines(srv, f"{new}: removed")), "and is removed", srv.log()[-1500:])
        time.sleep(1.5)
        T.eq(lines(srv, f"{new}: sender non-delivery notification"), [], "a bounce is never bounced")
        T.eq(len(lines(srv, "non-delivery notification")), 3, "one notification per bounced sender message")
        T.eq(queue_files(srv, "incoming") + queue_files(srv, "active") + queue_files(srv, "deferred"), [],
             "the queue is empty: no loop")
        T.eq(srv.problems(), [], "no Ferry process failed (bounces)")


def double_bounce_case():
    """notify_classes = bounce: a bounce from <> goes to the postmaster
    (2bounce_notice_recipient) from double-bounce; when that one fails
    too, it is discarded with Postfix's warning, never bounced again."""
    with server("deliver-2bounce", extra={"queue_run_delay": "300s", "notify_classes": "bounce",
                                          "2bounce_notice_recipient": "daemon"}) as srv:
        send(srv, ["nosuchuser@mx.ferry.test"], sender="")
        orig = rcpt_queue_id(srv, "nosuchuser@mx.ferry.test")
        T.check(logged(srv, f"{orig}: postmaster non-delivery notification: "), "postmaster notice logged",
                srv.log()[-1000:])
        T.check(wait_for(lambda: maildir_files(srv, "daemon")), "2bounce_notice_recipient receives it",
                srv.log()[-1500:])
        files = maildir_files(srv, "daemon")
        m = read(files[0]) if files else ""
        T.check(m.startswith("Return-Path: <double-bounce@mx.ferry.test>\n"), "from double_bounce_sender", m[:200])
        T.check("\nSubject: Postmaster Copy: Undelivered Mail\n" in m and "\nAuto-Submitted: auto-generated\n" in m,
                "postmaster copy headers", m[:800])
    with server("deliver-3bounce", extra={"queue_run_delay": "300s", "notify_classes": "bounce",
                                          "2bounce_notice_recipient": "nosuchpm"}) as srv:
        send(srv, ["nosuchuser@mx.ferry.test"], sender="")
        T.check(wait_for(lambda: lines(srv, "undeliverable postmaster notification discarded")),
                "a failed postmaster notice is discarded", srv.log()[-1500:])
        time.sleep(1)
        T.eq(len(lines(srv, "non-delivery notification")), 1, "no triple bounce")
        T.eq(queue_files(srv, "incoming") + queue_files(srv, "active") + queue_files(srv, "deferred"), [],
             "queue empty after the discarded notice")
        T.eq(srv.problems(), [], "no Ferry process failed (double bounce)")


def deferred_reason_case():
    """A deferred recipient's reason is kept and shown by mailq and
    postqueue -j in Postfix's layout; a delivered one has none."""
    import json
    import subprocess
    from ferry_server import BIN
    with server("deliver-defer", extra={"queue_run_delay": "300s"}) as srv:
        send(srv, ["someone@example.org", "other@example.net", "root@mx.ferry.test"], sender="daemon@mx.ferry.test")
        T.check(wait_for(lambda: queue_files(srv, "deferred")), "deferred message", srv.log()[-1000:])
        qid = os.path.basename(queue_files(srv, "deferred")[0]) if queue_files(srv, "deferred") else "?"
        why = "mail transport unavailable: remote delivery is not yet available in Ferry"
        T.check(os.path.exists(os.path.join(srv.queue, "defer", qid)), "defer/ID logfile written", srv.log()[-800:])
        r = subprocess.run([os.path.join(BIN, "mailq"), "-c", srv.dir], capture_output=True, text=True, timeout=30)
        out = r.stdout.splitlines()
        head = [i for i, line in enumerate(out) if line.startswith(qid)]
        T.check(head, "mailq lists the message", r.stdout)
        if head:
            i = head[0]
            T.eq(out[i + 1:i + 5], [" " * (76 - len(why)) + f"({why})", " " * 41 + "someone@example.org",
                                    " " * 41 + "other@example.net", ""],
                 "one (reason) line above the recipients that share it; the delivered one not listed")
        r = subprocess.run([os.path.join(BIN, "postqueue"), "-c", srv.dir, "-j"], capture_output=True, text=True,
                           timeout=30)
        got = [json.loads(line) for line in r.stdout.splitlines()]
        T.eq(got[0]["recipients"] if got else None,
             [{"address": "someone@example.org", "delay_reason": why},
              {"address": "other@example.net", "delay_reason": why}], "postqueue -j delay_reason")
        T.check('"address": "someone@example.org", "delay_reason": "mail transport' in r.stdout,
                "delay_reason after address, Postfix's spacing", r.stdout)
        # A message in incoming (never tried) has no reason.
        os.unlink(os.path.join(srv.queue, "defer", qid))
        r = subprocess.run([os.path.join(BIN, "mailq"), "-c", srv.dir], capture_output=True, text=True, timeout=30)
        T.check("(" + why not in r.stdout and " " * 41 + "someone@example.org" in r.stdout,
                "without a defer log: recipients without a reason", r.stdout)
        # queue_run_delay is 300s: only a flush makes qmgr try again now.
        tries = lambda: len(lines(srv, "to=<someone@example.org>, relay=none"))
        T.eq(tries(), 1, "one delivery attempt before the flush")
        r = subprocess.run([os.path.join(BIN, "postqueue"), "-c", srv.dir, "-f"], capture_output=True, text=True,
                           timeout=30)
        T.eq((r.returncode, r.stderr), (0, ""), "postqueue -f reaches the running qmgr")
        T.check(wait_for(lambda: tries() == 2), "postqueue -f: qmgr retries the deferred message now",
                srv.log()[-800:])
        fifo = os.stat(os.path.join(srv.queue, "public", "qmgr"))
        T.eq((stat.S_ISFIFO(fifo.st_mode), oct(fifo.st_mode & 0o777)), (True, "0o622"), "public/qmgr is a FIFO, 0622")
        r = subprocess.run([os.path.join(BIN, "postfix"), "-c", srv.dir, "flush"], capture_output=True, text=True,
                           timeout=30)
        T.eq(r.returncode, 0, "postfix flush exit")
        T.check(wait_for(lambda: tries() == 3), "postfix flush: qmgr retries again", srv.log()[-800:])
        r = subprocess.run([os.environ["FERRY_BIN"], "flush", "-c", srv.dir], capture_output=True, text=True,
                           timeout=30)
        T.eq((r.returncode, r.stderr), (0, ""), "ferry flush -c DIR exit")
        T.check(wait_for(lambda: tries() == 4), "ferry flush: qmgr retries again", srv.log()[-800:])
        T.eq(srv.problems(), [], "no Ferry process failed (defer)")


def verify_case():
    """sendmail -bv: nothing is delivered, the sender gets a Mail Delivery
    Status Report with deliverable / undeliverable per recipient."""
    import subprocess
    from ferry_server import BIN
    srv = server("deliver-verify", extra={"queue_run_delay": "300s"})
    with open(os.path.join(srv.dir, "master.cf"), "a") as f:
        f.write("pickup unix n - n 60 1 pickup\n")
    with srv:
        r = subprocess.run([os.path.join(BIN, "sendmail"), "-C", srv.dir, "-bv", "-f", "daemon@mx.ferry.test",
                            "root@mx.ferry.test", "nosuchuser@mx.ferry.test", "far@mx.ferry.test"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
        T.eq((r.returncode, r.stdout), (0, "Mail Delivery Status Report will be mailed to <daemon@mx.ferry.test>.\n"),
             "sendmail -bv answers as Postfix")
        T.check(wait_for(lambda: maildir_files(srv, "daemon")), "the report reaches the sender", srv.log()[-2000:])
        T.eq(maildir_files(srv, "root"), [], "-bv delivers nothing")
        d = logged(srv, "to=<root@mx.ferry.test>, relay=local")
        T.check(d and "dsn=2.0.0, status=deliverable (delivers to maildir)" in d[0], "deliverable is logged", d)
        u = logged(srv, "to=<nosuchuser@mx.ferry.test>")
        T.check(u and 'dsn=5.1.1, status=undeliverable (unknown user: "nosuchuser")' in u[0], "undeliverable logged", u)
        T.check(logged(srv, "sender delivery status notification: "), "report logged", srv.log()[-1000:])
        files = maildir_files(srv, "daemon")
        m = read(files[0]) if files else ""
        T.check("\nSubject: Mail Delivery Status Report\n" in m, "report Subject", m)
        T.check("Enclosed is the mail delivery report that you requested." in m, "report text", m)
        T.check("<root@mx.ferry.test>: delivers to maildir" in m, "deliverable recipient in the text", m)
        T.check("Final-Recipient: rfc822; root@mx.ferry.test\nAction: deliverable\nStatus: 2.0.0\n" in m,
                "Action: deliverable", m)
        T.check("Final-Recipient: rfc822; nosuchuser@mx.ferry.test\nAction: undeliverable\nStatus: 5.1.1\n" in m,
                "Action: undeliverable for an unknown user", m)
        T.check("Final-Recipient: rfc822; someone@example.org\nOriginal-Recipient: rfc822; far@mx.ferry.test\n"
                "Action: undeliverable\nStatus: 4.3.0\n" in m, "an alias to a remote address: not yet deliverable", m)
        T.check(wait_for(lambda: not queue_files(srv, "incoming") + queue_files(srv, "active") +
                         queue_files(srv, "deferred")), "the probe and the report leave the queue",
                srv.log()[-1000:])
        # Bad input next to good: -bv without recipients.
        r = subprocess.run([os.path.join(BIN, "sendmail"), "-C", srv.dir, "-bv"], stdin=subprocess.DEVNULL,
                           capture_output=True, text=True, timeout=30)
        T.check(r.returncode == 75 and "Recipient addresses must be specified" in r.stderr,
                "-bv without recipients is refused", r.stderr)
        T.eq(srv.problems(), [], "no Ferry process failed (verify)")


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
bounce_cases()
double_bounce_case()
deferred_reason_case()
verify_case()
mbox_case()
crash_recovery()
T.finish()
