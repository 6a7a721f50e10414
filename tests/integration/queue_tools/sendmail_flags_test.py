#!/usr/bin/env python3
"""sendmail_flags_test.py - command-line options of sendmail and postsuper
that queue_tools_test does not cover, each against Postfix's behaviour:
sendmail -r (the envelope sender, as -f), -N (DSN NOTIFY in each recipient
record) with a value Postfix refuses, -R accepted, -bi / -I (the alias
database rebuilt from alias_database, a malformed line warned, a missing
source file fatal), -q (a flush the running queue manager acts on, and
"mail system is down" without one); postsuper -d of one message among
others (its defer log too) and -s (queue files left in hashed
sub-directories, as a Postfix queue restored into Ferry, moved up).

Where Ferry's words differ from Postfix's only in the program name (Ferry
runs postqueue and postalias inside sendmail, Postfix executes them), the
text after the name is compared."""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, "..", "server"))
sys.path.insert(0, os.path.join(HERE, ".."))
from ferry_server import FerryServer, BIN, free_port, wait_for  # noqa: E402
import queue_file  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("sendmail_flags")

MESSAGE_QUEUES = ("incoming", "maildrop", "hold", "deferred", "active", "corrupt")


def run(name, *args, stdin=""):
    return subprocess.run([os.path.join(BIN, name), *args], input=stdin, capture_output=True,
                          text=True, timeout=30)


def files(srv, queue):
    """The queue files directly in a queue directory."""
    top = os.path.join(srv.queue, queue)
    try:
        return sorted(n for n in os.listdir(top) if not n.endswith(".tmp") and os.path.isfile(os.path.join(top, n)))
    except OSError:
        return []


def picked(srv, count):
    """Waits until maildrop is empty and incoming holds `count` files."""
    return wait_for(lambda: not files(srv, "maildrop") and len(files(srv, "incoming")) >= count)


def incoming(srv):
    return [queue_file.parse(os.path.join(srv.queue, "incoming", n)) for n in files(srv, "incoming")]


def clear(srv):
    for q in MESSAGE_QUEUES + ("defer",):
        for n in files(srv, q):
            os.unlink(os.path.join(srv.queue, q, n))


def submit(srv, *args, subject="flags"):
    """One message through sendmail and pickup: the result of sendmail and
    the parsed incoming queue file (an empty dict if none arrived)."""
    clear(srv)
    r = run("sendmail", "-C", srv.dir, *args, stdin=f"Subject: {subject}\n\nbody\n")
    ok = picked(srv, 1)
    msgs = incoming(srv) if ok else []
    return r, (msgs[0] if len(msgs) == 1 else {})


def without_program(stderr):
    """Each line of stderr without its leading "program: "."""
    return [line.split(": ", 1)[1] if ": " in line else line for line in stderr.splitlines()]


# ---- sendmail -r -----------------------------------------------------------

def sender_option(srv):
    r, q = submit(srv, "-r", "<rsender@example.org>", "bob@example.net")
    T.eq((r.returncode, r.stdout, r.stderr), (0, "", ""), "sendmail -r: exit and output")
    T.eq(q.get("sender"), "rsender@example.org", "-r <addr> sets the envelope sender, without <>")
    T.eq([x["address"] for x in q.get("recipients", [])], ["bob@example.net"], "-r: the recipient")
    T.check(wait_for(lambda: f"{q.get('queue_id')}: uid=0 from=<rsender@example.org>" in srv.log()),
            "pickup logs the -r sender", srv.log()[-800:])

    r, q = submit(srv, "-r", "rbare", "bob@example.net")
    T.eq(r.returncode, 0, "sendmail -r bare name: exit")
    T.eq(q.get("sender"), "rbare@ferry.test", "a bare -r sender is qualified with $myorigin, as -f")

    r, q = submit(srv, "-r", "<>", "bob@example.net")
    T.eq((r.returncode, r.stderr), (0, ""), "sendmail -r <>: exit and output")
    T.eq(q.get("sender"), "", "-r <> gives the null sender")
    T.check(wait_for(lambda: f"{q.get('queue_id')}: uid=0 from=<>" in srv.log()),
            "pickup logs the null sender", srv.log()[-800:])

    # -f and -r are one option: the last one given wins.
    r, q = submit(srv, "-f", "first@example.org", "-r", "second@example.org", "bob@example.net")
    T.eq(q.get("sender"), "second@example.org", "-f then -r: the last sender wins")
    r, q = submit(srv, "-r", "first@example.org", "-f", "second@example.org", "bob@example.net")
    T.eq(q.get("sender"), "second@example.org", "-r then -f: the last sender wins")
    clear(srv)


