#!/usr/bin/env python3
"""queue_tools_test.py - local submission and queue administration:
sendmail (-t, -f, -F, -i, explicit recipients, -bs) to the maildrop queue,
pickup through cleanup into incoming, a corrupt maildrop file to corrupt/;
mailq / postqueue -p / -j listings of a queue built by the test, compared
as exact text; postsuper -d / -h / -H / -r with good and bad ids; and
Postfix's usage texts for unknown options."""
import grp
import json
import os
import pwd
import stat
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, "..", "server"))
sys.path.insert(0, os.path.join(HERE, ".."))
from ferry_server import FerryServer, BIN, wait_for  # noqa: E402
import queue_file  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("queue_tools")


def run(name, *args, stdin="", env=None):
    return subprocess.run([os.path.join(BIN, name), *args], input=stdin, capture_output=True,
                          text=True, timeout=30, env=env)

def files(srv, queue):
    try:
        return sorted(n for n in os.listdir(os.path.join(srv.queue, queue)) if not n.endswith(".tmp"))
    except OSError:
        return []


def picked(srv, count):
    """Waits until maildrop is empty and incoming holds `count` files."""
    ok = wait_for(lambda: not files(srv, "maildrop") and len(files(srv, "incoming")) >= count)
    return ok


def incoming(srv):
    return [queue_file.parse(os.path.join(srv.queue, "incoming", n)) for n in files(srv, "incoming")]


def clear(srv):
    for q in ("incoming", "maildrop", "hold", "deferred", "active", "corrupt"):
        for n in files(srv, q):
            os.unlink(os.path.join(srv.queue, q, n))


