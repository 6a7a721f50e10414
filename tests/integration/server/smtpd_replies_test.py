#!/usr/bin/env python3
"""smtpd_replies_test.py - replies of Ferry's SMTP server that the unit
tests check on the session alone, here against a running Ferry on
loopback: smtpd_timeout, smtpd_recipient_limit, the soft and hard error
limits, VRFY (disable_vrfy_command), ETRN, CHUNKING/BDAT,
header_size_limit, and the Message-Id:/Date:/From: headers that
local_header_rewrite_clients and always_add_missing_headers add.  Every
expected reply, header and log line was compared with what Postfix 3.7
sends and writes in the same session."""
import os
import re
import select
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer, queued_id, wait_log  # noqa: E402
from queue_file import parse  # noqa: E402
from smtp_client import RawClient  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("smtpd_replies")
LOCAL = {"local_recipient_maps": "inline:{alice=yes, bob=yes}"}
EHLO = ("250-mx.ferry.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n"
        "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n")
NEED_MAIL = "503 5.5.1 Error: need MAIL command\r\n"
TOO_MANY_ERRORS = "421 4.7.0 mx.ferry.test Error: too many errors\r\n"


def queue_file(srv, qid):
    """The parsed queue file in incoming/ (no qmgr runs here), or None."""
    path = os.path.join(srv.queue, "incoming", qid or "none")
    return parse(path) if os.path.exists(path) else None


def send_message(c, body, sender="a@example.org", rcpts=("alice@mx.ferry.test",)):
    """MAIL, RCPT, DATA and `body` (CRLF lines, without the final dot);
    returns the reply to the end of data."""
    c.cmd(f"MAIL FROM:<{sender}>")
    for r in rcpts:
        c.cmd(f"RCPT TO:<{r}>")
    c.cmd("DATA")
    c.send(body + ".\r\n")
    return c.reply()


def unasked(c, wait=5):
    """A reply the client did not ask for (after a timeout or the last
    allowed error); a missing one is a failed check, not a hang."""
    c.sock.settimeout(wait)
    try:
        return c.reply()
    except OSError as e:
        return f"no reply: {e}"


def hung_up(c, wait=5):
    """Whether the server closes the connection within `wait` seconds with
    nothing more to say (RawClient.closed() also says yes on a timeout)."""
    if c.buf:
        return False
    c.sock.settimeout(wait)
    try:
        return c.sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except OSError:
        return False


def no_problems(srv):
    srv.stop()
    T.eq(srv.problems(), [], "no Ferry process died, failed or reported a sanitizer error")


def readable(client):
    """Whether the server has sent anything not yet read."""
    return bool(client.buf) or bool(select.select([client.sock], [], [], 0)[0])


