#!/usr/bin/env python3
"""quickstart_test.py - the two ways the README says Ferry is run, end to
end, on loopback and free ports only.

1. The quick start (scripts/run.sh): the embedded default configuration
   written out with `ferry conf --embedded -n` / `-M` under $FERRY_STATE
   (a temporary directory here), run with `ferry start-fg -c $FERRY_STATE/etc`.
   The embedded master.cf listens on the fixed 127.0.0.1:2525, and the
   master runs only from a configuration directory, so the one edit is that
   row's port.  The README's `swaks --server 127.0.0.1:PORT --to
   root@localhost` is delivered, whole, to $FERRY_STATE/mail/root/new/;
   `postqueue -c $FERRY_STATE/etc -p` then shows an empty queue.  A remote
   recipient is accepted from 127.0.0.1 (mynetworks, permit_mynetworks) and
   stays queued; from 127.0.0.2 (loopback, outside mynetworks_style = host)
   it gets 554 5.7.1 Relay access denied.

2. Debian's stock files: /usr/share/postfix/main.cf.debian and
   master.cf.dist copied into a private directory with only the changes a
   private instance needs (listed in stock_main_cf and stock_master_cf);
   `postfix -c DIR check` reports the rows Ferry folds or does not run yet,
   without a fatal error; `postfix -c DIR start` runs the stock services
   (smtpd chrooted, proxymap, qmgr, local); mail to local users and to an
   alias is delivered to mbox files; `postfix -c DIR stop` ends every
   process."""
import glob
import ipaddress
import os
import pwd
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import BIN, children, free_port, wait_for  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("quickstart")
FERRY = os.environ.get("FERRY_BIN") or os.path.join(BIN, "postfix")
STOCK = "/usr/share/postfix"


def run(argv, env=None, timeout=30, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, **kw)


def swaks(*args):
    """swaks's transcript (stdout and stderr) and exit status."""
    r = run(["swaks", *args], timeout=30)
    return r.stdout + r.stderr, r.returncode


def sent_data(transcript):
    """The message as swaks sent it (the " -> " lines after 354, without the
    final "."), with LF line ends: what the mailbox must hold."""
    lines, inside = [], False
    for line in transcript.splitlines():
        if line.startswith("<-  354 "):
            inside = True
        elif inside and line.startswith(" -> "):
            if line == " -> .":
                break
            lines.append(line[4:])
    return "".join(x + "\n" for x in lines)


def read(path):
    with open(path, "rb") as f:
        return f.read().decode(errors="replace")


def descendants(pid):
    out = []
    for c in children(pid):
        out += [c] + descendants(c)
    return out


