#!/usr/bin/env python3
"""tls_test.py - STARTTLS with a certificate made by the test (openssl):
EHLO offers it, smtplib upgrades and queues a message with protocol ESMTPS
and Postfix's TLS lines in Received:, the handshake is logged; plaintext
injected after STARTTLS in the same packet is thrown away, never answered;
a broken handshake is logged and the server goes on; a certificate that
does not load means no STARTTLS, not a dead server.

smtpd_tls_security_level = encrypt (and the legacy smtpd_enforce_tls = yes):
MAIL, RCPT, VRFY, AUTH... before STARTTLS get "530 5.7.0 Must issue a
STARTTLS command first", after it mail is queued; without a certificate
STARTTLS gets "454 4.7.0 TLS not available due to local problem".

Pipelining: a client that talks before the greeting (or pipelines after
HELO/EHLO) is logged as Postfix's "improper command pipelining after ...
from host[addr]: input"; with smtpd_forbid_unauth_pipelining = yes it gets
"554 5.5.0 Error: SMTP protocol synchronization" and is disconnected."""
import re
import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from ferry_server import FerryServer  # noqa: E402
from queue_file import parse  # noqa: E402
from smtp_client import RawClient  # noqa: E402
from tally import Tally  # noqa: E402

T = Tally("tls")


def make_cert(d):
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=mx.ferry.test", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


def client_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def upgrade(c):
    """Wraps a RawClient's socket in TLS after its 220 reply."""
    c.sock = client_context().wrap_socket(c.sock, server_hostname="mx.ferry.test")
    c.buf = b""


MUST_STARTTLS = "530 5.7.0 Must issue a STARTTLS command first\r\n"
IMPROPER = re.compile(r"improper command pipelining after (CONNECT|EHLO) from localhost\[127\.0\.0\.1\]: "
                      r"(EHLO x\\r\\n)?MAIL FROM:<a@example\.org>\\r\\n")


def rude(port, data):
    """A client that writes `data` right after connecting, before the
    greeting; returns it unread."""
    c = RawClient.__new__(RawClient)
    c.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.buf = b""
    c.send(data)
    return c


def queue_over_tls(port, rcpt="alice@mx.ferry.test"):
    s = smtplib.SMTP("127.0.0.1", port, timeout=10)
    s.ehlo("tls.example")
    s.starttls(context=client_context())
    s.ehlo("tls.example")
    s.mail("t@example.org")
    s.rcpt(rcpt)
    code, _ = s.data(b"Subject: tls\r\n\r\nsecret\r\n")
    s.quit()
    return code