def submissions(srv):
    cdir = srv.dir
    clear(srv)
    r = run("sendmail", "-C", cdir, "-f", "alice@example.org", "bob@example.net", "carol",
            stdin="Subject: one\n\nhello\n.\nafter the dot\n")
    T.eq(r.returncode, 0, "sendmail with explicit recipients")
    T.check(picked(srv, 1), "pickup moves the maildrop file to incoming", srv.log())
    q = incoming(srv)[0] if files(srv, "incoming") else {}
    T.eq(q.get("sender"), "alice@example.org", "-f sets the envelope sender")
    T.eq([x["address"] for x in q.get("recipients", [])], ["bob@example.net", "carol@ferry.test"],
         "recipients, the bare one qualified with $myorigin")
    content = q.get("content", b"").decode()
    T.check(content.startswith("Received: by mx.ferry.test (Postfix, from userid 0)\n\tid "),
            "pickup's Received: header", content[:200])
    for h in ("Message-Id: <", "Date: ", "From: alice@example.org"):
        T.check(h in content, f"missing header added: {h}", content)
    T.check("hello\n" in content and "after the dot" not in content, "a lone dot ends the input", content)
    # The file can be in incoming/ a moment before pickup logs it.
    T.check(wait_for(lambda: f"{q.get('queue_id')}: uid=0 from=<alice@example.org>" in srv.log()),
            "pickup logs uid and sender", srv.log())

    clear(srv)
    msg = ("From: Alice <alice@example.org>\nTo: Bob <bob@example.net>, \"Doe, J\" <jd@example.net>\n"
           "Cc: team: x@example.com, y@example.com;\nBcc: secret@example.com\nSubject: t\n\nbody\n.\nmore\n")
    r = run("sendmail", "-C", cdir, "-t", "-i", "-f", "alice@example.org", "extra@example.com", stdin=msg)
    T.eq(r.returncode, 0, "sendmail -t -i")
    T.check(picked(srv, 1), "-t message picked up", srv.log())
    q = incoming(srv)[0] if files(srv, "incoming") else {}
    T.eq(sorted(x["address"] for x in q.get("recipients", [])),
         sorted(["extra@example.com", "bob@example.net", "jd@example.net", "x@example.com", "y@example.com",
                 "secret@example.com"]), "-t takes To, Cc and Bcc and keeps command-line recipients")
    content = q.get("content", b"").decode()
    T.check("Bcc:" not in content and "secret@" not in content, "Bcc: removed", content)
    T.check("body\n.\nmore\n" in content, "-i keeps a lone dot", content)

    clear(srv)
    r = run("sendmail", "-C", cdir, "-F", "Jane Q. Doe", "-oi", "-f", "jane", "bob@example.net",
            stdin="Subject: full name\n\nx\n")
    T.eq(r.returncode, 0, "sendmail -F -oi")
    T.check(picked(srv, 1), "-F message picked up", srv.log())
    q = incoming(srv)[0] if files(srv, "incoming") else {}
    content = q.get("content", b"").decode()
    T.check('From: "Jane Q. Doe" <jane@ferry.test>\n' in content, "-F sets the From: full name", content)
    T.eq(q.get("sender"), "jane@ferry.test", "bare -f sender qualified")

    clear(srv)
    r = run("sendmail", "-C", cdir, "bob@example.net", stdin="Subject: default sender\n\nx\n")
    T.check(picked(srv, 1), "default sender message picked up", srv.log())
    q = incoming(srv)[0] if files(srv, "incoming") else {}
    T.eq(q.get("sender"), "root@ferry.test", "default sender: login name @ $myorigin")

    # Bad input next to good input.
    r = run("sendmail", "-C", cdir, "-t", stdin="Subject: nobody\n\nx\n")
    T.eq(r.returncode, 75, "-t without recipients fails")
    T.check("sendmail: fatal: root(0): No recipient addresses found in message header" in r.stderr,
            "-t without recipients: Postfix's text", r.stderr)
    r = run("sendmail", "-C", cdir, stdin="Subject: nobody\n\nx\n")
    T.check("sendmail: fatal: root(0): Recipient addresses must be specified on the command line or via the -t option"
            in r.stderr, "no recipients: Postfix's text", r.stderr)
    r = run("sendmail", "-C", cdir, "-Z", "bob@example.net")
    T.eq(r.returncode, 75, "unknown option exit status")
    T.eq(r.stderr, "sendmail: invalid option -- 'Z'\nsendmail: fatal: usage: sendmail [options]\n",
         "unknown option: Postfix's usage text")
    r = run("sendmail", "-C", cdir, "-N", "bogus", "-f", "a@example.org", "bob@example.net", stdin="x\n")
    T.check("sendmail: warning: bad -N option value -- ignored" in r.stderr, "bad -N value warned", r.stderr)
    T.check(picked(srv, 2), "message with a bad -N value still queued", srv.log())
    clear(srv)
    unknown_user(srv)

    # -bs: SMTP on standard input and output.
    clear(srv)
    dialog = ("EHLO me\r\nMAIL FROM:<smtp@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n"
              "Subject: bs\r\n\r\n..dot\r\n.\r\nQUIT\r\n")
    r = run("sendmail", "-C", cdir, "-bs", stdin=dialog)
    T.eq(r.returncode, 0, "sendmail -bs")
    T.check(r.stdout.startswith("220 mx.ferry.test ESMTP"), "-bs greets", r.stdout)
    T.check("250 2.0.0 Ok: queued as " in r.stdout and "221 2.0.0 Bye" in r.stdout, "-bs queues and quits", r.stdout)
    T.check(picked(srv, 1), "-bs message picked up", srv.log())
    q = incoming(srv)[0] if files(srv, "incoming") else {}
    T.eq(q.get("sender"), "smtp@example.org", "-bs sender")
    T.check(".dot\n" in q.get("content", b"").decode(), "-bs removes dot-stuffing", q.get("content"))


