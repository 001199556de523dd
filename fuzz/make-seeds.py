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

# Long strings in every string field, at sizes around the arena's block
# boundaries and past max_string_len: a report-id of 20,000 bytes once
# overran a block, which seeds of a few hundred bytes could not reach.
LONG_FIELDS = {
    "report-id": lambda r, s: r.__setitem__("report-id", s),
    "organization-name": lambda r, s: r.__setitem__("organization-name", s),
    "contact-info": lambda r, s: r.__setitem__("contact-info", s),
    "policy-domain": lambda r, s: r["policies"][0]["policy"].__setitem__("policy-domain", s),
    "policy-string": lambda r, s: r["policies"][0]["policy"].__setitem__("policy-string", [s, "x"]),
    "mx-host": lambda r, s: r["policies"][0]["policy"].__setitem__("mx-host", [s]),
    "receiving-mx-hostname": lambda r, s: r["policies"][0]["failure-details"][0].__setitem__(
        "receiving-mx-hostname", s),
    "sending-mta-ip": lambda r, s: r["policies"][0]["failure-details"][0].__setitem__(
        "sending-mta-ip", s),
    "additional-information": lambda r, s: r["policies"][0]["failure-details"][0].__setitem__(
        "additional-information", s),
    "failure-reason-code": lambda r, s: r["policies"][0]["failure-details"][0].__setitem__(
        "failure-reason-code", s),
    "result-type": lambda r, s: r["policies"][0]["failure-details"][0].__setitem__(
        "result-type", s),
}


def long_report(field, size):
    import json
    r = {
        "organization-name": "Long Strings", "contact-info": "c@example.net",
        "report-id": "long-%s-%d" % (field, size),
        "date-range": {"start-datetime": "2026-03-01T00:00:00Z",
                       "end-datetime": "2026-03-01T23:59:59Z"},
        "policies": [{
            "policy": {"policy-type": "sts", "policy-domain": "example.com",
                       "policy-string": ["version: STSv1", "mode: enforce"],
                       "mx-host": ["mx.example.com"]},
            "summary": {"total-successful-session-count": 1,
                        "total-failure-session-count": 1},
            "failure-details": [{"result-type": "certificate-expired",
                                 "sending-mta-ip": "192.0.2.1",
                                 "receiving-mx-hostname": "mx.example.com",
                                 "failed-session-count": 1}],
        }],
    }
    LONG_FIELDS[field](r, "B" * size)
    return json.dumps(r).encode()


def report_mail(json_bytes):
    gz = base64.encodebytes(gzip.compress(json_bytes, mtime=0))
    return (b"From: tlsrpt@reporter.example\r\nTo: tlsrpt@example.com\r\n"
            b"Subject: Report Domain: example.com\r\nTLS-Report-Domain: example.com\r\n"
            b"TLS-Report-Submitter: reporter.example\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/report; report-type=tlsrpt; boundary=b\r\n\r\n"
            b"--b\r\nContent-Type: text/plain\r\n\r\nreport\r\n"
            b"--b\r\nContent-Type: application/tlsrpt+gzip\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\n" + gz.replace(b"\n", b"\r\n") +
            b"\r\n--b--\r\n")


for field in sorted(LONG_FIELDS):
    for size in (9000, 20000, 140000):
        data = long_report(field, size)
        put("report", "long-%s-%d.json" % (field, size), data)
        put("message", "long-%s-%d.eml" % (field, size), b"\x00" + report_mail(data))
