#!/usr/bin/env python3
"""The baseline: what users do today with Python's standard library.

Reads an mbox, mail files, or directories of them; finds the TLS report
attachments (application/tlsrpt+gzip or +json); gunzips, json.loads and
inserts reports, policies and failure details into SQLite, one transaction
per report, each report once (unique submitter, report-id, start, end).
Then prints a per-submitter summary like `tlsrpt-report summary`.

It is written the way a careful user would write it, and given every
advantage that costs no cleverness: the faster compat32 email policy, WAL
mode with synchronous=NORMAL (no fsync per report), prepared statements
through the sqlite3 module's statement cache.

--as-users-write-it drops the two pragmas: SQLite's defaults (rollback
journal, synchronous=FULL), still one transaction per report, which is
what a script that never thought about it gets.

Usage: baseline.py -d DB [--no-summary] [--as-users-write-it] PATH...
"""

import argparse
import datetime
import email
import gzip
import json
import mailbox
import os
import sqlite3
import sys

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
  id INTEGER PRIMARY KEY,
  submitter TEXT NOT NULL, report_id TEXT NOT NULL,
  start INTEGER NOT NULL, "end" INTEGER NOT NULL,
  organization TEXT, contact TEXT, message_id TEXT, raw BLOB,
  UNIQUE (submitter, report_id, start, "end"));
CREATE TABLE IF NOT EXISTS policies (
  id INTEGER PRIMARY KEY,
  report INTEGER NOT NULL REFERENCES reports(id),
  policy_type TEXT, policy_domain TEXT, policy_string TEXT, mx_host TEXT,
  successful INTEGER, failed INTEGER);
CREATE TABLE IF NOT EXISTS failures (
  id INTEGER PRIMARY KEY,
  policy INTEGER NOT NULL REFERENCES policies(id),
  result_type TEXT, sending_mta_ip TEXT, receiving_mx_hostname TEXT,
  receiving_mx_helo TEXT, receiving_ip TEXT, failed_sessions INTEGER,
  failure_reason_code TEXT, additional_information TEXT);
CREATE INDEX IF NOT EXISTS policies_report ON policies(report);
CREATE INDEX IF NOT EXISTS failures_policy ON failures(policy);
"""


def epoch(text):
    """RFC 3339 to epoch seconds; Microsoft sometimes omits the zone."""
    dt = datetime.datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp())


def store(con, submitter, msgid, raw, rep):
    dr = rep["date-range"]
    with con:
        cur = con.execute(
            "INSERT OR IGNORE INTO reports (submitter, report_id, start, \"end\","
            " organization, contact, message_id, raw) VALUES (?,?,?,?,?,?,?,?)",
            (submitter, rep["report-id"], epoch(dr["start-datetime"]),
             epoch(dr["end-datetime"]), rep.get("organization-name"),
             rep.get("contact-info"), msgid, raw))
        if cur.rowcount == 0:
            return "duplicate"
        rid = cur.lastrowid
        for p in rep.get("policies", ()):
            pol = p.get("policy", {})
            summ = p.get("summary", {})
            mx = pol.get("mx-host")
            pid = con.execute(
                "INSERT INTO policies (report, policy_type, policy_domain,"
                " policy_string, mx_host, successful, failed) VALUES (?,?,?,?,?,?,?)",
                (rid, pol.get("policy-type"), pol.get("policy-domain"),
                 json.dumps(pol.get("policy-string")), json.dumps(mx),
                 summ.get("total-successful-session-count", 0),
                 summ.get("total-failure-session-count", 0))).lastrowid
            con.executemany(
                "INSERT INTO failures (policy, result_type, sending_mta_ip,"
                " receiving_mx_hostname, receiving_mx_helo, receiving_ip,"
                " failed_sessions, failure_reason_code, additional_information)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                [(pid, f.get("result-type"), f.get("sending-mta-ip"),
                  f.get("receiving-mx-hostname"), f.get("receiving-mx-helo"),
                  f.get("receiving-ip"), f.get("failed-session-count", 0),
                  f.get("failure-reason-code"), f.get("additional-information"))
                 for f in p.get("failure-details", ())])
    return "stored"


def reports_in(msg):
    """Yield the raw bytes of each report attachment in a message."""
    for part in msg.walk():
        ctype = part.get_content_type()
        name = part.get_filename() or ""
        if ctype.startswith("application/tlsrpt") or name.endswith((".json.gz", ".json")):
            data = part.get_payload(decode=True)
            if data:
                yield data


def import_message(con, msg, counts):
    submitter = (msg.get("TLS-Report-Submitter") or "").strip()
    msgid = msg.get("Message-ID")
    for data in reports_in(msg):
        try:
            raw = data
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            rep = json.loads(data)
            counts[store(con, submitter, msgid, raw, rep)] += 1
        except (ValueError, KeyError, TypeError, OSError, EOFError) as e:
            counts["invalid"] += 1
            sys.stderr.write("invalid: %s\n" % e)


def messages(path):
    if os.path.isdir(path):
        for name in sorted(os.listdir(path)):
            yield from messages(os.path.join(path, name))
        return
    with open(path, "rb") as f:
        head = f.read(5)
    if head == b"From ":
        for msg in mailbox.mbox(path, create=False):
            yield msg
        return
    with open(path, "rb") as f:
        yield email.message_from_binary_file(f)


def summary(con):
    rows = con.execute("""
        SELECT r.submitter, COUNT(DISTINCT r.id), SUM(p.successful), SUM(p.failed)
        FROM reports r JOIN policies p ON p.report = r.id
        GROUP BY r.submitter ORDER BY 4 DESC, 1""").fetchall()
    types = {}
    for sub, rtype, n in con.execute("""
        SELECT r.submitter, f.result_type, SUM(f.failed_sessions)
        FROM reports r JOIN policies p ON p.report = r.id
        JOIN failures f ON f.policy = p.id
        GROUP BY 1, 2 ORDER BY 3 DESC"""):
        types.setdefault(sub, []).append("%s %d" % (rtype, n))
    print("%-32s %8s %12s %10s  %s" % ("submitter", "reports", "successful", "failed",
                                        "top result types"))
    for sub, nrep, ok, bad in rows:
        print("%-32s %8d %12d %10d  %s" % (sub, nrep, ok or 0, bad or 0,
                                            ", ".join(types.get(sub, [])[:3])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-d", "--db", required=True)
    ap.add_argument("--no-summary", action="store_true")
    ap.add_argument("--summary-only", action="store_true")
    ap.add_argument("--as-users-write-it", action="store_true",
                    help="SQLite's default journal and synchronous settings")
    ap.add_argument("paths", nargs="*")
    args = ap.parse_args()
    con = sqlite3.connect(args.db, isolation_level=None)
    if not args.as_users_write_it:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
    con.executescript(SCHEMA)
    # isolation_level=None: `with con` alone would not open a transaction.
    con.isolation_level = "DEFERRED"
    counts = {"stored": 0, "duplicate": 0, "invalid": 0}
    if not args.summary_only:
        for path in args.paths:
            for msg in messages(path):
                import_message(con, msg, counts)
        sys.stderr.write("baseline: %(stored)d stored, %(duplicate)d duplicate, "
                         "%(invalid)d invalid\n" % counts)
    if not args.no_summary:
        summary(con)
    con.close()
    return 1 if counts["invalid"] else 0


if __name__ == "__main__":
    sys.exit(main())
