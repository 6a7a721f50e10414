"""ferry_server.py - a Ferry started by the tests on loopback.

FerryServer(name, main_cf={...}, master_cf=[...]) writes a private
configuration directory and queue under /tmp, picks a free port on
127.0.0.1, runs `postfix -c DIR start-fg` through the Postfix-named
symlink, and waits until the SMTP port answers.  Use it as a context
manager; it stops the master (and kills it if it will not stop) on exit.
The log (maillog_file) is at .log_path."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

BIN = os.environ.get("FERRY_TEST_BIN", "")


def wait_for(cond, timeout=15):
    """Polls cond() until it is true or `timeout` seconds have passed;
    returns its last answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)
    return bool(cond())


def queued_id(reply_text):
    """The queue id of a "250 2.0.0 Ok: queued as ID" reply, or None."""
    marker = "queued as "
    return reply_text.split(marker, 1)[1].split()[0] if marker in reply_text else None


def wait_log(srv, text, timeout=5):
    """Whether `text` appears in the server's log within `timeout` seconds."""
    return wait_for(lambda: text in srv.log(), timeout)


def children(pid):
    """The pids of a process's children (the master's services)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postfix(*args, timeout=30):
    return subprocess.run([os.path.join(BIN, "postfix"), *args], capture_output=True,
                          text=True, timeout=timeout)


class FerryServer:
    def __init__(self, name, main_cf=None, master_cf=None, port=None):
        self.dir = tempfile.mkdtemp(prefix=f"ferry-{name}-")
        # Run by root, the services become mail_owner; tests that deliver
        # below this directory need others to enter it (mkdtemp makes it
        # 0700).  master_test checks a 0700 one on purpose.
        os.chmod(self.dir, 0o755)
        self.port = port or free_port()
        self.queue = os.path.join(self.dir, "queue")
        self.log_path = os.path.join(self.dir, "maillog")
        params = {
            # As Debian's main.cf: Postfix >= 2.10 relay defaults
            # (permit_mynetworks ... defer_unauth_destination).
            "compatibility_level": "3.6",
            "queue_directory": self.queue,
            "data_directory": os.path.join(self.dir, "data"),
            "maillog_file": self.log_path,
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "myhostname": "mx.ferry.test",
            "mydomain": "ferry.test",
            "mynetworks": "127.0.0.0/8",
            "home_mailbox": "Maildir/",
            "alias_maps": "",
            "alias_database": "",
        }
        params.update(main_cf or {})
        with open(os.path.join(self.dir, "main.cf"), "w") as f:
            for k, v in params.items():
                f.write(f"{k} = {v}\n")
        rows = master_cf if master_cf is not None else [
            f"127.0.0.1:{self.port} inet n - n - - smtpd"]
        with open(os.path.join(self.dir, "master.cf"), "w") as f:
            f.write("\n".join(rows) + "\n")
        self.proc = None
        self.out_path = os.path.join(self.dir, "master.out")

    def add_mail_spool(self, suffix="/"):
        """A mail_spool_directory below this directory, open to every user
        (local writes as the recipient); suffix "/" means Maildir."""
        self.spool = os.path.join(self.dir, "mail")
        os.mkdir(self.spool)
        os.chmod(self.spool, 0o1777)
        with open(os.path.join(self.dir, "main.cf"), "a") as f:
            f.write(f"mail_spool_directory = {self.spool}{suffix}\n")
        return self.spool

    def start(self, wait_port=True):
        # The master's and its services' stdout/stderr (sanitizer reports
        # land here) go to a file, never to a pipe nobody reads.
        with open(self.out_path, "a") as out:
            self.proc = subprocess.Popen([os.path.join(BIN, "postfix"), "-c", self.dir, "start-fg"],
                                         stdout=out, stderr=subprocess.STDOUT, text=True)
        if wait_port:
            self.wait_port()
        return self

    def wait_port(self, timeout=20):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc and self.proc.poll() is not None:
                raise RuntimeError(f"master exited {self.proc.returncode}: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.recv(512)
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"port {self.port} did not answer: {self.log()}")

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def output(self):
        try:
            with open(self.out_path) as f:
                return f.read()
        except OSError:
            return ""

    def problems(self, expect_kills=False):
        """Lines that say something went wrong inside Ferry: sanitizer
        reports, and (unless the test kills processes itself) services
        that died or ended with an error status."""
        bad = [line for line in self.output().splitlines()
               if "Sanitizer" in line or "runtime error:" in line]
        for line in self.log().splitlines():
            if " panic: " in line or (not expect_kills and (
                    re.search(r" pid \d+ exit status ", line) or "killed by signal" in line or " fatal: " in line)):
                bad.append(line)
        return bad

    def master_pid(self):
        try:
            with open(os.path.join(self.queue, "pid", "master.pid")) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def stop(self):
        if self.proc and self.proc.poll() is None:
            postfix("-c", self.dir, "stop")
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        # A server that does not come up is still stopped and removed.
        try:
            return self.start()
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def __exit__(self, *exc):
        self.stop()
        if not os.environ.get("FERRY_KEEP_TEST_DIRS"):
            shutil.rmtree(self.dir, ignore_errors=True)
