#!/usr/bin/env python3
"""Long strings in every string field of a report, for the pipeline test
t-long-strings.sh: one report per (field, length), as a raw JSON file and
gzipped into a mail.  Strings up to max_string_len (64 KiB, docs/LIMITS.md)
must be stored whole; longer ones make the report invalid with the reason
"<field>: longer than 65536 bytes".  The lengths straddle the arena's block
sizes (4 KiB doubling to 512 KiB, and the 128 KiB own-block threshold):
strings between about 8 KiB and 128 KiB once overflowed a heap block.

usage: long-strings.py gen OUTDIR          writes OUTDIR/json/NNNNN.json,
                                           OUTDIR/mail/mail-NNNNN.eml and
                                           OUTDIR/cases (one case a line)
       long-strings.py check-parse OUTDIR  OUTDIR/parse/NNNNN.json against
                                           the cases (the parser's view)
       long-strings.py check-db OUTDIR DB  the database against the cases
Every report is invented (example domains, our own report-ids).
"""
import base64
import gzip
import json
import os
import sqlite3
import sys

MAX_STRING = 65536
SIZES = [100, 8000, 8300, 9000, 20000, 65536, 131072, 140000, 600000]
# field: where it lives in the report, where in the database
FIELDS = {
    "report-id": ("report", "reports", "report_id"),
    "organization-name": ("report", "reports", "organization_name"),
    "contact-info": ("report", "reports", "contact_info"),
    "policy-domain": ("policy", "policies", "policy_domain"),
    "policy-string": ("policy[]", "policies", "policy_strings"),
    "mx-host": ("policy[]", "policies", "mx_hosts"),
    "receiving-mx-hostname": ("failure", "failure_details", "receiving_mx_hostname"),
    "sending-mta-ip": ("failure", "failure_details", "sending_mta_ip"),
    "additional-information": ("failure", "failure_details", "additional_information"),
    "result-type": ("failure", "failure_details", "result_type"),
    "failure-reason-code": ("failure", "failure_details", "failure_reason_code"),
}
START, END = "2026-03-01T00:00:00Z", "2026-03-01T23:59:59Z"


def cases():
    n = 0
    for field in FIELDS:
        for size in SIZES:
            n += 1
            rid = "B" * size if field == "report-id" else "long-%s-%d" % (field, size)
            yield n, field, size, rid


def report(field, size, rid):
    s = "B" * size
    pol = {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce"],
           "policy-domain": "example.com", "mx-host": ["mx.example.com"]}
    fail = {"result-type": "certificate-expired", "sending-mta-ip": "192.0.2.1",
            "receiving-mx-hostname": "mx.example.com", "failed-session-count": 2}
    r = {"organization-name": "Long Strings Reporter",
         "date-range": {"start-datetime": START, "end-datetime": END},
         "contact-info": "tlsrpt@reporter.example", "report-id": rid,
         "policies": [{"policy": pol,
                       "summary": {"total-successful-session-count": 5,
                                   "total-failure-session-count": 2},
                       "failure-details": [fail]}]}
    where = FIELDS[field][0]
    if where == "report" and field != "report-id":
        r[field] = s
    elif where == "policy":
        pol[field] = s
    elif where == "policy[]":
        pol[field] = pol[field][:1] + [s]
    elif where == "failure":
        fail[field] = s
    return json.dumps(r).encode()


