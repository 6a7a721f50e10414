#!/usr/bin/env python3
"""powerloss_test.py - a message that got "250 ... queued as ID" survives a
power cut, not only a killed process.

The queue and the mailboxes are on an ext4 file system without a journal,
on a loop device over an image file; there no rename is atomic on disk, so
every step that makes mail durable must be ordered by syncs of its own.
Client threads send a bounded stream of messages for a local Maildir user
while smtpd, qmgr and local run.  Then every Ferry process is stopped at
once (SIGSTOP) and the image is copied: the copy holds exactly the blocks
the file system had sent to the disk, what a power cut leaves when the disk
kept every block it was sent.  The copy is checked with fsck and mounted,
and every queue id a client saw must be a whole queue file in a queue or a
whole delivered message.  Once during the stream, with local delivering;
once just after it, with no local service, so that the queue manager
moves every message from incoming/ to active/ to deferred/; then a Ferry
started on the copy with local delivers every message.

Before the queue manager moved files durably, about a third of the
acknowledged messages ended in lost+found here: its rename from incoming/
to active/ reached the disk as a removal from incoming/ only.  Needs root
(losetup, mount) and e2fsprogs."""
import glob
import os
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer, children, free_port, wait_for  # noqa: E402
from queue_file import parse  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("powerloss")
MAX_MESSAGES = 300        # each stream is bounded in count ...
MAX_SECONDS = 20          # ... and in time
THREADS = 4
QUEUES = ("incoming", "active", "deferred", "hold")


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


class LoopFs:
    """An ext4 file system without a journal in an image file, mounted
    through a loop device."""

    def __init__(self, image, mountpoint, make=True):
        self.image, self.mountpoint, self.device = image, mountpoint, ""
        if make:
            run("truncate", "-s", "256M", image)
            p = run("mkfs.ext4", "-q", "-F", "-O", "^has_journal", image)
            if p.returncode != 0:
                raise RuntimeError(f"mkfs.ext4: {p.stderr.strip()}")
        p = run("losetup", "-f", "--show", image)
        if p.returncode != 0:
            raise RuntimeError(f"losetup: {p.stderr.strip()}")
        self.device = p.stdout.strip()
        os.makedirs(mountpoint, exist_ok=True)
        p = run("mount", self.device, mountpoint)
        if p.returncode != 0:
            self.close()
            raise RuntimeError(f"mount {self.device}: {p.stderr.strip()}")
        os.chmod(mountpoint, 0o755)

    def close(self):
        # A killed process may hold the mount a moment longer.
        if not wait_for(lambda: run("umount", self.mountpoint).returncode == 0 or not os.path.ismount(self.mountpoint),
                        timeout=10):
            run("umount", "-l", self.mountpoint)
        if self.device:
            run("losetup", "-d", self.device)
            self.device = ""


class Stream:
    """Client threads sending token-marked messages; `acked` maps each
    queue id a client saw to its token."""

    def __init__(self, port):
        self.port, self.acked, self.lock, self.stop = port, {}, threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self.sender, args=(k,), daemon=True) for k in range(THREADS)]

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def join(self):
        for t in self.threads:
            t.join(30)

    def count(self):
        with self.lock:
            return len(self.acked)

    def sender(self, k):
        n, deadline = k, time.monotonic() + MAX_SECONDS
        while not self.stop.is_set() and time.monotonic() < deadline and self.count() < MAX_MESSAGES:
            try:
                with smtplib.SMTP("127.0.0.1", self.port, timeout=5) as s:
                    for _ in range(5):
                        if self.stop.is_set():
                            return
                        n += THREADS
                        tok = f"tok{n:06d}"
                        s.mail("sender@example.org")
                        s.rcpt("daemon@localhost")
                        body = f"Subject: {tok}\r\n\r\nBEGIN {tok}\r\n" + ("x" * 70 + "\r\n") * 20 + f"END {tok}\r\n"
                        code, text = s.data(body.encode())
                        if code == 250 and b"queued as " in text:
                            with self.lock:
                                self.acked[text.split(b"queued as ")[1].split()[0].decode()] = tok
            except (OSError, smtplib.SMTPException):
                time.sleep(0.05)


def server(name, root, port, deliver=True):
    """smtpd, qmgr and (deliver) local; without local, qmgr defers each
    message: it moves every file from incoming/ to active/ to deferred/."""
    spool = os.path.join(root, "mail")
    os.makedirs(spool, exist_ok=True)
    os.chmod(spool, 0o1777)
    rows = [f"127.0.0.1:{port} inet n - n - - smtpd", "qmgr unix n - n 300 1 qmgr"]
    if deliver:
        rows.append("local unix - n n - - local")
    return FerryServer(name, port=port, master_cf=rows, main_cf={
        "queue_directory": os.path.join(root, "queue"), "mail_spool_directory": spool + "/",
        "local_recipient_maps": "", "home_mailbox": "", "alias_maps": "",
        "mydestination": "$myhostname, localhost", "queue_run_delay": "1s"})


