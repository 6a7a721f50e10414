#!/usr/bin/env python3
"""smtp_bench.py - the SMTP receive path, Ferry beside Postfix in one run.

Starts a private Postfix instance (postfix -c DIR start) and a private Ferry
(postfix -c DIR start-fg through Ferry's Postfix-named symlink), each on its
own free port on 127.0.0.1, with queues side by side under one temporary
directory (one file system), and each answering 250 only after the queue
file is on disk (Postfix's default; Ferry's only way). Neither delivers:
Postfix runs without qmgr (public/qmgr is a FIFO this script drains, and
in_flow_delay = 0 because the flow-control tokens come from qmgr), Ferry
runs an smtpd row only, so every accepted message stays in incoming/.

  - receive: smtp-source -s 10 and -s 50, 20,000 messages of 4 KB into the
    incoming queue, a fresh instance per run; three rounds per session
    count, the two servers taking turns at going first, and the summary
    compares the medians. Messages per second, and CPU
    per message: user+sys of every process of the instance (its master and
    all descendants, with the time of the children they reaped) over the
    run. Every message must be in incoming/ afterwards. Before the rounds
    the same load runs once against smtp-sink (Postfix's test server, which
    keeps nothing): the ceiling this machine and client allow any server,
    printed beside both.
  - idle: N concurrent sessions (connect, banner, EHLO, then nothing) and
    the PSS of the instance's processes with N sessions minus with none,
    per session. Postfix forks an smtpd per session, so it gets 1,000
    (default_process_limit = 2000); Ferry gets 10,000.

Every queue stays on disk until the whole bench has run: a file system
without a journal (ext4 as on many VMs) skips inodes freed in the last
minutes when it makes a file, one by one, so removing one instance's
20,000 files made the next instance's every file creation slower (on this
VM, 65 to 200 us instead of 20) - a handicap for whoever ran next.  For
the same reason each receive run starts only once the disk has written
back what the previous one left dirty (sync, then no writes for a second)
and the CPUs are nearly idle, at most a minute later.

Usage: smtp_bench.py FERRY_BIN_DIR [rate|idle|all]
(FERRY_BIN_DIR holds Ferry's `postfix` symlink, e.g. build/tests.)
SMTP_BENCH_MESSAGES, SMTP_BENCH_ROUNDS (3) and SMTP_BENCH_IDLE=postfix_n,ferry_n
shrink a trial run;
SMTP_BENCH_DIR puts the queues elsewhere than /tmp (a file system of their own).
"""
import errno
import grp
import os
import pwd
import re
import resource
import selectors
import statistics
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MESSAGES = int(os.environ.get("SMTP_BENCH_MESSAGES", "20000"))
SIZE = 4096
SESSIONS = (10, 50)
ROUNDS = int(os.environ.get("SMTP_BENCH_ROUNDS", "3"))
IDLE = dict(zip(("postfix", "ferry"),
                (int(x) for x in os.environ.get("SMTP_BENCH_IDLE", "1000,10000").split(","))))
RUN_TIMEOUT = 600      # one smtp-source run
OPEN_TIMEOUT = 60      # opening the idle sessions
HOLD_SECONDS = 5       # idle sessions held before checking none was dropped
HANDSHAKES = 100       # idle sessions connecting at once (Ferry's listen backlog is 100)
NOFILE = 65536
SENDER, RECIPIENT = "sender@client.example", "bench@bench.example"
CLK_TCK = os.sysconf("SC_CLK_TCK")

