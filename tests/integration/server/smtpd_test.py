#!/usr/bin/env python3
"""smtpd_test.py - Ferry's SMTP server on loopback against real clients:
Python's smtplib, a raw pipelining client, swaks and Postfix's
smtp-source.  Checks reply codes and texts, recipient checks, the queue
file each "queued as ID" names, and that no end-of-data variant can
smuggle a second message."""
import glob
import os
import shutil
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer, queued_id, wait_log  # noqa: E402
from queue_file import parse  # noqa: E402
from smtp_client import RawClient  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("smtpd")
LOCAL = {"local_recipient_maps": "inline:{alice=yes, bob=yes}",
         "compatibility_level": "3.6"}


def incoming(srv):
    return sorted(p for p in glob.glob(os.path.join(srv.queue, "incoming", "*")) if not p.endswith(".tmp"))


def session_basics(srv):
    c = RawClient(srv.port)
    T.eq(c.greeting, "220 mx.ferry.test ESMTP Postfix\r\n", "greeting is smtpd_banner")
    r = c.cmd("EHLO client.example")
    T.eq(r, "250-mx.ferry.test\r\n250-PIPELINING\r\n250-SIZE 1048576\r\n250-VRFY\r\n250-ETRN\r\n"
            "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
         "EHLO keywords in Postfix's order")
    T.eq(c.cmd("RCPT TO:<alice@mx.ferry.test>"), "503 5.5.1 Error: need MAIL command\r\n", "RCPT before MAIL")
    T.eq(c.cmd("MAIL FROM:<sender@example.org> SIZE=99999999"),
         "552 5.3.4 Message size exceeds fixed limit\r\n", "SIZE over message_size_limit")
    T.eq(c.cmd("MAIL FROM:<sender@example.org>"), "250 2.1.0 Ok\r\n", "MAIL FROM")
    T.eq(c.cmd("RCPT TO:<carol@mx.ferry.test>"),
         "550 5.1.1 <carol@mx.ferry.test>: Recipient address rejected: User unknown in local recipient table\r\n",
         "unknown local user")
    T.check(wait_log(srv, "NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <carol@mx.ferry.test>"),
            "the reject is logged the Postfix way", srv.log()[-600:])
    T.eq(c.cmd("RCPT TO:<alice@mx.ferry.test>"), "250 2.1.5 Ok\r\n", "known local user")
    T.eq(c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n", "DATA")
    c.send("Subject: one\r\n\r\n..leading dot\r\nbody\r\n.\r\n")
    r = c.reply()
    qid = queued_id(r)
    T.check(r.startswith("250 2.0.0 Ok: queued as ") and qid, "queued as ID", r)
    T.eq(c.cmd("QUIT"), "221 2.0.0 Bye\r\n", "QUIT")
    T.check(c.closed(), "server closes after QUIT")
    T.check(wait_log(srv, "disconnect from localhost[127.0.0.1] ehlo=1 mail=1/2 rcpt=1/3 data=1 quit=1 commands=5/8"),
            "disconnect line with Postfix's command counts", srv.log()[-400:])
    path = os.path.join(srv.queue, "incoming", qid or "none")
    T.check(os.path.exists(path), "the queue file named by the reply exists", path)
    if os.path.exists(path):
        q = parse(path)
        T.eq(q["queue_id"], qid, "queue file holds its id")
        T.eq(q["sender"], "sender@example.org", "queue file sender")
        T.eq([r["address"] for r in q["recipients"]], ["alice@mx.ferry.test"], "queue file recipients")
        content = q["content"].decode()
        T.check(content.startswith("Received: from client.example (localhost [127.0.0.1])\n\tby mx.ferry.test (Postfix) with ESMTP id " + qid + "\n\tfor <alice@mx.ferry.test>; "),
                "Received: header in Postfix's form", content[:300])
        T.check("\n.leading dot\nbody\n" in content and content.endswith("body\n"), "dot-unstuffed, LF line ends", content)
        T.check("\nMessage-Id: <" in content and "\nDate: " in content and "\nFrom: sender@example.org\n" in content,
                "missing Message-Id/Date/From added for a local client", content)
        T.eq(q["attributes"].get("helo_name"), "client.example", "queue file helo")


def pipelining_and_smuggling(srv):
    before = set(incoming(srv))
    c = RawClient(srv.port)
    c.send("EHLO x\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<alice@mx.ferry.test>\r\nRCPT TO:<bob@mx.ferry.test>\r\nDATA\r\n")
    replies = [c.reply() for _ in range(5)]
    T.eq([r[:3] for r in replies], ["250", "250", "250", "250", "354"], "pipelined commands answered in order")
    variants = [b"\n.\n", b"\r\n.\n", b"\n.\r\n", b"\r.\r\n"]
    body = b"Subject: smuggle\r\n\r\nfirst\r\n"
    for v in variants:
        body += b"text" + v + b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<bob@mx.ferry.test>\r\nDATA\r\nsmuggled\r\n"
    c.send(body + b".\r\n")
    r = c.reply()
    T.check(r.startswith("250 2.0.0 Ok: queued as"), "message with every end-of-data variant inside is one message", r)
    T.eq(c.cmd("QUIT"), "221 2.0.0 Bye\r\n", "no extra replies before QUIT's")
    after = set(incoming(srv)) - before
    T.eq(len(after), 1, "exactly one queue file for the smuggling attempt")
    if len(after) == 1:
        content = parse(after.pop())["content"]
        T.eq(content.count(b"MAIL FROM:<evil@example.org>"), 4, "every smuggled command stayed message content")
        T.check(b"text\r.\nMAIL FROM:<evil@example.org>\n" in content,
                "a bare CR stays in the queue file, CRLF becomes LF", content[:400])


def size_limit(srv):
    c = RawClient(srv.port)
    c.cmd("EHLO x")
    c.cmd("MAIL FROM:<a@example.org>")
    c.cmd("RCPT TO:<alice@mx.ferry.test>")
    c.cmd("DATA")
    c.send(("x" * 998 + "\r\n") * 3000 + ".\r\n")  # 3 MB over a 1 MB limit
    r = c.reply()
    T.eq(r, "552 5.3.4 Error: message file too big\r\n", "message over message_size_limit while streaming")
    T.eq(c.cmd("NOOP"), "250 2.0.0 Ok\r\n", "session goes on after a too-big message")
    c.close()
    T.eq([p for p in glob.glob(os.path.join(srv.queue, "incoming", "*.tmp"))], [], "no temporary file left")


def hop_limit(srv):
    """hopcount_limit (50): the Received: headers in the message plus
    smtpd's own.  One under the limit is queued; at the limit the message
    is refused with RFC 3463's routing-loop code, and the session goes on."""
    def send(hops):
        c = RawClient(srv.port)
        c.cmd("EHLO x")
        c.cmd("MAIL FROM:<a@example.org>")
        c.cmd("RCPT TO:<alice@mx.ferry.test>")
        c.cmd("DATA")
        c.send("Received: from a by b; Mon, 1 Jan 2024 00:00:00 +0000\r\n" * hops + "Subject: hops\r\n\r\nb\r\n.\r\n")
        return c, c.reply()
    c, r = send(48)
    T.check(r.startswith("250 2.0.0 Ok: queued as "), "48 Received: headers plus smtpd's own are queued", r)
    c.close()
    c, r = send(49)
    T.eq(r, "554 5.4.6 Error: too many hops\r\n", "49 Received: headers plus smtpd's own reach hopcount_limit")
    T.eq(c.cmd("NOOP"), "250 2.0.0 Ok\r\n", "session goes on after too many hops")
    c.close()
    T.check(wait_log(srv, "message rejected: hopcount exceeded"), "the refusal is logged", srv.log()[-600:])
    T.eq([p for p in glob.glob(os.path.join(srv.queue, "incoming", "*.tmp"))], [], "no temporary file left")


def relay_denied():
    with FerryServer("relay", main_cf=dict(LOCAL, mynetworks="10.0.0.0/8",
                                           smtpd_relay_restrictions="permit_mynetworks, reject_unauth_destination")) as srv:
        c = RawClient(srv.port)
        c.cmd("HELO x")
        c.cmd("MAIL FROM:<a@example.org>")
        T.eq(c.cmd("RCPT TO:<someone@elsewhere.example>"),
             "554 5.7.1 <someone@elsewhere.example>: Relay access denied\r\n", "relay denied outside mynetworks")
        T.eq(c.cmd("RCPT TO:<alice@localhost>"), "250 2.1.5 Ok\r\n", "local domain accepted outside mynetworks")
        c.close()
    # compatibility_level 0 and no restriction lists: no relay protection
    # at all, so smtpd refuses to run, as Postfix's does.
    srv = FerryServer("open-relay", main_cf=dict(LOCAL, compatibility_level="0"))
    try:
        srv.start(wait_port=False)
        T.check(wait_log(srv, "fatal: in parameter smtpd_relay_restrictions or smtpd_recipient_restrictions, "
                              "specify at least one working instance of: reject_unauth_destination", timeout=15),
                "an open relay configuration is refused with Postfix's text", srv.log()[-600:])
    finally:
        srv.__exit__(None, None, None)


def bare_newline():
    with FerryServer("barelf", main_cf=dict(LOCAL, smtpd_forbid_bare_newline="reject")) as srv:
        c = RawClient(srv.port)
        c.cmd("EHLO x")
        c.send("MAIL FROM:<a@example.org>\n")
        T.eq(c.reply(), "521 5.5.2 mx.ferry.test Error: bare <LF> received\r\n",
             "smtpd_forbid_bare_newline = reject: a bare LF ends the session")
        T.check(c.closed(), "and the connection is closed")
    with FerryServer("barelf-normal", main_cf=LOCAL) as srv:
        c = RawClient(srv.port)
        c.cmd("EHLO x")
        c.send("MAIL FROM:<a@example.org>\n")
        T.eq(c.reply(), "250 2.1.0 Ok\r\n", "by default a bare LF ends a command line, as in Postfix 3.9's normal mode")
        c.close()


def smtplib_and_swaks(srv):
    s = smtplib.SMTP("127.0.0.1", srv.port, timeout=10)
    s.ehlo("smtplib.example")
    refused = s.sendmail("x@example.org", ["alice@mx.ferry.test"], b"Subject: smtplib\r\n\r\nhello\r\n")
    T.eq(refused, {}, "smtplib sendmail accepted")
    s.quit()
    if shutil.which("swaks"):
        p = subprocess.run(["swaks", "--server", f"127.0.0.1:{srv.port}", "--to", "bob@mx.ferry.test",
                            "--from", "swaks@example.org", "--body", "from swaks", "--pipeline"],
                           capture_output=True, text=True, timeout=30)
        T.eq(p.returncode, 0, "swaks delivers with PIPELINING")
        T.check("queued as" in p.stdout, "swaks saw queued as", p.stdout[-400:])
    else:
        T.check(False, "swaks installed", "scripts/packages.txt lists swaks")


def smtp_source(srv):
    before = len(incoming(srv))
    p = subprocess.run(["/usr/sbin/smtp-source", "-s", "10", "-m", "200", "-l", "4096", "-f", "src@example.org",
                        "-t", "alice@mx.ferry.test", f"127.0.0.1:{srv.port}"],
                       capture_output=True, text=True, timeout=120)
    T.eq(p.returncode, 0, "smtp-source 200 messages over 10 sessions")
    T.eq(len(incoming(srv)) - before, 200, "200 queue files from smtp-source")


def main():
    with FerryServer("smtpd", main_cf=dict(LOCAL, message_size_limit="1048576")) as srv:
        session_basics(srv)
        pipelining_and_smuggling(srv)
        size_limit(srv)
        hop_limit(srv)
        smtplib_and_swaks(srv)
        smtp_source(srv)
        srv.stop()
        T.eq(srv.problems(), [], "no Ferry process died, failed or reported a sanitizer error")
    relay_denied()
    bare_newline()
    T.finish()


if __name__ == "__main__":
    main()