# ---- sendmail -N and -R ------------------------------------------------------

# Recipient record NOTIFY bits (docs/queue-format.md).
SUCCESS, FAILURE, DELAY, NEVER = 1, 2, 4, 8


def dsn_options(srv):
    # -R: Postfix's sendmail ignores it (-R return_limit), while Ferry keeps
    # it as the DSN RET record (checked below) and warns about other values.  -X is left out: Postfix documents -X log_file as
    # ignored but refuses it ("fatal: unsupported: -X/").
    r, q = submit(srv, "-f", "a@example.org", "-N", "success,delay,failure", "-R", "hdrs",
                  "bob@example.net", "carol@example.net")
    T.eq((r.returncode, r.stdout, r.stderr), (0, "", ""), "-N success,delay,failure -R hdrs: accepted silently")
    T.eq([(x["address"], x["notify"]) for x in q.get("recipients", [])],
         [("bob@example.net", SUCCESS | DELAY | FAILURE), ("carol@example.net", SUCCESS | DELAY | FAILURE)],
         "-N: every recipient record carries NOTIFY=SUCCESS,DELAY,FAILURE")

    r, q = submit(srv, "-f", "a@example.org", "-N", "Never", "-R", "FULL", "bob@example.net")
    T.eq((r.returncode, r.stderr), (0, ""), "-N Never -R FULL: accepted silently, any case")
    T.eq([x["notify"] for x in q.get("recipients", [])], [NEVER], "-N never: NOTIFY=NEVER")
    T.eq(q.get("ret"), "FULL", "-R FULL: the DSN RET record")

    r, q = submit(srv, "-f", "a@example.org", "-N", "DELAY", "bob@example.net")
    T.eq([x["notify"] for x in q.get("recipients", [])], [DELAY], "-N DELAY alone")

    # -V is the DSN envelope id; -XV asks for VERP, which Ferry does not do
    # yet and says so; a two-character -V is Postfix 2.2's -XV.
    r, q = submit(srv, "-f", "a@example.org", "-V", "batch-42", "bob@example.net")
    T.eq((r.returncode, r.stderr, q.get("envid")), (0, "", "batch-42"), "-V envid: the DSN ENVID record")
    r, q = submit(srv, "-f", "a@example.org", "-XV", "bob@example.net")
    T.eq((r.returncode, without_program(r.stderr), q.get("envid")),
         (0, ["warning: VERP (-XV) is not supported by Ferry yet -- ignored"], None),
         "-XV: VERP not taken for an envelope id, and said to be unsupported")
    r, q = submit(srv, "-f", "a@example.org", "-V", "+=", "bob@example.net")
    T.eq((r.returncode, without_program(r.stderr), q.get("envid")),
         (0, ["warning: -V option is deprecated with Postfix 2.3; specify -XV instead",
              "warning: VERP (-XV) is not supported by Ferry yet -- ignored"], None),
         "-V with two characters: Postfix 2.2's VERP form")

    # Recipients that -t finds in the headers get the same NOTIFY.
    clear(srv)
    r = run("sendmail", "-C", srv.dir, "-t", "-f", "a@example.org", "-N", "failure",
            stdin="To: x@example.com, y@example.com\nSubject: t\n\nbody\n")
    T.eq(r.returncode, 0, "-t -N failure: exit")
    T.check(picked(srv, 1), "-t -N message picked up", srv.log()[-800:])
    q = incoming(srv)[0] if files(srv, "incoming") else {}
    T.eq(sorted((x["address"], x["notify"]) for x in q.get("recipients", [])),
         [("x@example.com", FAILURE), ("y@example.com", FAILURE)], "-t: header recipients carry -N too")

    # Bad values, as Postfix: never with anything else, or nothing at all,
    # is warned about and ignored, and the message is still queued.
    for value in ("never,success", ""):
        r, q = submit(srv, "-f", "a@example.org", "-N", value, "bob@example.net")
        T.eq((r.returncode, r.stdout, r.stderr), (0, "", "sendmail: warning: bad -N option value -- ignored\n"),
             f"-N {value!r}: Postfix's warning")
        T.eq([x["notify"] for x in q.get("recipients", [])], [0], f"-N {value!r}: queued without NOTIFY")
    clear(srv)


