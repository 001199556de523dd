#!/usr/bin/env python3
"""Build the fuzz seed corpora from the project's own fixtures.

Run from the top of the checkout: python3 fuzz/make-seeds.py
Each target gets its inputs in the framing its LLVMFuzzerTestOneInput
expects (see the comment at the top of each fuzz/fuzz_<target>.c).
"""
import base64
import glob
import gzip
import os
import quopri
import zlib

FIX = "tests/fixtures"


def put(target, name, data):
    d = os.path.join("fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def read(path):
    with open(path, "rb") as f:
        return f.read()


mails = sorted(glob.glob(FIX + "/mail/*.eml") + glob.glob(FIX + "/mime/*.eml"))
jsons = sorted(glob.glob(FIX + "/report/*.json"))

for m in mails:
    name = os.path.basename(os.path.dirname(m)) + "-" + os.path.basename(m)
    data = read(m)
    put("mime", name, data)
    put("message", name, b"\x00" + data)
    # Three cuts: a 1-byte chunk, a 100-byte chunk, a 7-byte chunk, the rest.
    put("message", "cut3-" + name, b"\x03\x00\x00\x00\x63\x00\x06" + data)

for j in jsons:
    name = os.path.basename(j)
    data = read(j)
    put("report", name, data)
    put("decode", "b64-" + name, b"\x01" + base64.encodebytes(data))
    put("decode", "qp-" + name, b"\x02" + quopri.encodestring(data))
    put("decode", "id-" + name, b"\x00" + data)
    put("decode", "small-b64-" + name, b"\x81" + base64.b64encode(data))
    put("inflate", name + ".gz", gzip.compress(data, mtime=0))
    put("inflate", name + ".zlib", zlib.compress(data))

for g in sorted(glob.glob(FIX + "/report/*.gz")):
    put("inflate", os.path.basename(g), read(g))
    put("inflate", "two-members-" + os.path.basename(g), read(g) * 2)

# The milter's configuration: the shipped example, and one line per key.
put("config", "example.conf", read("docs/tlsrpt-milter.conf.example"))
keys = {
    "Socket": "unix:/run/tlsrpt/milter.sock",
    "Database": "/var/lib/tlsrpt/reports.db",
    "UserID": "tlsrpt:tlsrpt",
    "PidFile": "/run/tlsrpt/milter.pid",
    "Syslog": "local3",
    "LogLevel": "debug",
    "Recipients": "tlsrpt@example.com, <TLS-Reports@Example.NET>",
    "MaxMessageSize": "10M",
    "MaxReportSize": "512K",
    "OnStored": "discard",
    "OnInvalid": "reject",
    "OnError": "tempfail",
    "SpoolDirectory": "/var/spool/tlsrpt",
    "AddHeader": "yes",
    "TrustedAuthservIDs": "mx.example.com mx2.example.com",
    "RequireAuthentication": "yes",
    "SocketMode": "0660",
    "SocketGroup": "postfix",
}
for k, v in keys.items():
    put("config", "key-" + k.lower() + ".conf",
        ("# one key\n%s %s   # comment\n\n" % (k, v)).encode())
put("config", "all-keys.conf",
    "".join("%s\t%s\n" % kv for kv in keys.items()).encode())

# authres: "submitter\nheader value"
authres_seeds = [
    b"reporter.example\nmx.example.net; dkim=pass header.d=reporter.example header.s=s1",
    b"mail.reporter.example\nmx.example.net; dkim=pass (2048-bit key) header.d=reporter.example;"
    b" spf=pass smtp.mailfrom=reporter.example",
    b"reporter.example\nMX.Example.NET 1; dkim=fail reason=\"bad sig\" header.i=@reporter.example",
    b"reporter.example\nmx.example.net (comment (nested \\) )); dkim=none",
    b"reporter.example\nmx.example.net; none",
    b"\nmx.example.net; dkim=pass header.d=com",
    b"reporter.example\nother.example; dkim=pass header.d=reporter.example; dkim=pass header.d=x.example",
    b"reporter.example\n\"quoted.example\"; dkim=pass header.d=\"reporter.example\"",
]
for i, a in enumerate(authres_seeds):
    put("authres", "seed-%d" % i, a)

# mbox: byte 0 = sniffed-byte count (low 7 bits) and 256-byte cap (0x80)
mbox_seeds = {
    "two": b"From a@example.com Sat Jan  1 00:00:00 2026\nSubject: one\n\nbody\n>From quoted\n\n"
           b"From b@example.com Sat Jan  1 00:00:01 2026\nSubject: two\n\nbody two\n",
    "crlf": b"From x Sat Jan  1 00:00:00 2026\r\nSubject: crlf\r\n\r\nline\r\n",
    "nofrom": b"Subject: no separator\n\nbody\n",
    "deep-quote": b"From x\n\n>>>From a\n>From\nFrom y\n\n",
}
for name, body in sorted(mbox_seeds.items()):
    put("mbox", name, b"\x05" + body)
    put("mbox", "capped-" + name, b"\x85" + body)