def unknown_user(srv):
    """A user ID with no password file entry (the FAQ's "sendmail: unable
    to find out your login name"): refused without -f, queued with it."""
    if os.geteuid() != 0:
        print("SKIP unknown user ID: needs root to change user", flush=True)
        return
    uid = 54321
    while True:
        try:
            pwd.getpwuid(uid)
            uid += 1
        except KeyError:
            break
    def as_unknown(*args):
        return subprocess.run(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
                               os.path.join(BIN, "sendmail"), "-C", srv.dir, *args],
                              input="Subject: who\n\nx\n", capture_output=True, text=True, timeout=30)
    r = as_unknown("bob@example.net")
    T.eq(r.returncode, 75, "sendmail by a user ID not in the password file: EX_TEMPFAIL")
    T.check(f"sendmail: fatal: unable to find out your login name (no login name found for user ID {uid})"
            in r.stderr, "the FAQ's words for a user ID not in the password file", r.stderr)
    maildrop = os.path.join(srv.queue, "maildrop")
    mode = stat.S_IMODE(os.stat(maildrop).st_mode)
    os.chmod(maildrop, 0o1777)  # this user is not in setgid_group
    try:
        r = as_unknown("-f", "someone@example.org", "bob@example.net")
    finally:
        os.chmod(maildrop, mode)
    T.check(r.returncode == 0, "with -f the same user ID submits", r.stderr)
    T.check(picked(srv, 1), "and the message is picked up", srv.log())
    clear(srv)


def record(kind, data):
    return kind.encode() + struct.pack(">Q", len(data)) + data


def drop_file(queue_id, sender, rcpt, content):
    """A maildrop file in the layout of docs/queue-format.md."""
    return (record("V", b"1") + record("Q", queue_id.encode()) + record("T", b"1700000000000000") +
            record("S", sender.encode()) + record("R", b"P0" + rcpt.encode() + b"\0") +
            record("M", content) + record("E", b""))