def timeout():
    """smtpd_timeout = 2s: an idle client is told so and disconnected, as
    in Postfix; a client that keeps talking is not, however long the
    session lasts."""
    with FerryServer("replies-timeout", main_cf=dict(LOCAL, smtpd_timeout="2s")) as srv:
        start = time.monotonic()
        idle = RawClient(srv.port)
        after_ehlo = RawClient(srv.port)
        after_ehlo.cmd("EHLO client.example")
        busy = RawClient(srv.port)
        busy.cmd("EHLO busy.example")
        # For 3.5 s the busy client sends NOOP once a second, and the idle
        # ones are watched for the moment their reply comes.
        noops, answered = [], None
        while time.monotonic() - start < 3.5:
            time.sleep(0.05)
            if answered is None and readable(idle):
                answered = time.monotonic() - start
            if time.monotonic() - start >= len(noops) + 1:
                try:
                    noops.append(busy.cmd("NOOP"))
                except OSError as e:
                    noops.append(str(e))
        T.check(answered is not None and 1.8 <= answered <= 3.5,
                "the idle client is answered when smtpd_timeout (2 s) has passed", answered)
        T.eq(noops, ["250 2.0.0 Ok\r\n"] * 3, "a client sending a command every second outlasts smtpd_timeout")
        T.eq(busy.cmd("QUIT"), "221 2.0.0 Bye\r\n", "and ends its session normally")
        T.eq(unasked(idle), "421 4.4.2 mx.ferry.test Error: timeout exceeded\r\n",
             "idle after the greeting: Postfix's timeout reply")
        T.check(hung_up(idle), "and the connection is closed")
        T.eq(unasked(after_ehlo), "421 4.4.2 mx.ferry.test Error: timeout exceeded\r\n",
             "idle after EHLO: the same reply")
        T.check(hung_up(after_ehlo), "and the connection is closed")
        T.check(wait_log(srv, "disconnect from localhost[127.0.0.1] ehlo=1 commands=1\n"),
                "the timed-out session's disconnect line counts its EHLO", srv.log()[-600:])
        T.check(wait_log(srv, "disconnect from localhost[127.0.0.1] ehlo=1 noop=3 quit=1 commands=5\n"),
                "the busy session's disconnect line", srv.log()[-600:])
        T.check("timeout after CONNECT from localhost[127.0.0.1]\n" in srv.log() and
                "timeout after EHLO from localhost[127.0.0.1]\n" in srv.log(),
                "each timeout is logged after the last command, as Postfix logs it", srv.log()[-800:])
        no_problems(srv)


def recipient_limit():
    """smtpd_recipient_limit = 2: the third RCPT gets 452 4.5.3 (before the
    recipient is even looked up), the message goes to the first two, and
    the next message may have two again."""
    with FerryServer("replies-rcpt", main_cf=dict(LOCAL, smtpd_recipient_limit="2")) as srv:
        c = RawClient(srv.port)
        c.cmd("EHLO client.example")
        c.cmd("MAIL FROM:<a@example.org>")
        T.eq(c.cmd("RCPT TO:<alice@mx.ferry.test>"), "250 2.1.5 Ok\r\n", "first recipient within the limit")
        T.eq(c.cmd("RCPT TO:<bob@mx.ferry.test>"), "250 2.1.5 Ok\r\n", "second recipient within the limit")
        T.eq(c.cmd("RCPT TO:<carol@mx.ferry.test>"), "452 4.5.3 Error: too many recipients\r\n",
             "third recipient (an unknown user): too many recipients, not user unknown")
        T.eq(c.cmd("RCPT TO:<alice@mx.ferry.test>"), "452 4.5.3 Error: too many recipients\r\n",
             "a known user over the limit: too many recipients")
        T.eq(c.cmd("DATA"), "354 End data with <CR><LF>.<CR><LF>\r\n", "DATA with the two accepted recipients")
        c.send("Subject: two\r\n\r\nbody\r\n.\r\n")
        r = c.reply()
        qid = queued_id(r)
        T.check(r.startswith("250 2.0.0 Ok: queued as ") and qid, "the message is queued", r)
        q = queue_file(srv, qid)
        T.check(q is not None, "its queue file exists", qid)
        if q:
            T.eq([x["address"] for x in q["recipients"]], ["alice@mx.ferry.test", "bob@mx.ferry.test"],
                 "the queue file has the two accepted recipients only")
        c.cmd("MAIL FROM:<a@example.org>")
        T.eq([c.cmd("RCPT TO:<alice@mx.ferry.test>"), c.cmd("RCPT TO:<bob@mx.ferry.test>")],
             ["250 2.1.5 Ok\r\n"] * 2, "the limit is per message: the next one takes two recipients again")
        c.close()
        T.check(wait_log(srv, "lost connection after RCPT from localhost[127.0.0.1]\n"),
                "a client gone without QUIT: lost connection after its last command", srv.log()[-600:])
        T.check("rcpt=6 data=1" in srv.log(),
                "recipients over the limit are not counted as failed (Postfix's overshoot limit)", srv.log()[-600:])
        no_problems(srv)

    # smtpd_recipient_overshoot_limit (default 1000): up to it, "too many
    # recipients" is not an error for smtpd_hard_error_limit either.
    params = dict(LOCAL, smtpd_recipient_limit="1", smtpd_hard_error_limit="2")
    with FerryServer("replies-overshoot", main_cf=params) as srv:
        c = RawClient(srv.port)
        c.cmd("EHLO client.example")
        c.cmd("MAIL FROM:<a@example.org>")
        T.eq([c.cmd("RCPT TO:<alice@mx.ferry.test>") for _ in range(4)],
             ["250 2.1.5 Ok\r\n"] + ["452 4.5.3 Error: too many recipients\r\n"] * 3,
             "three recipients over the limit with a hard error limit of 2")
        T.eq(c.cmd("NOOP"), "250 2.0.0 Ok\r\n", "the session goes on: they were not errors")
        c.close()
        no_problems(srv)


