"""smtp_client.py - a raw SMTP client for exact reply checks: it sends the
bytes it is given, pipelined or not, and reads whole replies."""
import socket


class RawClient:
    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.greeting = self.reply()

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """One whole reply, possibly multi-line, as text with CRLF kept."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    if lines or self.buf:
                        return "".join(lines) + self.buf.decode(errors="replace")
                    return ""
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            text = line.decode(errors="replace")
            lines.append(text + "\r\n")
            if len(text) < 4 or text[3] != "-":
                return "".join(lines)

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def closed(self):
        """True when the server has closed the connection."""
        try:
            self.sock.settimeout(5)
            return self.sock.recv(1) == b""
        except OSError:
            return True

    def close(self):
        self.sock.close()
