#!/usr/bin/env python3
"""fulldisk_test.py - the queue on a small tmpfs: below the free space
Postfix requires, MAIL FROM gets "452 4.3.1 Insufficient system storage";
a disk that fills up while a message arrives gets "451 4.3.0 Error: queue
file write error" and leaves no partial file; messages queued before stay
whole, and mail is accepted again once there is room.  Needs root (mount)."""
import glob
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer  # noqa: E402
from queue_file import parse  # noqa: E402
from smtp_client import RawClient  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("fulldisk")
LIMIT = 1_000_000  # message_size_limit: 1.5 x this must be free


def fill(path, nbytes):
    with open(path, "ab") as f:
        try:
            f.write(b"\0" * nbytes)
        except OSError:
            pass


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def send(port, body="Subject: t\r\n\r\nhello\r\n"):
    c = RawClient(port)
    c.cmd("HELO x")
    r = c.cmd("MAIL FROM:<a@example.org>")
    if not r.startswith("250"):
        c.close()
        return r
    c.cmd("RCPT TO:<alice@localhost>")
    c.cmd("DATA")
    c.send(body + ".\r\n")
    r = c.reply()
    c.close()
    return r


def main():
    srv = FerryServer("fulldisk", main_cf={"local_recipient_maps": "inline:{alice=yes}",
                                          "message_size_limit": str(LIMIT)})
    mnt = srv.queue
    os.makedirs(mnt)
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "ferry-fulldisk", mnt], capture_output=True, text=True)
    if p.returncode != 0:
        T.check(False, "mount a small tmpfs for the queue (needs root)", p.stderr)
        T.finish()
    filler = os.path.join(mnt, "filler")
    try:
        with srv:
            r = send(srv.port)
            T.check(r.startswith("250 2.0.0 Ok: queued as"), "a message is queued while there is room", r)
            first = r.split("queued as ")[-1].strip()

            # Leave less than 1.5 x message_size_limit free.
            fill(filler, free_bytes(mnt) - LIMIT)
            T.eq(send(srv.port), "452 4.3.1 Insufficient system storage\r\n", "MAIL FROM with too little free space")
            T.check("warning: not enough free space in mail queue" in srv.log(), "the refusal is logged", srv.log()[-400:])

            # Make room, start a message, fill the disk during its DATA.
            os.truncate(filler, 0)
            c = RawClient(srv.port)
            c.cmd("HELO x")
            T.eq(c.cmd("MAIL FROM:<a@example.org>"), "250 2.1.0 Ok\r\n", "MAIL FROM once there is room")
            c.cmd("RCPT TO:<alice@localhost>")
            c.cmd("DATA")
            c.send("Subject: big\r\n\r\n" + ("y" * 998 + "\r\n") * 200)
            fill(filler, free_bytes(mnt) + 1_000_000)  # the disk is now full
            c.send(("z" * 998 + "\r\n") * 500 + ".\r\n")
            T.eq(c.reply(), "451 4.3.0 Error: queue file write error\r\n", "a full disk during DATA")
            c.close()
            left = [p for p in glob.glob(os.path.join(mnt, "incoming", "*")) if not p.endswith(first)]
            T.eq(left, [], "no partial queue file is left behind")
            q = parse(os.path.join(mnt, "incoming", first))
            T.check(q["content"].endswith(b"hello\n"), "the message queued before is whole")

            os.unlink(filler)
            r = send(srv.port)
            T.check(r.startswith("250 2.0.0 Ok: queued as"), "mail is accepted again when there is room", r)
            srv.stop()
            T.eq(srv.problems(), [], "no Ferry process died, failed or reported a sanitizer error")
    finally:
        subprocess.run(["umount", "-l", mnt])
        shutil.rmtree(srv.dir, ignore_errors=True)
    T.finish()


if __name__ == "__main__":
    main()