def error_limits():
    """smtpd_hard_error_limit = 3: the third error without delivered mail
    is followed at once by 421 4.7.0 and the end of the session; a
    delivered message starts the count again.  (smtpd_error_sleep_time
    = 0 keeps the soft limit's delay out of the test.)"""
    params = dict(LOCAL, smtpd_soft_error_limit="1", smtpd_hard_error_limit="3", smtpd_error_sleep_time="0")
    with FerryServer("replies-errors", main_cf=params) as srv:
        c = RawClient(srv.port)
        c.cmd("EHLO client.example")
        T.eq([c.cmd("RCPT TO:<alice@mx.ferry.test>") for _ in range(2)], [NEED_MAIL] * 2, "two errors")
        T.eq(c.cmd("NOOP"), "250 2.0.0 Ok\r\n", "two errors are under the hard limit: the session goes on")
        r = send_message(c, "Subject: resets\r\n\r\nbody\r\n")
        T.check(r.startswith("250 2.0.0 Ok: queued as "), "a message is delivered", r)
        T.eq([c.cmd("RCPT TO:<alice@mx.ferry.test>") for _ in range(2)], [NEED_MAIL] * 2,
             "two more errors after the delivery")
        T.eq(c.cmd("NOOP"), "250 2.0.0 Ok\r\n", "the delivery reset the count: still under the limit")
        T.eq(c.cmd("RCPT TO:<alice@mx.ferry.test>"), NEED_MAIL, "the third error is answered")
        T.eq(unasked(c), TOO_MANY_ERRORS, "and followed, unasked, by Postfix's too-many-errors reply")
        T.check(hung_up(c), "and the connection is closed")
        T.check(wait_log(srv, "too many errors after RCPT from localhost[127.0.0.1]\n"),
                "the limit is logged as Postfix logs it", srv.log()[-600:])
        T.check(wait_log(srv, "disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1/6 data=1 noop=2 "
                              "commands=6/11\n"),
                "the disconnect line counts the failed commands", srv.log()[-600:])

        c = RawClient(srv.port)
        c.send("RCPT TO:<alice@mx.ferry.test>\r\n" * 4)
        T.eq([unasked(c) for _ in range(4)], [NEED_MAIL] * 3 + [TOO_MANY_ERRORS],
             "pipelined errors: the fourth command is not read, 421 comes in its place")
        T.check(hung_up(c), "and the connection is closed")
        T.check(wait_log(srv, "disconnect from localhost[127.0.0.1] rcpt=0/3 commands=0/3\n"),
                "the unread fourth command is not counted", srv.log()[-600:])
        no_problems(srv)