COMMON = {
    # As Debian's main.cf (Postfix >= 2.10 relay defaults; with level 0 and
    # no restrictions both smtpds refuse to start).
    "compatibility_level": "3.6",
    "inet_interfaces": "127.0.0.1",
    "inet_protocols": "ipv4",
    "myhostname": "mx.bench.example",
    "mydomain": "bench.example",
    "mydestination": "bench.example",
    "mynetworks": "127.0.0.0/8",
    "local_recipient_maps": "inline:{bench=yes}",
    "alias_maps": "",
    "alias_database": "",
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def printable(line):
    return "".join(c if c.isprintable() else "?" for c in line)


def write_cf(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.utime(path, (0, 0))  # Postfix waits for configuration files younger than a second


def wait_port(port, alive, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("server exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(512).startswith(b"220"):
                    s.sendall(b"QUIT\r\n")
                    s.recv(512)
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"port {port} did not answer 220 within {timeout} s")


# --- processes of one instance -------------------------------------------

def proc_table():
    """pid -> (ppid, ticks): ticks is utime+stime+cutime+cstime."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                text = f.read()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2:].split()
        table[int(name)] = (int(fields[1]), sum(int(x) for x in fields[11:15]))
    return table


def tree(root, table=None):
    table = table if table is not None else proc_table()
    children = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(pid)
            todo.extend(children.get(pid, ()))
    return out


def cpu_seconds(root):
    """CPU of the instance: every live process's own time plus the time of
    the children it reaped, so processes that exit during the run (Postfix
    recycles smtpd and cleanup) still count."""
    table = proc_table()
    return sum(table[p][1] for p in tree(root, table)) / CLK_TCK


def pss_kib(root):
    total, n = 0, 0
    for pid in tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        n += 1
                        break
        except OSError:
            pass
    return total, n


def count_files(d):
    n = 0
    for _, _, files in os.walk(d):
        n += len(files)
    return n


def device_stat(path, field):
    """One counter of /sys/dev/block/.../stat for the device under path
    (4: write I/Os completed, 15: cache flushes completed), or None."""
    st = os.stat(path)
    try:
        with open(f"/sys/dev/block/{os.major(st.st_dev)}:{os.minor(st.st_dev)}/stat") as f:
            return int(f.read().split()[field])
    except (OSError, IndexError, ValueError):
        return None


def device_flushes(path):
    """Cache flushes the queue's block device has completed (fsync and
    fdatasync each cost one unless the kernel merges them), or None.  The
    count is the device's: other writers' syncs during a run add to it."""
    return device_stat(path, 15)


def cpu_busy_ticks():
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)  # busy (not idle, not iowait), all


def settle(path, limit=60.0):
    """Waits, at most `limit` seconds, until the disk under path has written
    back what the previous run left dirty and the CPUs are nearly idle, so
    that no run pays for the one before it.  Returns the seconds waited."""
    t0 = time.monotonic()
    os.sync()
    while time.monotonic() - t0 < limit:
        w0, (b0, a0) = device_stat(path, 4) or 0, cpu_busy_ticks()
        time.sleep(1)
        w1, (b1, a1) = device_stat(path, 4) or 0, cpu_busy_ticks()
        if w1 - w0 <= 5 and (b1 - b0) <= 0.15 * max(a1 - a0, 1):
            break
    return time.monotonic() - t0


def kill_tree(root):
    for pid in reversed(tree(root)):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


# --- the two servers -------------------------------------------------------

class Postfix:
    name = "postfix"
    MAIL_DIRS = ("active", "bounce", "corrupt", "defer", "deferred", "flush", "hold",
                 "incoming", "private", "saved", "trace")

    def __init__(self, root, extra=None):
        self.dir = tempfile.mkdtemp(prefix="postfix-", dir=root)
        os.chmod(self.dir, 0o755)  # the master opens data_directory as mail_owner
        self.conf = os.path.join(self.dir, "conf")
        self.queue = os.path.join(self.dir, "queue")
        self.data = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "maillog")
        self.port = free_port()
        self.master = 0
        self.fifo_fd = -1
        self.stop_drain = threading.Event()
        self.drainer = None
        params = dict(COMMON)
        params.update({
            "queue_directory": self.queue,
            "data_directory": self.data,
            "maillog_file": self.log_path,
            "maillog_file_prefixes": f"/var, /dev/stdout, {root}",
            # Flow-control tokens come from qmgr, which is not running:
            # without this, cleanup waits 1 s for a token per message.
            "in_flow_delay": "0",
        })
        params.update(extra or {})
        os.makedirs(self.conf)
        write_cf(os.path.join(self.conf, "main.cf"), "".join(f"{k} = {v}\n" for k, v in params.items()))
        write_cf(os.path.join(self.conf, "master.cf"),
                 f"127.0.0.1:{self.port} inet n - n - - smtpd\n"
                 "cleanup unix n - n - 0 cleanup\n"
                 "rewrite unix - - n - - trivial-rewrite\n"
                 "anvil unix - - n - 1 anvil\n"
                 "postlog unix-dgram n - n - 1 postlogd\n")

    def make_queue(self):
        uid = pwd.getpwnam("postfix").pw_uid
        gid = grp.getgrnam("postdrop").gr_gid
        os.makedirs(os.path.join(self.queue, "pid"))
        for d in self.MAIL_DIRS:
            p = os.path.join(self.queue, d)
            os.mkdir(p, 0o700)
            os.chown(p, uid, 0)
        for d, mode in (("maildrop", 0o730), ("public", 0o710)):
            p = os.path.join(self.queue, d)
            os.mkdir(p)
            os.chmod(p, mode)
            os.chown(p, uid, gid)
        os.mkdir(self.data, 0o700)
        os.chown(self.data, uid, 0)
        # cleanup wakes qmgr through public/qmgr after every message; a FIFO
        # that this script drains keeps that cheap and silent.
        fifo = os.path.join(self.queue, "public", "qmgr")
        os.mkfifo(fifo, 0o622)
        os.chown(fifo, uid, 0)
        self.fifo_fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
        self.drainer = threading.Thread(target=self.drain, daemon=True)
        self.drainer.start()

    def drain(self):
        sel = selectors.DefaultSelector()
        sel.register(self.fifo_fd, selectors.EVENT_READ)
        while not self.stop_drain.is_set():
            for _ in sel.select(0.2):
                try:
                    os.read(self.fifo_fd, 65536)
                except BlockingIOError:
                    pass
        sel.close()

    def start(self):
        self.make_queue()
        p = subprocess.run(["/usr/sbin/postfix", "-c", self.conf, "start"], capture_output=True,
                           text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f"postfix start failed: {p.stderr.strip()} {self.log()[-2000:]}")
        with open(os.path.join(self.queue, "pid", "master.pid")) as f:
            self.master = int(f.read().strip())
        wait_port(self.port, lambda: os.path.exists(f"/proc/{self.master}"))
        return self

    def stop(self):
        if self.master and os.path.exists(f"/proc/{self.master}"):
            try:
                subprocess.run(["/usr/sbin/postfix", "-c", self.conf, "stop"], capture_output=True, timeout=60)
            except subprocess.TimeoutExpired:
                pass
            deadline = time.monotonic() + 15
            while os.path.exists(f"/proc/{self.master}") and time.monotonic() < deadline:
                time.sleep(0.1)
            if os.path.exists(f"/proc/{self.master}"):
                kill_tree(self.master)
        self.stop_drain.set()
        if self.drainer:
            self.drainer.join(5)
        if self.fifo_fd >= 0:
            os.close(self.fifo_fd)
            self.fifo_fd = -1

    def incoming(self):
        return count_files(os.path.join(self.queue, "incoming"))

    def elsewhere(self):
        return sum(count_files(os.path.join(self.queue, d))
                   for d in ("active", "deferred", "hold", "maildrop", "corrupt"))

    def log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def problems(self):
        return [l for l in self.log().splitlines()
                if re.search(r" (warning|error|fatal|panic): ", l) and "postfix-script" not in l]


class Ferry:
    name = "ferry"

    def __init__(self, root, bin_dir):
        self.bin = os.path.join(bin_dir, "postfix")
        self.dir = tempfile.mkdtemp(prefix="ferry-", dir=root)
        os.chmod(self.dir, 0o755)  # started by root, smtpd runs as mail_owner
        self.queue = os.path.join(self.dir, "queue")
        self.log_path = os.path.join(self.dir, "maillog")
        self.out_path = os.path.join(self.dir, "master.out")
        self.port = free_port()
        self.proc = None
        self.master = 0
        params = dict(COMMON)
        params.update({"queue_directory": self.queue, "data_directory": os.path.join(self.dir, "data"),
                       "maillog_file": self.log_path})
        write_cf(os.path.join(self.dir, "main.cf"), "".join(f"{k} = {v}\n" for k, v in params.items()))
        write_cf(os.path.join(self.dir, "master.cf"), f"127.0.0.1:{self.port} inet n - n - - smtpd\n")

    def start(self):
        env = dict(os.environ)
        env.setdefault("FERRY_REGISTRY_DIR", os.path.join(HERE, "..", "etc", "modules.d"))
        with open(self.out_path, "a") as out:
            self.proc = subprocess.Popen([self.bin, "-c", self.dir, "start-fg"], stdout=out,
                                         stderr=subprocess.STDOUT, env=env)
        self.master = self.proc.pid  # start-fg runs the master in this process
        wait_port(self.port, lambda: self.proc.poll() is None)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                subprocess.run([self.bin, "-c", self.dir, "stop"], capture_output=True, timeout=60)
            except subprocess.TimeoutExpired:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                kill_tree(self.master)
                self.proc.wait(10)

    def incoming(self):
        return count_files(os.path.join(self.queue, "incoming"))

    def elsewhere(self):
        return sum(count_files(os.path.join(self.queue, d))
                   for d in ("active", "deferred", "hold", "maildrop", "corrupt")
                   if os.path.isdir(os.path.join(self.queue, d)))

    def log(self):
        text = ""
        for p in (self.log_path, self.out_path):
            try:
                with open(p, errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text

    def problems(self):
        return [l for l in self.log().splitlines()
                if re.search(r"(warning|error|fatal|panic)[: ]| pid \d+ exit status |killed by signal|"
                             r"Sanitizer|runtime error", l) and "starting the Postfix" not in l]


# --- receive rate ----------------------------------------------------------

def source_command(port, sessions):
    return ["/usr/sbin/smtp-source", "-s", str(sessions), "-m", str(MESSAGES), "-l", str(SIZE),
            "-M", "client.example", "-f", SENDER, "-t", RECIPIENT, f"127.0.0.1:{port}"]


def sink_ceiling(root, sessions):
    """The same load against smtp-sink, Postfix's test server that answers
    every command and keeps nothing (no queue file, no sync, no log): the
    most this machine, its kernel and smtp-source allow any server.
    Returns messages per second, or None if the run failed."""
    port = free_port()
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    sink = subprocess.Popen(["/usr/sbin/smtp-sink", *user, f"127.0.0.1:{port}", "256"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, lambda: sink.poll() is None)
        settle(root)
        t0 = time.perf_counter()
        p = subprocess.run(source_command(port, sessions), capture_output=True, text=True, timeout=RUN_TIMEOUT)
        wall = time.perf_counter() - t0
    finally:
        sink.terminate()
        sink.wait(timeout=30)
    return MESSAGES / wall if p.returncode == 0 else None


def receive(server, sessions):
    cmd = source_command(server.port, sessions)
    load = os.getloadavg()[0]
    before_client = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu0 = cpu_seconds(server.master)
    flush0 = device_flushes(server.queue)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    wall = time.perf_counter() - t0
    cpu = cpu_seconds(server.master) - cpu0
    flush1 = device_flushes(server.queue)
    flushes = None if flush0 is None or flush1 is None else flush1 - flush0
    after_client = resource.getrusage(resource.RUSAGE_CHILDREN)
    client = (after_client.ru_utime + after_client.ru_stime) - (before_client.ru_utime + before_client.ru_stime)
    queued, other = server.incoming(), server.elsewhere()
    errors = [l for l in (p.stdout + p.stderr).splitlines() if l.strip()]
    return {"wall": wall, "cpu": cpu, "client": client, "flushes": flushes, "load": load, "queued": queued, "other": other,
            "rc": p.returncode, "errors": errors}


def bench_rate(root, ferry_bin):
    """Each session count gets ROUNDS rounds; the two servers take turns at
    going first, and the summary compares medians, so that one noisy run
    (this VM's rate varies by 15% from run to run) decides nothing."""
    failed = False
    for sessions in SESSIONS:
        runs = {"postfix": [], "ferry": []}
        print(f"receive: {MESSAGES:,} messages of {SIZE:,} bytes, smtp-source -s {sessions},"
              f" 250 only after fsync, into incoming/; {ROUNDS} round(s)", flush=True)
        ceiling = sink_ceiling(root, sessions)
        print(f"  ceiling  smtp-sink (keeps nothing: no queue file, no sync, no log): "
              + (f"{ceiling:,.0f} msg/s" if ceiling else "run failed"), flush=True)
        for rnd in range(ROUNDS):
            order = (Postfix, Ferry) if rnd % 2 == 0 else (Ferry, Postfix)
            for cls in order:
                server = cls(root) if cls is Postfix else cls(root, ferry_bin)
                try:
                    waited = settle(root)
                    server.start()
                    r = receive(server, sessions)
                    r["problems"] = server.problems()
                finally:
                    server.stop()
                r["bad"] = r["queued"] != MESSAGES or r["other"] or r["rc"] != 0 or bool(r["errors"])
                runs[server.name].append(r)
                failed |= report_run(server.name, rnd, r, waited)
        if any(r["bad"] for rs in runs.values() for r in rs):
            print(f"  {'':8} no comparison: not every message was queued")
            continue
        med = {who: (statistics.median(MESSAGES / r["wall"] for r in rs),
                     statistics.median(r["cpu"] / MESSAGES for r in rs)) for who, rs in runs.items()}
        for who in ("postfix", "ferry"):
            print(f"  {who:8} {med[who][0]:9,.0f} msg/s   cpu {1000 * med[who][1]:6.3f} ms/msg   (median)")
        print(f"  {'':8} {med['ferry'][0] / med['postfix'][0]:8.2f}x postfix rate (target >= 3x);"
              f" cpu per message {med['ferry'][1] / med['postfix'][1]:.2f}x postfix's (target <= 0.33x)",
              flush=True)
        if ceiling:
            print(f"  {'':8} ceiling {ceiling / med['postfix'][0]:.2f}x postfix rate; ferry at"
                  f" {100 * med['ferry'][0] / ceiling:.0f}% of it, postfix at {100 * med['postfix'][0] / ceiling:.0f}%",
                  flush=True)
    return failed


def report_run(who, rnd, r, waited):
    """One run's line (and its problems); True when the run failed a check."""
    rate, ms = MESSAGES / r["wall"], 1000 * r["cpu"] / MESSAGES
    flushes = "" if r["flushes"] is None else f"{r['flushes'] / MESSAGES:.2f} disk flushes/msg; "
    print(f"  round {rnd + 1} {who:8} {rate:9,.0f} msg/s   cpu {ms:6.3f} ms/msg   "
          f"({r['wall']:.1f} s wall, {r['cpu']:.1f} s server cpu, {r['client']:.1f} s smtp-source cpu;"
          f" {flushes}{r['queued']:,} in incoming/; started after {waited:.0f} s settling)", flush=True)
    if r["bad"]:
        print(f"  {who:8} CHECK FAILED: {r['queued']:,} of {MESSAGES:,} queued, {r['other']} elsewhere,"
              f" smtp-source exit {r['rc']}")
        for l in r["errors"][:5]:
            print(f"    smtp-source: {printable(l)}")
    for l in r["problems"][:5]:
        print(f"    {who} log: {printable(l)}")
    if len(r["problems"]) > 5:
        print(f"    ({len(r['problems'])} problem lines in all)")
    return r["bad"]


# --- idle sessions ---------------------------------------------------------

def open_idle(port, n, timeout):
    """Opens n sessions (connect, 220 banner, EHLO, 250); returns the open
    sockets, the seconds it took, and a count of failures by reason."""
    sel = selectors.DefaultSelector()
    held, failures = [], {}
    pending = 0
    started = 0
    t0 = time.monotonic()
    deadline = t0 + timeout

    def fail(sock, why):
        nonlocal pending
        failures[why] = failures.get(why, 0) + 1
        pending -= 1
        try:
            sel.unregister(sock)
        except (KeyError, ValueError):
            pass
        sock.close()

    while (started < n or pending) and time.monotonic() < deadline:
        while started < n and pending < HANDSHAKES:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            err = s.connect_ex(("127.0.0.1", port))
            started += 1
            pending += 1
            if err not in (0, errno.EINPROGRESS):
                fail(s, f"connect: {os.strerror(err)}")
                continue
            sel.register(s, selectors.EVENT_WRITE, {"state": "connect", "buf": b""})
        for key, _ in sel.select(0.5):
            s, st = key.fileobj, key.data
            if st["state"] == "connect":
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(s, f"connect: {os.strerror(err)}")
                    continue
                st["state"] = "banner"
                sel.modify(s, selectors.EVENT_READ, st)
                continue
            try:
                data = s.recv(4096)
            except OSError as e:
                fail(s, f"recv in {st['state']}: {e.strerror}")
                continue
            if not data:
                fail(s, f"closed by server in {st['state']}")
                continue
            st["buf"] += data
            if not st["buf"].endswith(b"\r\n"):
                continue
            last = st["buf"].rstrip(b"\r\n").rsplit(b"\r\n", 1)[-1]
            if last[3:4] != b" ":
                continue
            reply, st["buf"] = st["buf"], b""
            if st["state"] == "banner":
                if not reply.startswith(b"220"):
                    fail(s, f"banner {reply[:60]!r}")
                    continue
                s.send(b"EHLO client.example\r\n")
                st["state"] = "ehlo"
            elif st["state"] == "ehlo":
                if not last.startswith(b"250"):
                    fail(s, f"EHLO reply {last[:60]!r}")
                    continue
                sel.unregister(s)
                held.append(s)
                pending -= 1
    for key in list(sel.get_map().values()):
        failures["still in handshake at the time limit"] = failures.get("still in handshake at the time limit", 0) + 1
        key.fileobj.close()
    sel.close()
    if started < n:
        failures["never started (time limit)"] = n - started
    return held, time.monotonic() - t0, failures


def dropped(socks):
    """Sessions the server has closed (or written to) while idle."""
    sel = selectors.DefaultSelector()
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    ready = sel.select(0)
    sel.close()
    return len(ready)


def bench_idle(root, ferry_bin):
    results = {}
    failed = False
    for cls in (Postfix, Ferry):
        n = IDLE["postfix" if cls is Postfix else "ferry"]
        server = (cls(root, {"default_process_limit": str(n * 2)}) if cls is Postfix
                  else cls(root, ferry_bin))
        socks = []
        try:
            server.start()  # the start-up probe is the warm-up session
            time.sleep(2)
            base, _ = pss_kib(server.master)
            socks, took, failures = open_idle(server.port, n, OPEN_TIMEOUT)
            time.sleep(1)
            loaded, nprocs = pss_kib(server.master)
            time.sleep(HOLD_SECONDS)
            lost = dropped(socks)
            results[server.name] = {"n": n, "held": len(socks), "took": took, "failures": failures,
                                    "base": base, "loaded": loaded, "procs": nprocs, "lost": lost}
        finally:
            for s in socks:
                s.close()
            time.sleep(1)
            results.setdefault(server.name, {})["problems"] = server.problems()
            server.stop()
            shutil.rmtree(server.dir, ignore_errors=True)
    print("idle: concurrent sessions after banner and EHLO, PSS of all the server's processes"
          " (with N sessions minus with none) / N")
    per = {}
    for who in ("postfix", "ferry"):
        r = results[who]
        held = max(r["held"], 1)
        per[who] = (r["loaded"] - r["base"]) / held
        line = (f"  {who:8} {r['held']:6,} of {r['n']:,} held   {per[who]:8.1f} KiB/session   "
                f"(PSS {r['base'] / 1024:.1f} -> {r['loaded'] / 1024:.1f} MiB in {r['procs']} processes;"
                f" opened in {r['took']:.1f} s; {r['lost']} dropped while idle {HOLD_SECONDS} s)")
        print(line)
        if who == "ferry":
            print(f"  {'':8} target: 10,000 sessions held at <= 32 KiB each"
                  f" ({per['ferry'] / max(per['postfix'], 0.001):.3f}x postfix's per-session memory;"
                  f" Postfix gets {IDLE['postfix']:,}, one smtpd process each)")
        if r["failures"] or r["lost"] or r["held"] != r["n"]:
            failed = True
            print(f"  {who:8} CHECK FAILED: {r['n'] - r['held']:,} not held; {r['lost']} dropped; {r['failures']}")
        for l in r.get("problems", [])[:5]:
            print(f"    {who} log: {printable(l)}")
        if len(r.get("problems", [])) > 5:
            print(f"    ({len(r['problems'])} problem lines in all)")
    return failed


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: smtp_bench.py FERRY_BIN_DIR [rate|idle|all]")
    ferry_bin = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    if os.geteuid() != 0:
        sys.exit("smtp_bench: needs root (a private Postfix instance runs as root)")
    # Both the client's sockets and the servers' (they inherit this limit).
    # (The hard limit can only be raised with CAP_SYS_RESOURCE.)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = NOFILE if hard == resource.RLIM_INFINITY else min(NOFILE, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if nofile < max(IDLE.values()) + 100:
        sys.exit(f"smtp_bench: RLIMIT_NOFILE is {nofile}, too low for {max(IDLE.values()):,} sessions")
    root = tempfile.mkdtemp(prefix="ferry-smtpbench-", dir=os.environ.get("SMTP_BENCH_DIR", "/tmp"))
    os.chmod(root, 0o755)  # services that drop privileges must reach their queue
    os.chmod(root, 0o755)
    load = os.getloadavg()[0]
    print(f"(queues under {root}; load average {load:.2f} on {os.cpu_count()} cpus at the start;"
          f" {nofile:,} file descriptors per process)")
    failed = False
    t0 = time.monotonic()
    try:
        if which in ("rate", "all"):
            failed |= bench_rate(root, ferry_bin)
        if which in ("idle", "all"):
            failed |= bench_idle(root, ferry_bin)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"(smtp bench took {time.monotonic() - t0:.0f} s)")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