def encrypt_tests(params, certdir):
    enc = dict(params, smtpd_tls_security_level="encrypt", smtpd_forbid_unauth_pipelining="yes")
    with FerryServer("tls-encrypt", main_cf=enc) as srv:
        c = RawClient(srv.port)
        T.check("250-STARTTLS\r\n" in c.cmd("EHLO x"), "encrypt: EHLO offers STARTTLS")
        T.eq(c.cmd("MAIL FROM:<t@example.org>"), MUST_STARTTLS, "encrypt: MAIL before STARTTLS gets 530 5.7.0")
        T.eq(c.cmd("VRFY alice"), MUST_STARTTLS, "encrypt: VRFY before STARTTLS gets 530 5.7.0")
        T.eq(c.cmd("AUTH PLAIN AGEAYg=="), MUST_STARTTLS, "encrypt: AUTH before STARTTLS gets 530 5.7.0")
        T.eq(c.cmd("NOOP"), "250 2.0.0 Ok\r\n", "encrypt: NOOP works before STARTTLS")
        T.eq(c.cmd("STARTTLS"), "220 2.0.0 Ready to start TLS\r\n", "encrypt: STARTTLS")
        upgrade(c)
        c.cmd("EHLO x")
        T.eq(c.cmd("MAIL FROM:<t@example.org>"), "250 2.1.0 Ok\r\n", "encrypt: MAIL after STARTTLS accepted")
        T.eq(c.cmd("RCPT TO:<alice@mx.ferry.test>"), "250 2.1.5 Ok\r\n", "encrypt: RCPT after STARTTLS accepted")
        c.close()
        T.eq(queue_over_tls(srv.port), 250, "encrypt: a message is queued after STARTTLS")
        try:
            s = smtplib.SMTP("127.0.0.1", srv.port, timeout=10)
            s.ehlo("plain.example")
            code, text = s.mail("t@example.org")
            s.quit()
        except smtplib.SMTPException as e:
            code, text = -1, str(e).encode()
        T.eq((code, text), (530, b"5.7.0 Must issue a STARTTLS command first"),
             "encrypt: smtplib without STARTTLS is refused")
        T.check("not yet enforced" not in srv.log(), "no 'not yet enforced' warning", srv.log()[-600:])

        # smtpd_forbid_unauth_pipelining = yes: the rude client is cut off,
        # a client that waits is served (above).
        c = rude(srv.port, "EHLO x\r\nMAIL FROM:<a@example.org>\r\n")
        replies = ""
        while True:
            r = c.reply()
            if not r:
                break
            replies += r
        T.check(replies.endswith("554 5.5.0 Error: SMTP protocol synchronization\r\n"),
                "forbid_unauth_pipelining: 554 5.5.0 for a client that talks first", replies)
        T.check("250 2.1.0" not in replies, "forbid_unauth_pipelining: the pipelined MAIL is not served", replies)
        T.check(c.closed(), "forbid_unauth_pipelining: the connection is closed")
        T.check(IMPROPER.search(srv.log()), "forbid_unauth_pipelining: the violation is logged", srv.log()[-800:])
        srv.stop()
        T.eq(srv.problems(), [], "encrypt: no Ferry process died or failed")

    # The obsolete parameter counts only while smtpd_tls_security_level is empty.
    legacy = {k: v for k, v in params.items() if k != "smtpd_tls_security_level"}
    legacy["smtpd_enforce_tls"] = "yes"
    with FerryServer("tls-enforce", main_cf=legacy) as srv:
        c = RawClient(srv.port)
        c.cmd("EHLO x")
        T.eq(c.cmd("MAIL FROM:<t@example.org>"), MUST_STARTTLS, "smtpd_enforce_tls = yes: MAIL gets 530 5.7.0")
        c.close()
        T.eq(queue_over_tls(srv.port), 250, "smtpd_enforce_tls = yes: a message is queued after STARTTLS")

    nocert = dict(params, smtpd_tls_security_level="encrypt", smtpd_tls_cert_file=os.path.join(certdir, "missing.pem"))
    with FerryServer("tls-encrypt-nocert", main_cf=nocert) as srv:
        c = RawClient(srv.port)
        T.check(c.greeting.startswith("220 "), "encrypt without certificate: the server still answers")
        T.check("250-STARTTLS\r\n" in c.cmd("EHLO x"), "encrypt without certificate: STARTTLS still offered")
        T.eq(c.cmd("STARTTLS"), "454 4.7.0 TLS not available due to local problem\r\n",
             "encrypt without certificate: STARTTLS gets 454 4.7.0")
        T.eq(c.cmd("MAIL FROM:<t@example.org>"), MUST_STARTTLS, "encrypt without certificate: no plaintext mail")
        c.close()
        T.check("TLS won't be enabled" in srv.log() and "no mail is accepted" in srv.log(),
                "encrypt without certificate: logged", srv.log()[-800:])


def main():
    certdir = tempfile.mkdtemp(prefix="ferry-tls-cert-")
    try:
        run(certdir)
    finally:
        shutil.rmtree(certdir, ignore_errors=True)


