#!/usr/bin/env python3
"""master_test.py - `postfix start|start-fg|status|reload|stop|check`
against a private configuration: Postfix's words for each outcome, one
master per configuration, a stale pid file taken over, stock master.cf
rows Ferry does not run reported and not fatal.  Run as root: services
with unpriv y run as mail_owner, local keeps root and delivers as the
recipient, the queue is owned as postfix-files says, and a privileged or
unknown mail_owner is refused with Postfix's words."""
import glob
import grp
import os
import pwd
import re
import signal
import smtplib
import socket
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import BIN, FerryServer, children, free_port, postfix, wait_for  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("master")

def lifecycle():
    rows = ["pickup    unix  n       -       n       60      1       pickup",
            "tlsmgr    unix  -       -       n       1000?   1       tlsmgr",
            "postlog   unix-dgram n  -       n       -       1       postlogd",
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
        T.check("(postlogd): folded into every service (maillog_file)" in r.stderr,
                "check reports the stock postlog row as folded", r.stderr)
        r2 = subprocess.run([os.environ["FERRY_BIN"], "check", "-c", srv.dir], capture_output=True, text=True, timeout=30)
        T.eq((r2.returncode, r2.stderr), (r.returncode, r.stderr), "ferry check -c DIR is postfix -c DIR check")

        srv.start(wait_port=False)
        T.check(wait_for(lambda: srv.master_pid() != 0), "master writes its pid file", srv.log())
        r = postfix("-c", srv.dir, "status")
        T.eq(r.returncode, 0, "status while running")
        T.check(f"the Postfix mail system is running: PID: {srv.master_pid()}" in r.stderr,
                "status names the master's pid", r.stderr)
        T.eq(srv.master_pid(), srv.proc.pid, "the pid file holds the start-fg process")

        r = subprocess.run([os.environ["FERRY_BIN"], "status", "-c", srv.dir], capture_output=True, text=True,
                           timeout=30)
        T.check(r.returncode == 0 and f"the Postfix mail system is running: PID: {srv.master_pid()}" in r.stderr,
                "ferry status -c DIR is postfix status", r.stderr)
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
        # Temporary queue files the crash left: incoming/'s all go (no
        # service writes there before the master starts), maildrop/'s only
        # once a day old (sendmail writes there without a master); other
        # names are never touched.
        left = {"incoming/LEFTOVER1.tmp": False, "maildrop/LEFTOVER2.tmp": False,
                "maildrop/LEFTOVER3.tmp": True, "incoming/not-an-id.tmp": True}
        for name in left:
            with open(os.path.join(srv.queue, name), "w") as f:
                f.write("partial")
        two_days_ago = time.time() - 2 * 86400
        for name in ("maildrop/LEFTOVER2.tmp", "incoming/not-an-id.tmp"):
            os.utime(os.path.join(srv.queue, name), (two_days_ago, two_days_ago))
        r = postfix("-c", srv.dir, "start")
        T.eq(r.returncode, 0, "start (background) over a stale pid file")
        pid = srv.master_pid()
        T.check(pid not in (0, 999999), "the new master wrote its own pid", str(pid))
        for name, kept in left.items():
            T.eq(os.path.exists(os.path.join(srv.queue, name)), kept,
                 f"start {'keeps' if kept else 'removes'} {name}")
        for name in ("incoming/LEFTOVER1.tmp", "maildrop/LEFTOVER2.tmp"):
            T.check(f"{name}: removed temporary file left by an earlier run" in srv.log(),
                    f"start logs the removal of {name}", srv.log())
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


def ids(pid):
    """(real, effective, saved uid), (real, effective, saved gid) of a process."""
    uid = gid = None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                uid = tuple(int(x) for x in line.split()[1:4])
            if line.startswith("Gid:"):
                gid = tuple(int(x) for x in line.split()[1:4])
    return uid, gid


def service_pids(master):
    """{"smtpd": pid, ...} for the master's service processes."""
    out = {}
    for pid in children(master):
        try:
            with open(f"/proc/{pid}/cmdline") as f:
                argv = f.read().split("\0")
        except OSError:
            continue
        if len(argv) > 2 and argv[1] == "service":
            out[argv[2]] = pid
    return out


def owner_mode(path):
    st = os.lstat(path)
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def privileged():
    owner = pwd.getpwnam("postfix")
    postdrop = grp.getgrnam("postdrop").gr_gid
    daemon = pwd.getpwnam("daemon").pw_uid
    port = free_port()
    rows = [f"127.0.0.1:{port} inet n - y - - smtpd",
            "pickup unix n - y 60 1 pickup",
            "qmgr unix n - n 300 1 qmgr",
            "local unix - n n - - local",
            "proxymap unix - - n - - proxymap"]
    # local_recipient_maps keeps its default, proxy:unix:passwd.byname: the
    # chrooted smtpd asks proxymap.
    params = {"mydestination": "$myhostname, localhost", "home_mailbox": "", "queue_run_delay": "1s"}
    srv = FerryServer("master-root", main_cf=params, master_cf=rows, port=port)
    spool = srv.add_mail_spool()
    # Left by a run as root before: a queue file, and two that must not be
    # handed over (a second link to a root file, a symbolic link).
    hold = os.path.join(srv.queue, "hold")
    os.makedirs(hold)
    with open(os.path.join(hold, "ROOTFILE"), "w") as f:
        f.write("x")
    outside = os.path.join(srv.dir, "outside")
    with open(outside, "w") as f:
        f.write("root's")
    os.link(outside, os.path.join(hold, "HARDLINK"))
    os.symlink(outside, os.path.join(hold, "SYMLINK"))
    try:
        srv.start()
        master = srv.master_pid()
        T.eq(ids(master)[0], (0, 0, 0), "the master keeps root")
        T.check(wait_for(lambda: {"smtpd", "qmgr", "pickup"} <= set(service_pids(master))),
                "smtpd, qmgr and pickup run", service_pids(master))
        procs = service_pids(master)
        for name in ("smtpd", "qmgr", "pickup"):
            if name in procs:
                # A service drops privileges once its tables are open.
                wait_for(lambda: ids(procs[name])[0][1] != 0)
                uid, gid = ids(procs[name])
                T.eq(uid, (owner.pw_uid,) * 3, f"{name} runs as mail_owner (real, effective, saved uid)")
                T.eq(gid, (owner.pw_gid,) * 3, f"{name} runs with mail_owner's group")

        T.eq(owner_mode(srv.queue)[0::2], (0, 0o755), "queue_directory is root's, 0755")
        T.eq(owner_mode(os.path.join(srv.queue, "maildrop")), (owner.pw_uid, postdrop, 0o1730),
             "maildrop is 1730 postfix:postdrop")
        for d in ("incoming", "active", "deferred", "hold", "corrupt", "bounce", "defer", "private"):
            T.eq(owner_mode(os.path.join(srv.queue, d))[0::2], (owner.pw_uid, 0o700), f"{d} is postfix's, 0700")
        T.eq(owner_mode(os.path.join(srv.queue, "pid"))[0::2], (0, 0o755), "pid is root's, 0755")
        T.eq(owner_mode(os.path.join(srv.queue, "private", "local"))[0::2], (owner.pw_uid, 0o600),
             "private/local is a socket for postfix only")
        T.eq(os.lstat(os.path.join(hold, "ROOTFILE")).st_uid, owner.pw_uid, "a root-owned queue file is handed to postfix")
        T.eq(os.stat(outside).st_uid, 0, "a second link to a root file is left as it is")
        T.eq(os.lstat(os.path.join(hold, "SYMLINK")).st_uid, 0, "a symbolic link is not followed")
        T.check("HARDLINK: file has 2 links; ownership left as is" in srv.log(), "the hard link is named in a warning",
                srv.log()[-800:])
        # chroot y rows (smtpd, pickup) see queue_directory as "/"; qmgr
        # (chroot n) sees the real root.
        queue_real = os.path.realpath(srv.queue)
        for name, root in (("smtpd", queue_real), ("pickup", queue_real), ("qmgr", "/")):
            if name in procs:
                T.eq(os.readlink(f"/proc/{procs[name]}/root"), root, f"{name}'s root directory")
        for name in ("hosts", "resolv.conf", "nsswitch.conf"):
            if os.path.isfile(f"/etc/{name}"):
                with open(f"/etc/{name}", "rb") as a, open(os.path.join(srv.queue, "etc", name), "rb") as b:
                    T.eq(b.read(), a.read(), f"/etc/{name} is copied into the chroot")
        T.check("chroot" not in srv.log(), "nothing is said about chroot", srv.log()[-800:])
        # A stale copy: postfix check names it (as postfix-script does), and
        # the master puts the original back within seconds.
        copy = os.path.join(srv.queue, "etc", "hosts")
        with open(copy, "w") as f:
            f.write("10.9.9.9 stale\n")
        r = postfix("-c", srv.dir, "check")
        T.check(r.returncode == 1 and f"warning: {copy} and /etc/hosts differ" in r.stderr,
                "postfix check reports a copy that differs", r.stderr)
        with open("/etc/hosts") as f:
            hosts = f.read()
        T.check(wait_for(lambda: open(copy).read() == hosts), "the master refreshes the copy")
        r = postfix("-c", srv.dir, "check")
        T.check(r.returncode == 0 and "differ" not in r.stderr, "postfix check is content again", r.stderr)

        # In the chroot there is no password file: the recipient check goes
        # through proxymap (running as postfix, not chrooted).
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            c.ehlo()
            c.mail("sender@example.org")
            code, text = c.rcpt("nosuchuser@mx.ferry.test")
            T.eq((code, text.decode()), (550, "5.1.1 <nosuchuser@mx.ferry.test>: Recipient address rejected: "
                                              "User unknown in local recipient table"),
                 "an unknown local user is rejected from the chroot")
            T.eq(c.rcpt("daemon@mx.ferry.test")[0], 250, "a user in the password file is accepted from the chroot")
        proxy = service_pids(master).get("proxymap")
        T.check(proxy, "a proxymap process answers the chrooted smtpd", service_pids(master))
        for pid in [proxy] if proxy else []:
            T.eq(ids(pid)[0], (owner.pw_uid,) * 3, "proxymap runs as mail_owner")
            T.eq(os.readlink(f"/proc/{pid}/root"), "/", "proxymap is not chrooted")

        def maildir(user):
            return glob.glob(os.path.join(spool, user, "new", "*"))

        # Received by smtpd as postfix, delivered by local as the recipient.
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            c.sendmail("sender@example.org", ["daemon@mx.ferry.test"], "Subject: root test\r\n\r\nbody\r\n")
        T.check(wait_for(lambda: maildir("daemon")), "local delivers the smtpd message", srv.log()[-1500:])
        # The client's name comes from the resolver files copied into the chroot.
        try:
            client_name = socket.gethostbyaddr("127.0.0.1")[0]
        except OSError:
            client_name = "unknown"
        with open(maildir("daemon")[0], errors="replace") as f:
            T.check(f"({client_name} [127.0.0.1])" in f.read(), "Received: names the client as the resolver does",
                    client_name)
        for path in maildir("daemon"):
            T.eq(os.stat(path).st_uid, daemon, "the mailbox file is written as the recipient")
        # The Maildir file can be there a moment before the line that logs it.
        T.check(wait_for(lambda: any("relay=local" in line and "status=sent" in line
                                     for line in srv.log().splitlines())),
                "the delivery is logged as sent", srv.log()[-1000:])

        # A message that stays (remote: deferred): its queue file is postfix's.
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            c.sendmail("sender@example.org", ["someone@example.org"], "Subject: stays\r\n\r\nbody\r\n")
        deferred = os.path.join(srv.queue, "deferred")
        T.check(wait_for(lambda: os.listdir(deferred)), "the remote message waits in deferred/", srv.log()[-800:])
        for name in os.listdir(deferred):
            T.eq(os.stat(os.path.join(deferred, name)).st_uid, owner.pw_uid, "a queue file written by smtpd is postfix's")

        # postsuper run by root moves files and leaves them postfix's.
        ps = subprocess.run([os.path.join(BIN, "postsuper"), "-c", srv.dir, "-h", "ALL", "deferred"],
                            capture_output=True, text=True, timeout=30)
        T.eq(ps.returncode, 0, "postsuper -h as root")
        held = [n for n in os.listdir(hold) if n not in ("ROOTFILE", "HARDLINK", "SYMLINK")]
        T.check(held, "postsuper -h put the message on hold", ps.stderr)
        for name in held:
            T.eq(os.stat(os.path.join(hold, name)).st_uid, owner.pw_uid, "a held file stays postfix's")

        # sendmail run by root: maildrop, pickup (as postfix), local.
        before = len(maildir("daemon"))
        sm = subprocess.run([os.path.join(BIN, "sendmail"), "-C", srv.dir, "-f", "root", "daemon@mx.ferry.test"],
                            input="Subject: from sendmail\n\nbody\n", capture_output=True, text=True, timeout=30)
        T.eq(sm.returncode, 0, "sendmail as root")
        T.check(wait_for(lambda: len(maildir("daemon")) > before), "pickup and local deliver the sendmail message",
                srv.log()[-1500:])
        T.eq(os.listdir(os.path.join(srv.queue, "maildrop")), [], "pickup emptied maildrop")

        # A reload: the new generation is chrooted and drops privileges too.
        old = procs.get("smtpd")
        T.eq(postfix("-c", srv.dir, "reload").returncode, 0, "reload as root")
        T.check(wait_for(lambda: service_pids(master).get("smtpd") not in (None, old)),
                "a new smtpd after reload", service_pids(master))
        new = service_pids(master).get("smtpd")
        if new:
            wait_for(lambda: ids(new)[0][1] != 0)
            T.eq(ids(new)[0], (owner.pw_uid,) * 3, "the reloaded smtpd runs as mail_owner")
            T.eq(os.readlink(f"/proc/{new}/root"), queue_real, "the reloaded smtpd is chrooted")
        T.eq(srv.problems(), [], "no service died or failed")
    finally:
        srv.__exit__(None, None, None)


def queue_below_private_dir():
    """A queue under a directory mail_owner cannot enter (a checkout in
    root's 0700 home, as the quick start may be): the services work inside
    the queue with relative names, as Postfix's daemons do."""
    port = free_port()
    rows = [f"127.0.0.1:{port} inet n - n - - smtpd", "pickup unix n - n 60 1 pickup"]
    srv = FerryServer("master-0700", master_cf=rows, port=port)
    os.chmod(srv.dir, 0o700)
    with srv:
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            refused = c.sendmail("sender@example.org", ["root@mx.ferry.test"], "Subject: x\r\n\r\nbody\r\n")
        T.eq(refused, {}, "smtpd (as postfix) queues a message below a 0700 directory")
        incoming = os.path.join(srv.queue, "incoming")
        T.check(wait_for(lambda: len(os.listdir(incoming)) == 1), "the queue file is in incoming/", srv.log()[-600:])
        owners = {os.stat(os.path.join(incoming, n)).st_uid for n in os.listdir(incoming)}
        T.eq(owners, {pwd.getpwnam("postfix").pw_uid}, "written by mail_owner")
        sm = subprocess.run([os.path.join(BIN, "sendmail"), "-C", srv.dir, "-f", "root", "root@mx.ferry.test"],
                            input="Subject: y\n\nbody\n", capture_output=True, text=True, timeout=30)
        T.eq(sm.returncode, 0, "sendmail as root below a 0700 directory")
        T.check(wait_for(lambda: len(os.listdir(incoming)) == 2), "pickup (as postfix) moves it to incoming/",
                srv.log()[-600:])
        T.eq(srv.problems(), [], "no service failed below a 0700 directory")
    # The bad case beside it: without the chdir, smtpd could not reach the
    # queue at all; a queue directory that does not exist is still fatal.


def chroot_without_proxy():
    """A chrooted smtpd whose proxy: table cannot be served defers the
    recipient (451) and says why; no mail is rejected for it."""
    cases = [({"proxy_read_maps": ""}, ["proxymap unix - - n - - proxymap"],
              ['warning: request for unapproved table: "unix:passwd.byname"',
               "warning: to approve this table for read-only access, list proxy:unix:passwd.byname in "
               "main.cf:proxy_read_maps",
               'proxymap service is not configured for table "unix:passwd.byname"'], "unapproved table"),
             ({}, [], ["connect to private/proxymap: No such file or directory"], "no proxymap row")]
    for main_cf, extra_rows, lines, what in cases:
        port = free_port()
        rows = [f"127.0.0.1:{port} inet n - y - - smtpd"] + extra_rows
        srv = FerryServer("master-proxy", main_cf=main_cf, master_cf=rows, port=port)
        with srv:
            with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
                c.ehlo()
                c.mail("sender@example.org")
                code, text = c.rcpt("daemon@mx.ferry.test")
            T.eq((code, text.decode()), (451, "4.3.0 <daemon@mx.ferry.test>: Temporary lookup failure"),
                 f"{what}: the recipient is deferred")
            for line in lines:
                T.check(wait_for(lambda: line in srv.log()), f"{what}: logged: {line}", srv.log()[-1200:])


def chroot_table_change():
    """A chrooted smtpd cannot reopen a rebuilt table by its name; the
    master notices the change and starts a new generation, which opens the
    new version (Postfix's daemons restart themselves the same way)."""
    port = free_port()
    rows = [f"127.0.0.1:{port} inet n - y - - smtpd"]
    srv = FerryServer("master-watch", master_cf=rows, port=port,
                      main_cf={"mynetworks": "10.0.0.0/8", "local_recipient_maps": "",
                               "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination"})
    relay = os.path.join(srv.dir, "relay")
    with open(os.path.join(srv.dir, "main.cf"), "a") as f:
        f.write(f"relay_domains = hash:{relay}\n")

    def postmap(text):
        with open(relay, "w") as f:
            f.write(text)
        r = subprocess.run([os.path.join(BIN, "postmap"), "-c", srv.dir, f"hash:{relay}"], capture_output=True,
                           text=True, timeout=30)
        T.check(r.returncode == 0, "postmap builds the table", r.stderr)

    def rcpt(address):
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            c.ehlo()
            c.mail("sender@example.org")
            return c.rcpt(address)[0]

    postmap("a.example OK\n")
    with srv:
        T.eq((rcpt("x@a.example"), rcpt("x@b.example")), (250, 554), "relay_domains as first built")
        postmap("b.example OK\n")
        T.check(wait_for(lambda: f"table hash:{relay} has changed -- restarting" in srv.log()),
                "the master notices the rebuilt table", srv.log()[-1000:])
        T.check(wait_for(lambda: rcpt("x@b.example") == 250), "the new generation answers from the new table",
                srv.log()[-1000:])
        T.eq(rcpt("x@a.example"), 554, "a domain no longer listed is refused")
        T.eq(srv.problems(), [], "no service failed over the change")


def refused(main_cf, text, what):
    """`postfix start-fg` and `postfix check` with main_cf refuse with `text`."""
    srv = FerryServer("master-owner", main_cf=main_cf)
    try:
        for command in ("check", "start-fg"):
            r = postfix("-c", srv.dir, command)
            T.check(r.returncode == 1 and f"fatal: file {srv.dir}/main.cf: {text}" in r.stderr,
                    f"{what}: postfix {command} is refused", r.stderr)
        T.eq(srv.master_pid(), 0, f"{what}: no master runs")
    finally:
        srv.__exit__(None, None, None)


def bad_owners():
    refused({"mail_owner": "root"}, "parameter mail_owner: user root has privileged user ID", "mail_owner = root")
    refused({"mail_owner": "nosuchuser"}, "parameter mail_owner: unknown user name value: nosuchuser",
            "mail_owner = nosuchuser")
    refused({"setgid_group": "nosuchgroup"}, "parameter setgid_group: unknown group name: nosuchgroup",
            "setgid_group = nosuchgroup")
    refused({"setgid_group": "postfix"},
            "parameters mail_owner and setgid_group: user postfix and group postfix have the same group ID",
            "setgid_group = mail_owner's group")
    # The good value beside them.
    srv = FerryServer("master-owner", main_cf={"mail_owner": "postfix"})
    try:
        r = postfix("-c", srv.dir, "check")
        T.eq(r.returncode, 0, "mail_owner = postfix is accepted")
    finally:
        srv.__exit__(None, None, None)


def throttle():
    """A service that fails right after its start is started again only
    after service_throttle_time (Postfix's master: "bad command startup --
    throttling"), not at once and over and over; one that is fixed in the
    meantime stays up."""
    queue = "/nonexistent/ferry-throttle-queue"
    rows = [f"pickup    unix  n       -       n       60      1       pickup -o queue_directory={queue}"]
    srv = FerryServer("throttle", main_cf={"service_throttle_time": "3s"}, master_cf=rows)
    fails = lambda: [l for l in srv.log().splitlines() if re.search(r"master\[\d+\]: warning: process .* pid \d+ exit status 1$", l)]
    try:
        srv.start(wait_port=False)
        T.check(wait_for(lambda: len(fails()) == 1), "the failing service's exit is logged as Postfix does", srv.log())
        T.check("warning: pickup/unix: bad command startup -- throttling" in srv.log(), "and it is throttled",
                srv.log())
        T.check(f"fatal: create directory {queue}: No such file or directory" in srv.log(),
                "the service says why it failed", srv.log())
        time.sleep(2)
        T.eq(len(fails()), 1, "no second start within service_throttle_time")
        T.check(wait_for(lambda: len(fails()) == 2, timeout=10), "a second start after service_throttle_time",
                srv.log())
        T.check(srv.proc.poll() is None, "the master keeps running")
    finally:
        srv.stop()


def main():
    lifecycle()
    bad_commands()
    throttle()
    if os.geteuid() != 0:
        print("SKIP privilege tests: they need root (the master drops services to mail_owner only when "
              "started by root)", flush=True)
    else:
        try:
            pwd.getpwnam("postfix")
            grp.getgrnam("postdrop")
        except KeyError:
            print("SKIP privilege tests: no user postfix or group postdrop on this host", flush=True)
        else:
            privileged()
            queue_below_private_dir()
            chroot_without_proxy()
            chroot_table_change()
            bad_owners()
    T.finish()


if __name__ == "__main__":
    main()
