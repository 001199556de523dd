#!/usr/bin/env python3
"""Generate realistic SMTP TLS report mails (RFC 8460) for benchmarks.

The same --seed gives byte-identical output, and the same reports in every
--format, so the importer (mail), the floor (json.gz) and the baseline all
see the same JSON.  Shapes follow what real senders send:

  google     multipart/report, short text/plain part, base64 gzip attachment
             submitter!domain!begin!end!001.json.gz, minified JSON, sts with
             mx-host or no-policy-found
  microsoft  large Exchange Online header block, text/html quoted-printable
             part, pretty-printed JSON, sts plus tlsa, numeric report-id
  mailru     alphabetical keys, end-datetime next midnight, failure details
             without IP addresses
  stalwart   contact-info null, "<unix>_<hash>" report-id, empty arrays
  postfix    sys4 tlsrpt-reporter: indent 2, idx report-id

Each day every policy domain is reported by each submitter with that
submitter's probability, so report ids, keys and attachment names are
distinct by construction.  Failure details follow a skewed distribution:
most reports have none to two, a few have hundreds.

Only the standard library; 100,000 mails in an mbox take seconds.
"""

import argparse
import base64
import binascii
import json
import os
import random
import sys
import time
import zlib

DAY = 86400
BASE_DAY = 1735689600  # 2025-01-01T00:00:00Z

RESULT_TYPES = [
    ("certificate-expired", 12), ("validation-failure", 25),
    ("sts-policy-fetch-error", 15), ("starttls-not-supported", 12),
    ("certificate-host-mismatch", 14), ("certificate-not-trusted", 10),
    ("tlsa-invalid", 4), ("dnssec-invalid", 2), ("dane-required", 1),
    ("sts-policy-invalid", 3), ("sts-webpki-invalid", 2),
]
REASONS = {
    "certificate-expired": "X509_V_ERR_CERT_HAS_EXPIRED",
    "certificate-not-trusted": "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "certificate-host-mismatch": "hostname mismatch",
    "sts-policy-fetch-error": "bad https response code: 404",
    "starttls-not-supported": "STARTTLS not offered",
    "validation-failure": "",
}
WORDS = ("acme alpine amber arcade aurora basalt beacon birch cactus canyon cedar "
         "cobalt comet copper coral delta ember falcon fjord garnet glacier harbor "
         "indigo jasper juniper kestrel lagoon lantern maple meadow nimbus onyx "
         "orchid pebble pine quartz raven saffron sierra summit tundra umber "
         "velvet willow zephyr").split()
TLDS = ("example.com", "example.net", "example.org")


def choose_weighted(rng, table):
    total = sum(w for _, w in table)
    x = rng.random() * total
    for item, w in table:
        x -= w
        if x < 0:
            return item
    return table[-1][0]


def failure_count(rng, fixed, scale=1.0):
    """Failure details in one report: heavily skewed, as in real mailboxes."""
    if fixed is not None:
        return fixed
    return int(round(skewed_count(rng) * scale))


def skewed_count(rng):
    u = rng.random()
    if u < 0.55:
        return 0
    if u < 0.75:
        return 1
    if u < 0.87:
        return 2
    if u < 0.95:
        return rng.randint(3, 10)
    if u < 0.99:
        return rng.randint(11, 50)
    return rng.randint(100, 500)


class Domain:
    """A policy domain with a stable MTA-STS/DANE set-up."""

    def __init__(self, rng, n):
        self.name = "%s%d.%s" % (rng.choice(WORDS), n, rng.choice(TLDS))
        self.sts = rng.random() < 0.7
        self.mode = "enforce" if rng.random() < 0.6 else "testing"
        nmx = rng.choice((1, 1, 2, 2, 3))
        if rng.random() < 0.15:
            self.mx = ["*.%s" % self.name]
        else:
            self.mx = ["mx%d.%s" % (k + 1, self.name) for k in range(nmx)]
        self.mx_ip = ["%s.%d" % (rng.choice(("192.0.2", "198.51.100", "203.0.113")),
                                 rng.randint(1, 254)) for _ in range(nmx)]
        self.max_age = rng.choice((86400, 604800, 2592000, 10368000, 31557600))
        self.tlsa = []
        if rng.random() < 0.2:
            self.tlsa = ["%d 1 1 %s" % (rng.choice((2, 3)),
                                        rng.randbytes(32).hex().upper())
                         for _ in range(rng.randint(1, 4))]

    def sts_strings(self):
        out = ["version: STSv1", "mode: " + self.mode]
        out += ["mx: " + m for m in self.mx]
        out.append("max_age: %d" % self.max_age)
        return out


