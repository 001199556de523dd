# The test world of "tlsrpt-report check", on loopback inside a private
# network namespace: source it first thing, then call world_up.
#
#   127.0.0.53   nsd, authoritative for the DNSSEC-signed zone example.test
#                (and unsigned.test, not signed)
#   127.0.0.80   nginx: https://mta-sts.*.example.test (a private CA)
#   127.0.1.1-5  one Postfix, an smtpd on port 25 of each address: a good
#                certificate, an expired one, one for the wrong name, no
#                STARTTLS, and one whose TLSA record does not match
#   127.0.1.9    tarpit.py: silent on UDP 53 and TCP 25 and 443
#   127.0.1.10   tarpit.py: SMTP up to STARTTLS, then silence
#   127.0.1.11   tarpit.py: a greeting, then silence
#   127.0.1.12   tarpit.py: a full accept queue (connect() never completes)
#   127.0.1.30   nothing: port 25 refuses
#   ::1          the Postfix's sixth smtpd, the expired certificate (only
#                when the namespace has IPv6: WORLD_IPV6=1)
#   2001:db8::25 no route at all from inside the namespace
#   2001:db8:ffff:ffff:ffff:ffff:ffff:ff01 to ...ff09: the same, nine
#                long ones for mx-many (past the cap of probed addresses,
#                and a list too long to name in a finding)
#
# The mx-half*, mx-twogood, mx-dual and mx-v6down hosts have two addresses
# each, 127.0.1.1 (good) and one of the above, for the probe of every
# address of an MX host.
# Each test domain under example.test plants one fault (world_zone lists
# them); example.test itself has every MX host.  Needs root, unshare,
# nsd, ldnsutils, nginx, postfix, openssl and python3; without them the
# script skips.  The caller's TAP helpers (tests/cli/tap.sh) come after.

world_skip() { echo "1..0 # SKIP $1"; exit 0; }

# Re-run the calling script inside a new network namespace, once.
if [ -z "${CHECK_WORLD_NETNS:-}" ]; then
	PATH=$PATH:/usr/sbin:/sbin
	[ "$(id -u)" -eq 0 ] || world_skip "needs root (a network namespace, ports 25, 53, 443)"
	for tool in unshare ip nsd nginx postfix ldns-keygen ldns-signzone drill openssl python3; do
		command -v "$tool" >/dev/null 2>&1 || world_skip "$tool is not installed (scripts/setup-deps)"
	done
	unshare --net true 2>/dev/null || world_skip "unshare --net is not permitted here"
	CHECK_WORLD_NETNS=1 exec unshare --net -- sh "$0" "$@"
fi
PATH=$PATH:/usr/sbin:/sbin
ip link set lo up || world_skip "cannot bring up loopback in the namespace"
# ::1 is there unless IPv6 is disabled; the IPv6 listener needs it.
WORLD_IPV6=0
ip -6 addr show dev lo 2>/dev/null | grep -q '::1/128' && WORLD_IPV6=1

. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/cli/tap.sh"
W=$TMP/world
# Postfix, nginx's workers and nsd read below here as other users.
chmod 755 "$TMP"
CHECKER="$TR check --resolver 127.0.0.53 --trust-anchor $W/dns/anchor --cacert $W/pki/ca.pem --timeout 3 --no-reports"

