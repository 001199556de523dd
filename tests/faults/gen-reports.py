#!/usr/bin/env python3
"""Write N TLS report mails with distinct report-ids, for the fault and load
tests: OUTDIR/mail-00001.eml ..., and on stdout the totals a database
must show once every mail is stored exactly once:
"reports R policies P failures F".

Every report is invented (example.* domains, our own report-ids).  Mail i
carries 1 + i % 3 policies; every other policy has failure details, so a
half-stored report would show in the counts.
"""
import argparse
import base64
import gzip
import json
import os

START, END = "2026-02-01T00:00:00Z", "2026-02-01T23:59:59Z"


def policy(i, j):
    domain = "d%d.example.com" % j
    p = {"policy": {"policy-type": "sts",
                    "policy-string": ["version: STSv1", "mode: enforce",
                                      "mx: mx.%s" % domain, "max_age: 86400"],
                    "policy-domain": domain, "mx-host": ["mx.%s" % domain]},
         "summary": {"total-successful-session-count": 10 + i,
                     "total-failure-session-count": 0}}
    if (i + j) % 2 == 1:
        details = [{"result-type": "certificate-expired",
                    "sending-mta-ip": "192.0.2.%d" % (1 + k),
                    "receiving-mx-hostname": "mx.%s" % domain,
                    "receiving-ip": "198.51.100.7",
                    "failed-session-count": 1 + k} for k in range(j + 1)]
        p["failure-details"] = details
        p["summary"]["total-failure-session-count"] = sum(d["failed-session-count"]
                                                          for d in details)
    return p


def report(tag, i):
    n = 1 + i % 3
    r = {"organization-name": "Load Test Reporter",
         "date-range": {"start-datetime": START, "end-datetime": END},
         "contact-info": "tls-reports@reporter.example",
         "report-id": "%s-%05d" % (tag, i),
         "policies": [policy(i, j) for j in range(n)]}
    fails = sum(len(p.get("failure-details", [])) for p in r["policies"])
    return r, n, fails


def mail(tag, i, payload):
    b = "=_fault_%s_%05d" % (tag, i)
    text = base64.b64encode(gzip.compress(payload, mtime=0)).decode()
    lines = "\r\n".join(text[k:k + 76] for k in range(0, len(text), 76))
    name = "reporter.example!example.com!1769904000!1769990399.json.gz"
    return ("From: TLS reports <noreply-tls@reporter.example>\r\n"
            "To: tlsrpt@example.com\r\n"
            "Subject: Report Domain: example.com Submitter: reporter.example\r\n"
            "Date: Sun, 01 Feb 2026 08:00:00 +0000\r\n"
            "Message-ID: <%s-%05d@reporter.example>\r\n"
            "TLS-Report-Domain: example.com\r\n"
            "TLS-Report-Submitter: reporter.example\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=tlsrpt;\r\n"
            "\tboundary=\"%s\"\r\n\r\n"
            "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
            "Aggregate TLS report %d.\r\n"
            "--%s\r\nContent-Type: application/tlsrpt+gzip; name=\"%s\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--%s--\r\n") % (
                tag, i, b, b, i, b, name, lines, b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("count", type=int)
    ap.add_argument("--tag", default="fault")
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    totals = [0, 0, 0]
    for i in range(1, a.count + 1):
        r, n, fails = report(a.tag, i)
        with open(os.path.join(a.outdir, "mail-%05d.eml" % i), "wb") as f:
            f.write(mail(a.tag, i, json.dumps(r).encode()).encode())
        totals = [totals[0] + 1, totals[1] + n, totals[2] + fails]
    print("reports %d policies %d failures %d" % tuple(totals))


if __name__ == "__main__":
    main()
