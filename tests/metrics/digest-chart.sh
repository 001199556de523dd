#!/bin/sh
# The digest's per-day chart and silent reporters: the text part's bars,
# the HTML part's table bars with no script and no remote content, the
# silent reporter named with the date of its last report, and the HTML of
# the demo database's digest rendered by headless Chromium into a
# screenshot (skipped without Debian's chromium).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
have_python || skip_all "python3 needed"
require_store
DB="$TMP/t.db"
TLSRPT_NOW=2024-01-12T00:00:00Z
export TLSRPT_NOW
# daily.example: every day from 10 December to 9 January, 3 failures a
# day; weekly.example on 4 days; both about ours.example.
D=$top_srcdir/tests/metrics/daily.py
python3 "$D" "$TMP/in" daily.example ours.example 2023-12-10 31 1000 3
for d in 2023-12-15 2023-12-22 2023-12-29 2024-01-05; do
	python3 "$D" "$TMP/in" weekly.example ours.example $d 1 500 40 starttls-not-supported
done
python3 "$D" "$TMP/in" fresh.example ours.example 2024-01-11 1 2000 0
"$TR" -d "$DB" import "$TMP/in" >/dev/null 2>&1

# part KIND: the decoded text or HTML part of the digest in $TMP/out
part() {
	python3 - "$TMP/out" "$1" <<'PY'
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
sys.stdout.write(m.get_body((sys.argv[2],)).get_content())
PY
}

run -d "$DB" digest --since 7d --to postmaster@example.com
is "digest --since 7d: exit 0" "$rc" 0
part plain >"$TMP/text"
part html >"$TMP/html"
check "text: a per-day chart" grep -q "^Per day (bars scaled to the busiest day of each column):" "$TMP/text"
is "text: one line per day of the window" "$(grep -c '^  2024-01-' "$TMP/text")" 7
is "text: the busiest day has the longest bar" \
	"$(grep '^  2024-01-11' "$TMP/text" | tr -s ' ' | cut -d' ' -f3)" "####################"
is "text: a day without reports has no bar" \
	"$(grep '^  2024-01-10' "$TMP/text" | tr -s ' ')" " 2024-01-10 0 0"
is "text: the day with 40 failures has the longest failure bar" \
	"$(grep '^  2024-01-05' "$TMP/text" | grep -o '!*' | head -1)" "!!!!!!!!!!!!!!!!!!!!"
check "text: the silent reporter, with the date of its last report" \
	grep -q "^  \* daily.example: last report 2024-01-09, reports on 28 days$" "$TMP/text"
check "text: a weekly reporter is not silent" sh -c "! grep -q 'weekly.example: last report' '$TMP/text'"
check "text: a new reporter is not silent" sh -c "! grep -q 'fresh.example: last report' '$TMP/text'"
check "html: a per-day table" grep -q ">Per day</h3>" "$TMP/html"
check "html: bars are table cells with a width" grep -q '<td width="100%" style="width:100%;background:#8c959f' "$TMP/html"
check "html: the silent reporter" grep -q "<li>daily.example: last report 2024-01-09, reports on 28 days</li>" "$TMP/html"
check "html: no script" sh -c "! grep -qiE '<script|javascript:| on[a-z]+=' '$TMP/html'"
check "html: no remote content" sh -c "! grep -qi 'src=\|url(\|@import\|<link\|https\?://' '$TMP/html'"

# A later run: daily.example reported again, it is no longer silent.
python3 "$D" "$TMP/in2" daily.example ours.example 2024-01-11 1 1000 0
"$TR" -d "$DB" import "$TMP/in2" >/dev/null 2>&1
run -d "$DB" digest --since 7d --to postmaster@example.com
check "a reporter that came back is not silent" sh -c "! grep -q 'Silent reporters' '$TMP/out'"

