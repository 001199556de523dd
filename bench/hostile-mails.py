#!/usr/bin/env python3
"""Hostile report mails for bench/run.sh hostile: the per-message peak.

Writes into DIR one .eml per case of tests/test_pipeline.c (which asserts
their bounds): 8 million zeros (the 21 KB mail of issue 13), 4 million
empty failure details, the most tiny values a report may hold, a gzip
bomb, 5,000 parts, JSON a million deep.   Usage: hostile-mails.py DIR
"""
import base64
import gzip
import os
import sys
import zlib

HEAD = ("From: tlsrpt@example.net\r\nTo: tlsrpt@example.com\r\n"
        "Subject: Report Domain: example.com Submitter: example.net\r\n"
        "Message-ID: <bench@example.net>\r\nMIME-Version: 1.0\r\n")
REPORT = ('{"organization-name":"Hostile","contact-info":"tlsrpt@example.net",'
          '"report-id":"bench-1","date-range":{"start-datetime":"2024-01-01T00:00:00Z",'
          '"end-datetime":"2024-01-01T23:59:59Z"},"policies":[{"policy":{"policy-type":"sts",'
          '"policy-domain":"example.com"},"summary":{"total-successful-session-count":1,'
          '"total-failure-session-count":1},')


def mail_of(gz):
    b64 = base64.encodebytes(gz).decode().replace("\n", "\r\n")
    return (HEAD + 'Content-Type: multipart/report; report-type=tlsrpt; boundary="B"\r\n\r\n'
            "--B\r\nContent-Type: application/tlsrpt+gzip\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n" + b64 + "--B--\r\n").encode()


def bomb():
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    out = [z.compress(chunk) for _ in range(1024)]
    out.append(z.flush())
    return b"".join(out)


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    cases = {
        "zeros-8m": lambda: mail_of(gzip.compress(b"[0" + b",0" * 7999999 + b"]", 9)),
        "empty-objects-4m": lambda: mail_of(gzip.compress(
            (REPORT + '"failure-details":[{}' + ",{}" * 3999999 + "]}]}").encode(), 9)),
        "values-under-limit": lambda: mail_of(gzip.compress(
            (REPORT + '"failure-details":[],"x-padding":[0' + ",0" * 999900 + "]}]}").encode(), 9)),
        "gzip-bomb": lambda: mail_of(bomb()),
        "parts-5000": lambda: (HEAD + 'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' +
                               "--B\r\nContent-Type: application/tlsrpt+json\r\n\r\n{}\r\n" * 5000 +
                               "--B--\r\n").encode(),
        "json-deep-1m": lambda: mail_of(gzip.compress(b"[" * 1000000 + b"]" * 1000000, 9)),
    }
    for name, make in cases.items():
        path = os.path.join(d, name + ".eml")
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(make())


if __name__ == "__main__":
    main()
