#!/usr/bin/env python3
"""Write RFC 8460 reports for the metrics tests: DIR REPORTER DOMAIN FIRST_DAY
DAYS [OK FAILED [RESULT_TYPE]], one JSON file a day from FIRST_DAY
(YYYY-MM-DD) for DAYS days, each covering that UTC day."""
import datetime
import json
import os
import sys

out, reporter, domain, first, days = sys.argv[1:6]
ok = int(sys.argv[6]) if len(sys.argv) > 6 else 100
failed = int(sys.argv[7]) if len(sys.argv) > 7 else 0
rtype = sys.argv[8] if len(sys.argv) > 8 else "certificate-expired"
day = datetime.date.fromisoformat(first)
os.makedirs(out, exist_ok=True)
for i in range(int(days)):
    d = day + datetime.timedelta(days=i)
    pol = {"policy": {"policy-type": "sts", "policy-string": ["version: STSv1"],
                      "policy-domain": domain, "mx-host": ["mx." + domain]},
           "summary": {"total-successful-session-count": ok,
                       "total-failure-session-count": failed}}
    if failed:
        pol["failure-details"] = [{"result-type": rtype, "sending-mta-ip": "192.0.2.1",
                                   "receiving-mx-hostname": "mx." + domain,
                                   "failed-session-count": failed}]
    rep = {"organization-name": reporter, "contact-info": "tlsrpt@" + reporter,
           "report-id": "%s-%s-%s" % (reporter, domain, d.isoformat()),
           "date-range": {"start-datetime": d.isoformat() + "T00:00:00Z",
                          "end-datetime": d.isoformat() + "T23:59:59Z"},
           "policies": [pol]}
    name = os.path.join(out, "%s-%s-%s.json" % (reporter, domain, d.isoformat()))
    with open(name, "w") as f:
        json.dump(rep, f)