class Submitter:
    def __init__(self, domain, shape, prob, org, contact, ip_prefix):
        self.domain = domain
        self.shape = shape
        self.prob = prob
        self.org = org
        self.contact = contact
        self.ip_prefix = ip_prefix


def make_submitters(rng):
    subs = [
        Submitter("google.com", "google", 0.95, "Google Inc.",
                  "smtp-tls-reporting@google.com", "209.85"),
        Submitter("microsoft.com", "microsoft", 0.6, "Microsoft Corporation",
                  "tlsrpt-noreply@microsoft.com", "52.101"),
        Submitter("mail.ru", "mailru", 0.1, "Mail.ru",
                  "tls_support@corp.mail.ru", "217.69"),
    ]
    for k in range(12):
        host = "mx.%s%d.example.org" % (rng.choice(WORDS), k)
        subs.append(Submitter(host, "stalwart", 0.02, host, None, "198.18"))
    for k in range(12):
        host = "mail.%s%d.example.net" % (rng.choice(WORDS), k)
        subs.append(Submitter(host, "postfix", 0.02, host,
                              "smtp-tls-reporting@" + host, "198.19"))
    return subs


def rand_ip(rng, prefix):
    return "%s.%d.%d" % (prefix, rng.randint(0, 255), rng.randint(1, 254))


def failure_detail(rng, sub, dom, with_ips):
    rtype = choose_weighted(rng, RESULT_TYPES)
    d = {"result-type": rtype}
    if with_ips:
        k = rng.randrange(len(dom.mx_ip))
        d["sending-mta-ip"] = rand_ip(rng, sub.ip_prefix)
        d["receiving-ip"] = dom.mx_ip[k]
        mx = dom.mx[min(k, len(dom.mx) - 1)].replace("*", "mx%d" % (k + 1))
        d["receiving-mx-hostname"] = mx
        if rng.random() < 0.3:
            d["receiving-mx-helo"] = mx
    d["failed-session-count"] = max(1, int(rng.paretovariate(1.5)))
    reason = REASONS.get(rtype)
    if reason and rng.random() < 0.6:
        d["failure-reason-code"] = reason
    if rng.random() < 0.1:
        d["additional-information"] = "https://%s/tlsrpt/%d" % (
            sub.domain, rng.randint(1, 10 ** 6))
    return d