def vrfy():
    with FerryServer("replies-novrfy", main_cf=dict(LOCAL, disable_vrfy_command="yes")) as srv:
        c = RawClient(srv.port)
        T.eq(c.cmd("EHLO client.example"), EHLO.replace("250-VRFY\r\n", ""),
             "disable_vrfy_command = yes: EHLO does not offer VRFY")
        T.eq(c.cmd("VRFY alice@mx.ferry.test"), "502 5.5.1 VRFY command is disabled\r\n",
             "VRFY of a known user when disabled")
        T.eq(c.cmd("VRFY"), "502 5.5.1 VRFY command is disabled\r\n", "VRFY without an address when disabled")
        c.close()
        no_problems(srv)
    with FerryServer("replies-vrfy", main_cf=LOCAL) as srv:
        c = RawClient(srv.port)
        T.eq(c.cmd("EHLO client.example"), EHLO, "by default EHLO offers VRFY")
        T.eq(c.cmd("VRFY alice@mx.ferry.test"), "252 2.0.0 alice@mx.ferry.test\r\n",
             "VRFY of a known local user: 252 with the argument as given")
        T.eq(c.cmd("VRFY <alice@mx.ferry.test>"), "252 2.0.0 <alice@mx.ferry.test>\r\n",
             "VRFY <address>: the angle brackets are echoed too")
        T.eq(c.cmd("VRFY carol@mx.ferry.test"),
             "550 5.1.1 <carol@mx.ferry.test>: Recipient address rejected: User unknown in local recipient table\r\n",
             "VRFY of an unknown local user")
        T.check(wait_log(srv, "NOQUEUE: reject: VRFY from localhost[127.0.0.1]: 550 5.1.1 <carol@mx.ferry.test>: "
                              "Recipient address rejected: User unknown in local recipient table; "
                              "to=<carol@mx.ferry.test> proto=ESMTP helo=<client.example>\n"),
                "the VRFY reject is logged as Postfix logs it", srv.log()[-600:])
        T.eq(c.cmd("VRFY"), "501 5.5.4 Syntax: VRFY address [SMTPUTF8]\r\n", "VRFY without an address")
        c.close()
        no_problems(srv)


def etrn():
    """No fast flush service covers any domain: ETRN is refused with
    RFC 1985's 459, as Postfix refuses it when the domain is not in
    fast_flush_domains."""
    with FerryServer("replies-etrn", main_cf=LOCAL) as srv:
        c = RawClient(srv.port)
        T.eq(c.cmd("ETRN example.org"), "459 <example.org>: service unavailable\r\n",
             "ETRN before EHLO: smtpd_helo_required is no by default")
        c.close()
        with FerryServer("replies-etrn-helo", main_cf=dict(LOCAL, smtpd_helo_required="yes")) as strict:
            s = RawClient(strict.port)
            T.eq(s.cmd("ETRN example.org"), "503 Error: send HELO/EHLO first\r\n",
                 "ETRN before EHLO with smtpd_helo_required = yes")
            s.close()
        c = RawClient(srv.port)
        c.cmd("EHLO client.example")
        T.eq(c.cmd("ETRN"), "500 Syntax: ETRN domain\r\n", "ETRN without a domain")
        T.eq(c.cmd("ETRN example.org extra"), "500 Syntax: ETRN domain\r\n", "ETRN with two arguments")
        T.eq(c.cmd("ETRN example.org"), "459 <example.org>: service unavailable\r\n", "ETRN of a remote domain")
        T.eq(c.cmd("ETRN mx.ferry.test"), "459 <mx.ferry.test>: service unavailable\r\n", "ETRN of our own name")
        T.eq(c.cmd("ETRN @example.org"), "459 <example.org>: service unavailable\r\n",
             "ETRN @domain: the mark is dropped, as Postfix does")
        T.eq(c.cmd("ETRN bad!name"), "501 Error: invalid parameter syntax\r\n", "ETRN of a name that is none")
        c.cmd("MAIL FROM:<a@example.org>")
        T.eq(c.cmd("ETRN example.org"), "503 Error: MAIL transaction in progress\r\n",
             "ETRN inside a mail transaction")
        c.close()
        no_problems(srv)


