#!/usr/bin/env python3
"""pflogsumm_test.py - Ferry's log, fed to pflogsumm (Debian's package),
gives the counts of what happened: messages received, recipients
rejected with the rejecting reason, and the master's own messages."""
import os
import re
import smtplib
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("pflogsumm")
RECEIVED, REJECTED = 7, 3


def count(report, label):
    m = re.search(r"^\s*(\d+)\s+" + re.escape(label) + r"\b", report, re.M)
    return int(m.group(1)) if m else None


def main():
    with FerryServer("pflogsumm", main_cf={"local_recipient_maps": "inline:{alice=yes}"}) as srv:
        s = smtplib.SMTP("127.0.0.1", srv.port, timeout=10)
        s.ehlo("pf.example")
        for i in range(RECEIVED):
            s.sendmail("p@example.org", ["alice@mx.ferry.test"], f"Subject: {i}\r\n\r\nx\r\n".encode())
        for i in range(REJECTED):
            try:
                s.sendmail("p@example.org", [f"nobody{i}@mx.ferry.test"], b"Subject: r\r\n\r\nx\r\n")
            except smtplib.SMTPRecipientsRefused:
                pass
        s.quit()
        srv.stop()
        T.eq(srv.problems(), [], "no Ferry process died, failed or reported a sanitizer error")
        log = srv.log()
    p = subprocess.run(["pflogsumm", "--problems-first"], input=log, capture_output=True, text=True)
    T.eq(p.returncode, 0, "pflogsumm reads the log")
    report = p.stdout
    T.eq(count(report, "received"), RECEIVED, "pflogsumm counts the messages received")
    T.eq(count(report, "rejected"), REJECTED, "pflogsumm counts the rejected recipients")
    T.check("User unknown in local recipient table" in report, "pflogsumm lists the reject reason", report[:2000])
    T.check(re.search(r"^\s*1\s+daemon started -- version", report, re.M) is not None,
            "pflogsumm reads the master's messages", report[:3000])
    # Bytes, senders and sending hosts come from the queue manager's
    # "from=<...>, size=N" lines: checked once Ferry has a queue manager.
    T.finish()


if __name__ == "__main__":
    main()
