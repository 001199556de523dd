#!/usr/bin/env python3
"""Copy the raw TLS reports among the real samples into OUTDIR: .json and
.json.gz files as they are, and the report attachments of .eml mails
(decoded, still gzip'd when they were).  Prints how many it wrote.  The
samples stay outside the repository; this only reads them.

usage: samples.py SAMPLEDIR OUTDIR
"""
import email
import email.policy
import os
import sys

src, out = sys.argv[1:3]
os.makedirs(out, exist_ok=True)
n = 0
for name in sorted(os.listdir(src)):
    path = os.path.join(src, name)
    if name.endswith(".json") or name.endswith(".json.gz"):
        with open(path, "rb") as f:
            data = f.read()
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        n += 1
    elif name.endswith(".eml"):
        with open(path, "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.compat32)
        k = 0
        for part in msg.walk():
            if part.is_multipart():
                continue
            ctype = part.get_content_type()
            fname = part.get_filename() or ""
            if not (ctype.startswith("application/tlsrpt") or fname.endswith(".json")
                    or fname.endswith(".json.gz") or ctype in ("application/gzip",
                                                               "application/x-gzip")):
                continue
            data = part.get_payload(decode=True)
            if not data:
                continue
            k += 1
            suffix = ".json.gz" if data[:2] == b"\x1f\x8b" else ".json"
            with open(os.path.join(out, "%s.%d%s" % (name, k, suffix)), "wb") as f:
                f.write(data)
            n += 1
print(n)
