#!/usr/bin/env python3
"""pflogsumm_test.py - Ferry's log, fed to pflogsumm (Debian's package),
gives the counts of what happened: messages received and delivered (smtpd
receives, qmgr schedules, local writes the Maildir), bytes received and
delivered, senders, sending domains and recipients, recipients rejected
with the rejecting reason, and the master's own messages."""
import glob
import os
import re
import smtplib
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer, free_port, wait_for  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("pflogsumm")
DOMAIN = "mx.ferry.test"
# Local users that exist on every system: local delivers as the recipient.
USERS = ["root", "daemon"]
SENDERS = ["p@example.org", "q@example.org", "r@example.net"]
RECEIVED, REJECTED = 7, 3


def message(i):
    """The i-th accepted message: its sender, its recipients (every second
    one to both users) and its content (bodies of different lengths)."""
    rcpts = [f"{u}@{DOMAIN}" for u in (USERS if i % 2 else USERS[:1])]
    body = f"Subject: {i}\r\n\r\n" + "x" * (10 + 37 * i) + "\r\n"
    return SENDERS[i % len(SENDERS)], rcpts, body


def count(report, label):
    m = re.search(r"^\s*(\d+)\s+" + re.escape(label) + r"(?:\s|$)", report, re.M)
    return int(m.group(1)) if m else None


def table(report, title):
    """A "count  name" section of the report, as {name: count}."""
    m = re.search(r"^" + re.escape(title) + r"\n-+\n((?:\s+\d+\s+\S+\n)*)", report, re.M)
    return {name: int(n) for n, name in re.findall(r"(\d+)\s+(\S+)", m.group(1))} if m else None


def lines(log, text):
    return [line for line in log.splitlines() if text in line]


def queued_id(reply):
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    return text.split("queued as ", 1)[1].split()[0] if "queued as " in text else None


def send_one(s, sender, rcpts, body):
    """MAIL, RCPT..., DATA by hand, for the queue id of the reply."""
    s.mail(sender)
    for r in rcpts:
        s.rcpt(r)
    code, reply = s.data(body.encode())
    return queued_id(reply) if code == 250 else None