def alive(pid):
    """True while `pid` runs (a zombie has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def kill_left(pids):
    """Kills, one by one, the processes this test started that are still
    there (a master that would not stop, and its services)."""
    for pid in pids:
        if alive(pid):
            print(f"killing left-over process {pid}", flush=True)
            try:
                os.kill(pid, 9)
            except OSError:
                pass


def log_problems(log):
    return [line for line in log.splitlines()
            if " panic: " in line or " fatal: " in line or "terminated with status" in line
            or "killed by signal" in line or "Sanitizer" in line or "runtime error:" in line]


def loopback_outside(mynetworks):
    """A loopback address other than 127.0.0.1 that mynetworks does not
    cover, or None."""
    nets = []
    for item in mynetworks.replace(",", " ").split():
        try:
            nets.append(ipaddress.ip_network(item.strip("[]").replace("]/", "/"), strict=False))
        except ValueError:
            pass
    for cand in ("127.0.0.2", "127.0.0.3", "127.1.2.3"):
        a = ipaddress.ip_address(cand)
        if not any(a.version == n.version and a in n for n in nets):
            return cand
    return None


# ---------------------------------------------------------------- quick start

def quick_start():
    state = tempfile.mkdtemp(prefix="ferry-quickstart-")
    # mkdtemp's 0700 is kept: the quick start's ./state is often in root's
    # 0700 home; the services work there with relative names.
    env = dict(os.environ, FERRY_STATE=state)
    env.pop("MAIL_CONFIG", None)
    env.pop("FERRY_EMBEDDED", None)
    etc = os.path.join(state, "etc")
    os.makedirs(etc)
    proc, pids = None, []
    try:
        # As scripts/run.sh: the embedded configuration written out.
        n = run([FERRY, "conf", "--embedded", "-n"], env=env)
        m = run([FERRY, "conf", "--embedded", "-M"], env=env)
        T.check(n.returncode == 0 and m.returncode == 0 and not n.stderr and not m.stderr,
                "ferry conf --embedded -n / -M", n.stderr + m.stderr)
        main_cf = {k.strip(): v.strip() for k, _, v in (line.partition("=") for line in n.stdout.splitlines())}
        want = {"queue_directory": f"{state}/queue", "data_directory": f"{state}/data",
                "mail_spool_directory": f"{state}/mail/", "maillog_file": f"{state}/maillog",
                "inet_interfaces": "127.0.0.1", "home_mailbox": "", "mynetworks_style": "host",
                "smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination"}
        T.eq({k: main_cf.get(k) for k in want}, want, "embedded main.cf: state under $FERRY_STATE, Maildir, loopback")
        e = run([FERRY, "conf", "-n"], env=dict(env, FERRY_EMBEDDED="1"))
        T.eq(e.stdout, n.stdout, "FERRY_EMBEDDED=1 selects the same configuration as --embedded")
        # Without $FERRY_STATE the state is ./state, as the README says.
        d = run([FERRY, "conf", "--embedded", "-h", "queue_directory"],
                env={k: v for k, v in env.items() if k != "FERRY_STATE"}, cwd=state)
        T.eq(d.stdout.strip(), os.path.join(state, "state", "queue"), "without FERRY_STATE the queue is ./state/queue")
        inet = [row for row in m.stdout.splitlines() if row.split()[1:2] == ["inet"]]
        T.check(len(inet) == 1 and inet[0].split()[0] == "127.0.0.1:2525" and inet[0].split()[-1] == "smtpd",
                "embedded master.cf: one smtpd on 127.0.0.1:2525", m.stdout)

        with open(os.path.join(etc, "main.cf"), "w") as f:
            f.write(n.stdout)
        # The port is the one thing changed: 2525 may be in use here.
        port = free_port()
        master_cf, moved = re.subn(r"^127\.0\.0\.1:2525(?=\s)", f"127.0.0.1:{port}", m.stdout, flags=re.M)
        T.eq(moved, 1, "the smtpd row's port is moved")
        with open(os.path.join(etc, "master.cf"), "w") as f:
            f.write(master_cf)

        out_path = os.path.join(state, "start-fg.out")
        with open(out_path, "w") as out:
            proc = subprocess.Popen([FERRY, "start-fg", "-c", etc], env=env, stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log_path = os.path.join(state, "maillog")

        def log():
            return read(log_path) if os.path.exists(log_path) else ""

        def answers():
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    return s.recv(512).startswith(b"220 ")
            except OSError:
                return False
        up = wait_for(lambda: proc.poll() is not None or answers(), 20) and proc.poll() is None
        T.check(up, "ferry start-fg on the embedded configuration answers on the port", read(out_path)[-1500:])
        if not up:
            return
        pids = [proc.pid] + descendants(proc.pid)
        T.check("daemon started -- version" in log(), "the log is in $FERRY_STATE/maillog", log()[-500:])

        # The README's command, with the free port.
        transcript, rc = swaks("--server", f"127.0.0.1:{port}", "--to", "root@localhost")
        T.eq(rc, 0, "swaks --to root@localhost succeeds")
        queued = re.search(r"^<-  250 2\.0\.0 Ok: queued as (\w+)$", transcript, re.M)
        T.check(queued, "the message is queued", transcript[-800:])
        qid = queued.group(1) if queued else "?"
        message = sent_data(transcript)
        T.check("\nSubject: test " in message and "This is a test mailing" in message,
                "swaks's transcript has the message", transcript)
        sender = re.search(r"^ -> MAIL FROM:<([^>]*)>", transcript, re.M)
        sender = sender.group(1) if sender else "?"

        maildir = os.path.join(state, "mail", "root", "new")
        T.check(wait_for(lambda: glob.glob(os.path.join(maildir, "*")), 15),
                "the message is in $FERRY_STATE/mail/root/new/", log()[-1500:])
        files = glob.glob(os.path.join(maildir, "*"))
        T.eq(len(files), 1, "one file per message")
        if files:
            got = read(files[0])
            head = (f"Return-Path: <{sender}>\nX-Original-To: root@localhost\nDelivered-To: root@localhost\n"
                    "Received: from ")
            T.check(got.startswith(head), "Return-Path, X-Original-To, Delivered-To, Received first", got[:400])
            myhostname = run([FERRY, "conf", "-c", etc, "-x", "-h", "myhostname"], env=env).stdout.strip()
            T.check(f"\n\tby {myhostname} (Postfix) with ESMTP id {qid}\n\tfor <root@localhost>; " in got,
                    "Received: names this host, the queue id and the recipient", got[:400])
            T.check(got.endswith("\n" + message), "the message as swaks sent it follows, whole",
                    f"got:\n{got}\nsent:\n{message}")
            prefix = got[:len(got) - len(message)] if got.endswith(message) else ""
            added = [line.split(":")[0] for line in prefix.splitlines() if line and not line[0].isspace()]
            T.eq(added, ["Return-Path", "X-Original-To", "Delivered-To", "Received"],
                 "nothing but the delivery headers is added")
        T.check(wait_for(lambda: "to=<root@localhost>, relay=local" in log() and ": removed" in log()),
                "the delivery is logged and the queue file removed", log()[-1000:])
        q = run([os.path.join(BIN, "postqueue"), "-c", etc, "-p"], env=env)
        T.check(q.returncode == 0 and q.stdout.strip() == "Mail queue is empty",
                "postqueue -c $FERRY_STATE/etc -p: the queue is empty", q.stdout + q.stderr)

        # A domain that is not local, from 127.0.0.1: mynetworks_style =
        # host puts 127.0.0.1 in mynetworks and permit_mynetworks comes
        # first, so it is relayed: accepted, queued, not delivered here.
        remote = "someone@example.invalid"
        transcript, rc = swaks("--server", f"127.0.0.1:{port}", "--to", remote)
        T.eq(rc, 0, "from 127.0.0.1 (mynetworks) a remote recipient is accepted")
        T.check(re.search(r"^<-  250 2\.1\.5 Ok$", transcript, re.M), "RCPT TO a remote domain: 250 2.1.5 Ok",
                transcript[-800:])
        qid = re.search(r"^<-  250 2\.0\.0 Ok: queued as (\w+)$", transcript, re.M)
        qid = qid.group(1) if qid else "?"
        # Ferry has no SMTP client yet: the message waits in deferred/.
        # (When it has one, this is where the relay attempt shows.)
        deferred = os.path.join(state, "queue", "deferred")
        T.check(wait_for(lambda: os.path.exists(os.path.join(deferred, qid))), "the relayed message waits in deferred/",
                log()[-1000:])
        T.check(wait_for(lambda: re.search(rf"{qid}: to=<{re.escape(remote)}>, relay=none, .*dsn=4\.\d\.\d+, "
                                           r"status=deferred \(", log())),
                "the relayed message is logged as deferred", log()[-800:])
        q = run([os.path.join(BIN, "postqueue"), "-c", etc, "-p"], env=env)
        T.check(qid in q.stdout and remote in q.stdout, "postqueue -p lists it", q.stdout + q.stderr)
        T.eq(len(glob.glob(os.path.join(maildir, "*"))), 1, "the remote message is not delivered locally")

        # From a loopback address outside mynetworks: refused, Postfix's words.
        mynetworks = run([FERRY, "conf", "-c", etc, "-x", "-h", "mynetworks"], env=env).stdout
        client = loopback_outside(mynetworks)
        if client is None:
            print(f"SKIP relay denial: mynetworks covers every loopback address tried: {mynetworks}", flush=True)
        else:
            transcript, rc = swaks("--server", f"127.0.0.1:{port}", "--local-interface", client, "--to", remote)
            T.check(rc != 0 and re.search(rf"^<\*\* 554 5\.7\.1 <{re.escape(remote)}>: Relay access denied$",
                                          transcript, re.M),
                    f"from {client} (not in mynetworks): 554 5.7.1 Relay access denied", transcript[-800:])
            T.check(wait_for(lambda: re.search(rf"NOQUEUE: reject: RCPT from [^\[\s]+\[{re.escape(client)}\]: "
                                               rf"554 5\.7\.1 <{re.escape(remote)}>: Relay access denied;", log())),
                    "the refusal is logged in Postfix's form", log()[-800:])

        # Stop as Postfix does; every process goes.
        pids = sorted(set(pids + descendants(proc.pid)))
        s = run([FERRY, "stop", "-c", etc], env=env)
        T.eq(s.returncode, 0, "ferry stop -c $FERRY_STATE/etc")
        T.check(wait_for(lambda: proc.poll() is not None, 15), "start-fg returns on stop")
        T.eq(proc.poll(), 0, "start-fg's exit status")
        T.check(wait_for(lambda: not any(alive(p) for p in pids), 10), "no service process is left",
                [p for p in pids if alive(p)])
        T.eq(log_problems(log() + read(out_path)), [], "no Ferry process failed")
    finally:
        if proc and proc.poll() is None:
            pids = sorted(set(pids + [proc.pid] + descendants(proc.pid)))
            run([FERRY, "stop", "-c", etc], env=env)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        kill_left(pids)
        if proc and proc.poll() is None:
            proc.wait()
        if not os.environ.get("FERRY_KEEP_TEST_DIRS"):
            shutil.rmtree(state, ignore_errors=True)


# ------------------------------------------------------- Debian's stock files

def stock_main_cf(d):
    """main.cf.debian (main.cf.dist if that is what there is) and, after it,
    the changes a private instance makes, each with its reason."""
    for name in ("main.cf.debian", "main.cf.dist"):
        if os.path.exists(os.path.join(STOCK, name)):
            with open(os.path.join(STOCK, name)) as f:
                text = f.read()
            break
    else:
        return None
    return text + f"""
