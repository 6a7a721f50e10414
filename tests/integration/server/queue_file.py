"""queue_file.py - read a Ferry queue file as docs/queue-format.md
describes it (version 1), independently of the C++ reader, so the tests
also check the documentation.  parse(path) returns a dict with the
envelope and the content, or raises ValueError naming what is wrong."""
import struct


def parse(path):
    with open(path, "rb") as f:
        data = f.read()
    pos, records = 0, []
    while pos < len(data):
        if pos + 9 > len(data):
            raise ValueError(f"{path}: truncated record header at {pos}")
        kind = chr(data[pos])
        (length,) = struct.unpack(">Q", data[pos + 1:pos + 9])
        body = data[pos + 9:pos + 9 + length]
        if len(body) != length:
            raise ValueError(f"{path}: truncated {kind} record")
        records.append((kind, body))
        pos += 9 + length
    if not records or records[0] != ("V", b"1"):
        raise ValueError(f"{path}: does not start with version 1")
    if records[-1][0] != "E":
        raise ValueError(f"{path}: no end record")
    out = {"recipients": [], "attributes": {}}
    for kind, body in records:
        if kind == "Q":
            out["queue_id"] = body.decode()
        elif kind == "S":
            out["sender"] = body.decode()
        elif kind == "R":
            addr, _, orcpt = body[2:].partition(b"\0")
            out["recipients"].append({"state": chr(body[0]), "notify": int(chr(body[1]), 16),
                                      "address": addr.decode(), "orcpt": orcpt.decode()})
        elif kind == "N":
            out["envid"] = body.decode()
        elif kind == "W":
            out["ret"] = body.decode()
        elif kind == "A":
            name, _, value = body.decode().partition("=")
            out["attributes"][name] = value
        elif kind == "M":
            out["content"] = body
    return out