# ---- sendmail -bi / -I ---------------------------------------------------------

def alias_lookup(srv, aliases, key):
    r = run("postalias", "-c", srv.dir, "-q", key, f"hash:{aliases}")
    return r.returncode, r.stdout, r.stderr


def newaliases(srv, aliases):
    db = aliases + ".db"
    with open(aliases, "w") as f:
        f.write("# the team\npostmaster: root\nteam: alice, bob,\n  carol\n")
    T.check(not os.path.exists(db), "no alias database before -bi")
    r = run("sendmail", "-C", srv.dir, "-bi")
    T.eq((r.returncode, r.stdout, r.stderr), (0, "", ""), "sendmail -bi: exit and output")
    T.check(os.path.isfile(db), f"sendmail -bi builds {db} from alias_database")
    T.eq(alias_lookup(srv, aliases, "team"), (0, "alice, bob, carol\n", ""), "-bi: continuation line joined")
    T.eq(alias_lookup(srv, aliases, "postmaster"), (0, "root\n", ""), "-bi: postmaster")
    T.eq(alias_lookup(srv, aliases, "@"), (0, "@\n", ""), "-bi: the sendmail-compatible @ entry")

    # A changed source replaces the database (-I is the same as -bi).
    with open(aliases, "w") as f:
        f.write("postmaster: root\nstaff: dave\n")
    before = os.stat(db).st_ino, os.stat(db).st_mtime_ns
    r = run("sendmail", "-C", srv.dir, "-I")
    T.eq((r.returncode, r.stderr), (0, ""), "sendmail -I: exit and output")
    T.check((os.stat(db).st_ino, os.stat(db).st_mtime_ns) != before, "-I rewrote the database file")
    T.eq(alias_lookup(srv, aliases, "staff"), (0, "dave\n", ""), "-I: the new alias")
    T.eq(alias_lookup(srv, aliases, "team"), (1, "", ""), "-I: the removed alias is gone")

    # Malformed lines: Postfix's warnings, the rest of the file still built.
    with open(aliases, "w") as f:
        f.write("postmaster root\nuser@remote.example: x\nok: fine\n")
    r = run("sendmail", "-C", srv.dir, "-bi")
    T.eq(r.returncode, 0, "-bi with malformed lines: exit 0, as postalias")
    T.eq(without_program(r.stderr), [f"warning: {aliases}, line 1: need name:value pair",
                                     f"warning: {aliases}, line 2: name must be local"],
         "-bi: postalias's warnings for malformed lines")
    T.eq(alias_lookup(srv, aliases, "ok"), (0, "fine\n", ""), "-bi: the good line after the bad ones")
    T.eq(alias_lookup(srv, aliases, "postmaster"), (1, "", ""), "-bi: the malformed entry is not stored")

    # No source file: fatal, and the old database is left as it was.
    os.unlink(aliases)
    r = run("sendmail", "-C", srv.dir, "-bi")
    T.eq(r.returncode, 1, "-bi without the alias file: exit 1, as postalias")
    T.eq(without_program(r.stderr), [f"fatal: open {aliases}: No such file or directory"],
         "-bi without the alias file: postalias's words")
    T.eq(alias_lookup(srv, aliases, "ok"), (0, "fine\n", ""), "a failed -bi leaves the database alone")


# ---- sendmail -q -------------------------------------------------------------

