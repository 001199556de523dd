#!/usr/bin/env python3
"""Post N generated TLS reports to tlsrpt-httpd from C concurrent clients
(keep-alive connections, HTTP or HTTPS), some duplicated and some invalid,
and print one JSON line: status counts, how many distinct valid reports
were sent (what the database must hold), transport errors, and latency
percentiles in milliseconds.

A request that fails at the transport level (connection reset) is retried
on a new connection, as a sender would; "errors" counts those.

usage: loadgen.py URL [--clients C] [--reports N] [--tag T] [--cafile F]
                  [--dup-every D] [--invalid-every I] [--host H] [--write DIR]
"""
import argparse
import gzip
import http.client
import json
import ssl
import sys
import threading
import time
import urllib.parse

ap = argparse.ArgumentParser()
ap.add_argument("url")
ap.add_argument("--clients", type=int, default=50)
ap.add_argument("--reports", type=int, default=1000)
ap.add_argument("--tag", default="load")
ap.add_argument("--cafile")
ap.add_argument("--host", help="Host header and TLS server name")
ap.add_argument("--dup-every", type=int, default=10)
ap.add_argument("--invalid-every", type=int, default=25)
ap.add_argument("--write", metavar="DIR",
                help="write the request bodies to DIR (NNNNNN.json or .json.gz) instead of posting")
args = ap.parse_args()
u = urllib.parse.urlsplit(args.url)


def report(i):
    return {"organization-name": "Load Org", "contact-info": "tls@load.example",
            "report-id": "%s-%d" % (args.tag, i),
            "date-range": {"start-datetime": "2026-04-01T00:00:00Z",
                           "end-datetime": "2026-04-01T23:59:59Z"},
            "policies": [{"policy": {"policy-type": "sts", "policy-domain": "example.com",
                                     "mx-host": ["mx.example.com"]},
                          "summary": {"total-successful-session-count": i,
                                      "total-failure-session-count": i % 3},
                          "failure-details": [{"result-type": "certificate-expired",
                                               "sending-mta-ip": "192.0.2.%d" % (i % 250 + 1),
                                               "failed-session-count": i % 3}] if i % 3 else []}]}


def body(i):
    """What request i sends: (bytes, content type, valid report key or None)."""
    if args.invalid_every and i % args.invalid_every == args.invalid_every - 1:
        return b'{"report-id": "broken-%d"' % i, "application/tlsrpt+json", None
    k = i - 1 if args.dup_every and i % args.dup_every == args.dup_every - 1 and i > 0 else i
    if args.invalid_every and k % args.invalid_every == args.invalid_every - 1:
        k = i
    data = json.dumps(report(k)).encode()
    if i % 2:
        return gzip.compress(data), "application/tlsrpt+gzip", k
    return data, "application/tlsrpt+json", k


lock = threading.Lock()
codes, lat, valid, errors = {}, [], set(), [0]
next_i = [0]


def connect():
    if u.scheme == "https":
        ctx = ssl.create_default_context(cafile=args.cafile)
        return http.client.HTTPSConnection(u.hostname, u.port, timeout=60, context=ctx,
                                           server_hostname=args.host) \
            if sys.version_info >= (3, 12) else \
            http.client.HTTPSConnection(args.host or u.hostname, u.port, timeout=60, context=ctx)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)


def worker():
    conn = None
    while True:
        with lock:
            i = next_i[0]
            if i >= args.reports:
                break
            next_i[0] += 1
        data, ctype, key = body(i)
        for attempt in range(5):
            try:
                if conn is None:
                    conn = connect()
                t = time.monotonic()
                hdrs = {"Content-Type": ctype}
                if args.host:
                    hdrs["Host"] = args.host
                conn.request("POST", u.path or "/", data, hdrs)
                r = conn.getresponse()
                r.read()
                dt = (time.monotonic() - t) * 1000
                if r.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
                break
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.05)
        else:
            with lock:
                codes["transport"] = codes.get("transport", 0) + 1
            continue
        with lock:
            codes[str(r.status)] = codes.get(str(r.status), 0) + 1
            lat.append(dt)
            if key is not None:
                valid.add(key)
    if conn is not None:
        conn.close()


if args.write:
    import os
    os.makedirs(args.write, exist_ok=True)
    for i in range(args.reports):
        data, ctype, _ = body(i)
        ext = ".json.gz" if ctype.endswith("gzip") else ".json"
        with open(os.path.join(args.write, "%06d%s" % (i, ext)), "wb") as f:
            f.write(data)
    sys.exit(0)

# with https and an IP in the URL, the Host/SNI name must resolve to it
if u.scheme == "https" and args.host and sys.version_info < (3, 12):
    import socket
    _orig = socket.getaddrinfo
    socket.getaddrinfo = lambda h, *a, **k: _orig(u.hostname if h == args.host else h, *a, **k)

start = time.monotonic()
threads = [threading.Thread(target=worker) for _ in range(args.clients)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - start
lat.sort()


def pct(p):
    return round(lat[min(len(lat) - 1, int(len(lat) * p))], 2) if lat else None


print(json.dumps({"codes": codes, "valid_unique": len(valid), "errors": errors[0],
                  "seconds": round(elapsed, 2), "per_second": round(len(lat) / elapsed, 1),
                  "p50_ms": pct(0.50), "p99_ms": pct(0.99)}))
