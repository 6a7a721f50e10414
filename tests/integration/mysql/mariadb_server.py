"""A throwaway MariaDB server for the mysql: table tests.

MariaDB(tmpdir) creates a data directory with mariadb-install-db, starts
mariadbd on a random 127.0.0.1 port and a private UNIX socket, loads
fixtures.sql and stops the server on every exit path (context manager,
atexit, SIGTERM/SIGINT).  No system service and no system configuration is
used (--no-defaults); nothing listens beyond 127.0.0.1.
"""
import atexit
import os
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
START_TIMEOUT = 60  # seconds for the server to accept connections

_running = []


def _stop_all(*_):
    for server in list(_running):
        server.stop()


def _on_signal(signum, _frame):
    _stop_all()
    sys.exit(128 + signum)


atexit.register(_stop_all)
signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MariaDB:
    def __init__(self, root):
        self.root = root
        os.makedirs(root, exist_ok=True)
        self.datadir = os.path.join(root, "data")
        self.socket = os.path.join(root, "mysqld.sock")
        self.log = os.path.join(root, "mysqld.err")
        self.port = free_port()
        self.proc = None

    # -- lifecycle ---------------------------------------------------------
    def make_tls(self):
        """A self-signed certificate for 127.0.0.1, used as server
        certificate and as the clients' CA."""
        self.tls_cert = os.path.join(self.root, "server.pem")
        self.tls_key = os.path.join(self.root, "server.key")
        p = subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", self.tls_key, "-out", self.tls_cert],
            capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("openssl failed:\n" + p.stderr)

    def install(self):
        self.make_tls()
        p = subprocess.run(
            ["mariadb-install-db", "--no-defaults", "--datadir=" + self.datadir,
             "--user=root", "--auth-root-authentication-method=normal",
             "--skip-test-db"],
            capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("mariadb-install-db failed:\n" + p.stdout + p.stderr)

    def start(self):
        if self.proc is not None:
            return
        self.proc = subprocess.Popen(
            ["mariadbd", "--no-defaults", "--datadir=" + self.datadir,
             "--socket=" + self.socket, "--port=%d" % self.port,
             "--bind-address=127.0.0.1", "--user=root",
             "--pid-file=" + os.path.join(self.root, "mysqld.pid"),
             "--log-error=" + self.log, "--skip-name-resolve", "--skip-log-bin",
             "--innodb-buffer-pool-size=16M", "--max-connections=200",
             "--ssl-cert=" + self.tls_cert, "--ssl-key=" + self.tls_key,
             "--ssl-ca=" + self.tls_cert],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _running.append(self)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("mariadbd exited (%d); see %s" % (self.proc.returncode, self.log))
            if self._accepts():
                return
            time.sleep(0.1)
        raise RuntimeError("mariadbd did not start within %ds; see %s" % (START_TIMEOUT, self.log))

    def _accepts(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                pass
        except OSError:
            return False
        return os.path.exists(self.socket)

    def stop(self, sig=signal.SIGTERM):
        """Stop the server (SIGKILL with sig=signal.SIGKILL: a crash)."""
        if self.proc is None:
            return
        try:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        self.proc = None
        if self in _running:
            _running.remove(self)

    def kill(self):
        self.stop(signal.SIGKILL)

    def __enter__(self):
        self.install()
        self.start()
        self.sql_file(os.path.join(HERE, "fixtures.sql"))
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- administration ----------------------------------------------------
    def sql(self, statements, db=None):
        args = ["mariadb", "--no-defaults", "-S", self.socket, "-uroot", "--batch",
                "--skip-column-names"]
        if db:
            args.append(db)
        p = subprocess.run(args, input=statements, capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("SQL failed: %s\n%s" % (statements[:200], p.stderr))
        return p.stdout

    def sql_file(self, path):
        with open(path, encoding="utf-8") as f:
            return self.sql(f.read())