def make_policies(rng, sub, dom, nfail):
    """Policies of one report, failure details spread over them."""
    pols = []
    if dom.sts:
        pol = {"policy-type": "sts", "policy-string": dom.sts_strings(),
               "policy-domain": dom.name}
        if sub.shape == "google":
            pol["mx-host"] = list(dom.mx)
        pols.append(pol)
        if dom.tlsa and sub.shape == "microsoft":
            pols.append({"policy-type": "tlsa",
                         "policy-string": [json.dumps(dom.tlsa, separators=(",", ":"))],
                         "policy-domain": dom.name})
    elif sub.shape == "postfix":
        pols.append({"policy-type": "no-policy-found"})
    elif sub.shape == "stalwart":
        pols.append({"policy-type": "no-policy-found", "policy-string": [],
                     "policy-domain": dom.name, "mx-host": []})
    else:
        pols.append({"policy-type": "no-policy-found", "policy-domain": dom.name})
    # A few senders report several versions of one domain's policy.
    if rng.random() < 0.03:
        for _ in range(rng.randint(1, 4)):
            pols.append({"policy-type": "no-policy-found", "policy-domain": dom.name})
    with_ips = sub.shape != "mailru"
    out = []
    # The first policy takes most failures, a second one the rest.
    shares = [nfail] + [0] * (len(pols) - 1)
    if len(pols) > 1:
        shares[0], shares[1] = nfail - nfail // 3, nfail // 3
    for pol, share in zip(pols, shares):
        details = [failure_detail(rng, sub, dom, with_ips) for _ in range(share)]
        failed = sum(d["failed-session-count"] for d in details)
        entry = {"policy": pol,
                 "summary": {"total-successful-session-count":
                             int(rng.lognormvariate(3, 2)) % 5000000,
                             "total-failure-session-count": failed}}
        if details or sub.shape in ("stalwart", "postfix"):
            entry["failure-details"] = details
        out.append(entry)
    return out


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def make_report(rng, seq, sub, dom, day, nfail):
    start = BASE_DAY + day * DAY
    end = start + DAY - 1
    if sub.shape in ("mailru", "stalwart"):
        end = start + DAY
    if sub.shape == "google":
        rid = "%s_%s" % (iso(start), dom.name)
    elif sub.shape == "microsoft":
        rid = "%d+%s" % (133800000000000000 + day * 10 ** 9 + seq * 1000 + rng.randrange(1000),
                         dom.name)
    elif sub.shape == "mailru":
        rid = "%s@mail.ru" % binascii.hexlify(rng.randbytes(16)).decode()
    elif sub.shape == "stalwart":
        rid = "%d_%d" % (start, rng.getrandbits(63))
    else:
        rid = "%s_idx%d_%s" % (iso(start), seq, dom.name)
    rep = {"organization-name": sub.org,
           "date-range": {"start-datetime": iso(start), "end-datetime": iso(end)},
           "contact-info": sub.contact,
           "report-id": rid,
           "policies": make_policies(rng, sub, dom, nfail)}
    if sub.shape == "mailru":
        text = json.dumps(rep, indent=3, sort_keys=True)
    elif sub.shape == "microsoft":
        text = json.dumps(rep, indent=4)
    elif sub.shape == "postfix":
        text = json.dumps(rep, indent=2)
    else:
        text = json.dumps(rep, separators=(",", ":"))
    return rep, start, end, text.encode()


def reports(seed, count, fixed_failures, first_day=0, failure_scale=1.0):
    """Yield (seq, submitter, domain, report, start, end, json bytes)."""
    rng = random.Random(seed)
    subs = make_submitters(rng)
    per_day = sum(s.prob for s in subs)
    ndom = max(5, min(20000, int(count / (60 * per_day)) + 1))
    doms = [Domain(rng, n) for n in range(ndom)]
    seq = 0
    day = first_day
    while seq < count:
        for dom in doms:
            for sub in subs:
                if seq >= count:
                    return
                if rng.random() >= sub.prob:
                    continue
                nfail = failure_count(rng, fixed_failures, failure_scale)
                rep, start, end, text = make_report(rng, seq, sub, dom, day, nfail)
                yield seq, sub, dom, rep, start, end, text
                seq += 1
        day += 1


def gzip_bytes(data):
    # mtime 0 keeps the output reproducible, as Microsoft's own gzip header is.
    return zlib.compress(data, 6, wbits=31)


def attachment_name(sub, dom, start, end, seq, rep):
    if sub.shape == "google":
        rid = "001"
    elif sub.shape == "microsoft":
        rid = rep["report-id"].split("+", 1)[0]
    else:
        rid = "%d" % seq
    return "%s!%s!%d!%d!%s.json.gz" % (sub.domain, dom.name, start, end, rid)


def rfc2822(ts):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts))


def b64lines(data):
    return base64.encodebytes(data).decode()  # 76-column lines, as senders wrap


def folded_b64(env, n, indent="\t"):
    s = base64.b64encode(env.randbytes(n)).decode()
    return ("\n" + indent).join(s[k:k + 70] for k in range(0, len(s), 70))


MS_HTML = """<html>
<head>
<meta http-equiv=3D"Content-Type" content=3D"text/html; charset=3Dus-ascii"=
>
</head>
<body>
<div>This is an aggregate TLS report from microsoft.com</div>
 <br>
<br>
<p><em>Microsoft respects your privacy. Review our online </em><a href=3D"h=
ttps://privacy.example.com/en-us/privacystatement"><em>Privacy Statement<=
/em></a><em><br>
</em></p>
 </body>
</html>
"""


