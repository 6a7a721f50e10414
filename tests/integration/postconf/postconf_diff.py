#!/usr/bin/env python3
"""postconf_diff.py - differential test of Ferry's postconf against Postfix's.

Gives /usr/sbin/postconf (Postfix 3.7) and Ferry's postconf (the
$FERRY_TEST_BIN/postconf symlink) the same private configuration directory
(-c DIR) for every fixture under fixtures/ and compares, per command:
exit status, standard output, and warnings.  The edit commands (-e, -#, -X)
run on fresh copies at the same path and compare the resulting main.cf.

Differences by design, excluded from the comparison (and only these):
  * ferry_version: a parameter only Ferry has (Ferry's own version; its
    mail_version stays 3.7.11 for scripts).
  * process_id: the process id of each run (also inside debugger_command).
  * Warnings are compared as sets of distinct lines: Postfix reads main.cf
    several times internally and repeats file warnings once per read, and it
    prints "undefined parameter" warnings in hash-table order.
  * "overriding earlier entry" warnings: Postfix's re-reads add bogus ones
    (line 1 "overriding" line 2); Ferry's must be a subset of Postfix's.
  * The program name before warnings: Postfix prints argv[0] as given
    ("/usr/sbin/postconf: warning: ..."), Ferry its base name; both are
    compared as "postconf:".
  * In a loop between two built-in parameters (fixture loop-builtin),
    Postfix evaluates them in the order of a randomly seeded hash table, so
    the name in "unreasonable macro call nesting" varies from run to run;
    there, only the text around the name is compared.
  * Where -e appends several new settings, Postfix's order comes from a
    randomly seeded hash table (it changes from run to run); so each edit
    below appends at most one new setting.  Ferry appends in the order given.
A fixture without master.cf gets Debian's stock master.cf.
Exit status 0 when everything matches, 1 otherwise; prints a unified diff
for each mismatch.
"""
import concurrent.futures
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
POSTFIX = "/usr/sbin/postconf"
FERRY = os.path.join(os.environ.get("FERRY_TEST_BIN", ""), "postconf")

# Commands every fixture runs.
COMMON = [["-n"], ["-nx"], [], ["-x"], ["-M"], ["-Mf"], ["-Mx"], ["-F"], ["-P"], ["-Px"],
          ["-nf"], ["-d"], ["-dx"],
          ["mail_version", "myorigin", "mydomain", "myhostname", "mynetworks", "nosuch"],
          ["-h", "myorigin", "relayhost", "mydestination"], ["-x", "myorigin", "relay_domains"],
          ["-d", "myorigin", "nosuch"]]

# More commands for particular fixtures.
EXTRA = {
    "faq": [["local_only", "fax_destination_recipient_limit", "fax_time_limit", "delay_warning_time"],
            ["-x", "relay_domains", "local_only", "smtpd_recipient_restrictions"],
            ["-M", "fax", "smtp/unix", "nosuch", "relay/unix"], ["-F", "fax/unix/command", "smtp"],
            ["-P", "relay/unix/syslog_name", "nosuch/unix/x"], ["-Fx", "relay"],
            # Usage errors (none of them may change main.cf: runs are parallel).
            ["-e"], ["-X"], ["-#"], ["-n", "-d"], ["-M", "-F"], ["-e", "foo"], ["-e", "=x"], ["-M", "-n"]],
    "expansion": [["-x", "smtpd_banner", "relayhost", "smtp_helo_name", "mynetworks_style",
                   "smtputf8_enable", "relay_domains", "smtpd_client_restrictions", "forward_path",
                   "mailbox_command", "user_a", "virtual_alias_maps"],
                  ["user_a", "user_b"], ["-Px", "submission"]],
    "unused": [["class_a", "foo", "q", "r", "uucp_time_limit"]],
    "loop-user": [["-x", "a"], ["a", "b"]],
}

# Edits, each run on a fresh copy: (fixture, arguments).
EDITS = [
    ("faq", ["-e", "relayhost=[mail.example.com]", "new_param = 1", "delay_warning_time=2h"]),
    ("faq", ["-e", "myorigin=$myhostname"]),
    ("faq", ["-e", "smtpd_recipient_restrictions=permit_mynetworks, reject"]),
    ("faq", ["-#", "relayhost", "smtpd_recipient_restrictions", "nosuch"]),
    ("faq", ["-X", "local_only", "smtpd_recipient_restrictions", "nosuch"]),
    ("debian", ["-e", "myhostname=mail.example.com", "compatibility_level=3.7"]),
    ("lines", ["-e", "delay_warning_time=3h", "myorigin = x"]),
    ("lines", ["-X", "myorigin"]),
    ("lines", ["-#", "myorigin", "delay_warning_time"]),
]

failures = 0
checks = 0


def run(binary, args):
    p = subprocess.run([binary] + args, capture_output=True, text=True, errors="replace")
    # Both programs name themselves "postconf" in messages.
    return p.returncode, p.stdout, p.stderr.replace(binary + ":", "postconf:")


def filter_stdout(text):
    return [re.sub(r"postconf \d+ ", "postconf PID ", l) for l in text.splitlines()
            if not l.startswith(("ferry_version =", "process_id ="))]