def postdrop(srv):
    """Postfix's way for local users outside setgid_group: sendmail hands
    the message to postdrop, the one set-gid program.  Ferry's executables
    are copied to a directory of this test's own, so that making postdrop
    set-gid (postfix set-permissions) touches nothing of the build."""
    if os.geteuid() != 0:
        print("SKIP postdrop: needs root to change user and set-gid", flush=True)
        return
    clear(srv)
    bindir = tempfile.mkdtemp(prefix="ferry-postdrop-")
    os.chmod(bindir, 0o755)
    built = os.environ["FERRY_BIN"]
    shutil.copy2(built, os.path.join(bindir, "ferry"))
    shutil.copy2(os.path.join(os.path.dirname(built), "postdrop"), os.path.join(bindir, "postdrop"))
    for name in ("sendmail", "postfix"):
        os.symlink("ferry", os.path.join(bindir, name))
    # A default configuration directory (/etc/postfix, seen only inside a
    # mount namespace of this test) that trusts the test's one.
    etc = tempfile.mkdtemp(prefix="ferry-postdrop-etc-")
    os.chmod(etc, 0o755)
    with open(os.path.join(etc, "main.cf"), "w") as f:
        f.write(f"alternate_config_directories = /nowhere, {srv.dir}\n")
    nobody = pwd.getpwnam("nobody")
    user = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    maildrop = os.path.join(srv.queue, "maildrop")

    def as_nobody(prog, *args, trusted=False, stdin="Subject: drop\n\nx\n", env=None):
        cmd = user + [os.path.join(bindir, prog), *args]
        if trusted:
            cmd = ["unshare", "--mount", "sh", "-c", 'mount --bind "$0" /etc/postfix && exec "$@"', etc] + cmd
        return subprocess.run(cmd, input=stdin, capture_output=True, timeout=60, env=env,
                              **({"text": True} if isinstance(stdin, str) else {}))

    def left_in_maildrop():
        return sorted(os.listdir(maildrop))

    try:
        # Not yet set-gid: postdrop runs with nobody's rights and cannot
        # write maildrop (1730 mail_owner:setgid_group).
        r = as_nobody("sendmail", "-C", srv.dir, "-f", "a@example.org", "bob@example.net")
        T.eq(r.returncode, 75, "sendmail by a user outside setgid_group, postdrop not set-gid: EX_TEMPFAIL")
        T.check("postdrop: fatal: uid=65534: create file " in r.stderr and "Permission denied" in r.stderr,
                "postdrop names the file it could not create", r.stderr)
        T.check("sendmail: fatal: nobody(65534): error writing queue file: " in r.stderr and
                "postdrop failed: exit status 75" in r.stderr, "and sendmail says postdrop failed", r.stderr)
        T.eq(left_in_maildrop(), [], "nothing left in maildrop")

        r = run_in(bindir, "postfix", "-c", srv.dir, "set-permissions")
        T.check(r.returncode == 0, "postfix set-permissions", r.stderr)
        st = os.stat(os.path.join(bindir, "postdrop"))
        T.eq((stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid), (0o2755, 0, grp.getgrnam("postdrop").gr_gid),
             "set-permissions makes postdrop root:setgid_group 2755")
        T.check("set-permissions: " + os.path.join(bindir, "postdrop") + ": owner root, group postdrop, mode 2755"
                in r.stderr, "and says so", r.stderr)
        st = os.stat(maildrop)
        T.eq((stat.S_IMODE(st.st_mode), st.st_gid), (0o1730, grp.getgrnam("postdrop").gr_gid),
             "set-permissions: maildrop 1730, group setgid_group")
        r = run_in(bindir, "postfix", "-c", srv.dir, "set-permissions", user=user)
        T.eq(r.returncode, 1, "set-permissions by a user fails")
        T.check("only the super-user may change the permissions" in r.stderr, "and says why", r.stderr)

        # Set-gid, postdrop refuses a configuration the default one does
        # not list: another main.cf could name another queue.
        r = as_nobody("sendmail", "-C", srv.dir, "-f", "a@example.org", "bob@example.net")
        T.eq(r.returncode, 75, "an unlisted -C directory is refused")
        T.check(f"postdrop: fatal: unauthorized configuration directory name: {srv.dir} "
                "(list it in alternate_config_directories in /etc/postfix/main.cf)" in r.stderr,
                "postdrop: unauthorized configuration directory", r.stderr)
        env = dict(os.environ, MAIL_CONFIG=srv.dir)
        r = as_nobody("postdrop", env=env, stdin=b"")
        T.check(r.returncode == 75 and b"unauthorized configuration directory name" in r.stderr,
                "MAIL_CONFIG is no way around it", r.stderr)
        T.eq(left_in_maildrop(), [], "nothing left in maildrop")

        # Listed in alternate_config_directories: the user's mail goes in.
        r = as_nobody("sendmail", "-C", srv.dir, "-f", "user@example.org", "bob@example.net", trusted=True,
                      stdin="Subject: from nobody\n\nhello from an ordinary user\n")
        T.eq((r.returncode, r.stderr), (0, ""), "sendmail by an ordinary user through set-gid postdrop")
        T.check(picked(srv, 1), "the message is picked up", srv.log())
        q = incoming(srv)[0] if files(srv, "incoming") else {}
        content = q.get("content", b"").decode()
        T.check(content.startswith("Received: by mx.ferry.test (Postfix, from userid 65534)"),
                "pickup names the real user as submitter", content[:200])
        T.check("hello from an ordinary user" in content, "the content arrived", content)
        dialog = ("EHLO me\r\nMAIL FROM:<u@example.org>\r\nRCPT TO:<bob@example.net>\r\nDATA\r\n"
                  "Subject: bs\r\n\r\nx\r\n.\r\nQUIT\r\n")
        r = as_nobody("sendmail", "-C", srv.dir, "-bs", trusted=True, stdin=dialog)
        T.check("250 2.0.0 Ok: queued as " in r.stdout, "sendmail -bs by an ordinary user", r.stdout + r.stderr)
        T.check(picked(srv, 2), "the -bs message is picked up", srv.log())
        good_id = files(srv, "incoming")[0]
        clear(srv)

        # postdrop run directly: anything but a whole queue file is refused
        # and leaves nothing, not even a temporary file.
        r = as_nobody("postdrop", "-c", srv.dir, trusted=True, stdin=b"this is not a queue file\n")
        T.eq(r.returncode, 75, "postdrop: garbage refused")
        T.check(b"postdrop: fatal: uid=65534: malformed input: not a queue file from sendmail" in r.stderr,
                "postdrop: malformed input", r.stderr)
        whole = drop_file(good_id, "x@example.org", "bob@example.net", b"Subject: direct\n\nx\n")
        r = as_nobody("postdrop", "-c", srv.dir, trusted=True, stdin=whole[:-9])
        T.eq(r.returncode, 75, "postdrop: a file without its end record refused")
        T.check(b"postdrop: fatal: uid=65534: malformed input: queue file " in r.stderr and b"corrupt" in r.stderr,
                "postdrop: truncated input named corrupt", r.stderr)
        big = drop_file(good_id, "x@example.org", "bob@example.net", b"x" * 10300000)
        r = as_nobody("postdrop", "-c", srv.dir, trusted=True, stdin=big)
        T.eq(r.returncode, 75, "postdrop: a file over message_size_limit refused")
        T.check(b"postdrop: fatal: uid=65534: message file too big" in r.stderr, "postdrop: too big", r.stderr)
        T.eq(left_in_maildrop(), [], "refused input leaves nothing in maildrop")
        r = as_nobody("postdrop", "-c", srv.dir, trusted=True, stdin=whole)
        T.eq((r.returncode, r.stderr), (0, b""), "postdrop: a whole queue file is taken")
        T.check(picked(srv, 1), "and picked up", srv.log())
        q = incoming(srv)[0] if files(srv, "incoming") else {}
        T.check(q.get("content", b"").startswith(b"Received: by mx.ferry.test (Postfix, from userid 65534)"),
                "postdrop's file belongs to the user", q.get("content", b"")[:100])
    finally:
        shutil.rmtree(bindir, ignore_errors=True)
        shutil.rmtree(etc, ignore_errors=True)
    clear(srv)