def flush_without_qmgr(srv):
    r = run("sendmail", "-C", srv.dir, "-q")
    T.eq(r.returncode, 69, "sendmail -q without a queue manager: EX_UNAVAILABLE, as postqueue -f")
    T.eq(without_program(r.stderr), ["warning: unable to look up public/qmgr: No such file or directory",
                                     "fatal: Cannot flush mail queue - mail system is down"],
         "sendmail -q without a queue manager: postqueue's words")


def mode_arguments(srv):
    """Postfix's checks of -q's forms and of modes that take no recipient."""
    def said(args, code, lines, what):
        r = run("sendmail", "-C", srv.dir, *args)
        T.eq((r.returncode, without_program(r.stderr)), (code, lines), what)
    said(["-q30m"], 0, [], "sendmail -q30m (a daemon's queue interval) does nothing and succeeds")
    said(["-q", "bob@example.org"], 75, ["fatal: flush queue mode requires no recipient"],
         "sendmail -q with a recipient is refused")
    said(["-qR"], 75, ["fatal: specify: -qRsitename"], "sendmail -qR without a site is refused")
    said(["-qRexample.org", "bob@example.org"], 75, ["fatal: flush site requires no recipient"],
         "sendmail -qRsite with a recipient is refused")
    said(["-qRexample.org"], 69, ["warning: unable to look up public/qmgr: No such file or directory",
                                  "fatal: Cannot flush mail queue - mail system is down"],
         "sendmail -qRsite flushes the queue (no queue manager here)")
    said(["-qX"], 75, ["fatal: -qX is not implemented"], "sendmail -qX is refused")
    said(["-bp", "bob@example.org"], 75, ["fatal: display queue mode requires no recipient"],
         "sendmail -bp with a recipient is refused")
    said(["-bi", "bob@example.org"], 75, ["fatal: alias initialization mode requires no recipient"],
         "sendmail -bi with a recipient is refused")
    said(["-bs", "bob@example.org"], 75, ["fatal: stand-alone mode requires no recipient"],
         "sendmail -bs with a recipient is refused")
    said(["-r"], 75, ["option requires an argument -- 'r'", "fatal: usage: sendmail [options]"],
         "sendmail -r without its argument says so")


def flush_with_qmgr():
    """A deferred message is tried again at once after sendmail -q, though
    queue_run_delay is 300s."""
    port = free_port()
    srv = FerryServer("sendmail-q", main_cf={"myorigin": "$mydomain", "queue_run_delay": "300s"}, port=port,
                      master_cf=[f"127.0.0.1:{port} inet n - n - - smtpd",
                                 "pickup unix n - n 60 1 pickup",
                                 "qmgr unix n - n 300 1 qmgr"])
    try:
        srv.start()
        attempts = lambda: srv.log().count("to=<someone@example.org>, relay=none")  # noqa: E731
        r = run("sendmail", "-C", srv.dir, "-f", "a@example.org", "someone@example.org", stdin="Subject: q\n\nx\n")
        T.eq(r.returncode, 0, "message for the flush submitted")
        T.check(wait_for(lambda: attempts() == 1 and files(srv, "deferred")), "the message is deferred once",
                srv.log()[-1000:])
        # pflogsumm takes sender and size from the first lines it sees of
        # an id: pickup's "uid=" line must come before qmgr's, as in Postfix,
        # and qmgr's size is the content's, as pickup logged it.
        lines = srv.log().splitlines()
        qid = files(srv, "deferred")[0] if files(srv, "deferred") else "?"
        first = lambda text: next((i for i, l in enumerate(lines) if f": {qid}: " in l and text in l), None)  # noqa: E731
        picked_at, active_at = first(" uid="), first("(queue active)")
        T.check(picked_at is not None and active_at is not None and picked_at < active_at,
                "pickup's uid= line comes before qmgr's queue active line", "\n".join(lines[-12:]))
        sizes = {re.search(r"size=(\d+)", l).group(1) for l in lines
                 if f": {qid}: from=<" in l and "size=" in l}
        T.check(len(sizes) == 1, "pickup and qmgr log the same size= for the message", sizes)
        r = run("sendmail", "-C", srv.dir, "-q")
        T.eq((r.returncode, r.stdout, r.stderr), (0, "", ""), "sendmail -q reaches the running queue manager")
        T.check(wait_for(lambda: attempts() == 2, timeout=10), "sendmail -q: the deferred message is tried again now",
                srv.log()[-1000:])
        T.eq(srv.problems(), [], "no Ferry process failed (sendmail -q)")
    finally:
        srv.__exit__(None, None, None)