def bdat():
    """CHUNKING: a message in two BDAT chunks is queued; BDAT without a
    transaction, after a failed chunk, without recipients and with a bad
    count gets Postfix's replies, and a refused chunk is skipped, never
    read as commands."""
    with FerryServer("replies-bdat", main_cf=LOCAL) as srv:
        c = RawClient(srv.port)

        def bdat_cmd(data):
            c.send(data)
            return c.reply()

        T.eq(c.cmd("EHLO client.example").splitlines()[-1], "250 CHUNKING", "EHLO offers CHUNKING last")
        T.eq(bdat_cmd("BDAT 4 LAST\r\nNOOP"), "503 5.5.1 Error: need RCPT command\r\n", "BDAT LAST without MAIL")
        T.eq(c.cmd("RSET"), "250 2.0.0 Ok\r\n", "the refused chunk was skipped: the next reply is RSET's")
        T.eq(bdat_cmd("BDAT 3\r\nabc"), "503 5.5.1 Error: need RCPT command\r\n", "BDAT without MAIL")
        T.eq(c.cmd("MAIL FROM:<a@example.org>"), "503 5.5.1 Error: MAIL after BDAT\r\n",
             "MAIL while a failed chunked transfer goes on")
        T.eq(bdat_cmd("BDAT 2 LAST\r\nxy"), "551 5.0.0 Discarded 2 bytes after earlier error\r\n",
             "the last chunk of a failed transfer is discarded")
        T.eq(c.cmd("MAIL FROM:<a@example.org>"), "250 2.1.0 Ok\r\n", "MAIL is accepted again after BDAT LAST")
        T.eq(bdat_cmd("BDAT 2 LAST\r\nxy"), "554 5.5.1 Error: no valid recipients\r\n", "BDAT without recipients")
        T.eq(c.cmd("RSET"), "250 2.0.0 Ok\r\n", "RSET")

        c.cmd("MAIL FROM:<a@example.org>")
        c.cmd("RCPT TO:<alice@mx.ferry.test>")
        first, last = "Subject: chunks\r\n\r\nfirst ", "second\r\n"
        T.eq(bdat_cmd(f"BDAT {len(first)}\r\n{first}"), "250 2.0.0 Ok: 25 bytes\r\n", "first chunk")
        r = bdat_cmd(f"BDAT {len(last)} LAST\r\n{last}")
        qid = queued_id(r)
        T.check(re.fullmatch(r"250 2\.0\.0 Ok: 33 bytes queued as \w+\r\n", r) is not None,
                "the last chunk: the total size and the queue id", r)
        q = queue_file(srv, qid)
        T.check(q is not None, "the queue file named by the reply exists", qid)
        if q:
            T.eq(q["sender"], "a@example.org", "queue file sender")
            T.eq([x["address"] for x in q["recipients"]], ["alice@mx.ferry.test"], "queue file recipients")
            content = q["content"].decode()
            T.check("\nSubject: chunks\n" in content and content.endswith("\n\nfirst second\n"),
                    "the two chunks are one message", content)
        T.eq(bdat_cmd("BDAT x\r\n"), "521 5.5.4 Syntax: BDAT count [LAST]\r\n",
             "a BDAT count that is not a number ends the session")
        T.check(hung_up(c), "and the connection is closed")
        no_problems(srv)


def header_size():
    """header_size_limit = 1000: a longer header is cut to 1000 bytes and
    the message is still accepted, without a warning, as Postfix 3.7
    does; a header of exactly 1000 bytes is kept whole."""
    with FerryServer("replies-header", main_cf=dict(LOCAL, header_size_limit="1000")) as srv:
        c = RawClient(srv.port)
        c.cmd("EHLO client.example")
        exact = "X-Exact: " + "e" * 991
        r = send_message(c, "Subject: long\r\n" + exact + "\r\nX-Long: " + "a" * 1500 +
                         "\r\nX-After: yes\r\n\r\nbody\r\n")
        qid = queued_id(r)
        T.check(r.startswith("250 2.0.0 Ok: queued as ") and qid, "a message with a 1508-byte header is accepted", r)
        q = queue_file(srv, qid)
        T.check(q is not None, "its queue file exists", qid)
        if q:
            lines = q["content"].decode().split("\n")
            T.check(exact in lines, "a 1000-byte header is kept whole", [len(x) for x in lines])
            T.check("X-Long: " + "a" * 992 in lines, "the 1508-byte header is cut to its first 1000 bytes",
                    [len(x) for x in lines])
            T.check("X-After: yes" in lines and lines[-2:] == ["body", ""],
                    "the headers after it and the body are intact", lines[-6:])
        c.close()
        T.check(wait_log(srv, f"{qid}: message-id="), "the message went through cleanup", srv.log()[-600:])
        T.eq([x for x in srv.log().splitlines() if " warning: " in x], [], "no warning is logged")
        no_problems(srv)