def process_tree(pid):
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += children(p)
    return tree


def signal_all(pids, sig):
    for p in pids:
        try:
            os.kill(p, sig)
        except OSError:
            pass


def delivered(root):
    """token -> True if some mailbox file holds its message whole."""
    out = {}
    for f in glob.glob(os.path.join(root, "mail", "*", "new", "*")) + glob.glob(os.path.join(root, "mail", "*", "cur", "*")):
        with open(f, errors="replace") as fh:
            text = fh.read()
        for tok in re.findall(r"^BEGIN (tok\d+)$", text, re.M):
            out[tok] = out.get(tok, False) or f"END {tok}" in text
    return out


def queued(root):
    """queue id -> content of each whole queue file in a message queue."""
    out = {}
    for q in QUEUES:
        for f in glob.glob(os.path.join(root, "queue", q, "*")):
            try:
                out[os.path.basename(f)] = parse(f).get("content", b"")
            except (ValueError, OSError):
                pass
    return out


def check_survivors(label, root, acked):
    inq, mail = queued(root), delivered(root)
    lost, broken = [], []
    for qid, tok in acked.items():
        if qid in inq:
            if f"BEGIN {tok}".encode() not in inq[qid] or f"END {tok}".encode() not in inq[qid]:
                broken.append(qid)
        elif not mail.get(tok):
            lost.append((qid, tok))
    in_lost_found = len(os.listdir(os.path.join(root, "lost+found")))
    T.check(len(acked) > 0, f"{label}: clients got messages queued", "no 250 at all")
    T.check(not lost, f"{label}: every acknowledged message is in the queue or delivered after the power cut",
            f"{len(lost)} of {len(acked)} lost ({in_lost_found} files in lost+found), such as {lost[:3]}")
    T.check(not broken, f"{label}: every acknowledged message left in the queue is whole",
            f"{len(broken)} broken, such as {broken[:3]}")


def power_cut(label, work, during, restart):
    image, mnt = os.path.join(work, f"{label}.img"), os.path.join(work, "mnt")
    fs = LoopFs(image, mnt)
    srv = server(f"powerloss-{label}", mnt, free_port(), deliver=not restart)
    stream = None
    try:
        srv.start()
        stream = Stream(srv.port).start()
        if during:
            wait_for(lambda: stream.count() >= MAX_MESSAGES // 3, timeout=MAX_SECONDS)
        else:
            stream.join()
            time.sleep(0.2)
        tree = process_tree(srv.proc.pid)
        signal_all(tree, signal.SIGSTOP)
        with stream.lock:
            acked = dict(stream.acked)  # what clients saw before the cut
        copy = os.path.join(work, f"{label}.crash.img")
        p = run("cp", "--sparse=always", image, copy)
        T.eq(p.returncode, 0, f"{label}: copy the disk image at the cut")
        stream.stop.set()
        signal_all(tree, signal.SIGKILL)
        srv.proc.wait(15)
        wait_for(lambda: not any(os.path.exists(f"/proc/{p}") for p in tree), timeout=10)
        stream.join()
    finally:
        if stream:
            stream.stop.set()
        srv.stop()
        fs.close()
        os.unlink(image)
    fsck = run("fsck.ext4", "-fy", copy)
    T.check(fsck.returncode < 4, f"{label}: fsck repairs the file system", fsck.stdout[-600:] + fsck.stderr)
    fs = LoopFs(copy, mnt, make=False)
    try:
        check_survivors(label, mnt, acked)
        if restart:
            # On the repaired file system, now with local: every
            # acknowledged message reaches the mailbox.
            again = server(f"powerloss-{label}-again", mnt, free_port())
            with again:
                tokens = set(acked.values())
                T.check(wait_for(lambda: tokens <= {t for t, whole in delivered(mnt).items() if whole}, timeout=60),
                        f"{label}: a Ferry started after the cut delivers every acknowledged message",
                        f"{len(tokens - set(delivered(mnt)))} of {len(tokens)} missing; {again.log()[-800:]}")
                T.check(wait_for(lambda: not queued(mnt), timeout=20), f"{label}: and leaves the queue empty",
                        str(list(queued(mnt))[:5]))
                again.stop()
                T.eq(again.problems(), [], f"{label}: no Ferry process died after the cut")
    finally:
        fs.close()
        os.unlink(copy)
        shutil.rmtree(srv.dir, ignore_errors=True)


def main():
    work = tempfile.mkdtemp(prefix="ferry-powerloss-")
    os.chmod(work, 0o755)  # local delivers as the recipient, below it
    try:
        for label, during, restart in (("during-stream", True, False), ("after-stream", False, True)):
            try:
                power_cut(label, work, during, restart)
            except RuntimeError as e:
                T.check(False, f"{label}: set up a loop-mounted ext4 file system (needs root and e2fsprogs)", str(e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    T.finish()


if __name__ == "__main__":
    main()
