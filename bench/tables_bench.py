#!/usr/bin/env python3
"""Side-by-side table lookup benchmark: Ferry's postmap -q - against Postfix's.

Builds the same tables with each program's own postmap, feeds the same
keys to `postmap -q -`, checks that the answers are identical, and prints
lookups per second for both (best of N runs, wall clock including process
start).  Usage: tables_bench.py FERRY_BIN_DIR [hash|regexp|pcre|all]
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


def report(title, n_queries, pf, fy, target):
    pf_rate, fy_rate = n_queries / pf, n_queries / fy
    print(f"{title}")
    print(f"  postfix  {pf:8.4f} s  {pf_rate:12,.0f} lookups/s")
    print(f"  ferry    {fy:8.4f} s  {fy_rate:12,.0f} lookups/s   ({fy_rate / pf_rate:.1f}x postfix; target {target})")


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
        times[who], outs[who] = best_time([os.path.join(sbin, "postmap"), "-c", d, "-q", "-", "hash:users"], q_text, d)
    if outs["postfix"] != outs["ferry"]:
        sys.exit("bench: hash answers differ between Postfix and Ferry")
    report(f"hash: {n_entries:,} entries, {n_queries:,} queries via postmap -q - (answers identical)",
           n_queries, times["postfix"], times["ferry"], ">= 1x")
    return os.path.join(root, "hash-ferry")


def regexp_table(kind, n):
    rules = []
    for i in range(n):
        w = words(2)
        if kind == "pcre" and i % 7 == 0:
            rules.append(f"/^{w[0]}(\\d+)@{w[1]}\\.(?:com|net)$/i  REJECT rule {i} $1")
        elif i % 5 == 0:
            rules.append(f"/^([^@]+)@{w[0]}\\.{w[1]}$/  OK rule {i} $1")
        elif i % 3 == 0:
            rules.append(f"/{w[0]}[0-9]+{w[1]}/  DISCARD rule {i}")
        else:
            rules.append(f"/^{w[0]}.*{w[1]}$/  HOLD rule {i}")
    rules.append("/[/|]/  REJECT pipe or slash")
    return "\n".join(rules) + "\n", rules


def bench_regexp(kind, ferry_dir, root):
    n_rules, n_queries = 1000, 10_000
    table, _ = regexp_table(kind, n_rules)
    ws = words(3000)
    queries = []
    for i in range(n_queries):
        r = random.random()
        if r < 0.5:
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
        times[who], outs[who] = best_time([os.path.join(sbin, "postmap"), "-c", d, "-q", "-", f"{kind}:rules"], q_text, d)
    if outs["postfix"] != outs["ferry"]:
        a, b = outs["postfix"].splitlines(), outs["ferry"].splitlines()
        diff = [x for x in zip(a, b) if x[0] != x[1]][:5]
        sys.exit(f"bench: {kind} answers differ between Postfix and Ferry: {diff}")
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
