#!/usr/bin/env python3
"""Side-by-side table lookup benchmark: Ferry's postmap -q - against Postfix's.

Builds the same tables with each program's own postmap, feeds the same
keys to `postmap -q -`, checks that the answers are identical, and prints
lookups per second for both, best of N runs, two ways:
  - wall: all queries divided by the wall clock of the whole run, process
    start and table loading included;
  - steady: the extra queries divided by the extra time over a run that
    asks one query only, so the table's load cost is left out for both.
Usage: tables_bench.py FERRY_BIN_DIR [hash|regexp|pcre|all]
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

RUNS = 5
random.seed(20261125)


def best_time(cmd, stdin_text, cwd):
    best, out = None, None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, input=stdin_text, capture_output=True, text=True, cwd=cwd)
        dt = time.perf_counter() - t0
        if p.returncode not in (0, 1):
            sys.exit(f"bench: {' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
        best = dt if best is None or dt < best else best
        out = p.stdout
    return best, out


def timed_queries(cmd, q_text, cwd):
    """Times cmd on all queries and on the first one alone; returns
    (wall seconds, steady seconds for the remaining queries, output)."""
    wall, out = best_time(cmd, q_text, cwd)
    one, _ = best_time(cmd, q_text.split("\n", 1)[0] + "\n", cwd)
    return wall, max(wall - one, 1e-6), out


def report(title, n_queries, pf, fy, target):
    """pf and fy are (wall, steady) pairs from timed_queries."""
    print(f"{title}")
    rates = {}
    for who, (wall, steady) in (("postfix", pf), ("ferry", fy)):
        rates[who] = (n_queries / wall, (n_queries - 1) / steady)
    for who in ("postfix", "ferry"):
        wall_rate, steady_rate = rates[who]
        line = f"  {who:8} wall {wall_rate:12,.0f} lookups/s   steady {steady_rate:12,.0f} lookups/s"
        if who == "ferry":
            line += (f"   ({wall_rate / rates['postfix'][0]:.1f}x / {steady_rate / rates['postfix'][1]:.1f}x"
                     f" postfix; target {target})")
        print(line)


def words(n):
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return ["".join(random.choice(alphabet) for _ in range(random.randint(4, 12))) for _ in range(n)]


def bench_hash(ferry_dir, root):
    n_entries, n_queries = 100_000, 10_000
    users = words(n_entries)
    domains = words(50)
    keys = [f"{u}@{random.choice(domains)}.example" for u in users]
    src = "".join(f"{k} {k.split('@')[0]}@mailbox.example\n" for k in keys)
    queries = [random.choice(keys) if random.random() < 0.7 else f"nobody{i}@x.example"
               for i in range(n_queries)]
    q_text = "\n".join(queries) + "\n"
    times = {}
    outs = {}
    for who, sbin in (("postfix", "/usr/sbin"), ("ferry", ferry_dir)):
        d = os.path.join(root, "hash-" + who)
        os.makedirs(d)
        open(os.path.join(d, "main.cf"), "w").close()
        os.utime(os.path.join(d, "main.cf"), (0, 0))  # Postfix pauses on a fresh main.cf
        with open(os.path.join(d, "users"), "w") as f:
            f.write(src)
        t0 = time.perf_counter()
        subprocess.run([os.path.join(sbin, "postmap"), "-c", d, "hash:users"], cwd=d, check=True)
        build = time.perf_counter() - t0
        print(f"  ({who} postmap built {n_entries:,} entries in {build:.2f} s)")
        wall, steady, outs[who] = timed_queries([os.path.join(sbin, "postmap"), "-c", d, "-q", "-", "hash:users"], q_text, d)
        times[who] = (wall, steady)
    if outs["postfix"] != outs["ferry"]:
        sys.exit("bench: hash answers differ between Postfix and Ferry")
    report(f"hash: {n_entries:,} entries, {n_queries:,} queries via postmap -q - (answers identical)",
           n_queries, times["postfix"], times["ferry"], ">= 1x")
    return os.path.join(root, "hash-ferry")


def regexp_table(kind, n):
    """A table of n rules of four everyday shapes, and for each rule a key it
    matches."""
    rules, hits = [], []
    for i in range(n):
        w = words(2)
        if kind == "pcre" and i % 7 == 0:
            rules.append(f"/^{w[0]}(\\d+)@{w[1]}\\.(?:com|net)$/i  REJECT rule {i} $1")
            hits.append(f"{w[0]}{i}@{w[1]}.net")
        elif i % 5 == 0:
            rules.append(f"/^([^@]+)@{w[0]}\\.{w[1]}$/  OK rule {i} $1")
            hits.append(f"user{i}@{w[0].upper()}.{w[1]}")
        elif i % 3 == 0:
            rules.append(f"/{w[0]}[0-9]+{w[1]}/  DISCARD rule {i}")
            hits.append(f"x{w[0]}{i}{w[1]}y")
        else:
            rules.append(f"/^{w[0]}.*{w[1]}$/  HOLD rule {i}")
            hits.append(f"{w[0]}-{i}-{w[1]}")
    rules.append("/[/|]/  REJECT pipe or slash")
    return "\n".join(rules) + "\n", rules, hits


def bench_regexp(kind, ferry_dir, root):
    """One key in ten matches a rule (its answer needs the real engine and,
    for half the shapes, a capture); the rest match none, as most keys of a
    real access table do."""
    n_rules, n_queries = 1000, 10_000
    table, _, hits = regexp_table(kind, n_rules)
    ws = words(3000)
    queries = []
    for i in range(n_queries):
        r = random.random()
        if r < 0.1:
            queries.append(random.choice(hits))
        elif r < 0.55:
            queries.append(f"{random.choice(ws)}@{random.choice(ws)}.{random.choice(ws)}")
        else:
            queries.append(f"{random.choice(ws)}{random.randint(0, 99)}{random.choice(ws)}")
    q_text = "\n".join(queries) + "\n"
    times, outs = {}, {}
    for who, sbin in (("postfix", "/usr/sbin"), ("ferry", ferry_dir)):
        d = os.path.join(root, f"{kind}-{who}")
        os.makedirs(d)
        open(os.path.join(d, "main.cf"), "w").close()
        os.utime(os.path.join(d, "main.cf"), (0, 0))  # Postfix pauses on a fresh main.cf
        with open(os.path.join(d, "rules"), "w") as f:
            f.write(table)
        wall, steady, outs[who] = timed_queries([os.path.join(sbin, "postmap"), "-c", d, "-q", "-", f"{kind}:rules"], q_text, d)
        times[who] = (wall, steady)
    if outs["postfix"] != outs["ferry"]:
        a, b = outs["postfix"].splitlines(), outs["ferry"].splitlines()
        diff = [x for x in zip(a, b) if x[0] != x[1]][:5]
        sys.exit(f"bench: {kind} answers differ between Postfix and Ferry: {diff}")
    print(f"  ({outs['ferry'].count(chr(10)):,} of {n_queries:,} keys found)")
    report(f"{kind}: {n_rules:,} patterns, {n_queries:,} queries via postmap -q - (answers identical)",
           n_queries, times["postfix"], times["ferry"], ">= 100x")


def main():
    ferry_dir = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    root = tempfile.mkdtemp(prefix="ferry-bench-")
    try:
        if which in ("hash", "all"):
            hash_dir = bench_hash(ferry_dir, root)
            inproc = os.environ.get("FERRY_MAP_BENCH")
            if inproc:
                subprocess.run([inproc, "hash:" + os.path.join(hash_dir, "users"),
                                os.path.join(hash_dir, "users")], check=True)
        for kind in ("regexp", "pcre"):
            if which in (kind, "all"):
                bench_regexp(kind, ferry_dir, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
