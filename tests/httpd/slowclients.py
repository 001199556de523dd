#!/usr/bin/env python3
"""Slow and stuck clients against tlsrpt-httpd: N connections each of one
kind (a request line and headers at a byte a second; headers then a body at
a byte a second; a body that is declared but never sent; a connection that
sends nothing), held open while a fast client posts reports one by one.
Prints one JSON line: the fast posts' status codes and slowest time, and
for each slow kind how long the server took to close those connections
(null when it had not within the wait).

usage: slowclients.py HOST PORT REPORTFILE [--each N] [--wait S] [--fast K]
"""
import argparse
import http.client
import json
import socket
import threading
import time

ap = argparse.ArgumentParser()
ap.add_argument("host")
ap.add_argument("port", type=int)
ap.add_argument("report")
ap.add_argument("--each", type=int, default=10)
ap.add_argument("--wait", type=float, default=30)
ap.add_argument("--fast", type=int, default=20)
args = ap.parse_args()
report = open(args.report, "rb").read()
HEAD = ("POST /tlsrpt HTTP/1.1\r\nHost: x\r\nContent-Type: application/tlsrpt+json\r\n"
        "Content-Length: %d\r\n\r\n" % len(report)).encode()
closed = {}
lock = threading.Lock()


def slow(kind):
    s = socket.create_connection((args.host, args.port))
    s.settimeout(1.0)
    start = time.monotonic()
    if kind == "body-trickle" or kind == "body-never":
        s.sendall(HEAD)
    sent = 0
    while time.monotonic() - start < args.wait:
        try:
            if kind == "header-trickle" and sent < len(HEAD):
                s.send(HEAD[sent:sent + 1])
                sent += 1
            elif kind == "body-trickle" and sent < len(report):
                s.send(report[sent:sent + 1])
                sent += 1
            data = s.recv(4096)
            if data == b"" or b"HTTP/1.1" in data:
                break
        except socket.timeout:
            continue
        except OSError:
            break
    else:
        with lock:
            closed.setdefault(kind, []).append(None)
        s.close()
        return
    with lock:
        closed.setdefault(kind, []).append(round(time.monotonic() - start, 1))
    s.close()


kinds = ["header-trickle", "body-trickle", "body-never", "silent"]
threads = [threading.Thread(target=slow, args=(k,)) for k in kinds for _ in range(args.each)]
for t in threads:
    t.start()
time.sleep(1.5)
codes, worst = {}, 0.0
for i in range(args.fast):
    t = time.monotonic()
    c = http.client.HTTPConnection(args.host, args.port, timeout=10)
    try:
        c.request("POST", "/tlsrpt", report, {"Content-Type": "application/tlsrpt+json"})
        st = str(c.getresponse().status)
    except OSError as e:
        st = "error"
    c.close()
    codes[st] = codes.get(st, 0) + 1
    worst = max(worst, time.monotonic() - t)
for t in threads:
    t.join()
print(json.dumps({"fast_codes": codes, "fast_worst_s": round(worst, 2),
                  "closed_after_s": {k: max(v, key=lambda x: 1e9 if x is None else x)
                                     for k, v in closed.items()}}))