def added_headers():
    """Message-Id:, Date: and From: are added to a message without them
    from a client in local_header_rewrite_clients, or from any client with
    always_add_missing_headers = yes; otherwise the message is left as it
    is.  Headers the message has are never added twice."""
    bare = "Subject: bare\r\n\r\nbody\r\n"
    day = r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [ \d]\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
    cases = [("replies-rewrite", {"local_header_rewrite_clients": "permit_mynetworks"}, True,
              "a client in local_header_rewrite_clients (permit_mynetworks)"),
             ("replies-norewrite", {"local_header_rewrite_clients": ""}, False,
              "a client not in local_header_rewrite_clients"),
             ("replies-always", {"local_header_rewrite_clients": "", "always_add_missing_headers": "yes"}, True,
              "always_add_missing_headers = yes, a client not in local_header_rewrite_clients")]
    for name, params, adds, who in cases:
        with FerryServer(name, main_cf=dict(LOCAL, **params)) as srv:
            c = RawClient(srv.port)
            c.cmd("EHLO client.example")
            r = send_message(c, bare, sender="sender@example.org")
            qid = queued_id(r)
            T.check(r.startswith("250 2.0.0 Ok: queued as ") and qid, f"{who}: message queued", r)
            q = queue_file(srv, qid)
            content = q["content"].decode() if q else ""
            headers = content.split("\n\n", 1)[0].split("\n")
            # The Received: header (three lines, one recipient) comes first.
            if adds:
                want = [r"Subject: bare", rf"Message-Id: <\d{{14}}\.{qid}@mx\.ferry\.test>",
                        rf"Date: {day} \d\d:\d\d:\d\d [+-]\d{{4}} \(\w+\)", r"From: sender@example\.org"]
                T.check(len(headers) == 7 and all(re.fullmatch(w, h) for w, h in zip(want, headers[3:])),
                        f"{who}: Message-Id:, Date: and From: added in Postfix's form", headers)
                added = headers[4].split(" ", 1)[-1] if len(headers) > 4 else "none"
                T.check(wait_log(srv, f"{qid}: message-id={added}\n"), f"{who}: the added Message-Id is logged",
                        srv.log()[-400:])
            else:
                T.eq(headers[3:], ["Subject: bare"], f"{who}: no header added")
                T.check(wait_log(srv, f"{qid}: message-id=<>\n"), f"{who}: logged as message-id=<>",
                        srv.log()[-400:])
            T.check(content.endswith("\n\nbody\n"), f"{who}: body intact", content)
            if adds:
                own = ("Subject: own\r\nMessage-Id: <own@example.org>\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
                       "From: me@example.org\r\n\r\nbody\r\n")
                q = queue_file(srv, queued_id(send_message(c, own, sender="sender@example.org")))
                headers = q["content"].decode().split("\n\n", 1)[0].split("\n")[3:] if q else []
                T.eq(headers, ["Subject: own", "Message-Id: <own@example.org>", "Date: Mon, 1 Jan 2024 00:00:00 +0000",
                               "From: me@example.org"], f"{who}: headers the message has are not added again")
            c.close()
            no_problems(srv)


def main():
    timeout()
    recipient_limit()
    error_limits()
    vrfy()
    etrn()
    bdat()
    header_size()
    added_headers()
    T.finish()


if __name__ == "__main__":
    main()
