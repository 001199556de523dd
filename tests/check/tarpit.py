#!/usr/bin/env python3
"""Servers that stop talking, for the timeout tests of "tlsrpt-report check".

  tarpit.py SILENT_ADDR TLSHANG_ADDR GREET_ADDR SYNFULL_ADDR READY_FILE

SILENT_ADDR: UDP 53 reads queries and never answers; TCP 25 and 443 accept
and never send a byte.  TLSHANG_ADDR: TCP 25 speaks SMTP up to the 220
answer to STARTTLS, then says nothing (the TLS handshake never ends).
GREET_ADDR: TCP 25 greets, then never answers EHLO.  SYNFULL_ADDR: TCP 25
listens with a full accept queue and never accepts, so the kernel drops
further SYNs and a connect() never completes.
Touches READY_FILE once every socket listens; runs until killed.
"""
import socket
import sys
import threading

held = []  # accepted connections stay open until the process dies


def silent_tcp(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(16)
    return s


def accept_and_hold(s):
    while True:
        c, _ = s.accept()
        held.append(c)


def smtp_until_starttls(s):
    while True:
        c, _ = s.accept()
        held.append(c)
        threading.Thread(target=talk, args=(c,), daemon=True).start()


def talk(c):
    try:
        c.sendall(b"220 mx-tlshang.example.test ESMTP\r\n")
        buf = b""
        while True:
            data = c.recv(1024)
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                verb = line.strip().upper()
                if verb.startswith(b"EHLO"):
                    c.sendall(b"250-mx-tlshang.example.test\r\n250 STARTTLS\r\n")
                elif verb == b"STARTTLS":
                    c.sendall(b"220 go ahead\r\n")
                    return  # and never a byte of TLS
                else:
                    c.sendall(b"250 ok\r\n")
    except OSError:
        pass


def greet_only(s):
    while True:
        c, _ = s.accept()
        held.append(c)
        try:
            c.sendall(b"220 mx-greet.example.test ESMTP\r\n")
        except OSError:
            pass


def full_queue(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind((addr, 25))
    s.listen(0)
    # fill the accept queue: later SYNs are dropped
    for _ in range(2):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect((addr, 25))
        except BlockingIOError:
            pass
        held.append(c)
    held.append(s)


def main():
    silent, hang, greet, synfull, ready = sys.argv[1:6]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind((silent, 53))
    servers = [silent_tcp(silent, 25), silent_tcp(silent, 443)]
    smtp = silent_tcp(hang, 25)
    for s in servers:
        threading.Thread(target=accept_and_hold, args=(s,), daemon=True).start()
    threading.Thread(target=smtp_until_starttls, args=(smtp,), daemon=True).start()
    threading.Thread(target=greet_only, args=(silent_tcp(greet, 25),), daemon=True).start()
    full_queue(synfull)
    open(ready, "w").close()
    while True:
        udp.recv(4096)


main()