def main():
    main_cf = {"local_recipient_maps": "inline:{" + ", ".join(f"{u}=yes" for u in USERS) + "}",
               "mydestination": "$myhostname, localhost", "home_mailbox": ""}
    port = free_port()
    rows = [f"127.0.0.1:{port} inet n - n - - smtpd", "qmgr unix n - n 300 1 qmgr", "local unix - n n - - local"]
    srv = FerryServer("pflogsumm", main_cf=main_cf, master_cf=rows, port=port)
    srv.add_mail_spool("/")  # local writes Maildirs below the test's directory
    sent = {}  # queue id -> (sender, recipients, body)
    with srv:
        s = smtplib.SMTP("127.0.0.1", srv.port, timeout=10)
        s.ehlo("pf.example")
        for i in range(RECEIVED):
            sender, rcpts, body = message(i)
            qid = send_one(s, sender, rcpts, body)
            T.check(qid is not None, f"message {i} is queued")
            sent[qid] = (sender, rcpts, body)
        for i in range(REJECTED):
            try:
                s.sendmail("p@example.org", [f"nobody{i}@{DOMAIN}"], b"Subject: r\r\n\r\nx\r\n")
            except smtplib.SMTPRecipientsRefused:
                pass
        s.quit()
        delivered = sum(len(r) for _, r, _ in sent.values())
        T.check(wait_for(lambda: len(lines(srv.log(), "status=sent")) >= delivered
                         and len(lines(srv.log(), ": removed")) >= RECEIVED, 30),
                "every accepted message is delivered and removed", srv.log()[-2000:])
        for u in USERS:
            want = sum(f"{u}@{DOMAIN}" in r for _, r, _ in sent.values())
            got = len(glob.glob(os.path.join(srv.spool, u, "new", "*")))
            T.eq(got, want, f"{u}'s Maildir holds its messages")
        srv.stop()
        T.eq(srv.problems(), [], "no Ferry process died, failed or reported a sanitizer error")
        log = srv.log()

    # What the log says about each message: qmgr's size, local's deliveries.
    sizes = {}
    for line in log.splitlines():
        m = re.search(r"postfix/qmgr\[\d+\]: (\w+): from=<([^>]*)>, size=(\d+), nrcpt=(\d+) \(queue active\)", line)
        if m and m.group(1) in sent:
            sizes.setdefault(m.group(1), int(m.group(3)))
            T.eq((m.group(2), int(m.group(4))), (sent[m.group(1)][0], len(sent[m.group(1)][1])),
                 f"qmgr logs {m.group(1)}'s sender and recipient count")
    T.eq(sorted(sizes), sorted(sent), "qmgr logs a size for every accepted message")
    for qid, (_, _, body) in sent.items():
        # The logged size counts at least the message as received (with
        # LF line ends): it is the stored content and some overhead.
        T.check(sizes.get(qid, 0) >= len(body.replace("\r\n", "\n")), f"{qid}: size covers the message",
                sizes.get(qid))
    sent_lines = [line for line in log.splitlines() if "status=sent" in line]
    T.check(all("postfix/local[" in line and ", relay=local, delay=" in line for line in sent_lines),
            "every delivery line is local's, in Postfix's form", sent_lines[:3])
    T.eq(sorted(re.search(r"to=<([^>]*)>", line).group(1) for line in sent_lines),
         sorted(r for _, rcpts, _ in sent.values() for r in rcpts), "one delivery line per accepted recipient")

    p = subprocess.run(["pflogsumm", "--problems-first"], input=log, capture_output=True, text=True, timeout=60)
    T.eq(p.returncode, 0, "pflogsumm reads the log")
    report = p.stdout
    detail = report[:2500]
    T.eq(count(report, "received"), RECEIVED, "pflogsumm counts the messages received")
    T.eq(count(report, "delivered"), delivered, "pflogsumm counts one delivery per recipient")
    T.eq(count(report, "deferred"), 0, "nothing deferred")
    T.eq(count(report, "bounced"), 0, "nothing bounced")
    T.eq(count(report, "rejected"), REJECTED, "pflogsumm counts the rejected recipients")
    # pflogsumm's bytes are qmgr's size= values: once per received message,
    # once per delivered recipient.  Under 1 MB it prints plain numbers.
    want_in = sum(sizes.get(q, 0) for q in sent)
    want_out = sum(sizes.get(q, 0) * len(rcpts) for q, (_, rcpts, _) in sent.items())
    T.check(want_out < 1024 * 1024, "the sizes stay in plain bytes", want_out)
    T.eq(count(report, "bytes received"), want_in, "bytes received: the accepted messages' sizes")
    T.eq(count(report, "bytes delivered"), want_out, "bytes delivered: each size once per recipient")
    T.eq(count(report, "senders"), len({s for s, _, _ in sent.values()}), "pflogsumm counts the senders")
    T.eq(count(report, "sending hosts/domains"), len({s.split("@")[1] for s, _, _ in sent.values()}),
         "pflogsumm counts the sending domains")
    T.eq(count(report, "recipients"), len({r for _, rcpts, _ in sent.values() for r in rcpts}),
         "pflogsumm counts the recipients")
    T.eq(count(report, "recipient hosts/domains"),
         len({r.split("@")[1] for _, rcpts, _ in sent.values() for r in rcpts}), "pflogsumm counts the recipient domains")
    T.check("User unknown in local recipient table" in report, "pflogsumm lists the reject reason", detail)
    T.check(re.search(r"^\s*1\s+daemon started -- version", report, re.M) is not None,
            "pflogsumm reads the master's messages", report[:3000])
    senders, recipients = {}, {}
    for sender, rcpts, _ in sent.values():
        senders[sender] = senders.get(sender, 0) + 1
        for r in rcpts:
            recipients[r] = recipients.get(r, 0) + 1
    T.eq(table(report, "Senders by message count"), senders, "messages per sender")
    T.eq(table(report, "Recipients by message count"), recipients, "messages per recipient")
    T.eq(table(report, "Recipients by message size"),
         {r: sum(sizes.get(q, 0) for q, (_, rcpts, _) in sent.items() if r in rcpts) for r in recipients},
         "bytes per recipient")
    T.finish()


if __name__ == "__main__":
    main()