def mail_google(env, sub, dom, rep, start, end, gz, name, sent):
    boundary = "%024x" % env.getrandbits(96)
    rid = rep["report-id"]
    return (
        "Return-Path: <%s@smtp-tls-reporting.bounces.google.com>\n"
        "Received: from mail-ot1-f70.google.com (mail-ot1-f70.google.com [209.85.210.70])\n"
        "\tby mx.%s (Postfix) with ESMTPS id %X\n"
        "\tfor <tlsrpt@%s>; %s\n"
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
        "        d=google.com; s=20230601; t=%d; x=%d; darn=%s;\n"
        "        h=to:from:subject:message-id:tls-report-submitter:tls-report-domain\n"
        "         :date:mime-version:from:to:cc:subject:date:message-id:reply-to;\n"
        "        bh=%s;\n"
        "        b=%s\n"
        "X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
        "        d=1e100.net; s=20230601; t=%d; x=%d;\n"
        "        h=to:from:subject:message-id:tls-report-submitter:tls-report-domain\n"
        "         :date:mime-version:x-gm-message-state:from:to:cc:subject:date\n"
        "         :message-id:reply-to;\n"
        "        bh=%s;\n"
        "        b=%s\n"
        "X-Gm-Message-State: %s\n"
        "MIME-Version: 1.0\n"
        "X-Received: by 2002:a05:6830:6618:b0:710:e3ff:d3f1 with SMTP id\n"
        " %x.14.%d; %s\n"
        "Date: %s\n"
        "TLS-Report-Domain: %s\n"
        "TLS-Report-Submitter: google.com\n"
        "Message-ID: <%012x.%s.%dtls@google.com>\n"
        "Subject: Report Domain: %s Submitter: google.com Report-ID: <%s+%s@google.com>\n"
        "From: noreply-smtp-tls-reporting@google.com\n"
        "To: tlsrpt@%s\n"
        "Content-Type: multipart/report; boundary=\"%s\"; report-type=tlsrpt\n"
        "\n"
        "--%s\n"
        "Content-Type: text/plain; charset=\"UTF-8\"; format=flowed; delsp=yes\n"
        "\n"
        "This is an aggregate TLS report from google.com\n"
        "\n"
        "--%s\n"
        "Content-Type: application/tlsrpt+gzip; \n"
        "\tname=\"%s\"\n"
        "Content-Disposition: attachment; \n"
        "\tfilename=\"%s\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "%s"
        "--%s--\n"
    ) % (base64.b32encode(env.randbytes(20)).decode().lower(), dom.name,
         env.getrandbits(40), dom.name, rfc2822(sent), sent, sent + 604800, dom.name,
         base64.b64encode(env.randbytes(32)).decode(), folded_b64(env, 256, "         "),
         sent, sent + 604800, base64.b64encode(env.randbytes(32)).decode(),
         folded_b64(env, 256, "         "), folded_b64(env, 160, "\t"),
         env.getrandbits(64), sent * 1000, rfc2822(sent),
         rfc2822(sent), dom.name, env.getrandbits(48), dom.name[:6], env.getrandbits(16),
         dom.name, rid[:20].replace("-", ".").replace(":", "."), dom.name, dom.name,
         boundary, boundary, boundary, name, name, b64lines(gz), boundary)