def run_in(bindir, name, *args, user=()):
    return subprocess.run([*user, os.path.join(bindir, name), *args], capture_output=True, text=True, timeout=30)


def corrupt(srv):
    clear(srv)
    path = os.path.join(srv.queue, "maildrop", "4QvBroken1z000000000000")
    with open(path + ".tmp", "wb") as f:
        f.write(b"this is not a queue file\n")
    os.rename(path + ".tmp", path)
    T.check(wait_for(lambda: files(srv, "corrupt") == ["4QvBroken1z000000000000"]),
            "a malformed maildrop file goes to corrupt/", f"{files(srv, 'maildrop')} {srv.log()}")
    T.check(wait_for(lambda: "moved to the corrupt queue" in srv.log()), "and pickup warns", srv.log())
    r = run("sendmail", "-C", srv.dir, "-f", "a@example.org", "bob@example.net", stdin="Subject: good\n\nx\n")
    T.check(picked(srv, 1), "a good file next to it is picked up", srv.log())


def build_queue(srv):
    """Three messages placed by hand, with known ids, times and sizes."""
    clear(srv)
    for rcpt in ("r1@example.net", "r2@example.net"):
        run("sendmail", "-C", srv.dir, "-f", "s@example.org", rcpt, stdin="Subject: q\n\nbody\n")
    T.check(picked(srv, 2), "two messages queued", srv.log())
    names = files(srv, "incoming")
    os.rename(os.path.join(srv.queue, "incoming", names[1]), os.path.join(srv.queue, "hold", names[1]))
    return names


