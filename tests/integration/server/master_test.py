#!/usr/bin/env python3
"""master_test.py - `postfix start|start-fg|status|reload|stop|check`
against a private configuration: Postfix's words for each outcome, one
master per configuration, a stale pid file taken over, stock master.cf
rows Ferry does not run reported and not fatal."""
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer, postfix, wait_for  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("master")

def lifecycle():
    rows = ["pickup    unix  n       -       n       60      1       pickup",
            "tlsmgr    unix  -       -       n       1000?   1       tlsmgr",
            "uucp      unix  -       n       n       -       -       pipe flags=Fqhu user=uucp argv=uux -r -n -z -a$sender - $nexthop!rmail ($recipient)"]
    srv = FerryServer("master", master_cf=rows)
    try:
        r = postfix("-c", srv.dir, "status")
        T.eq(r.returncode, 1, "status before start fails")
        T.check("the Postfix mail system is not running" in r.stderr, "status before start says not running", r.stderr)

        r = postfix("-c", srv.dir, "check")
        T.eq(r.returncode, 0, "check accepts rows Ferry does not run")
        T.check("service tlsmgr/unix (tlsmgr): folded into" in r.stderr, "check reports a folded service", r.stderr)
        T.check("service uucp/unix (pipe): not yet available" in r.stderr, "check reports a service not yet available", r.stderr)

        srv.start(wait_port=False)
        T.check(wait_for(lambda: srv.master_pid() != 0), "master writes its pid file", srv.log())
        r = postfix("-c", srv.dir, "status")
        T.eq(r.returncode, 0, "status while running")
        T.check(f"the Postfix mail system is running: PID: {srv.master_pid()}" in r.stderr,
                "status names the master's pid", r.stderr)
        T.eq(srv.master_pid(), srv.proc.pid, "the pid file holds the start-fg process")

        r = postfix("-c", srv.dir, "start")
        T.eq(r.returncode, 1, "a second start is refused")
        T.check("the Postfix mail system is already running" in r.stderr, "second start says already running", r.stderr)

        r = postfix("-c", srv.dir, "reload")
        T.eq(r.returncode, 0, "reload")
        T.check(wait_for(lambda: "reload -- version" in srv.log()), "master logs the reload", srv.log())
        T.check("daemon started -- version" in srv.log(), "master logs its start", srv.log())

        r = postfix("-c", srv.dir, "stop")
        T.eq(r.returncode, 0, "stop")
        T.check(wait_for(lambda: srv.proc.poll() is not None), "master exits on stop")
        T.eq(srv.proc.returncode, 0, "master exit status after stop")
        T.check(not os.path.exists(os.path.join(srv.queue, "pid", "master.pid")), "pid file removed on stop")
        r = postfix("-c", srv.dir, "stop")
        T.eq(r.returncode, 1, "stop when not running fails")
        T.check("the Postfix mail system is not running" in r.stderr, "stop when not running says so", r.stderr)

        # A pid file left by a crash (unlocked, dead pid) does not block a start.
        with open(os.path.join(srv.queue, "pid", "master.pid"), "w") as f:
            f.write("    999999\n")
        r = postfix("-c", srv.dir, "status")
        T.eq(r.returncode, 1, "a stale pid file is not a running master")
        r = postfix("-c", srv.dir, "start")
        T.eq(r.returncode, 0, "start (background) over a stale pid file")
        pid = srv.master_pid()
        T.check(pid not in (0, 999999), "the new master wrote its own pid", str(pid))
        r = postfix("-c", srv.dir, "stop")
        T.eq(r.returncode, 0, "stop the background master")
        T.check(wait_for(lambda: not os.path.exists(f"/proc/{pid}")), "background master gone after stop")
    finally:
        srv.__exit__(None, None, None)


def bad_commands():
    srv = FerryServer("master-bad")
    try:
        r = postfix("-c", srv.dir, "frobnicate")
        T.check(r.returncode != 0 and "usage: postfix" in r.stderr, "unknown command gets the usage line", r.stderr)
        r = postfix("-c", "/nonexistent-ferry-dir", "status")
        T.check(r.returncode != 0 and "/nonexistent-ferry-dir/main.cf" in r.stderr,
                "a missing main.cf is named", r.stderr)
    finally:
        srv.__exit__(None, None, None)


def main():
    lifecycle()
    bad_commands()
    T.finish()


if __name__ == "__main__":
    main()
