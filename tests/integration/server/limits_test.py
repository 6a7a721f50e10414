#!/usr/bin/env python3
"""limits_test.py - what Postfix's anvil enforces, with its replies and
log lines: smtpd_client_connection_count_limit,
smtpd_client_connection_rate_limit, smtpd_client_message_rate_limit,
smtpd_client_recipient_rate_limit; and clients in
smtpd_client_event_limit_exceptions ($mynetworks by default) are exempt."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer  # noqa: E402
from smtp_client import RawClient  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("limits")
OUTSIDE = {"mynetworks": "10.0.0.0/8", "local_recipient_maps": "inline:{alice=yes}"}
TOO_MANY = "421 4.7.0 mx.ferry.test Error: too many connections from 127.0.0.1\r\n"


def concurrency():
    with FerryServer("limits-count", main_cf=dict(OUTSIDE, smtpd_client_connection_count_limit="2")) as srv:
        a, b = RawClient(srv.port), RawClient(srv.port)
        T.check(a.greeting.startswith("220 ") and b.greeting.startswith("220 "), "two connections are served")
        c = RawClient(srv.port)
        T.eq(c.greeting, TOO_MANY, "the third concurrent connection is refused")
        T.check(c.closed(), "and closed")
        T.check("warning: Connection concurrency limit exceeded: 3 from localhost[127.0.0.1] for service 127.0.0.1:"
                in srv.log(), "the refusal is logged as Postfix does", srv.log()[-500:])
        T.check("disconnect from localhost[127.0.0.1] commands=0/0\n" in srv.log(),
                "and its disconnect line says commands=0/0, as Postfix's", srv.log()[-500:])
        a.cmd("QUIT")
        a.close()
        d = RawClient(srv.port)
        T.check(d.greeting.startswith("220 "), "a connection is served again once one has ended", d.greeting)
        b.close()
        d.close()


def rates():
    # FerryServer's readiness probe is the first connection of the window.
    params = dict(OUTSIDE, smtpd_client_connection_rate_limit="4", smtpd_client_message_rate_limit="2",
                  smtpd_client_recipient_rate_limit="3")
    with FerryServer("limits-rate", main_cf=params) as srv:
        c = RawClient(srv.port)
        c.cmd("HELO x")
        for i in range(2):
            T.eq(c.cmd("MAIL FROM:<a@example.org>"), "250 2.1.0 Ok\r\n", f"MAIL FROM {i + 1} within the message rate")
            c.cmd("RSET")
        T.eq(c.cmd("MAIL FROM:<a@example.org>"), "450 4.7.1 Error: too much mail from 127.0.0.1\r\n",
             "MAIL FROM over the message rate")
        T.check("warning: Message delivery request rate limit exceeded: 3 from localhost[127.0.0.1]" in srv.log(),
                "message rate logged", srv.log()[-500:])
        c.close()
        c = RawClient(srv.port)
        c.cmd("HELO x")
        c.send("RCPT TO:<alice@localhost>\r\n")  # no MAIL yet: not counted
        c.reply()
        c.close()
        third = RawClient(srv.port)
        T.check(third.greeting.startswith("220 "), "fourth connection in the window is served", third.greeting)
        fourth = RawClient(srv.port)
        T.eq(fourth.greeting, TOO_MANY, "fifth connection in the window is refused")
        T.check("warning: Connection rate limit exceeded: 5 from localhost[127.0.0.1]" in srv.log(),
                "connection rate logged", srv.log()[-500:])
        fourth.close()
        third.close()

    params = dict(OUTSIDE, smtpd_client_recipient_rate_limit="3")
    with FerryServer("limits-rcpt", main_cf=params) as srv:
        c = RawClient(srv.port)
        c.cmd("HELO x")
        c.cmd("MAIL FROM:<a@example.org>")
        for i in range(3):
            T.eq(c.cmd("RCPT TO:<alice@localhost>"), "250 2.1.5 Ok\r\n", f"RCPT {i + 1} within the recipient rate")
        T.eq(c.cmd("RCPT TO:<alice@localhost>"), "450 4.7.1 Error: too many recipients from 127.0.0.1\r\n",
             "RCPT over the recipient rate")
        c.close()


def exempt():
    params = {"local_recipient_maps": "inline:{alice=yes}", "smtpd_client_connection_count_limit": "1",
              "smtpd_client_message_rate_limit": "1"}
    with FerryServer("limits-exempt", main_cf=params) as srv:
        a, b = RawClient(srv.port), RawClient(srv.port)
        T.check(b.greeting.startswith("220 "), "a client in mynetworks is not limited by the count", b.greeting)
        b.cmd("HELO x")
        b.cmd("MAIL FROM:<a@example.org>")
        b.cmd("RSET")
        T.eq(b.cmd("MAIL FROM:<a@example.org>"), "250 2.1.0 Ok\r\n", "nor by the message rate")
        a.close()
        b.close()
        srv.stop()
        T.eq(srv.problems(), [], "no Ferry process died, failed or reported a sanitizer error")


def main():
    concurrency()
    rates()
    exempt()
    T.finish()


if __name__ == "__main__":
    main()
