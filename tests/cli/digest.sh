#!/bin/sh
# tlsrpt-report digest: parsed back by python's email package (the
# strict default policy): headers, Subject, both bodies, escaping of
# hostile report text, --only-if-failures, and --sendmail through a fake
# sendmail that records its arguments and input.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB=$(new_db t.db)
TLSRPT_NOW=2024-01-12T00:00:00Z
export TLSRPT_NOW
"$TR" -d "$DB" import "$FIX/mail-gzip.eml" "$FIX/mail-two-policies.eml" "$FIX/raw.json" \
	"$FIX/raw.json.gz" "$FIX/three.mbox" "$FIX/maildir" "$FIX/stdin.eml" \
	"$FIX/shared-id-h.eml" "$FIX/shared-id-i.eml" >/dev/null 2>&1

# mail EXPR: python over the message the last run printed, as m.
mail() {
	python3 - "$TMP/out" "$1" <<'PY'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
text = m.get_body(("plain",)).get_content() if m.is_multipart() else None
html = m.get_body(("html",)).get_content() if m.is_multipart() else None
print(eval(sys.argv[2]))
PY
}

run -d "$DB" digest --since 6d --to postmaster@example.com
is "digest: exit 0" "$rc" 0
is "digest: the headers a mail needs, once each" \
	"$(mail 'sorted(k for k in m.keys())')" \
	"['Auto-Submitted', 'Content-Type', 'Date', 'From', 'MIME-Version', 'Message-ID', 'Subject', 'To']"
is "digest: no parser defects" "$(mail '[p.defects for p in m.walk() if p.defects]')" "[]"
is "digest: multipart/alternative with text then HTML, UTF-8" \
	"$(mail '[(p.get_content_type(), p.get_content_charset()) for p in m.iter_parts()]')" \
	"[('text/plain', 'utf-8'), ('text/html', 'utf-8')]"
is "digest: Date from the clock" "$(mail 'm["Date"].datetime.isoformat()')" "2024-01-12T00:00:00+00:00"
is "digest: From defaults to tlsrpt-report@host" "$(mail 'm["From"].addresses[0].username')" "tlsrpt-report"
# Window 2024-01-06..12: python adds up the same reports.
WANT=$(python3 - "$FIX/reports" <<'PY'
import glob, json, os, sys
ok = failed = 0; failing = set()
for p in glob.glob(os.path.join(sys.argv[1], "*.json")):
    r = json.load(open(p))
    if not "2024-01-06" <= r["date-range"]["start-datetime"][:10] < "2024-01-12":
        continue
    for q in r["policies"]:
        ok += q["summary"]["total-successful-session-count"]
        failed += q["summary"]["total-failure-session-count"]
        if q["summary"]["total-failure-session-count"]:
            failing.add(r["contact-info"])
print("TLS report digest example.com: %d senders failed %s of %s sessions (<0.1%%)"
      % (len(failing), format(failed, ","), format(ok + failed, ",")))
PY
)
is "digest: Subject states the window's numbers" "$(mail 'm["Subject"]')" "$WANT"
is "digest: text lists the failing senders with their result types" \
	"$(mail '"reporter-f.example" in text and "starttls-not-supported 6" in text and "sts-webpki-invalid 4" in text')" True
is "digest: what is new since the previous 6 days" \
	"$(mail '[l.strip() for l in text.splitlines() if l.startswith("  * ")]')" \
	"['* new result type sts-webpki-invalid: 4 failed sessions', '* new sending IP 203.0.113.9: 6 failed sessions']"
is "digest: the senders with no failures in one line" "$(mail '[l for l in text.splitlines() if l.startswith("+ ")]')" \
	"['+ 1 sender with no failures (3 sessions).']"
is "digest: HTML has the same table" "$(mail '"<table" in html and "reporter-f.example</td>" in html and "&lt;0.1%" in html')" True
check "digest: no line of 998 characters or more" python3 -c "
import sys; sys.exit(any(len(l) >= 998 for l in open(sys.argv[1], 'rb').read().split(b'\n')))" "$TMP/out"
check "digest: every byte of the message is ASCII" python3 -c "
import sys; open(sys.argv[1], 'rb').read().decode('ascii')" "$TMP/out"

# A rate jump: reporter-e failed 1 of 1,000 (0.1%) on the 6th and 4 of 1.2M
# since, so no; make a window where it jumps (the 3rd against the 2nd... by
# submitter only reporter-c fails there and had no reports before).
run -d "$DB" digest --since 2024-01-09 --until 2024-01-12 --to a@example.com
is "digest: no jump without enough failures" "$(mail '"failure rate" in text')" False