def listing(srv):
    names = build_queue(srv)
    msgs = []
    for q, n in (("incoming", names[0]), ("hold", names[1])):
        m = queue_file.parse(os.path.join(srv.queue, q, n))
        m["_path"] = os.path.join(srv.queue, q, n)
        msgs.append(m)
    # The expected text, computed from the queue files.
    lines = ["-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------"]
    total = 0
    for m, mark in zip(msgs, ("", "!")):
        size = len(m["content"])
        total += size
        arrival = queue_file_arrival(m)
        when = time.strftime("%a %b %e %H:%M:%S", time.localtime(arrival))
        lines.append(f"{m['queue_id'] + mark:<11} {size:>8} {when + ' ':<20.20} {m['sender']}")
        lines += [" " * 41 + r["address"] for r in m["recipients"]]
        lines.append("")
    lines.append(f"-- {total // 1024} Kbytes in 2 Requests.")
    want = "\n".join(lines) + "\n"
    for cmd in (("postqueue", "-c", srv.dir, "-p"), ("mailq", "-c", srv.dir), ("sendmail", "-C", srv.dir, "-bp")):
        r = run(*cmd)
        T.eq(r.returncode, 0, f"{cmd[0]} listing exit")
        T.eq(r.stdout, want, f"{' '.join(cmd[:1] + cmd[3:])} listing text")
    r = run("postqueue", "-c", srv.dir, "-j")
    got = [json.loads(line) for line in r.stdout.splitlines()]
    T.eq(got, [{"queue_name": q, "queue_id": m["queue_id"], "arrival_time": queue_file_arrival(m),
                "message_size": len(m["content"]), "forced_expire": False, "sender": m["sender"],
                "recipients": [{"address": x["address"]} for x in m["recipients"]]}
               for q, m in (("incoming", msgs[0]), ("hold", msgs[1]))], "postqueue -j objects")
    T.check(r.stdout.startswith('{"queue_name": "incoming", "queue_id": "'), "postqueue -j key order and spacing", r.stdout)

    r = run("postqueue", "-c", srv.dir, "-Z")
    T.eq(r.returncode, 69, "postqueue unknown option exit")
    T.eq(r.stderr, "postqueue: invalid option -- 'Z'\npostqueue: fatal: usage: postqueue -f | postqueue -i queueid"
                   " | postqueue -j | postqueue -p | postqueue -s site\n", "postqueue usage text")
    r = run("postqueue", "-c", srv.dir, "-f")
    T.check("Cannot flush mail queue - mail system is down" in r.stderr, "flush without a queue manager", r.stderr)
    r = run("postfix", "-c", srv.dir, "flush")
    T.eq(r.returncode, 69, "postfix flush without a queue manager: exit")
    T.check("Cannot flush mail queue - mail system is down" in r.stderr, "postfix flush without a queue manager",
            r.stderr)
    clear(srv)
    r = run("postqueue", "-c", srv.dir, "-p")
    T.eq(r.stdout, "Mail queue is empty\n", "empty queue")


def queue_file_arrival(m):
    """Arrival second from the T record (queue_file.py does not keep it)."""
    import struct
    with open(m["_path"], "rb") as f:
        data = f.read()
    pos = 0
    while pos < len(data):
        (length,) = struct.unpack(">Q", data[pos + 1:pos + 9])
        if data[pos:pos + 1] == b"T":
            return int(data[pos + 9:pos + 9 + length]) // 1000000
        pos += 9 + length
    return 0


