#!/usr/bin/env python3
"""Differential test: Ferry's postmap/postalias against Postfix's.

Each case runs the same command line, in twin private configuration
directories holding the same source files, through Postfix's binary and
through Ferry's (by its Postfix name, a symlink to ferry), and compares exit
status, stdout and the set of stderr lines.  Tables built by one are then
listed by the other, so the .db files must be byte-compatible both ways.
"""
import os
import shutil
import subprocess
import sys
import tempfile

FERRY_BIN = os.environ["FERRY_TEST_BIN"]
POSTFIX_SBIN = "/usr/sbin"

failures = []
passed = 0

SOURCES = {
    "plain": "Foo  bar baz  \n# comment\n  cont\nnovalue\nkey: v\nFoo other\n\n"
             "UPPER Val\ncrlf v\r\nutf8.k\u00e9y  caf\u00e9\n  orphan x\nempty\n"
             "spaces   a   b   \nlast nonl",
    "dups": "a 1\nb 2\nA 3\nc 4\nb 5\n",
    "small": "a 1\nb 2\n",
    "aliases": "# comment\npostmaster: root\nRoot:  joe,\n   jane ,  bob\n"
               "\"quoted name\": x\n\"My List\":  :include:/etc/lists/my\nbad line\n"
               ": empty\nnocolon value\njoe:\nowner-x: \"|/usr/bin/prog arg\"\n"
               "foo : bar\nu@d: v\n(c)w: v\nm:: n\nlist: a <b@c> (d), \"q\"x,,\n"
               "x\\ y: a\\,b\n",
}


def setup_dir(root, name):
    d = os.path.join(root, name)
    os.makedirs(d)
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write("")
    # Postfix's commands pause when main.cf is less than a second old.
    os.utime(os.path.join(d, "main.cf"), (0, 0))
    for fname, text in SOURCES.items():
        # One copy per table type: hash and btree tables both live in NAME.db.
        for suffix in ("", ".bt"):
            with open(os.path.join(d, fname + suffix), "w", encoding="utf-8", newline="") as f:
                f.write(text)
    return d


def run(binary, args, cwd, stdin=None):
    p = subprocess.run([binary] + args, cwd=cwd, input=stdin, capture_output=True,
                       text=True, timeout=60)
    # Berkeley DB's own diagnostic ("BDB0641 ...") is printed bare by
    # Postfix and as a "warning:" line by Ferry; the fatal line that follows
    # it is compared.
    err = sorted(l for l in p.stderr.splitlines() if l.strip() and "BDB" not in l)
    return p.returncode, p.stdout, err


def normalise(result, mode):
    rc, out, err = result
    if mode == "sorted":
        out = "\n".join(sorted(out.splitlines()))
    # Ferry exits 75 for a temporary table failure where Postfix exits 1
    # (documented difference); compare as 1.
    return (1 if rc == 75 else rc), out, err


def case(name, cmd, args, pf_dir, fy_dir, stdin=None, out_mode="exact", check_err=True):
    global passed
    pf = normalise(run(os.path.join(POSTFIX_SBIN, cmd), ["-c", pf_dir] + args, pf_dir, stdin),
                   out_mode)
    fy = normalise(run(os.path.join(FERRY_BIN, cmd), ["-c", fy_dir] + args, fy_dir, stdin),
                   out_mode)
    if not check_err:
        pf, fy = pf[:2], fy[:2]
    if pf == fy:
        passed += 1
    else:
        failures.append(f"{name}: {cmd} {' '.join(args)}\n  postfix: {pf!r}\n  ferry:   {fy!r}")


def cross_list(name, cmd, table, pf_dir, fy_dir, extra=()):
    """Each side lists the table the other side built."""
    global passed
    typ, _, fname = table.rpartition(":")
    at = lambda d: f"{typ}:{os.path.join(d, fname)}"
    sep_filter = lambda out: sorted(l for l in out.splitlines() if not l.startswith("YP_"))
    a = run(os.path.join(POSTFIX_SBIN, cmd), ["-c", pf_dir, *extra, "-s", at(fy_dir)], pf_dir)
    b = run(os.path.join(FERRY_BIN, cmd), ["-c", fy_dir, *extra, "-s", at(pf_dir)], fy_dir)
    own_pf = run(os.path.join(POSTFIX_SBIN, cmd), ["-c", pf_dir, *extra, "-s", at(pf_dir)], pf_dir)
    if sep_filter(a[1]) == sep_filter(own_pf[1]) == sep_filter(b[1]) and a[0] == b[0] == 0:
        passed += 1
    else:
        failures.append(f"{name}: cross-listing {table} differs\n  postfix-own: {own_pf!r}\n"
                        f"  postfix-reads-ferry: {a!r}\n  ferry-reads-postfix: {b!r}")