world_down() {
	[ -f "$W/www/nginx.pid" ] && kill "$(cat "$W/www/nginx.pid")" 2>/dev/null
	[ -f "$W/dns/nsd.pid" ] && kill "$(cat "$W/dns/nsd.pid")" 2>/dev/null
	[ -f "$W/mta/postfix/main.cf" ] && postfix -c "$W/mta/postfix" stop >/dev/null 2>&1
	[ -n "${tarpit_pid:-}" ] && kill "$tarpit_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap world_down EXIT

# ---- certificates: a private CA, and one certificate per server ---------
world_ca() {
	d=$W/pki
	mkdir -p "$d/new" && : >"$d/index.txt" && echo 1000 >"$d/serial"
	cat >"$d/ca.cnf" <<EOF2
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $d/index.txt
new_certs_dir = $d/new
certificate = $d/ca.pem
private_key = $d/ca.key
serial = $d/serial
default_md = sha256
policy = any_name
copy_extensions = copy
unique_subject = no
[ any_name ]
commonName = supplied
EOF2
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
		-subj "/CN=tlsrpt-milter test CA" -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
}

# world_cert NAME START END DNSNAME...: $W/pki/NAME.pem and NAME.key
world_cert() {
	d=$W/pki name=$1 start=$2 end=$3
	shift 3
	san=""
	for n in "$@"; do san="$san${san:+,}DNS:$n"; done
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj "/CN=$1" -addext "subjectAltName=$san" \
		-keyout "$d/$name.key" -out "$d/$name.csr" 2>/dev/null &&
	openssl ca -batch -notext -config "$d/ca.cnf" -in "$d/$name.csr" -out "$d/$name.pem" \
		-startdate "$start" -enddate "$end" >/dev/null 2>&1
}

# The SHA-256 of a certificate's public key: a "3 1 1" TLSA record.
world_spki_sha256() {
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -hex | sed 's/.*= *//'
}

# ---- DNS: the zone, signed, served by nsd ------------------------------
# world_domain NAME STS TLSRPT MX...: the records of one test domain;
# "-" leaves a TXT record out, "2" publishes it twice.
world_domain() {
	name=$1 sts=$2 rpt=$3 at=".$1"
	shift 3
	[ "$name" = @ ] && at=""
	case $sts in
	-) ;;
	2) echo "_mta-sts$at TXT \"v=STSv1; id=1\""; echo "_mta-sts$at TXT \"v=STSv1; id=2\"" ;;
	*) echo "_mta-sts$at TXT \"$sts\"" ;;
	esac
	case $rpt in
	-) ;;
	2) echo "_smtp._tls$at TXT \"v=TLSRPTv1; rua=mailto:a@example.test\""
	   echo "_smtp._tls$at TXT \"v=TLSRPTv1; rua=mailto:b@example.test\"" ;;
	*) echo "_smtp._tls$at TXT \"$rpt\"" ;;
	esac
	echo "mta-sts$at A 127.0.0.80"
	pref=10
	for mx in "$@"; do
		echo "$name MX $pref $mx"
		pref=$((pref + 10))
	done
	echo "$name TXT \"v=spf1 -all\""
}

STS='v=STSv1; id=20261202'
RPT='v=TLSRPTv1; rua=mailto:tlsrpt@example.test'
# The test domains: each plants the fault its name says (tests expect it).
WORLD_DOMAINS="good dupsts badsts duptlsrpt badrua notlsrpt bogus uncovered huge slow
redirect ctype notfound badpolicy webpki tarpit443 expired wrongname nostarttls tlsa
silent tlshang greet synfull testing shortage halfdown halfexpired twogood dual v6down many"