# ---- Changes for a private instance (quickstart_test.py); nothing else differs.
# 1. The queue and the data files in the test's directory, not
#    /var/spool/postfix and /var/lib/postfix.
queue_directory = {d}/queue
data_directory = {d}/data
# 2. The log in a file there, not the system's syslog.
maillog_file = {d}/maillog
# 3. Mail is delivered where the stock configuration delivers it (mbox,
#    home_mailbox left empty), but under the test's directory, not /var/mail.
mail_spool_directory = {d}/mail
# 4. Aliases as Debian's postinst writes them into /etc/postfix/main.cf
#    (alias_maps = hash:/etc/aliases, then newaliases), with the file in the
#    test's directory.  This also leaves out the compiled-in default's
#    nis:mail.aliases: Ferry has no nis: table type yet and defers every
#    local delivery ("alias_maps: nis:mail.aliases: table is unavailable")
#    while alias_maps lists one.
alias_maps = hash:{d}/aliases
alias_database = hash:{d}/aliases
"""


def stock_master_cf(port):
    """master.cf.dist with the one change: the smtp/inet row listens on
    127.0.0.1:PORT instead of port 25 on every address."""
    with open(os.path.join(STOCK, "master.cf.dist")) as f:
        text = f.read()
    return re.subn(r"^smtp(\s+)inet(?=\s)", lambda m: f"127.0.0.1:{port} inet", text, flags=re.M)


def stock_files():
    if not os.path.exists(os.path.join(STOCK, "master.cf.dist")):
        print(f"SKIP stock files: no {STOCK}/master.cf.dist (Debian's postfix package)", flush=True)
        return
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        print("SKIP stock files: no user postfix (the stock mail_owner) on this host", flush=True)
        return
    if os.geteuid() != 0:
        print("SKIP stock files: the stock master.cf chroots smtpd, which needs root", flush=True)
        return
    d = tempfile.mkdtemp(prefix="ferry-stock-")
    # local writes the mailboxes as the recipient (daemon): it must reach them.
    os.chmod(d, 0o755)
    env = dict(os.environ)
    env.pop("MAIL_CONFIG", None)
    env.pop("FERRY_EMBEDDED", None)
    postfix = os.path.join(BIN, "postfix")
    pids, master = [], 0
    log_path = os.path.join(d, "maillog")

    def log():
        return read(log_path) if os.path.exists(log_path) else ""

    def master_pid():
        try:
            with open(os.path.join(d, "queue", "pid", "master.pid")) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0
    try:
        port = free_port()
        with open(os.path.join(d, "main.cf"), "w") as f:
            f.write(stock_main_cf(d))
        master_cf, moved = stock_master_cf(port)
        T.eq(moved, 1, "master.cf.dist: the smtp/inet row gets the private address")
        with open(os.path.join(d, "master.cf"), "w") as f:
            f.write(master_cf)
        spool = os.path.join(d, "mail")
        os.mkdir(spool)
        os.chmod(spool, 0o1777)
        with open(os.path.join(d, "aliases"), "w") as f:
            f.write("# See man 5 aliases for format\npostmaster:    root\n")   # Debian's /etc/aliases
        r = run([os.path.join(BIN, "newaliases"), "-c", d], env=env)
        T.check(r.returncode == 0 and os.path.exists(os.path.join(d, "aliases.db")), "newaliases -c DIR",
                r.stderr)

        # The files parse clean, for Postfix's postconf (when installed) and Ferry's.
        r = run([os.path.join(BIN, "postconf"), "-c", d, "-n"], env=env)
        T.check(r.returncode == 0 and r.stderr == "", "postconf -c DIR -n: no warning", r.stderr)
        if os.path.exists("/usr/sbin/postconf"):
            r = run(["/usr/sbin/postconf", "-c", d, "-n"], env=env)
            T.check(r.returncode == 0 and r.stderr == "", "Postfix's own postconf -c DIR -n: no warning", r.stderr)

        r = run([postfix, "-c", d, "check"], env=env)
        T.eq(r.returncode, 0, "postfix -c DIR check succeeds on the stock files")
        T.check(not re.search(r"\b(fatal|panic|error|warning):", r.stderr),
                "postfix check: no fatal error, no warning", r.stderr)
        # Every row Ferry does not run itself is named, folded or not yet there.
        named = re.findall(r"^postfix/postfix-script: service (\S+) \((\S+)\): (.*)$", r.stderr, re.M)
        T.check(all(w.startswith("folded into") or w == "not yet available in Ferry; not started"
                    for _, _, w in named), "each reported row is folded or not yet available", named)
        reported = {s: w for s, _, w in named}
        for service in ("cleanup/unix", "tlsmgr/unix", "rewrite/unix", "anvil/unix", "showq/unix", "scache/unix"):
            T.check(reported.get(service, "").startswith("folded into"), f"check reports {service} as folded",
                    reported.get(service))
        for service in ("bounce/unix", "lmtp/unix", "maildrop/unix", "uucp/unix", "mailman/unix"):
            T.eq(reported.get(service), "not yet available in Ferry; not started",
                 f"check reports {service} as not yet available")
        # Services Ferry runs are not in the list.
        for service in ("127.0.0.1:%d/inet" % port, "pickup/unix", "qmgr/unix", "local/unix", "proxymap/unix",
                        "proxywrite/unix"):
            T.check(service not in reported, f"{service} is run, not reported", reported.get(service))
        # postlog/unix-dgram (command postlogd): its wording is not checked;
        # the master's table names the command "postlog".

        r = run([postfix, "-c", d, "start"], env=env)
        master = master_pid()
        if master:
            pids = [master] + descendants(master)
        T.eq(r.returncode, 0, "postfix -c DIR start")
        T.check("starting the Postfix mail system" in r.stderr, "start says so", r.stderr[-600:])
        banner = b""

        def answers():
            nonlocal banner
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    banner = s.recv(512)
                    return banner.startswith(b"220 ")
            except OSError:
                return False
        up = wait_for(answers, 20)
        T.check(up, "the stock smtp/inet row answers on the private address", log()[-1500:])
        if not up:
            return
        master = master_pid()
        pids = sorted(set(pids + [master] + descendants(master)))
        myhostname = run([os.path.join(BIN, "postconf"), "-c", d, "-x", "-h", "myhostname"], env=env).stdout.strip()
        T.eq(banner.decode(errors="replace"), f"220 {myhostname} ESMTP Postfix (Debian/GNU)\r\n",
             "the stock smtpd_banner")

        body = ("From: Sender <sender@example.org>\r\nTo: root@localhost\r\nSubject: stock files\r\n"
                "Date: Mon, 30 Nov 2026 12:00:00 +0000\r\nMessage-ID: <stock-1@example.org>\r\n\r\n"
                "first line\r\n.a line that starts with a dot\r\nFrom here on, a line mbox quotes\r\n\r\n"
                "last line\r\n")
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as c:
            c.ehlo("client.example.org")
            c.mail("sender@example.org")
            rcpts = {}
            for rcpt in ("root@localhost", "daemon@localhost", "postmaster@localhost", "nosuchuser@localhost"):
                code, text = c.rcpt(rcpt)
                rcpts[rcpt] = (code, text.decode())
            code, _ = c.data(body)
        T.eq([rcpts[r][0] for r in ("root@localhost", "daemon@localhost", "postmaster@localhost")], [250] * 3,
             "a local user, another and an alias are accepted")
        T.eq(rcpts["nosuchuser@localhost"], (550, "5.1.1 <nosuchuser@localhost>: Recipient address rejected: "
                                                  "User unknown in local recipient table"),
             "an unknown user is rejected (local_recipient_maps through proxymap, smtpd chrooted)")
        T.eq(code, 250, "the message is accepted")

        # In an mbox, "From " at the start of a body line is quoted as ">From ".
        message = body.replace("\r\n", "\n").replace("\nFrom here", "\n>From here")
        mbox = {u: os.path.join(spool, u) for u in ("root", "daemon")}

        def delivered():
            return (os.path.exists(mbox["daemon"]) and os.path.exists(mbox["root"])
                    and read(mbox["root"]).count("\nMessage-ID: <stock-1@example.org>\n") == 2)
        T.check(wait_for(delivered, 15), "delivered to the mbox files under mail_spool_directory", log()[-2000:])
        for user, path in mbox.items():
            if not os.path.exists(path):
                continue
            got = read(path)
            T.eq(os.stat(path).st_uid, pwd.getpwnam(user).pw_uid, f"{user}'s mailbox is {user}'s")
            T.check(got.startswith("From sender@example.org  "), f"{user}'s mbox starts with a From_ line", got[:200])
            T.check(("\n" + message + "\n") in got, f"{user}'s mbox has the message whole, then a blank line",
                    got)
            want_rcpts = ["root@localhost", "postmaster@localhost"] if user == "root" else ["daemon@localhost"]
            T.eq(sorted(re.findall(r"^X-Original-To: (.*)$", got, re.M)), sorted(want_rcpts),
                 f"{user}'s X-Original-To lines")
        T.check(wait_for(lambda: len(re.findall(r"relay=local, .*status=sent \(delivered to mailbox\)", log())) == 3),
                "three deliveries logged as sent", log()[-1500:])

        # A remote domain from a loopback address outside mynetworks: the
        # stock relay restrictions (compatibility_level 3.6) defer it.
        mynetworks = run([os.path.join(BIN, "postconf"), "-c", d, "-x", "-h", "mynetworks"], env=env).stdout
        client = loopback_outside(mynetworks)
        if client:
            with smtplib.SMTP("127.0.0.1", port, timeout=10, source_address=(client, 0)) as c:
                c.ehlo("client.example.org")
                c.mail("sender@example.org")
                code, text = c.rcpt("someone@example.invalid")
            T.eq((code, text.decode()), (454, "4.7.1 <someone@example.invalid>: Relay access denied"),
                 f"from {client}: defer_unauth_destination, 454 4.7.1")

        r = run([postfix, "-c", d, "stop"], env=env)
        T.eq(r.returncode, 0, "postfix -c DIR stop")
        T.check("stopping the Postfix mail system" in r.stderr, "stop says so", r.stderr)
        pids = sorted(set(pids + descendants(master)))
        T.check(wait_for(lambda: not any(alive(p) for p in pids), 15), "the master and every service are gone",
                [p for p in pids if alive(p)])
        # Only up to the master's "terminating on signal": at stop the
        # master logs "warning: process .../ferry pid N killed by signal 15"
        # for the proxymap process that smtpd's lookups started (Postfix's
        # master logs nothing for the services it ends); not checked here.
        T.eq(log_problems(log().partition(": terminating on signal")[0]), [], "no Ferry process failed while running")
    finally:
        master = master_pid() or master
        if master and alive(master):
            pids = sorted(set(pids + [master] + descendants(master)))
            run([postfix, "-c", d, "stop"], env=env)
            wait_for(lambda: not alive(master), 15)
        kill_left(pids)
        if not os.environ.get("FERRY_KEEP_TEST_DIRS"):
            shutil.rmtree(d, ignore_errors=True)


def main():
    if shutil.which("swaks") is None:
        print("SKIP quick start: swaks is not installed", flush=True)
    else:
        quick_start()
    stock_files()
    T.finish()


if __name__ == "__main__":
    main()
