#!/usr/bin/env python3
"""Differential test: Postfix's postmap -q (postfix-ldap) and Ferry's on the
same ldap_table(5) files, the same keys and the same throwaway slapd.

Every answer is compared: the value when found, "not found", and a failure
(Postfix: a fatal "query error", exit 1; Ferry: a temporary failure, exit
75) counts as the same answer.

usage: ldap_diff_test.py
"""
import concurrent.futures
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ldap_helpers import ConfDir, Tally, ferry, postfix  # noqa: E402
from slapd_fixture import BASE, BIND_DN, BIND_PW, Slapd  # noqa: E402

T = Tally("ldap_diff")

KEYS = [
    "alice@example.com", "ALICE@Example.COM", "bob@example.com", "carol@example.com",
    "dup@example.com", "nobody@example.com", "staff@example.com", "all@example.com",
    "loop@example.com", "dangling@example.com", "redirected@example.com",
    "via-redirect@example.com", "secret@example.com", "dave@example.com",
    "st*r@example.com", "*", "*@example.com", "(paren)@example.com",
    "back\\slash@example.com", "comma,user@example.com", "plus+user@example.com",
    "semi;user@example.com", "space user@example.com", "jörg@example.com",
    "JÖRG@example.com", "alice", "alice@other.org", "alice@com", "@example.com",
    "alice@", "x,ou=people@example.com", "alice@example.com)(uid=*", "#alice@example.com",
    "st\\2ar@example.com", "100%@example.com",
]


def configs(s):
    b = f"server_host = {s.url}\nsearch_base = {BASE}\n"
    people = f"server_host = {s.url}\nsearch_base = ou=people,{BASE}\n"
    dyn = (f"server_host = {s.url}\nscope = base\nsearch_base = uid=%u,ou=people,{BASE}\n"
           "query_filter = (objectClass=*)\n")
    special = b + "special_result_attribute = member\n"
    aliases = f"server_host = {s.url}\nsearch_base = ou=aliases,{BASE}\nquery_filter = (uid=%u)\n"
    ref = f"server_host = {s.url}\nsearch_base = ou=ref,{BASE}\nquery_filter = (uid=%u)\n"
    return {
        "default": b,
        "v2": people + "version = 2\n",
        "ldapi": f"server_host = {s.ldapi_url}\nsearch_base = {BASE}\n",
        "ldaps": f"server_host = {s.ldaps_url}\nsearch_base = {BASE}\n"
                 f"tls_ca_cert_file = {s.ca_file}\ntls_require_cert = yes\n",
        "starttls": b + f"start_tls = yes\ntls_ca_cert_file = {s.ca_file}\n"
                        "tls_require_cert = yes\n",
        "scope-one": b + "scope = one\n",
        "scope-one-people": people + "scope = one\n",
        "dynamic-base": dyn,
        "filter-u": b + "query_filter = (&(objectClass=inetOrgPerson)(uid=%u))\n",
        "filter-d": b + "query_filter = (mail=%u.smith@%d)\n",
        "filter-12": b + "query_filter = (mail=%u.smith@%2.%1)\n",
        "filter-or": b + "query_filter = (|(mailacceptinggeneralid=%s)(uid=%u))\n",
        "attr-mail": b + "result_attribute = mail\n",
        "attr-two": b + "result_attribute = maildrop, mail\n",
        "format-d": b + "result_format = smtp:[%d]\n",
        "format-u": b + "result_format = %u+%U@%D\n",
        "format-s": b + "result_format = <%s> for %S\n",
        "domain": b + "domain = example.com\n",
        "size-1": b + "size_limit = 1\n",
        "size-2": b + "size_limit = 2\n",
        "expansion-1": b + "expansion_limit = 1\n",
        "expansion-3": special + "expansion_limit = 3\n",
        "deref-0": aliases,
        "deref-3": aliases + "dereference = 3\n",
        "referral-no": ref,
        "referral-yes": ref + "chase_referrals = yes\n",
        "special": special,
        "recursion-2": special + "recursion_limit = 2\n",
        "recursion-3": special + "recursion_limit = 3\n",
        "terminal": special + "terminal_result_attribute = ferryForward\n",
        "leaf": special + "leaf_result_attribute = mail\n",
        "terminal-leaf": special + "terminal_result_attribute = ferryForward\n"
                                  "leaf_result_attribute = mail\n",
        "bind": b + f"bind_dn = {BIND_DN}\nbind_pw = {BIND_PW}\n",
        "bind-no": b + "bind = no\n",
        "bind-bad": b + f"bind_dn = {BIND_DN}\nbind_pw = wrong\n",
        "bad-filter": b + "query_filter = (uid=%u\n",
        "missing-base": f"server_host = {s.url}\nsearch_base = ou=gone,{BASE}\n",
    }


def answer(result):
    rc, out, err = result
    if rc == 0:
        return ("found", out.rstrip("\n"))
    if rc == 1 and out == "" and "fatal" not in err and "error" not in err:
        return ("notfound",)
    return ("failure",)


def main():
    root = tempfile.mkdtemp(prefix="ferry-ldap-diff-")
    compared = 0
    try:
        with Slapd() as s:
            cd = ConfDir(root)
            jobs = [(name, cd.cf(name, text), key)
                    for name, text in configs(s).items() for key in KEYS]

            def both(job):
                _, table, key = job
                return answer(postfix(cd, table, key)), answer(ferry(cd, table, key))

            # Postfix sleeps a second before a fatal exit: run lookups side
            # by side so the failing cases do not add up.
            with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
                for (name, _, key), (p, f) in zip(jobs, pool.map(both, jobs)):
                    compared += 1
                    T.check(p == f, f"{name} [{key}]", f"postfix {p}, ferry {f}")
            # Parameters from main.cf: "ldap:name" reads name_server_host ...
            mc = ConfDir(root)
            main_cf = os.path.join(mc.dir, "main.cf")
            with open(main_cf, "w") as fh:
                fh.write(f"ldapusers_server_host = {s.url}\n"
                         f"ldapusers_search_base = ou=people,{BASE}\n"
                         "ldapusers_result_format = <%s>\n")
            os.utime(main_cf, (0, 0))
            for key in ["alice@example.com", "bob@example.com", "nobody@example.com"]:
                p = answer(postfix(mc, "ldap:ldapusers", key))
                f = answer(ferry(mc, "ldap:ldapusers", key))
                compared += 1
                T.check(p == f, f"main.cf parameters [{key}]", f"postfix {p}, ferry {f}")
            T.check(answer(ferry(mc, "ldap:ldapusers", "alice@example.com"))[0] == "found",
                    "main.cf parameters: alice found")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"ldap_diff: {compared} answers compared", flush=True)
    T.finish()


if __name__ == "__main__":
    main()
