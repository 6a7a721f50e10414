#!/usr/bin/env python3
"""maxproc_test.py - the master starts local(8) on demand, one process per
delivery request, and never more at once than the local row's maxproc.

Two ways to load it: messages queued while no queue manager runs, then
delivered all at once when qmgr starts (the process table is polled every
10 ms for local processes of this server); and connections held open on
private/local, as qmgr's delivery requests, which show exactly maxproc
local processes while more connections wait, and none after."""
import glob
import os
import shutil
import smtplib
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "server"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer, free_port, wait_for  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("maxproc")
DOMAIN = "mx.ferry.test"
MESSAGES = 5


def rows(port, maxproc, qmgr=True):
    r = [f"127.0.0.1:{port} inet n - n - - smtpd"]
    if qmgr:
        r += ["qmgr unix n - n 300 1 qmgr", f"local unix - n n - {maxproc} local"]
    return r


def server(name, maxproc, qmgr=True):
    port = free_port()
    params = {"local_recipient_maps": "", "home_mailbox": "", "mydestination": "$myhostname, localhost",
              "queue_run_delay": "300s"}
    srv = FerryServer(name, main_cf=params, master_cf=rows(port, maxproc, qmgr), port=port)
    srv.add_mail_spool("/")
    return srv


def local_processes(srv):
    """The pids of this server's local processes: those the master runs as
    `ferry service local -c DIR -s local`.  A local process forks a child
    to write as the recipient, with the same command line: not counted."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if args[1:3] == [b"service", b"local"] and srv.dir.encode() in args:
            found[int(entry)] = ppid
    return sorted(pid for pid, ppid in found.items() if ppid not in found)


class Watch:
    """Polls local_processes every 10 ms in a thread, until stop() or
    `limit` seconds; keeps the most seen at once and every pid seen."""

    def __init__(self, srv, limit=30):
        self.srv, self.most, self.pids = srv, 0, set()
        self.done = threading.Event()
        self.deadline = time.monotonic() + limit
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.done.is_set() and time.monotonic() < self.deadline:
            now = local_processes(self.srv)
            self.most = max(self.most, len(now))
            self.pids.update(now)
            time.sleep(0.01)

    def stop(self):
        self.done.set()
        self.thread.join(5)
        return self.most


def lines(srv, text):
    return [line for line in srv.log().splitlines() if text in line]


def maildir_count(srv):
    return len(glob.glob(os.path.join(srv.spool, "*", "new", "*")))


def queue_files(srv, *queues):
    return [p for q in queues for p in glob.glob(os.path.join(srv.queue, q, "*")) if not p.endswith(".tmp")]


def send(srv, count, user="root"):
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as s:
        s.ehlo("client.example")
        for i in range(count):
            s.sendmail("sender@example.org", [f"{user}@{DOMAIN}"], f"Subject: {i}\r\n\r\nmessage {i}\r\n")


def local_pids_in_log(srv):
    """local's pid for each status=sent line, in log order."""
    out = []
    for line in lines(srv, "status=sent"):
        if "postfix/local[" in line:
            out.append(int(line.split("postfix/local[", 1)[1].split("]", 1)[0]))
    return out


