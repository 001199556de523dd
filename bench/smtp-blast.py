#!/usr/bin/env python3
"""Send mail files to an SMTP server from K concurrent clients and time
delivery into a Maildir: the load client of bench/milter.sh.

Every file (one .eml each, read into memory and given CRLF line ends
first) is sent once, in name order, to one recipient.  Each client opens
a connection, sends up to --per-connection messages, quits, and opens the
next: reporters send one report per connection, so 1 is the default.

Postfix delivers asynchronously: the clock stops when the Maildir holds
every message, not when the last one is accepted.  --warmup W sends the
first W files untimed and waits for their delivery, so that the timed part
does not pay for smtpd and milter processes starting.

Prints one line of key=value pairs: sent, failed, seconds to accept
(accept_s) and to deliver (deliver_s) the timed messages, and msgs_per_s
(timed messages / deliver_s).  Exit status 1 when a message was refused or
delivery did not complete within --timeout.
"""

import argparse
import os
import smtplib
import sys
import threading
import time


def load(paths):
    mails = []
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        mails.append(data)
    return mails


def delivered(maildir):
    n = 0
    for sub in ("new", "cur"):
        try:
            with os.scandir(os.path.join(maildir, sub)) as it:
                n += sum(1 for _ in it)
        except FileNotFoundError:
            pass
    return n


class Sender:
    """K threads taking the next message from one shared index."""

    def __init__(self, args, mails):
        self.args = args
        self.mails = mails
        self.next = 0
        self.failed = 0
        self.errors = []
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            if self.next >= len(self.mails):
                return None
            i = self.next
            self.next += 1
            return i

    def fail(self, why):
        with self.lock:
            self.failed += 1
            if len(self.errors) < 5:
                self.errors.append(why)

    def client(self):
        a = self.args
        while True:
            i = self.take()
            if i is None:
                return
            try:
                with smtplib.SMTP("127.0.0.1", a.port, timeout=a.timeout) as s:
                    for k in range(a.per_connection):
                        if k > 0:
                            i = self.take()
                            if i is None:
                                break
                        try:
                            s.sendmail(a.sender, [a.rcpt], self.mails[i])
                        except smtplib.SMTPResponseException as e:
                            self.fail("message %d: %d %s" % (i, e.smtp_code, e.smtp_error))
                            s.rset()
            except (OSError, smtplib.SMTPException) as e:
                self.fail("message %d: %s" % (i, e))

    def run(self, mails):
        self.mails = mails
        self.next = 0
        threads = [threading.Thread(target=self.client) for _ in range(self.args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


def wait_delivered(maildir, want, deadline):
    while delivered(maildir) < want:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--rcpt", default="tlsrpt@example.com")
    ap.add_argument("--sender", default="reports@example.net")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--per-connection", type=int, default=1)
    ap.add_argument("--warmup", type=int, default=0)
    ap.add_argument("--maildir", required=True, help="where the messages must arrive")
    ap.add_argument("--timeout", type=float, default=170.0,
                    help="bound in seconds on the whole run")
    ap.add_argument("--count", type=int, default=0,
                    help="send only the first N files (in name order)")
    ap.add_argument("files", nargs="+", help="mail files, or directories of *.eml")
    args = ap.parse_args()
    if args.clients < 1 or args.per_connection < 1 or args.warmup < 0:
        ap.error("clients and per-connection must be positive, warmup not negative")
    paths = []
    for f in args.files:
        if os.path.isdir(f):
            paths += [os.path.join(f, n) for n in os.listdir(f) if n.endswith(".eml")]
        else:
            paths.append(f)
    paths.sort()
    if args.count > 0:
        paths = paths[:args.count]
    mails = load(paths)
    if args.warmup >= len(mails):
        ap.error("warmup must leave messages to time")
    deadline = time.monotonic() + args.timeout
    before = delivered(args.maildir)
    sender = Sender(args, mails)
    if args.warmup:
        sender.run(mails[:args.warmup])
        if not wait_delivered(args.maildir, before + args.warmup, deadline):
            print("warmup not delivered in time", file=sys.stderr)
            return 1
    timed = mails[args.warmup:]
    t0 = time.monotonic()
    sender.run(timed)
    t_accept = time.monotonic() - t0
    ok = wait_delivered(args.maildir, before + len(mails) - sender.failed, deadline)
    t_deliver = time.monotonic() - t0
    for e in sender.errors:
        print("smtp-blast: " + e, file=sys.stderr)
    print("sent=%d failed=%d accept_s=%.3f deliver_s=%.3f msgs_per_s=%.1f%s" % (
        len(timed), sender.failed, t_accept, t_deliver, len(timed) / t_deliver,
        "" if ok else " incomplete=1"))
    return 0 if ok and sender.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