# ---- postsuper -d ------------------------------------------------------------

def three_messages(srv):
    clear(srv)
    for rcpt in ("r1@example.net", "r2@example.net", "r3@example.net"):
        run("sendmail", "-C", srv.dir, "-f", "s@example.org", rcpt, stdin="Subject: q\n\nbody\n")
    T.check(picked(srv, 3), "three messages queued", srv.log()[-800:])
    return files(srv, "incoming")


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def postsuper_delete(srv):
    names = three_messages(srv)
    if len(names) != 3:
        return
    a, b, c = names
    for qid in (a, b):
        write(os.path.join(srv.queue, "defer", qid), f"recipient=x@example.net\nreason=test {qid}\n\n")
    r = run("postsuper", "-c", srv.dir, "-d", b)
    T.eq((r.returncode, r.stdout, r.stderr), (0, "", f"postsuper: {b}: removed\npostsuper: Deleted: 1 message\n"),
         "postsuper -d ID: Postfix's words")
    T.eq(files(srv, "incoming"), [a, c], "postsuper -d ID removes that message and no other")
    T.eq(files(srv, "defer"), [a], "and its defer log, not the other message's")

    # The same id again, a queue it is not in, a queue that does not exist.
    r = run("postsuper", "-c", srv.dir, "-d", b)
    T.eq(r.returncode, 0, "postsuper -d of a message no longer there: exit 0")
    r = run("postsuper", "-c", srv.dir, "-d", a, "hold")
    T.eq(r.returncode, 0, "postsuper -d ID hold, the message in incoming: exit 0")
    T.eq(files(srv, "incoming"), [a, c], "a queue name limits -d: the message in incoming stays")
    r = run("postsuper", "-c", srv.dir, "-d", a, "nosuchqueue")
    T.eq((r.returncode, r.stderr), (1, "postsuper: fatal: invalid directory name: nosuchqueue\n"),
         "postsuper -d ID with an unknown queue name: Postfix's fatal error")
    T.eq(files(srv, "incoming"), [a, c], "nothing removed after the fatal error")

    # Two ids from two queues in one command.
    os.rename(os.path.join(srv.queue, "incoming", c), os.path.join(srv.queue, "hold", c))
    r = run("postsuper", "-c", srv.dir, "-d", a, "-d", c)
    T.eq((r.returncode, r.stderr),
         (0, f"postsuper: {a}: removed\npostsuper: {c}: removed\npostsuper: Deleted: 2 messages\n"),
         "postsuper -d A -d C: one line each and the plural total")
    T.eq(files(srv, "incoming") + files(srv, "hold") + files(srv, "defer"), [], "both removed with a's defer log")


# ---- postsuper -s ------------------------------------------------------------

def subdirs(srv, queue):
    top = os.path.join(srv.queue, queue)
    return sorted(n for n in os.listdir(top) if os.path.isdir(os.path.join(top, n)))


