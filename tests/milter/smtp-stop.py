#!/usr/bin/env python3
"""One report mail over SMTP with a stop of the milter in the middle.

usage: smtp-stop.py HOST PORT FIXTURE MILTER_PID STAGE

STAGE "rcpt": SIGTERM right after RCPT, DATA a second later;
STAGE "data": SIGTERM after DATA and the headers, the body a second later.
Speaks CRLF (Sendmail refuses bare LF).  Prints the server's reply to the
end of data; exits 0 when it is 250.
"""
import os
import signal
import socket
import sys
import time

host, port, fixture, pid, stage = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
with open(fixture, "rb") as f:
    msg = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
head, sep, body = msg.partition(b"\r\n\r\n")
body = b"\r\n".join(b"." + l if l.startswith(b".") else l for l in body.split(b"\r\n"))

s = socket.create_connection((host, port), timeout=60)
rf = s.makefile("rb")


def reply():
    lines = []
    while True:
        line = rf.readline()
        if not line:
            raise SystemExit("connection closed; so far: %r" % lines)
        lines.append(line.decode("latin-1").rstrip())
        if len(line) < 4 or line[3:4] != b"-":
            return lines[-1]


def cmd(text, want):
    s.sendall(text.encode() + b"\r\n")
    r = reply()
    if not r.startswith(want):
        raise SystemExit("%s: %s" % (text, r))
    return r


def stop_milter():
    os.kill(pid, signal.SIGTERM)
    time.sleep(1)


reply()
cmd("EHLO client.example.net", "250")
cmd("MAIL FROM:<reporter@example.net>", "250")
cmd("RCPT TO:<tlsrpt@example.com>", "250")
if stage == "rcpt":
    stop_milter()
cmd("DATA", "354")
s.sendall(head + b"\r\n")
if stage == "data":
    stop_milter()
s.sendall(b"\r\n" + body.rstrip(b"\r\n") + b"\r\n.\r\n")
end = reply()
print(end)
try:
    cmd("QUIT", "221")
except SystemExit:
    pass
sys.exit(0 if end.startswith("250") else 1)
