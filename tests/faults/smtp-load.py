#!/usr/bin/env python3
"""Send the generated mails MAILDIR/mail-NNNNN.eml over SESSIONS concurrent
SMTP sessions to 127.0.0.1:PORT, as a sending MTA would: each session
sends its share one after the other on one connection (reconnecting after
an error), and with --retry a mail that got a 4xx (or a dropped
connection) is sent again later, until it is accepted or the deadline.

Writes one line per attempt to OUT: "N CODE" (CODE 250, 4xx, 5xx, or
"err" when the connection failed) and on stdout a summary:
"accepted A tempfailed T rejected R errors E seconds S".

usage: smtp-load.py PORT MAILDIR COUNT SESSIONS OUT [--retry SECONDS]
"""
import argparse
import os
import smtplib
import threading
import time


def send_share(port, mails, out, lock, retry_until):
    pending = list(mails)
    conn = None
    while pending:
        n, path = pending.pop(0)
        with open(path, "rb") as f:
            data = f.read()
        code = "err"
        try:
            if conn is None:
                conn = smtplib.SMTP("127.0.0.1", port, timeout=120)
            conn.sendmail("sender@reporter.example", ["tlsrpt@example.com"], data)
            code = "250"
        except smtplib.SMTPResponseException as e:
            code = str(e.smtp_code)
        except smtplib.SMTPRecipientsRefused as e:
            code = str(list(e.recipients.values())[0][0])
        except (OSError, smtplib.SMTPException):
            code = "err"
        if code == "err" or not code.startswith("2"):
            if conn is not None:
                try:
                    conn.close()
                except OSError:
                    pass
            conn = None
        with lock:
            out.write("%d %s\n" % (n, code))
            out.flush()
        if (code == "err" or code.startswith("4")) and time.monotonic() < retry_until:
            pending.append((n, path))
            if len(pending) == 1:
                time.sleep(0.5)
    if conn is not None:
        try:
            conn.quit()
        except (OSError, smtplib.SMTPException):
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("maildir")
    ap.add_argument("count", type=int)
    ap.add_argument("sessions", type=int)
    ap.add_argument("out")
    ap.add_argument("--retry", type=float, default=0)
    a = ap.parse_args()
    shares = [[] for _ in range(a.sessions)]
    for i in range(1, a.count + 1):
        shares[i % a.sessions].append((i, os.path.join(a.maildir, "mail-%05d.eml" % i)))
    lock = threading.Lock()
    t0 = time.monotonic()
    retry_until = t0 + a.retry
    with open(a.out, "w") as out:
        threads = [threading.Thread(target=send_share,
                                    args=(a.port, s, out, lock, retry_until))
                   for s in shares]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    secs = time.monotonic() - t0
    final = {}
    counts = {"250": 0, "4": 0, "5": 0, "err": 0}
    with open(a.out) as f:
        for line in f:
            n, code = line.split()
            final[n] = code
    for code in final.values():
        key = code if code in ("250", "err") else code[0]
        counts[key] = counts.get(key, 0) + 1
    print("accepted %d tempfailed %d rejected %d errors %d seconds %.1f" % (
        counts["250"], counts["4"], counts["5"], counts["err"], secs))


if __name__ == "__main__":
    main()