world_zone() {
	good=$(world_spki_sha256 "$W/pki/mx-good.pem")
	cat <<EOF2
\$ORIGIN example.test.
\$TTL 300
@ SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300
@ NS ns.example.test.
ns A 127.0.0.53
mx-good A 127.0.1.1
mx-expired A 127.0.1.2
mx-wrongname A 127.0.1.3
mx-nostarttls A 127.0.1.4
mx-tlsa A 127.0.1.5
mx-silent A 127.0.1.9
mx-tlshang A 127.0.1.10
mx-greet A 127.0.1.11
mx-synfull A 127.0.1.12
mx-halfdown A 127.0.1.1
mx-halfdown A 127.0.1.30
mx-halfexpired A 127.0.1.1
mx-halfexpired A 127.0.1.2
mx-twogood A 127.0.1.1
mx-twogood A 127.0.1.5
mx-dual A 127.0.1.1
mx-dual AAAA ::1
mx-v6down A 127.0.1.1
mx-v6down AAAA 2001:db8::25
$(for i in 1 2 3 4 5 6 7 8 9; do echo "mx-many AAAA 2001:db8:ffff:ffff:ffff:ffff:ffff:ff0$i"; done)
_25._tcp.mx-good TLSA 3 1 1 $good
_25._tcp.mx-tlsa TLSA 3 1 1 0000000000000000000000000000000000000000000000000000000000000000
EOF2
	world_domain @ "$STS" "$RPT" mx-good mx-expired mx-wrongname mx-nostarttls mx-tlsa
	world_domain good "$STS" "$RPT" mx-good
	world_domain dupsts 2 "$RPT" mx-good
	world_domain badsts 'v=STSv1; id=2026-12-02' "$RPT" mx-good
	world_domain duptlsrpt "$STS" 2 mx-good
	world_domain badrua "$STS" 'v=TLSRPTv1; rua=ftp://example.test/reports' mx-good
	world_domain notlsrpt "$STS" - mx-good
	world_domain bogus "$STS" 'v=TLSRPTv1; rua=mailto:signed@example.test' mx-good
	for x in uncovered huge slow redirect ctype notfound badpolicy webpki testing shortage; do
		world_domain $x "$STS" "$RPT" mx-good
	done
	world_domain tarpit443 "$STS" "$RPT" mx-good | sed 's/127.0.0.80/127.0.1.9/'
	for x in expired wrongname nostarttls tlsa silent tlshang greet synfull halfdown \
		halfexpired twogood dual v6down many; do
		world_domain $x "$STS" "$RPT" mx-$x
	done
}

world_dns() {
	d=$W/dns
	mkdir -p "$d"
	world_zone >"$d/example.test" || return 1
	key=$(cd "$d" && ldns-keygen -a ECDSAP256SHA256 -k example.test) || return 1
	(cd "$d" && ldns-signzone -o example.test example.test "$key") || return 1
	cp "$d/$key.key" "$d/anchor"
	# A second zone, unsigned: its MX records cannot validate.
	cat >"$d/unsigned.test" <<EOF2
\$ORIGIN unsigned.test.
\$TTL 300
@ SOA ns.example.test. hostmaster.example.test. 1 3600 600 86400 300
@ NS ns.example.test.
_smtp._tls TXT "$RPT"
@ MX 10 mx-good.example.test.
EOF2
	# One record changed after signing: its signature no longer matches.
	sed -i 's/mailto:signed@example.test/mailto:forged@example.test/' "$d/example.test.signed"
	cat >"$d/nsd.conf" <<EOF2
server:
	ip-address: 127.0.0.53
	port: 53
	username: ""
	chroot: ""
	zonesdir: "$d"
	database: ""
	zonelistfile: "$d/zone.list"
	xfrdfile: "$d/xfrd.state"
	xfrdir: "$d"
	pidfile: "$d/nsd.pid"
	logfile: "$d/nsd.log"
	server-count: 1
	hide-version: yes
remote-control:
	control-enable: no
zone:
	name: example.test
	zonefile: example.test.signed
zone:
	name: unsigned.test
	zonefile: unsigned.test
EOF2
	nsd -c "$d/nsd.conf" || { cat "$d/nsd.log" >&2; return 1; }
	for _ in $(seq 50); do
		drill -p 53 @127.0.0.53 example.test SOA 2>/dev/null | grep -q 'rcode: NOERROR' && return 0
		sleep 0.1
	done
	cat "$d/nsd.log" >&2
	return 1
}

