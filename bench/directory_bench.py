#!/usr/bin/env python3
"""directory_bench.py - mysql: and ldap: lookups, Ferry beside Postfix.

Starts a throwaway MariaDB server and a throwaway slapd on loopback (the
test fixtures' own helpers; no system service), adds 5,000 users to each,
writes one .cf file per type, and then, on the same files and the same
10,000 keys (about half of them found):

  - serial: each program's `postmap -q -` reads every key from stdin, one
    lookup after the other; answers must be identical;
  - concurrent (Ferry only, Postfix has no such path): bench's
    async_lookup_bench asks the same keys through the core's worker pool
    with 64 lookups in flight.

Usage: directory_bench.py FERRY_BIN_DIR ASYNC_BENCH [mysql|ldap|all]
"""
import os
import random
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "mysql"))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration", "ldap"))
from mariadb_server import MariaDB  # noqa: E402
from slapd_fixture import BASE, Slapd  # noqa: E402

N_USERS = 5000
N_QUERIES = 10_000
RUNS = 3
WORKERS, IN_FLIGHT = 8, 64


def user(i):
    return f"user{i}@bench.example"


def keys():
    rnd = random.Random(4)
    # Half found, half not (a real directory answers "no such user" often).
    return [user(rnd.randrange(N_USERS)) if rnd.random() < 0.5
            else f"nobody{rnd.randrange(10**6)}@bench.example" for _ in range(N_QUERIES)]


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.utime(path, (0, 0))  # Postfix waits for files younger than a second
    return path


def best_serial(postmap, confdir, table, stdin):
    best, out = None, None
    for _ in range(RUNS):
        t0 = time.perf_counter()
        p = subprocess.run([postmap, "-c", confdir, "-q", "-", table], input=stdin,
                           capture_output=True, timeout=600)
        t = time.perf_counter() - t0
        if p.returncode not in (0, 1) or b"fatal" in p.stderr:
            sys.exit(f"bench: {postmap} -q - {table} failed ({p.returncode}): "
                     f"{p.stderr.decode(errors='replace')[:300]}")
        best = t if best is None else min(best, t)
        out = p.stdout
    return best, out


def concurrent(async_bench, table, keyfile):
    best = None
    for _ in range(RUNS):
        p = subprocess.run([async_bench, table, keyfile, str(WORKERS), str(IN_FLIGHT)],
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            sys.exit(f"bench: async_lookup_bench failed: {p.stdout}{p.stderr}")
        line = [l for l in p.stdout.splitlines() if l.startswith(f"{IN_FLIGHT}/")][0]
        rate = float(line.split("=")[1].split()[0])
        best = rate if best is None else max(best, rate)
    return best, line


def compare(kind, ferry_bin, async_bench, root, table, key_list):
    stdin = "".join(k + "\n" for k in key_list).encode()
    keyfile = write(os.path.join(root, f"{kind}.keys"), "".join(k + "\n" for k in key_list))
    confdir = os.path.join(root, "conf")
    os.makedirs(confdir, exist_ok=True)
    write(os.path.join(confdir, "main.cf"), "")
    pf_t, pf_out = best_serial("/usr/sbin/postmap", confdir, table, stdin)
    fy_t, fy_out = best_serial(os.path.join(ferry_bin, "postmap"), confdir, table, stdin)
    if pf_out != fy_out:
        a, b = pf_out.splitlines(), fy_out.splitlines()
        sys.exit(f"bench: {kind} answers differ: {[x for x in zip(a, b) if x[0] != x[1]][:5]}"
                 f" ({len(a)} vs {len(b)} lines)")
    found = pf_out.count(b"\n")
    conc_rate, conc_line = concurrent(async_bench, table, keyfile)
    pf_rate, fy_rate = N_QUERIES / pf_t, N_QUERIES / fy_t
    print(f"{kind}: {N_USERS:,} users, {N_QUERIES:,} queries ({found:,} found; answers identical)")
    print(f"  postfix  serial      {pf_rate:10,.0f} lookups/s   (postmap -q -)")
    print(f"  ferry    serial      {fy_rate:10,.0f} lookups/s   ({fy_rate / pf_rate:.1f}x postfix;"
          " target >= 1x)")
    print(f"  ferry    concurrent  {conc_rate:10,.0f} lookups/s   ({conc_rate / pf_rate:.1f}x postfix"
          f" serial; target >= 4x; {IN_FLIGHT} in flight on {WORKERS} workers)")


def bench_mysql(ferry_bin, async_bench, root):
    with MariaDB(os.path.join(root, "mysql")) as db:
        rows = ",\n".join(f"('{user(i)}', 'bench/{i}/', 1)" for i in range(N_USERS))
        db.sql(f"INSERT INTO users VALUES {rows};", db="ferry_test")
        cf = write(os.path.join(root, "mysql-users.cf"),
                   f"hosts = inet:127.0.0.1:{db.port}\nuser = postfix\npassword = Pf-secret\n"
                   "dbname = ferry_test\n"
                   "query = SELECT maildir FROM users WHERE address='%s' AND active=1\n")
        compare("mysql", ferry_bin, async_bench, root, "mysql:" + cf, keys())


def bench_ldap(ferry_bin, async_bench, root):
    with Slapd("bench") as ldap:
        ldif = [f"dn: ou=bench,{BASE}\nobjectClass: organizationalUnit\nou: bench"]
        for i in range(N_USERS):
            ldif.append(f"dn: uid=u{i},ou=bench,{BASE}\nobjectClass: inetOrgPerson\n"
                        f"objectClass: ferryMailObject\nuid: u{i}\ncn: u{i}\nsn: u{i}\n"
                        f"mailacceptinggeneralid: {user(i)}\nmaildrop: u{i}@store.example")
        p = subprocess.run(["ldapadd", "-x", "-H", ldap.url, "-D", f"cn=admin,{BASE}",
                            "-w", "admin-secret"], input="\n\n".join(ldif) + "\n",
                           capture_output=True, text=True, timeout=600)
        if p.returncode != 0:
            sys.exit("bench: ldapadd failed: " + p.stderr[:300])
        cf = write(os.path.join(root, "ldap-users.cf"),
                   f"server_host = {ldap.url}\nsearch_base = ou=bench,{BASE}\n"
                   "query_filter = (mailacceptinggeneralid=%s)\n"
                   "result_attribute = maildrop\nversion = 3\nbind = no\n")
        compare("ldap", ferry_bin, async_bench, root, "ldap:" + cf, keys())


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: directory_bench.py FERRY_BIN_DIR ASYNC_BENCH [mysql|ldap|all]")
    ferry_bin, async_bench = sys.argv[1], sys.argv[2]
    which = sys.argv[3] if len(sys.argv) > 3 else "all"
    with tempfile.TemporaryDirectory(prefix="ferry-dirbench-") as root:
        if which in ("mysql", "all"):
            bench_mysql(ferry_bin, async_bench, root)
        if which in ("ldap", "all"):
            bench_ldap(ferry_bin, async_bench, root)


if __name__ == "__main__":
    main()