def main():
    root = tempfile.mkdtemp(prefix="ferry-tables-")
    try:
        for flags in ([], ["-N"], ["-n"], ["-f"], ["-r"], ["-w"]):
            label = "".join(flags) or "default"
            pf = setup_dir(root, "pf" + label)
            fy = setup_dir(root, "fy" + label)
            for t in ("plain", "dups", "small"):
                for typ, src in (("hash", t), ("btree", t + ".bt")):
                    case(f"build {typ} {t} {label}", "postmap", flags + [f"{typ}:{src}"], pf, fy)
                    cross_list(f"{typ} {t} {label}", "postmap", f"{typ}:{src}", pf, fy, flags)
                    keys = "foo\nFOO\nupper\nUpper\nutf8.k\u00e9y\nnokey\ncrlf\nspaces\n\na\nA\nb\nlast\n"
                    case(f"query - {typ} {t} {label}", "postmap", flags + ["-q", "-", f"{typ}:{src}"], pf, fy, stdin=keys)
                    case(f"query one {typ} {t} {label}", "postmap", flags + ["-q", "Foo", f"{typ}:{src}"], pf, fy)
            case(f"multi-table query {label}", "postmap", flags + ["-q", "-", "hash:small", "hash:dups"], pf, fy, stdin="a\nb\nc\nzz\n")
            case(f"multi-table single {label}", "postmap", flags + ["-q", "c", "hash:small", "hash:dups"], pf, fy)
            case(f"incremental {label}", "postmap", flags + ["-i", "hash:small"], pf, fy, stdin="c 3\nA 9\nd\n")
            cross_list(f"after -i {label}", "postmap", "hash:small", pf, fy, flags)
            case(f"delete one {label}", "postmap", flags + ["-d", "b", "hash:small"], pf, fy)
            case(f"delete absent {label}", "postmap", flags + ["-d", "zz", "hash:small"], pf, fy)
            case(f"delete - {label}", "postmap", flags + ["-d", "-", "hash:dups"], pf, fy, stdin="a\nzz\n")
            cross_list(f"after -d {label}", "postmap", "hash:dups", pf, fy, flags)
            # aliases
            case(f"postalias build {label}", "postalias", flags + ["aliases"], pf, fy)
            cross_list(f"aliases {label}", "postalias", "hash:aliases", pf, fy, flags)
            case(f"postalias query {label}", "postalias", flags + ["-q", "-", "aliases"], pf, fy,
                 stdin="root\nmy list\nquoted name\nx y\nlist\nnone\n@\n")
            case(f"postalias -i {label}", "postalias", flags + ["-i", "aliases"], pf, fy, stdin="new: x\nRoot: other\n")
            cross_list(f"aliases after -i {label}", "postalias", "hash:aliases", pf, fy, flags)

        pf = setup_dir(root, "pferr")
        fy = setup_dir(root, "fyerr")
        case("missing source", "postmap", ["hash:nosuchfile"], pf, fy)
        case("missing table", "postmap", ["-q", "x", "hash:nosuchtable"], pf, fy)
        case("unknown type", "postmap", ["-q", "x", "nosuchtype:x"], pf, fy)
        case("unknown type build", "postmap", ["nosuchtype:x"], pf, fy)
        case("two modes", "postmap", ["-q", "a", "-s", "hash:small"], pf, fy)
        case("bad option", "postmap", ["-x", "hash:small"], pf, fy)
        case("no table", "postmap", [], pf, fy)
        case("inline query", "postmap", ["-q", "a", "inline:{a=b}"], pf, fy)
        case("static sequence", "postmap", ["-s", "static:x"], pf, fy)
        case("fail query", "postmap", ["-q", "a", "fail:x"], pf, fy)
        case("regexp build refused", "postmap", ["regexp:small"], pf, fy)
        case("texthash build refused", "postmap", ["texthash:small"], pf, fy)
        case("texthash query", "postmap", ["-q", "-", "texthash:plain"], pf, fy, stdin="foo\nupper\nnone\n")
        with open(os.path.join(pf, "corrupt.db"), "w") as f:
            f.write("not a database\n")
        shutil.copy(os.path.join(pf, "corrupt.db"), os.path.join(fy, "corrupt.db"))
        # Berkeley DB's own diagnostic line differs in wording; exit and stdout must not.
        case("corrupt db", "postmap", ["-q", "x", "hash:corrupt"], pf, fy, check_err=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    for f in failures:
        print("FAIL " + f)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