# ---- HTTPS: nginx serving each domain's policy --------------------------
world_www() {
	d=$W/www
	mkdir -p "$d/good/.well-known" "$d/huge/.well-known" "$d/bad/.well-known" \
		"$d/uncovered/.well-known" "$d/empty" "$d/logs"
	printf 'version: STSv1\nmode: enforce\nmx: *.example.test\nmax_age: 604800\n' \
		>"$d/good/.well-known/mta-sts.txt"
	{ printf 'version: STSv1\nmode: enforce\nmx: *.example.test\nmax_age: 604800\n'
	  head -c 70000 /dev/zero | tr '\0' '#'; echo; } >"$d/huge/.well-known/mta-sts.txt"
	printf 'version: STSv1\nmode: enforce\nmx: *.example.test\nmax_age: forever\n' \
		>"$d/bad/.well-known/mta-sts.txt"
	printf 'version: STSv1\nmode: enforce\nmx: mail.example.org\nmax_age: 604800\n' \
		>"$d/uncovered/.well-known/mta-sts.txt"
	mkdir -p "$d/testing/.well-known" "$d/shortage/.well-known"
	printf 'version: STSv1\nmode: testing\nmx: *.example.test\nmax_age: 604800\n' \
		>"$d/testing/.well-known/mta-sts.txt"
	printf 'version: STSv1\nmode: enforce\nmx: *.example.test\nmax_age: 3600\n' \
		>"$d/shortage/.well-known/mta-sts.txt"
	srv() { # NAME ROOT [EXTRA]
		echo "server { listen 127.0.0.80:443 ssl; server_name mta-sts.$1.example.test; root $d/$2; ${3:-} }"
	}
	{
		echo "pid $d/nginx.pid; error_log $d/logs/error.log; worker_processes 1;"
		echo "events { worker_connections 64; }"
		echo "http { access_log off; types { text/plain txt; } default_type application/octet-stream;"
		echo "ssl_certificate $W/pki/mta-sts.pem; ssl_certificate_key $W/pki/mta-sts.key;"
		echo "server { listen 127.0.0.80:443 ssl default_server; server_name _; root $d/good; }"
		srv huge huge
		srv slow good "limit_rate 1;"
		srv redirect good "return 301 https://mta-sts.good.example.test\$request_uri;"
		srv ctype good "types { } default_type text/html;"
		srv notfound empty
		srv badpolicy bad
		srv uncovered uncovered
		srv testing testing
		srv shortage shortage
		srv webpki good "ssl_certificate $W/pki/mx-wrongname.pem; ssl_certificate_key $W/pki/mx-wrongname.key;"
		echo "}"
	} >"$d/nginx.conf"
	nginx -e "$d/logs/error.log" -p "$d" -c "$d/nginx.conf" || { cat "$d/logs/error.log" >&2; return 1; }
}