run -d "$DB" digest --since 2024-01-12 --until 2024-01-13 --to a@example.com --only-if-failures
is "digest --only-if-failures: quiet window prints nothing, exit 0" "$rc:$(wc -c <"$TMP/out")" "0:0"
run -d "$DB" digest --since 2024-01-12 --until 2024-01-13 --to a@example.com
is "digest: a window without reports still mails, saying so" "$(mail 'm["Subject"]')" \
	"TLS report digest: no reports"
run -d "$DB" digest --since 2024-01-10 --until 2024-01-10T23:59:59Z --to a@example.com --only-if-failures
is "digest --only-if-failures: quiet when every session succeeded" "$rc:$(wc -c <"$TMP/out")" "0:0"
run -d "$DB" digest --since 2024-01-10 --until 2024-01-10T23:59:59Z --to a@example.com
is "digest: all-success subject" "$(mail 'm["Subject"]')" \
	"TLS report digest example.com: no failures in 3 sessions"

run -d "$DB" digest --since 6d
is "digest without --to: usage error" "$rc" 2
run -d "$DB" digest --since 6d --to "a@example.com
Bcc: x@example.net"
is "digest: an address with a line break is refused" "$rc" 2
run -d "$DB" digest --since 6d --to "a@example.com, b@example.net"
is "digest: a second address smuggled in --to is refused" "$rc" 2

# Hostile report text: header injection, markup, escapes, non-ASCII.
H=$(new_db h.db)
"$TR" -d "$H" import "$FIX/hostile-digest.json" "$FIX/hostile-domain.json" >/dev/null 2>&1
run -d "$H" digest --since 2d --to postmaster@example.com --submitter reporter-x.example
is "hostile domain: the headers are still the eight" \
	"$(mail 'sorted(m.keys())')" \
	"['Auto-Submitted', 'Content-Type', 'Date', 'From', 'MIME-Version', 'Message-ID', 'Subject', 'To']"
is "hostile domain: Subject decodes to the escaped domain, on one line" "$(mail 'repr(m["Subject"])')" \
	"'TLS report digest exämple.com\\\\r\\\\nbcc: victim@example.net: 1 sender failed 2 of 3 sessions (66.7%)'"
check "hostile domain: the raw Subject is RFC 2047 encoded-words" grep -q '^Subject: =?UTF-8?B?' "$TMP/out"
is "hostile domain: no Bcc header" "$(mail 'm["Bcc"]')" None
run -d "$H" digest --since 2d --to postmaster@example.com
is "hostile report: no parser defects" "$(mail '[p.defects for p in m.walk() if p.defects]')" "[]"
is "hostile report: no injected header" "$(mail '(m["X-Injected"], m["Bcc"], len(m.get_all("Subject")))')" "(None, None, 1)"
is "hostile report: HTML has no live markup from the report" \
	"$(mail '("<script>" in html, "<b>" in html, "&lt;script&gt;x&lt;/script&gt;" in html, "&#39;" in html or "<i>" not in html)')" \
	"(False, False, True, True)"
is "hostile report: no control character in either body" \
	"$(mail 'any(ord(c) < 32 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f or c in "\u202e\u2028" for c in text + html)')" False
is "hostile report: non-ASCII arrives as UTF-8 text" "$(mail '"Évil" in text and "Évil" in html')" True
is "hostile report: the organization's CR LF shows as text" "$(mail '"Évil\\r\\nBcc" in text')" True

# --sendmail: a fake sendmail records its arguments and what it was given.
cat >"$TMP/sendmail" <<SH
#!/bin/sh
echo "\$@" >"$TMP/sm.args"
cat >"$TMP/sm.in"
SH
chmod +x "$TMP/sendmail"
run -d "$DB" digest --since 6d --to postmaster@example.com --sendmail="$TMP/sendmail"
is "--sendmail: exit 0, nothing on stdout" "$rc:$(wc -c <"$TMP/out")" "0:0"
is "--sendmail: run as PATH -t -i" "$(cat "$TMP/sm.args")" "-t -i"
cp "$TMP/sm.in" "$TMP/out"
is "--sendmail: it got the message" "$(mail 'm["To"]')" "postmaster@example.com"
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$TMP/sendmail"
run -d "$DB" digest --since 6d --to postmaster@example.com --sendmail="$TMP/sendmail"
is "--sendmail: its failure is ours (exit 2, said on stderr)" "$rc:$(grep -c 'exit status 75' "$TMP/err")" "2:1"
run -d "$DB" digest --since 6d --to postmaster@example.com --sendmail="$TMP/no-such-sendmail"
is "--sendmail: a missing program is an error" "$rc" 2

done_testing