# summary names silent reporters too (text, by submitter).
python3 "$D" "$TMP/in3" quiet.example ours.example 2023-12-12 20 100 0
"$TR" -d "$DB" import "$TMP/in3" >/dev/null 2>&1
run -d "$DB" summary --since 7d
check "summary: names the silent reporter and its last report" \
	grep -q "^Silent: quiet.example (last report 2023-12-31, reports on 19 of the last 30 days)" "$TMP/out"
run -d "$DB" summary --since 7d --format json
is "summary --format json: the silent reporter, beside rows without it" \
	"$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["silent_reporters"], sorted(r["submitter"] for r in d["rows"]))' "$TMP/out")" \
	"[{'submitter': 'quiet.example', 'last_report': '2023-12-31', 'last_report_end': '2023-12-31T23:59:59Z', 'days_with_reports': 19, 'lookback_days': 30}] ['daily.example', 'fresh.example', 'weekly.example']"
run -d "$DB" summary --format json --submitter daily.example
is "summary --format json --submitter: only that reporter, not silent" \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["silent_reporters"])' "$TMP/out")" "[]"
run -d "$DB" summary --format json --until 2024-01-01
is "summary --format json --until: silence not judged" \
	"$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["silent_reporters"])' "$TMP/out")" "None"
run -d "$DB" summary --by day --format json
is "summary --by day --format json: no silent reporters member" \
	"$(python3 -c 'import json, sys; print("silent_reporters" in json.load(open(sys.argv[1])))' "$TMP/out")" "False"
run -d "$DB" summary --since 7d --format csv
is "summary --format csv: silent columns, a zero row for the silent reporter" \
	"$(cut -d, -f1,3,7,8 "$TMP/out" | sort)" \
	"daily.example,6,0,
fresh.example,1,0,
quiet.example,0,1,2023-12-31
submitter,reports,silent,last_report
weekly.example,1,0,"
run -d "$DB" summary --format csv
is "summary --format csv: the silent reporter's own row says so" \
	"$(grep '^quiet.example,' "$TMP/out" | cut -d, -f3,7,8)" "20,1,2023-12-31"
run -d "$DB" summary --format csv --policy-domain ours.example
is "summary --format csv --policy-domain: silence not judged" \
	"$(grep '^quiet.example,' "$TMP/out" | cut -d, -f7,8)" ","

# The demo database (the example mails of ./demo) in headless Chromium.
if ! command -v chromium >/dev/null 2>&1; then
	skip "chromium screenshot (chromium not installed)"
	done_testing
	exit 0
fi
"$TR" -d "$TMP/demo.db" import "$top_srcdir"/tests/fixtures/mail/*.eml >/dev/null 2>&1
TLSRPT_NOW=2026-03-03T00:00:00Z run -d "$TMP/demo.db" digest --since 2026-03-01 --to postmaster@example.com
part html >"$TMP/demo.html"
check "demo digest: a chart of its days" grep -q ">2026-03-02</td>" "$TMP/demo.html"
rm -f "$TMP/shot.png"
HOME=$TMP timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--user-data-dir="$TMP/chromium" --no-first-run --disable-background-networking \
	--disable-component-update --disable-sync --disable-default-apps --disable-extensions \
	--window-size=900,1000 --screenshot="$TMP/shot.png" "file://$TMP/demo.html" \
	>"$TMP/chromium.log" 2>&1
SIZE=$(python3 - "$TMP/shot.png" <<'PY' 2>/dev/null
import struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:8] == b"\x89PNG\r\n\x1a\n" and b[12:16] == b"IHDR"
w, h = struct.unpack(">II", b[16:24])
print("%dx%d %s" % (w, h, "big" if len(b) > 20000 else "small"))
PY
)
is "chromium renders the demo digest into a 900x1000 screenshot" "$SIZE" "900x1000 big"
[ "$SIZE" = "900x1000 big" ] || diag "$(tail -5 "$TMP/chromium.log")"
done_testing