# ---- SMTP: one Postfix, five smtpd listeners ----------------------------
world_mta() {
	d=$W/mta
	mkdir -p "$d"
	"$top_srcdir/scripts/postfix-sandbox" config "$d" "" "smtpd_peername_lookup = no" \
		"smtpd_tls_security_level = may" >/dev/null || return 1
	sed -i 's/^inet_interfaces = .*/inet_interfaces = all/' "$d/postfix/main.cf"
	# smtpd's TLS needs tlsmgr (entropy, session cache)
	echo "tlsmgr unix - - n 1000? 1 tlsmgr" >>"$d/postfix/master.cf"
	p=$W/pki
	for l in "127.0.1.1 mx-good" "127.0.1.2 mx-expired" "127.0.1.3 mx-wrongname" \
	         "127.0.1.5 mx-tlsa"; do
		set -- $l
		echo "$1:25 inet n - n - - smtpd -o smtpd_tls_chain_files=$p/$2.key,$p/$2.pem" \
			>>"$d/postfix/master.cf"
	done
	echo "127.0.1.4:25 inet n - n - - smtpd -o smtpd_tls_security_level=none" \
		>>"$d/postfix/master.cf"
	v6=""
	if [ "$WORLD_IPV6" = 1 ]; then
		v6=::1
		sed -i 's/^inet_protocols = .*/inet_protocols = all/' "$d/postfix/main.cf"
		echo "[::1]:25 inet n - n - - smtpd -o smtpd_tls_chain_files=$p/mx-expired.key,$p/mx-expired.pem" \
			>>"$d/postfix/master.cf"
	fi
	postfix -c "$d/postfix" start >"$d/start.out" 2>&1 || { cat "$d/start.out" "$d/maillog" >&2; return 1; }
	python3 - 127.0.1.1 127.0.1.2 127.0.1.3 127.0.1.4 127.0.1.5 $v6 <<'EOF2' || { cat "$d/maillog" >&2; return 1; }
import socket, sys, time
for addr in sys.argv[1:]:
    for _ in range(150):
        try:
            socket.create_connection((addr, 25), 1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        sys.exit("smtpd does not listen on %s:25" % addr)
EOF2
}

world_tarpit() {
	python3 "$top_srcdir/tests/check/tarpit.py" 127.0.1.9 127.0.1.10 127.0.1.11 127.0.1.12 \
		"$W/tarpit.ready" &
	tarpit_pid=$!
	for _ in $(seq 50); do
		[ -f "$W/tarpit.ready" ] && return 0
		sleep 0.1
	done
	return 1
}

world_up() {
	mkdir -p "$W/pki" || return 1
	now=$(date -u +%Y%m%d%H%M%SZ)
	soon=$(date -u -d '+60 days' +%Y%m%d%H%M%SZ)
	world_ca &&
	world_cert mx-good "$now" "$soon" mx-good.example.test mx-tlsa.example.test \
		$(for x in halfdown halfexpired twogood dual v6down; do echo mx-$x.example.test; done) &&
	cp "$W/pki/mx-good.pem" "$W/pki/mx-tlsa.pem" && cp "$W/pki/mx-good.key" "$W/pki/mx-tlsa.key" &&
	world_cert mx-expired 20250101000000Z 20250201000000Z mx-expired.example.test \
		mx-halfexpired.example.test mx-dual.example.test &&
	world_cert mx-wrongname "$now" "$soon" mail.example.org &&
	world_cert mta-sts "$now" "$soon" $(for x in $WORLD_DOMAINS; do echo mta-sts.$x.example.test; done) \
		mta-sts.example.test || { echo "world: certificates failed" >&2; return 1; }
	# Postfix takes longest to start: it starts while the rest do.
	world_mta >"$W/mta.log" 2>&1 &
	mta_pid=$!
	world_dns || { echo "world: nsd failed" >&2; return 1; }
	world_www || { echo "world: nginx failed" >&2; return 1; }
	world_tarpit || { echo "world: tarpit.py failed" >&2; return 1; }
	wait "$mta_pid" || { echo "world: postfix failed" >&2; cat "$W/mta.log" >&2; return 1; }
}

# problems FILE: the codes of the warnings and errors in a JSON output,
# each as CODE@SUBJECT, sorted, on one line ("unchecked" when it was).
problems() {
	python3 - "$1" <<'EOF2'
import json, sys
try:
    doc = json.load(open(sys.argv[1]))
except Exception as e:
    print("unparsable:", e)
    sys.exit(0)
codes = []
for dom in doc["domains"]:
    codes += [f["code"] + "@" + f["subject"] for f in dom["findings"]
              if f["severity"] in ("warning", "error")]
    if dom["status"] == "unchecked":
        codes.append("unchecked")
print(" ".join(sorted(codes)))
EOF2
}

# expect DOMAIN "CODE@SUBJECT ..." EXIT [OPTIONS...]: exactly those problems.
expect() {
	d=$1 want=$2 want_rc=$3
	shift 3
	rc=0
	timeout 60 $CHECKER --format json "$@" "$d" >"$TMP/out" 2>"$TMP/err" || rc=$?
	got=$(problems "$TMP/out")
	if [ "$got" = "$want" ] && [ "$rc" = "$want_rc" ]; then
		ok "$d: ${want:-no problems} (exit $want_rc)"
	else
		not_ok "$d: ${want:-no problems} (exit $want_rc)"
		diag "got: $got (exit $rc)" "$(cat "$TMP/err")"
		$CHECKER "$@" "$d" 2>&1 | sed 's/^/# /'
	fi
}