def warning_set(text):
    lines = set(text.splitlines())
    override = {l for l in lines if "overriding earlier entry" in l}
    return lines - override, override


def compare(label, want, got):
    global failures, checks
    checks += 1
    if want == got:
        return
    failures += 1
    print(f"MISMATCH {label}")
    if isinstance(want, list):
        for line in difflib.unified_diff(want, got, "postfix", "ferry", lineterm="", n=2):
            print("  " + line)
    else:
        print(f"  postfix: {want!r}\n  ferry:   {got!r}")


def compare_runs(label, a, b):
    (rc1, out1, err1), (rc2, out2, err2) = a, b
    if label.startswith("loop-builtin:"):
        nesting = re.compile(r'(unreasonable macro call nesting: )"[a-z_]+"')
        err1, err2 = nesting.sub(r'\1"..."', err1), nesting.sub(r'\1"..."', err2)
    compare(label + " exit", rc1, rc2)
    compare(label + " stdout", filter_stdout(out1), filter_stdout(out2))
    w1, o1 = warning_set(err1)
    w2, o2 = warning_set(err2)
    compare(label + " warnings", sorted(w1), sorted(w2))
    if not o2 <= o1:
        compare(label + " override warnings", sorted(o1), sorted(o2))


# Postfix's own stock files come from the installed postfix package, not
# from copies in this repository.
STOCK = "/usr/share/postfix"
STOCK_FIXTURES = {
    "debian": {"main.cf": "main.cf.debian", "master.cf": "master.cf.dist"},
    "dist": {"main.cf": "main.cf.dist"},
}


def setup(fixture, dest):
    if os.path.exists(dest):
        shutil.rmtree(dest)
    if fixture in STOCK_FIXTURES:
        os.makedirs(dest)
        for name, stock in STOCK_FIXTURES[fixture].items():
            shutil.copy(os.path.join(STOCK, stock), os.path.join(dest, name))
    else:
        shutil.copytree(os.path.join(FIXTURES, fixture), dest)
    if not os.path.exists(os.path.join(dest, "master.cf")):
        shutil.copy(os.path.join(STOCK, "master.cf.dist"), os.path.join(dest, "master.cf"))
    # A fixture may add rows to the stock master.cf (the FAQ's fax service).
    extra = os.path.join(dest, "master.cf.append")
    if os.path.exists(extra):
        with open(extra) as f, open(os.path.join(dest, "master.cf"), "a") as out:
            out.write(f.read())
        os.remove(extra)


def main():
    if not os.access(POSTFIX, os.X_OK):
        print(f"SKIP: {POSTFIX} not installed")
        return 77
    if not os.access(FERRY, os.X_OK):
        print(f"FAIL: no Ferry postconf at {FERRY}")
        return 1
    fixtures = sorted(d for d in os.listdir(FIXTURES) if os.path.isdir(os.path.join(FIXTURES, d)))
    with tempfile.TemporaryDirectory(prefix="ferry-postconf-") as tmp:
        # Postfix's postconf can take seconds per run (it resolves the host
        # name), so the read-only runs go in parallel.
        jobs = []
        for fixture in fixtures:
            cfg = os.path.join(tmp, fixture)
            setup(fixture, cfg)
            for args in COMMON + EXTRA.get(fixture, []):
                jobs.append((f"{fixture}: postconf {' '.join(args)}", ["-c", cfg] + args))
        with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
            results = [(label, pool.submit(run, POSTFIX, full), pool.submit(run, FERRY, full))
                       for label, full in jobs]
            for label, a, b in results:
                compare_runs(label, a.result(), b.result())
        for fixture, args in EDITS:
            cfg = os.path.join(tmp, "edit")
            results = []
            for binary in (POSTFIX, FERRY):
                setup(fixture, cfg)
                r = run(binary, ["-c", cfg] + args)
                with open(os.path.join(cfg, "main.cf"), errors="replace") as f:
                    results.append((r, f.read().splitlines()))
            label = f"{fixture}: postconf {' '.join(args)}"
            compare_runs(label, results[0][0], results[1][0])
            compare(label + " main.cf", results[0][1], results[1][1])
        # No configuration directory at all: Postfix's fatal error, word for word.
        missing = ["-c", os.path.join(tmp, "missing"), "-n"]
        compare_runs("missing directory: postconf -n", run(POSTFIX, missing), run(FERRY, missing))
    # Ferry only: the embedded default configuration (no Postfix to compare).
    ferry_bin = os.environ.get("FERRY_BIN", "")
    if ferry_bin:
        env = dict(os.environ, FERRY_STATE="/tmp/ferry-state-test")
        p = subprocess.run([ferry_bin, "conf", "--embedded", "-n"], capture_output=True, text=True, env=env)
        compare("embedded: ferry conf --embedded -n exit", 0, p.returncode)
        for line in ["inet_interfaces = 127.0.0.1", "mail_spool_directory = /tmp/ferry-state-test/mail/",
                     "queue_directory = /tmp/ferry-state-test/queue"]:
            compare(f"embedded: has {line!r}", True, line in p.stdout.splitlines())
    print(f"{checks - failures} of {checks} comparisons match")
    if checks < 500:  # the fixtures went missing: that is a failure too
        print("FAIL: too few comparisons")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
