"""ldap_helpers.py - what the ldap: table tests share: a private
configuration directory, running Ferry's postmap and Postfix's on a table,
the long-running reader, and a small pass/fail tally."""

import os
import subprocess
import sys
import tempfile

FERRY_BIN = os.path.join(os.environ.get("FERRY_TEST_BIN", ""), "postmap")
POSTFIX_POSTMAP = "/usr/sbin/postmap"

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from tally import Tally  # noqa: E402,F401  (the ldap tests import it from here)


def module_path():
    for d in os.environ.get("FERRY_MODULE_PATH", "").split(":"):
        p = os.path.join(d, "maps-ldap.so")
        if d and os.path.exists(p):
            return p
    raise RuntimeError("maps-ldap.so not found in FERRY_MODULE_PATH")


class ConfDir:
    """A private Postfix-style configuration directory with .cf files."""

    def __init__(self, root):
        self.dir = tempfile.mkdtemp(prefix="cf-", dir=root)
        path = os.path.join(self.dir, "main.cf")
        with open(path, "w") as f:
            f.write("")
        # Postfix's commands pause when main.cf is younger than a second.
        os.utime(path, (0, 0))

    def cf(self, name, text):
        path = os.path.join(self.dir, name + ".cf")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        # Postfix pauses on files younger than a second, .cf files included.
        os.utime(path, (0, 0))
        return "ldap:" + path


def postmap(binary, confdir, table, key=None, keys=None, flags=(), timeout=60):
    """Run postmap -q KEY (or -q - with keys on stdin).  Returns (exit
    status, stdout, stderr)."""
    argv = [binary, "-c", confdir.dir] + list(flags)
    if keys is None:
        argv += ["-q", key, table]
        stdin = None
    else:
        argv += ["-q", "-", table]
        stdin = "".join(k + "\n" for k in keys)
    p = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def ferry(confdir, table, key, flags=()):
    return postmap(FERRY_BIN, confdir, table, key, flags=flags)


def postfix(confdir, table, key, flags=()):
    return postmap(POSTFIX_POSTMAP, confdir, table, key, flags=flags)


class Reader:
    """ldap_reader: one table kept open across lookups (and outages)."""

    def __init__(self, reader_bin, table, fold=True):
        argv = [reader_bin, module_path(), table] + (["fold"] if fold else [])
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.stderr, text=True, bufsize=1)

    def lookup(self, key):
        """(status, value-or-reason) for one key."""
        if "\0" in key or "\n" in key or key.startswith("%"):
            key = "%" + "".join(f"%{ord(c):02X}" if c in "\0\n%" else c for c in key)
        return self.lookup_line(key)

    def lookup_line(self, line):
        """Send one raw reader line ('%'-encoded keys start with '%')."""
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("ldap_reader died")
        status, _, rest = line.rstrip("\n").partition(" ")
        return status, rest

    def log(self):
        self.stderr.seek(0)
        return self.stderr.read().decode("utf-8", "replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