def mail_microsoft(env, sub, dom, rep, start, end, gz, name, sent):
    boundary = "_%08x-%04x-%04x-%04x-%012x_" % (
        env.getrandbits(32), env.getrandbits(16), env.getrandbits(16),
        env.getrandbits(16), env.getrandbits(48))
    rid = rep["report-id"]
    corr = "%08x-%04x-%04x-%04x-%012x" % (
        env.getrandbits(32), env.getrandbits(16), env.getrandbits(16),
        env.getrandbits(16), env.getrandbits(48))
    return (
        "Return-Path: <tlsrpt-noreply@microsoft.com>\n"
        "Received: from BN1PR04CU002.outbound.protection.outlook.com (unknown [52.101.56.139])\n"
        "\tby mx.%s (Postfix) with ESMTPS\n\tfor <tlsrpt@%s>; %s\n"
        "ARC-Seal: i=1; a=rsa-sha256; s=arcselector10001; d=microsoft.com; cv=none;\n"
        " b=%s\n"
        "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=microsoft.com;\n"
        " s=arcselector10001;\n"
        " h=From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-MS-Exchange-AntiSpam-MessageData-ChunkCount;\n"
        " bh=%s;\n"
        " b=%s\n"
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=microsoft.com;\n"
        " s=selector2;\n"
        " h=From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-MS-Exchange-SenderADCheck;\n"
        " bh=%s;\n"
        " b=%s\n"
        "Received: from DM6PR00CA0004.namprd00.prod.outlook.com (2603:10b6:5:114::17)\n"
        " by MW4PR21MB1857.namprd21.prod.outlook.com (2603:10b6:303:74::12) with\n"
        " Microsoft SMTP Server (version=TLS1_2,\n"
        " cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7982.11; %s\n"
        "From: <tlsrpt-noreply@microsoft.com>\n"
        "To: \"tlsrpt@%s\" <tlsrpt@%s>\n"
        "Date: %s\n"
        "Subject: Report Domain: %s Submitter: microsoft.com Report-ID:\n"
        " %s\n"
        "TLS-Report-Domain: %s\n"
        "TLS-Report-Submitter: microsoft.com\n"
        "MIME-Version: 1.0\n"
        "Message-ID: <%s@%s>\n"
        "Content-Type: multipart/report;\n"
        "\tboundary=\"%s\"; report-type=tlsrpt\n"
        "X-MS-TrafficTypeDiagnostic:\n"
        "\tBL2NAM06FT011:EE_FirstParty-TlsRpt-V3-System|MW4PR21MB1857:EE_FirstParty-TlsRpt-V3-System\n"
        "X-MS-PublicTrafficType: Email\n"
        "X-MS-Office365-Filtering-Correlation-Id: %s\n"
        "X-Microsoft-Antispam: BCL:0;ARA:13230040|376014|61400799027;\n"
        "X-Microsoft-Antispam-Message-Info:\n\t%s\n"
        "X-MS-Exchange-AntiSpam-MessageData-ChunkCount: 1\n"
        "X-MS-Exchange-AntiSpam-MessageData-0:\n\t%s\n"
        "X-OriginatorOrg: microsoft.com\n"
        "X-MS-Exchange-CrossTenant-Network-Message-Id: %s\n"
        "X-MS-Exchange-CrossTenant-AuthSource:\n"
        "\tTreatMessagesAsInternal-MW4PR21MB1857.namprd21.prod.outlook.com\n"
        "\n"
        "--%s\n"
        "Content-Type: text/html; charset=\"us-ascii\"\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "%s"
        "\n"
        "--%s\n"
        "Content-Type: application/tlsrpt+gzip\n"
        "Content-Description:\n %s\n"
        "Content-Disposition: attachment;\n"
        "\tfilename=\"%s\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "%s"
        "\n"
        "--%s--\n"
    ) % (dom.name, dom.name, rfc2822(sent),
         base64.b64encode(env.randbytes(256)).decode(),
         base64.b64encode(env.randbytes(32)).decode(),
         base64.b64encode(env.randbytes(256)).decode(),
         base64.b64encode(env.randbytes(32)).decode(),
         base64.b64encode(env.randbytes(128)).decode(),
         rfc2822(sent), dom.name, dom.name, rfc2822(sent), dom.name, rid, dom.name,
         rid, dom.name, boundary, corr,
         base64.b64encode(env.randbytes(600)).decode(),
         base64.b64encode(env.randbytes(900)).decode(), corr,
         boundary, MS_HTML, boundary, name, name, b64lines(gz), boundary)