def postsuper(srv):
    names = build_queue(srv)
    a, b = names
    r = run("postsuper", "-c", srv.dir, "-h", a)
    T.eq(r.stderr, f"postsuper: {a}: placed on hold\npostsuper: Placed on hold: 1 message\n", "postsuper -h")
    T.eq(files(srv, "hold"), sorted([a, b]), "held")
    r = run("postsuper", "-c", srv.dir, "-H", b)
    T.eq(r.stderr, f"postsuper: {b}: released from hold\npostsuper: Released from hold: 1 message\n", "postsuper -H")
    T.eq(files(srv, "deferred"), [b], "released to deferred")
    r = run("postsuper", "-c", srv.dir, "-d", "../etc/passwd", "-d", "bad!id")
    T.eq(r.stderr, "postsuper: warning: invalid mail queue id: ../etc/passwd\n"
                   "postsuper: warning: invalid mail queue id: bad!id\npostsuper: Deleted: 0 messages\n",
         "bad ids refused")
    r = run("postsuper", "-c", srv.dir, "-r", b)
    T.eq(r.stderr, f"postsuper: {b}: requeued\npostsuper: Requeued: 1 message\n", "postsuper -r")
    T.check(wait_for(lambda: not files(srv, "maildrop") and len(files(srv, "incoming")) == 1),
            "requeued message goes through pickup again", srv.log())
    again = incoming(srv)
    if again:
        T.eq(again[0]["content"].decode().count("Received:"), 1, "requeue adds no second Received:")
        T.check(wait_for(lambda: f"orig_id={b}" in srv.log()), "pickup logs orig_id", srv.log())
    new_id = files(srv, "incoming")[0] if files(srv, "incoming") else "x"
    r = run("postsuper", "-c", srv.dir, "-d", "-", stdin=f"{new_id}\nno/such\n")
    T.eq(r.stderr, f"postsuper: {new_id}: removed\npostsuper: warning: invalid mail queue id: no/such\n"
                   "postsuper: Deleted: 1 message\n", "postsuper -d - reads ids from stdin")
    r = run("postsuper", "-c", srv.dir, "-d", "ALL")
    T.eq(r.stderr, f"postsuper: {a}: removed\npostsuper: Deleted: 1 message\n", "postsuper -d ALL")
    T.eq(files(srv, "hold") + files(srv, "incoming"), [], "queue empty after -d ALL")
    # -p: temporary files a crash left, once a day old; without options
    # postsuper does -p and -s, as Postfix's.
    old_tmp = os.path.join(srv.queue, "maildrop", "OLDLEFTOVER.tmp")
    new_tmp = os.path.join(srv.queue, "incoming", "NEWLEFTOVER.tmp")
    for path in (old_tmp, new_tmp):
        with open(path, "w") as f:
            f.write("partial")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old_tmp, (two_days_ago, two_days_ago))
    r = run("postsuper", "-c", srv.dir, "-p")
    T.eq(r.stderr, "postsuper: maildrop/OLDLEFTOVER.tmp: removed old temporary file\n", "postsuper -p")
    T.check(not os.path.exists(old_tmp) and os.path.exists(new_tmp), "postsuper -p keeps a fresh temporary file")
    os.utime(new_tmp, (two_days_ago, two_days_ago))
    r = run("postsuper", "-c", srv.dir)
    T.eq((r.returncode, r.stderr), (0, "postsuper: incoming/NEWLEFTOVER.tmp: removed old temporary file\n"),
         "postsuper without options purges too")
    r = run("postsuper", "-c", srv.dir, "-Z")
    T.eq(r.returncode, 1, "postsuper unknown option exit")
    T.check(r.stderr.startswith("postsuper: invalid option -- 'Z'\npostsuper: fatal: usage: postsuper [-c config_dir]"),
            "postsuper usage text", r.stderr)


def main():
    rows = None
    srv = FerryServer("queue-tools", main_cf={"myorigin": "$mydomain"})
    rows = [f"127.0.0.1:{srv.port} inet n - n - - smtpd",
            "pickup    unix  n       -       n       60      1       pickup"]
    with open(os.path.join(srv.dir, "master.cf"), "w") as f:
        f.write("\n".join(rows) + "\n")
    try:
        srv.start()
        T.check(wait_for(lambda: os.path.isdir(os.path.join(srv.queue, "maildrop"))), "queue directories made")
        submissions(srv)
        corrupt(srv)
        postdrop(srv)
        listing(srv)
        postsuper(srv)
        T.eq(srv.problems(), [], "no Ferry process failed")
    finally:
        srv.__exit__(None, None, None)
    T.finish()


if __name__ == "__main__":
    main()