def mail(n, payload):
    text = base64.b64encode(gzip.compress(payload, mtime=0)).decode()
    body = "\r\n".join(text[k:k + 76] for k in range(0, len(text), 76))
    b = "=_long_%05d" % n
    return ("From: TLS reports <noreply-tls@reporter.example>\r\n"
            "To: tlsrpt@example.com\r\n"
            "Subject: Report Domain: example.com Submitter: reporter.example\r\n"
            "Date: Sun, 01 Mar 2026 08:00:00 +0000\r\n"
            "Message-ID: <long-%05d@reporter.example>\r\n"
            "TLS-Report-Domain: example.com\r\n"
            "TLS-Report-Submitter: reporter.example\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=tlsrpt; boundary=\"%s\"\r\n"
            "\r\n"
            "--%s\r\n"
            "Content-Type: text/plain\r\n\r\nA report with a long string.\r\n"
            "--%s\r\n"
            "Content-Type: application/tlsrpt+gzip\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "Content-Disposition: attachment;\r\n"
            " filename=\"reporter.example!example.com!1772323200!1772409599!%05d.json.gz\"\r\n"
            "\r\n%s\r\n"
            "--%s--\r\n" % (n, b, b, b, n, body, b)).encode()


def gen(out):
    for sub in ("json", "mail", "parse"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    with open(os.path.join(out, "cases"), "w") as f:
        for n, field, size, rid in cases():
            payload = report(field, size, rid)
            with open(os.path.join(out, "json", "%05d.json" % n), "wb") as j:
                j.write(payload)
            with open(os.path.join(out, "mail", "mail-%05d.eml" % n), "wb") as m:
                m.write(mail(n, payload))
            f.write("%d %s %d %s\n" % (n, field, size,
                                       "stored" if size <= MAX_STRING else "invalid"))


def model_value(rep, field):
    """The field's long string in the parser's model of a report."""
    where = FIELDS[field][0]
    pol = rep["policies"][0]["policy"]
    if where == "report":
        return rep.get(field)
    if where == "policy":
        return pol.get(field)
    if where == "policy[]":
        return (pol.get(field) or [None, None])[-1]
    return rep["policies"][0]["failure-details"][0].get(field)


def check_parse(out):
    bad = 0
    for n, field, size, rid in cases():
        want = "stored" if size <= MAX_STRING else "invalid"
        try:
            with open(os.path.join(out, "parse", "%05d.json" % n)) as f:
                doc = json.load(f)
            e = doc[0]
            if want == "stored":
                got = model_value(e["report"], field) if e["valid"] else None
                ok = got is not None and len(got) == size and got.upper() == "B" * size
            else:
                reason = e.get("reason") or ""
                ok = not e["valid"] and ("longer than %d bytes" % MAX_STRING) in reason \
                    and field in reason
        except (OSError, ValueError, KeyError, IndexError, TypeError) as ex:
            ok = False
            print("# case %d (%s, %d): %s" % (n, field, size, ex))
        if not ok:
            bad += 1
            print("# case %d (%s, %d bytes): parse output is not %s" % (n, field, size, want))
    return bad


def check_db(out, db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    bad = 0
    for n, field, size, rid in cases():
        want = "stored" if size <= MAX_STRING else "invalid"
        _, table, col = FIELDS[field]
        q = {"reports": "SELECT r.%s FROM reports r WHERE r.report_id = ?",
             "policies": "SELECT p.%s FROM reports r JOIN policies p ON p.report = r.id"
                         " WHERE r.report_id = ?",
             "failure_details": "SELECT f.%s FROM reports r JOIN policies p ON p.report = r.id"
                                " JOIN failure_details f ON f.policy = p.id"
                                " WHERE r.report_id = ?"}[table] % col
        rows = con.execute(q, (rid,)).fetchall()
        if want == "invalid":
            ok = rows == []
        elif len(rows) != 1 or rows[0][0] is None:
            ok = False
        else:
            v = rows[0][0]
            if col in ("policy_strings", "mx_hosts"):
                v = json.loads(v)[-1]
            ok = len(v) == size and v.upper() == "B" * size
        if not ok:
            bad += 1
            print("# case %d (%s, %d bytes): database does not hold it as %s"
                  % (n, field, size, want))
    return bad


def main():
    cmd, out = sys.argv[1], sys.argv[2]
    if cmd == "gen":
        gen(out)
        return 0
    if cmd == "check-parse":
        return 1 if check_parse(out) else 0
    if cmd == "check-db":
        return 1 if check_db(out, sys.argv[3]) else 0
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
