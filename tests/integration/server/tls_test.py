#!/usr/bin/env python3
"""tls_test.py - STARTTLS with a certificate made by the test (openssl):
EHLO offers it, smtplib upgrades and queues a message with protocol ESMTPS
and Postfix's TLS lines in Received:, the handshake is logged; plaintext
injected after STARTTLS in the same packet is thrown away, never answered;
a broken handshake is logged and the server goes on; a certificate that
does not load means no STARTTLS, not a dead server."""
import os
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


def main():
    certdir = tempfile.mkdtemp(prefix="ferry-tls-cert-")
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
    T.finish()


if __name__ == "__main__":
    main()