def postsuper_structure(srv):
    """Queue files in one-character hash sub-directories (Postfix's layout
    with hash_queue_depth 1, e.g. a Postfix queue restored into Ferry) and
    an empty alien directory: postsuper -s moves the files up into their
    queue and removes the directories, as Postfix does after a change of
    hash_queue_names."""
    names = three_messages(srv)
    if len(names) != 3:
        return
    x, y, z = names
    places = {x: ("deferred", x[0]), y: ("hold", "F")}
    for qid, (queue, sub) in places.items():
        os.makedirs(os.path.join(srv.queue, queue, sub), exist_ok=True)
        os.rename(os.path.join(srv.queue, "incoming", qid), os.path.join(srv.queue, queue, sub, qid))
    os.mkdir(os.path.join(srv.queue, "deferred", "empty"))
    T.eq((files(srv, "deferred"), subdirs(srv, "deferred")), ([], sorted([x[0], "empty"])),
         "deferred: a file only below a hash sub-directory")

    r = run("postsuper", "-c", srv.dir, "-s")
    T.eq(r.returncode, 0, "postsuper -s: exit")
    for qid, (queue, sub) in places.items():
        T.eq(files(srv, queue), [qid], f"postsuper -s: {queue}/{sub}/{qid} moved to {queue}/")
        path = os.path.join(srv.queue, queue, qid)
        try:
            moved = queue_file.parse(path)
        except (OSError, ValueError) as e:
            moved = {"error": str(e)}
        T.eq((moved.get("queue_id"), [x["address"] for x in moved.get("recipients", [])]),
             (qid, [f"r{names.index(qid) + 1}@example.net"]), f"postsuper -s: {queue}/{qid} intact")
        T.eq(subdirs(srv, queue), [], f"postsuper -s: no sub-directory left in {queue}")
    T.eq(files(srv, "incoming"), [z], "postsuper -s leaves a file in its place alone")

    r = run("postsuper", "-c", srv.dir, "-s")
    T.eq((r.returncode, r.stdout, r.stderr), (0, "", ""), "postsuper -s on a sound queue: nothing to say")
    T.eq((files(srv, "deferred"), files(srv, "hold"), files(srv, "incoming")), ([x], [y], [z]),
         "postsuper -s on a sound queue changes nothing")
    clear(srv)


def postsuper_structure_deep(srv):
    """Deeper hashing (hash_queue_depth 2 and 3): one postsuper -s run moves
    every file up and leaves no directory (it once took a second-level
    directory for a queue file)."""
    names = three_messages(srv)
    if len(names) != 3:
        return
    x, y, _ = names
    for qid, sub in ((x, os.path.join("A", "B")), (y, os.path.join("A", "C", "D"))):
        os.makedirs(os.path.join(srv.queue, "deferred", sub), exist_ok=True)
        os.rename(os.path.join(srv.queue, "incoming", qid), os.path.join(srv.queue, "deferred", sub, qid))
    r = run("postsuper", "-c", srv.dir, "-s")
    T.eq((r.returncode, sorted(without_program(r.stderr))),
         (0, sorted([f"deferred/A/B/{x}: moved to deferred", f"deferred/A/C/D/{y}: moved to deferred",
                     "Moved to their queue: 2 messages"])),
         "postsuper -s: files two and three levels down move up in one run")
    T.eq((files(srv, "deferred"), subdirs(srv, "deferred")), (sorted([x, y]), []),
         "postsuper -s: deep files in deferred/, no sub-directory left")
    clear(srv)


def main():
    srv = FerryServer("sendmail-flags", main_cf={"myorigin": "$mydomain"})
    aliases = os.path.join(srv.dir, "aliases")
    main_cf = os.path.join(srv.dir, "main.cf")
    with open(main_cf) as f:
        params = f.read().replace("alias_database = \n", f"alias_database = hash:{aliases}\n")
    with open(main_cf, "w") as f:
        f.write(params)
    with open(os.path.join(srv.dir, "master.cf"), "w") as f:
        f.write(f"127.0.0.1:{srv.port} inet n - n - - smtpd\n"
                "pickup    unix  n       -       n       60      1       pickup\n")
    try:
        srv.start()
        T.check(wait_for(lambda: os.path.isdir(os.path.join(srv.queue, "maildrop"))), "queue directories made")
        sender_option(srv)
        dsn_options(srv)
        newaliases(srv, aliases)
        flush_without_qmgr(srv)
        mode_arguments(srv)
        postsuper_delete(srv)
        postsuper_structure(srv)
        postsuper_structure_deep(srv)
        T.eq(srv.problems(), [], "no Ferry process failed")
    finally:
        srv.__exit__(None, None, None)
    flush_with_qmgr()
    T.finish()


if __name__ == "__main__":
    main()