def mail_generic(env, sub, dom, rep, start, end, gz, name, sent):
    boundary = "=_%016x" % env.getrandbits(64)
    rid = rep["report-id"]
    plain = env.random() < 0.05  # a few senders attach uncompressed JSON
    if plain:
        ctype = "application/tlsrpt+json"
        name = name[:-3]
        body = zlib.decompress(gz, wbits=31)
    else:
        ctype = "application/tlsrpt+gzip"
        body = gz
    return (
        "Return-Path: <%s>\n"
        "Received: from %s (%s [%s])\n"
        "\tby mx.%s (Postfix) with ESMTPS id %X\n\tfor <tlsrpt@%s>; %s\n"
        "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed; d=%s;\n"
        " s=tlsrpt; t=%d; h=From:To:Subject:Date:Message-ID:TLS-Report-Domain:\n"
        " TLS-Report-Submitter; bh=%s;\n b=%s\n"
        "From: \"%s\" <%s>\n"
        "To: <tlsrpt@%s>\n"
        "Subject: Report Domain: %s\n"
        " Submitter: %s\n"
        " Report-ID: <%s>\n"
        "Date: %s\n"
        "Message-ID: <%x.%d@%s>\n"
        "TLS-Report-Domain: %s\n"
        "TLS-Report-Submitter: %s\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=\"tlsrpt\";\n"
        "\tboundary=\"%s\"\n"
        "\n"
        "This is a multi-part message in MIME format.\n"
        "\n"
        "--%s\n"
        "Content-Type: text/plain; charset=\"utf-8\"\n"
        "Content-Transfer-Encoding: 7bit\n"
        "\n"
        "TLS report from %s\n\nSubmitter: %s\nReport-ID: %s\n"
        "\n"
        "--%s\n"
        "Content-Type: %s\n"
        "Content-Disposition: attachment; filename=\"%s\"\n"
        "Content-Transfer-Encoding: base64\n"
        "\n"
        "%s"
        "\n"
        "--%s--\n"
    ) % (sub.contact or "postmaster@" + sub.domain, sub.domain, sub.domain,
         rand_ip(env, sub.ip_prefix), dom.name, env.getrandbits(40), dom.name,
         rfc2822(sent), sub.domain, sent, base64.b64encode(env.randbytes(32)).decode(),
         base64.b64encode(env.randbytes(64)).decode(), sub.org,
         sub.contact or "postmaster@" + sub.domain, dom.name, dom.name, sub.domain, rid,
         rfc2822(sent), env.getrandbits(64), sent, sub.domain, dom.name, sub.domain,
         boundary, boundary, sub.domain, sub.domain, rid, boundary, ctype, name,
         b64lines(body), boundary)


MAILERS = {"google": mail_google, "microsoft": mail_microsoft}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--format", choices=("eml", "json", "json.gz"), default="eml")
    ap.add_argument("--first-day", type=int, default=0,
                    help="days after 2025-01-01 to start at: chunks generated with "
                         "first days far enough apart never share a report")
    ap.add_argument("--failures", type=int, default=None,
                    help="exactly N failure details per report (size sweeps)")
    ap.add_argument("--failure-scale", type=float, default=1.0,
                    help="scale the skewed failure-detail counts by X (2: about 10 per "
                         "report on average instead of 5)")
    dest = ap.add_mutually_exclusive_group(required=True)
    dest.add_argument("--out", help="directory: one file per report")
    dest.add_argument("--mbox", help="one mbox file (eml format only)")
    args = ap.parse_args()
    if args.count < 0 or args.first_day < 0 or (args.failures is not None and args.failures < 0) \
            or not 0 <= args.failure_scale <= 100:
        ap.error("counts must not be negative")
    if args.mbox and args.format != "eml":
        ap.error("--mbox holds mails: use --format eml")

    env = random.Random(args.seed ^ 0x5EED)  # envelope noise only: formats stay aligned
    mbox = None
    if args.mbox:
        mbox = open(args.mbox, "wb")
    else:
        os.makedirs(args.out, exist_ok=True)
    n_json = n_out = n_pol = n_fail = 0
    for seq, sub, dom, rep, start, end, text in reports(args.seed, args.count, args.failures,
                                                            args.first_day, args.failure_scale):
        n_json += len(text)
        n_pol += len(rep["policies"])
        n_fail += sum(len(p.get("failure-details", ())) for p in rep["policies"])
        if args.format == "json":
            data = text
            name = attachment_name(sub, dom, start, end, seq, rep)[:-3]
        else:
            gz = gzip_bytes(text)
            name = attachment_name(sub, dom, start, end, seq, rep)
            data = gz
        if args.format == "eml":
            sent = end + 1 + env.randrange(3600 * 12)
            data = MAILERS.get(sub.shape, mail_generic)(
                env, sub, dom, rep, start, end, gz, name, sent).encode()
            name = "%07d.eml" % seq
        n_out += len(data)
        if mbox:
            mbox.write(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2025\n")
            mbox.write(data)
            mbox.write(b"\n")
        else:
            with open(os.path.join(args.out, name), "wb") as f:
                f.write(data)
    if mbox:
        mbox.close()
    sys.stderr.write("gen-reports: %d reports, %d policies, %d failure details, "
                     "%d bytes JSON, %d bytes written\n"
                     % (args.count, n_pol, n_fail, n_json, n_out))


if __name__ == "__main__":
    main()