def run(certdir):
    cert, key = make_cert(certdir)
    params = {"local_recipient_maps": "inline:{alice=yes}", "smtpd_tls_security_level": "may",
              "smtpd_tls_cert_file": cert, "smtpd_tls_key_file": key, "smtpd_tls_loglevel": "1",
              "smtpd_tls_received_header": "yes"}
    with FerryServer("tls", main_cf=params) as srv:
        c = RawClient(srv.port)
        T.check("250-STARTTLS\r\n" in c.cmd("EHLO x"), "EHLO offers STARTTLS")
        # Injection: a command after STARTTLS in the same packet.
        c.send("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n")
        T.eq(c.reply(), "220 2.0.0 Ready to start TLS\r\n", "STARTTLS answered")
        upgrade(c)
        r = c.cmd("EHLO x")
        T.check(r.startswith("250-mx.ferry.test\r\n"), "first reply inside TLS is the EHLO's, not the injected MAIL's", r)
        T.check("STARTTLS" not in r, "STARTTLS not offered again inside TLS", r)
        T.eq(c.cmd("RCPT TO:<alice@mx.ferry.test>"), "503 5.5.1 Error: need MAIL command\r\n",
             "the injected MAIL FROM never took effect")
        c.close()

        s = smtplib.SMTP("127.0.0.1", srv.port, timeout=10)
        s.ehlo("tls.example")
        s.starttls(context=client_context())
        s.ehlo("tls.example")
        s.mail("t@example.org")
        s.rcpt("alice@mx.ferry.test")
        code, text = s.data(b"Subject: tls\r\n\r\nsecret\r\n")
        s.quit()
        T.eq(code, 250, "message queued over TLS")
        qid = text.decode().split("queued as ")[-1].strip()
        q = parse(os.path.join(srv.queue, "incoming", qid))
        T.eq(q["attributes"].get("protocol"), "ESMTPS", "protocol ESMTPS after STARTTLS")
        content = q["content"].decode()
        T.check("with ESMTPS id " + qid in content and "(using TLSv1." in content and " with cipher " in content,
                "Received: has Postfix's TLS lines", content[:500])
        T.check("Anonymous TLS connection established from localhost[127.0.0.1]: TLSv1." in srv.log(),
                "the handshake is logged", srv.log()[-800:])

        # smtpd_tls_security_level = may: nothing is required.
        c = RawClient(srv.port)
        c.cmd("EHLO x")
        T.eq(c.cmd("MAIL FROM:<t@example.org>"), "250 2.1.0 Ok\r\n", "may: MAIL without STARTTLS accepted")
        c.close()

        # Pipelining: a client that waits for each reply is not logged; one
        # that talks before the greeting is, and is still served (default
        # smtpd_forbid_unauth_pipelining = no, as in Postfix 3.7).
        T.check("improper command pipelining" not in srv.log(), "a polite client is not logged as pipelining",
                srv.log()[-800:])
        c = rude(srv.port, "EHLO x\r\nMAIL FROM:<a@example.org>\r\n")
        T.check(c.reply().startswith("220 mx.ferry.test"), "pipelining before the greeting: greeting sent")
        T.check(c.reply().startswith("250-mx.ferry.test"), "pipelining before the greeting: EHLO answered")
        T.eq(c.reply(), "250 2.1.0 Ok\r\n", "pipelining before the greeting: MAIL answered")
        c.close()
        T.check(IMPROPER.search(srv.log()), "pipelining before the greeting: Postfix's log line", srv.log()[-800:])

        # A client that says STARTTLS and then sends garbage.
        c = RawClient(srv.port)
        c.cmd("EHLO x")
        T.eq(c.cmd("STARTTLS"), "220 2.0.0 Ready to start TLS\r\n", "STARTTLS before a bad handshake")
        c.send(b"this is not a TLS client hello\r\n" * 4)
        T.check(c.closed(), "a bad handshake ends the connection")
        T.check("lost connection after STARTTLS from localhost[127.0.0.1]" in srv.log(), "a bad handshake is logged")
        T.eq(RawClient(srv.port).cmd("NOOP"), "250 2.0.0 Ok\r\n", "the server goes on after a bad handshake")
        srv.stop()
        T.eq(srv.problems(), [], "no Ferry process died, failed or reported a sanitizer error")

    params["smtpd_tls_cert_file"] = os.path.join(certdir, "missing.pem")
    with FerryServer("tls-nocert", main_cf=params) as srv:
        c = RawClient(srv.port)
        T.check("STARTTLS" not in c.cmd("EHLO x"), "no STARTTLS when the certificate does not load")
        T.eq(c.cmd("STARTTLS"), "502 5.5.1 Error: command not implemented\r\n", "STARTTLS refused then")
        c.close()
        T.check("TLS won't be enabled" in srv.log(), "the certificate problem is logged", srv.log()[-600:])
    encrypt_tests(dict(params, smtpd_tls_cert_file=cert), certdir)
    T.finish()


if __name__ == "__main__":
    main()