def queued_burst(maxproc):
    """MESSAGES queued without a queue manager, then qmgr started: they are
    all in incoming/ when qmgr scans it.  Returns the most local processes
    seen at once."""
    srv = server(f"maxproc{maxproc}", maxproc, qmgr=False)
    try:
        srv.start()
        send(srv, MESSAGES)
        T.check(wait_for(lambda: len(queue_files(srv, "incoming")) == MESSAGES, 10),
                f"maxproc {maxproc}: {MESSAGES} messages wait in incoming/", queue_files(srv, "incoming"))
        srv.stop()
        with open(os.path.join(srv.dir, "master.cf"), "w") as f:
            f.write("\n".join(rows(srv.port, maxproc)) + "\n")
        watch = Watch(srv)
        srv.start()
        delivered = wait_for(lambda: len(lines(srv, "status=sent")) == MESSAGES and
                             len(lines(srv, ": removed")) == MESSAGES, 30)
        most = watch.stop()
        T.check(delivered, f"maxproc {maxproc}: all {MESSAGES} messages delivered", srv.log()[-2000:])
        T.eq(maildir_count(srv), MESSAGES, f"maxproc {maxproc}: {MESSAGES} files in the Maildir")
        T.eq(queue_files(srv, "incoming", "active", "deferred"), [], f"maxproc {maxproc}: the queue is empty")
        T.check(most <= maxproc, f"maxproc {maxproc}: never more local processes at once than maxproc",
                f"{most} seen at once")
        pids = local_pids_in_log(srv)
        T.eq(len(set(pids)), MESSAGES, f"maxproc {maxproc}: one local process per delivery (log pids)")
        T.check(watch.pids <= set(pids), f"maxproc {maxproc}: the polled local processes are the ones that "
                                         "logged the deliveries", (sorted(watch.pids), pids))
        if maxproc == 1:
            # One at a time: a process's lines are never followed by an
            # earlier process's (pids in contiguous runs).
            runs = [p for i, p in enumerate(pids) if i == 0 or pids[i - 1] != p]
            T.eq(len(runs), len(set(runs)), "maxproc 1: the log's local pids do not interleave")
        srv.stop()
        T.eq(local_processes(srv), [], f"maxproc {maxproc}: no local process left after the stop")
        T.eq(srv.problems(), [], f"maxproc {maxproc}: no Ferry process failed")
        return most
    finally:
        srv.stop()
        if not os.environ.get("FERRY_KEEP_TEST_DIRS"):
            shutil.rmtree(srv.dir, ignore_errors=True)


def release(conn):
    """Ends a held request as a well-formed one for a queue file that does
    not exist: local warns, answers nothing and exits."""
    try:
        conn.sendall(b"queue_id=NOSUCHFILE\nactive_us=0\n")
        conn.shutdown(socket.SHUT_WR)
        conn.settimeout(10)
        while conn.recv(4096):
            pass
    except OSError:
        pass
    conn.close()


def held_connections(maxproc, held):
    """`held` connections on private/local that send nothing yet: the
    master starts exactly maxproc local processes, the rest wait.  A real
    message behind them is delivered once they are released."""
    with server(f"held{maxproc}", maxproc) as srv:
        path = os.path.join(srv.queue, "private", "local")
        T.check(wait_for(lambda: os.path.exists(path), 10), f"held {maxproc}: private/local exists", path)
        conns = []
        try:
            for _ in range(held):
                c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                c.connect(path)
                conns.append(c)
            T.check(wait_for(lambda: len(local_processes(srv)) == maxproc, 10),
                    f"held {maxproc}: {held} requests start {maxproc} local processes",
                    local_processes(srv))
            # No more while the slots stay taken.
            most, deadline = 0, time.monotonic() + 1.0
            while time.monotonic() < deadline:
                most = max(most, len(local_processes(srv)))
                time.sleep(0.01)
            T.eq(most, maxproc, f"held {maxproc}: still {maxproc} after a second, never more")
            # A message now: its delivery waits behind the held requests.
            send(srv, 1)
            T.check(wait_for(lambda: queue_files(srv, "active"), 10), f"held {maxproc}: qmgr takes the message",
                    srv.log()[-1000:])
            time.sleep(0.5)
            T.eq(lines(srv, "status=sent"), [], f"held {maxproc}: not delivered while the slots are held")
            watch = Watch(srv)
            for c in conns:
                release(c)
            conns = []
            T.check(wait_for(lambda: lines(srv, "status=sent") and lines(srv, ": removed"), 15),
                    f"held {maxproc}: delivered once the requests are done", srv.log()[-1500:])
            most = watch.stop()
            T.check(most <= maxproc, f"held {maxproc}: never more than maxproc while they end", most)
            T.eq(maildir_count(srv), 1, f"held {maxproc}: one file in the Maildir")
            T.check(wait_for(lambda: not local_processes(srv), 10), f"held {maxproc}: every local process ended",
                    local_processes(srv))
            warned = lines(srv, "NOSUCHFILE")
            T.eq(len(warned), held, f"held {maxproc}: each held request was served by its own local process")
            T.check(all("postfix/local[" in w and "warning:" in w for w in warned),
                    f"held {maxproc}: as a warning of local", warned)
        finally:
            for c in conns:
                c.close()
        srv.stop()
        T.eq(srv.problems(), [], f"held {maxproc}: no Ferry process failed")


started = time.monotonic()
queued_burst(1)
queued_burst(3)
held_connections(1, 3)
held_connections(3, 5)
T.check(time.monotonic() - started < 60, "the test stays under a minute", time.monotonic() - started)
T.finish()
