/*
 * check: a domain's MTA-STS, DANE and TLS reporting set-up, checked live
 * (check/domaincheck.h), with the stored failures each finding explains
 * and those it does not (check/explain.h) beside it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"
#include "domaincheck.h"
#include "explain.h"
#include "output.h"

#define DEFAULT_TIMEOUT_S 10
#define DEFAULT_DAYS 7

enum {
	OPT_RESOLVER = OPT_FIRST_COMMAND_OPTION,
	OPT_TRUST_ANCHOR,
	OPT_CACERT,
	OPT_TIMEOUT,
	OPT_PORT,
	OPT_NO_SMTP,
	OPT_DAYS,
	OPT_NO_REPORTS,
	OPT_HELO
};

static const struct opt_def check_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	{ OPT_FORMAT, 0, "format", 1 },
	{ OPT_RESOLVER, 0, "resolver", 1 },
	{ OPT_TRUST_ANCHOR, 0, "trust-anchor", 1 },
	{ OPT_CACERT, 0, "cacert", 1 },
	{ OPT_TIMEOUT, 0, "timeout", 1 },
	{ OPT_PORT, 0, "port", 1 },
	{ OPT_NO_SMTP, 0, "no-smtp", 0 },
	{ OPT_DAYS, 0, "days", 1 },
	{ OPT_NO_REPORTS, 0, "no-reports", 0 },
	{ OPT_HELO, 0, "helo", 1 },
};

#define MAX_DOMAINS 64

struct check_args {
	const char *domains[MAX_DOMAINS];
	size_t n_domains;
	int format;
	const char *resolver, *trust_anchor, *cacert, *helo;
	size_t timeout_s, port, days;
	int no_smtp, no_reports;
};

static int check_option(void *ctx, int id, const char *arg)
{
	struct check_args *a = ctx;

	switch (id) {
	case OPT_FORMAT:
		if (cli_format_option(&cmd_check, arg, &a->format) != CLI_OK)
			return CLI_FAIL;
		if (a->format == OUT_CSV)
			return cli_usage_error(&cmd_check, "--format: use text or json");
		return CLI_OK;
	case OPT_RESOLVER:
		a->resolver = arg;
		return CLI_OK;
	case OPT_TRUST_ANCHOR:
		a->trust_anchor = arg;
		return CLI_OK;
	case OPT_CACERT:
		a->cacert = arg;
		return CLI_OK;
	case OPT_HELO:
		a->helo = arg;
		return CLI_OK;
	case OPT_TIMEOUT:
		if (cli_count_option(&cmd_check, "--timeout", arg, &a->timeout_s) != CLI_OK)
			return CLI_FAIL;
		return a->timeout_s > 600 ? cli_usage_error(&cmd_check, "--timeout: at most 600")
		                          : CLI_OK;
	case OPT_PORT:
		if (cli_count_option(&cmd_check, "--port", arg, &a->port) != CLI_OK)
			return CLI_FAIL;
		return a->port > 65535 ? cli_usage_error(&cmd_check, "--port: at most 65535") : CLI_OK;
	case OPT_DAYS:
		if (cli_count_option(&cmd_check, "--days", arg, &a->days) != CLI_OK)
			return CLI_FAIL;
		return a->days > 3660 ? cli_usage_error(&cmd_check, "--days: at most 3660") : CLI_OK;
	case OPT_NO_SMTP:
		a->no_smtp = 1;
		return CLI_OK;
	case OPT_NO_REPORTS:
		a->no_reports = 1;
		return CLI_OK;
	default:
		return cli_usage_error(&cmd_check, "unexpected option");
	}
}

static int check_operand(void *ctx, const char *arg)
{
	struct check_args *a = ctx;

	if (a->n_domains == MAX_DOMAINS)
		return cli_usage_error(&cmd_check, "at most 64 domains at once");
	a->domains[a->n_domains++] = arg;
	return CLI_OK;
}

/* One domain's result: the findings and what the reports say. */
struct domain_result {
	struct findings f;
	struct explain *e;      /* NULL: reports not looked at */
};

static const char *domain_status(const struct findings *f)
{
	if (f->unchecked)
		return "unchecked";
	return findings_worst(f) >= SEV_WARNING ? "problems" : "ok";
}

/* "2026-11-29" or "2026-11-29..2026-12-01" */
static void fmt_days(int64_t a, int64_t b, char *out, size_t len)
{
	char x[16], y[16];

	fmt_day(a, x, sizeof x);
	fmt_day(b, y, sizeof y);
	if (strcmp(x, y) == 0)
		snprintf(out, len, "%s", x);
	else
		snprintf(out, len, "%s..%s", x, y);
}

static void text_reported(FILE *out, const struct explain_item *it)
{
	char n[32], days[40];
	char *types = esc_term(it->result_types, "");

	fmt_grouped(it->sessions, n, sizeof n);
	fmt_days(it->first, it->last, days, sizeof days);
	fprintf(out, "           reports: %zu sender%s reported %s for %s session%s (%s)\n",
	        it->senders, it->senders == 1 ? "" : "s", types != NULL ? types : "?", n,
	        it->sessions == 1 ? "" : "s", days);
	free(types);
}

static void text_finding(FILE *out, const struct finding *x, const struct explain_item *it,
                         const char *domain)
{
	const struct finding_def *d = finding_def(x->kind);
	char *subject = esc_term(x->subject, ""), *msg = esc_term(x->message, "");

	fprintf(out, "  %-8s %s  %s: %s\n", finding_severity_name(d->severity),
	        subject != NULL ? subject : "?", d->code, msg != NULL ? msg : "?");
	if (d->fix[0] != '\0') {
		const char *p = strstr(d->fix, "DOMAIN");

		/* the fix names the real domain where the table says DOMAIN */
		if (p != NULL && strstr(p + 6, "DOMAIN") == NULL)
			fprintf(out, "           fix: %.*s%s%s\n", (int)(p - d->fix), d->fix, domain,
			        p + 6);
		else
			fprintf(out, "           fix: %s\n", d->fix);
	}
	if (it != NULL && it->sessions > 0)
		text_reported(out, it);
	free(subject);
	free(msg);
}

static void text_unexplained(FILE *out, const struct explain *e)
{
	char n[32], day[16];

	fmt_day(e->since, day, sizeof day);
	if (e->n_un == 0) {
		fprintf(out, "  reports since %s: %zu failure detail%s, none unexplained\n", day,
		        e->n_details, e->n_details == 1 ? "" : "s");
		return;
	}
	fprintf(out, "  reported since %s and not explained by this check:\n", day);
	for (size_t i = 0; i < e->n_un; i++) {
		char *type = esc_term(e->un[i].result_type, "-");
		char *mx = esc_term(e->un[i].receiving_mx, "");

		fmt_grouped(e->un[i].sessions, n, sizeof n);
		fprintf(out, "           %s%s%s: %zu sender%s, %s session%s\n",
		        type != NULL ? type : "?", mx != NULL && mx[0] ? " at " : "",
		        mx != NULL ? mx : "", e->un[i].senders, e->un[i].senders == 1 ? "" : "s", n,
		        e->un[i].sessions == 1 ? "" : "s");
		free(type);
		free(mx);
	}
}

static void write_text(FILE *out, const struct domain_result *r)
{
	const struct findings *f = &r->f;
	size_t counts[4] = { 0, 0, 0, 0 };
	char *domain = esc_term(f->domain, "");

	for (size_t i = 0; i < f->n; i++)
		counts[finding_def(f->v[i].kind)->severity]++;
	fprintf(out, "%s: %s (%zu error%s, %zu warning%s)\n", domain != NULL ? domain : "?",
	        domain_status(f), counts[SEV_ERROR], counts[SEV_ERROR] == 1 ? "" : "s",
	        counts[SEV_WARNING], counts[SEV_WARNING] == 1 ? "" : "s");
	for (size_t i = 0; i < f->n; i++)
		text_finding(out, &f->v[i], r->e != NULL ? &r->e->items[i] : NULL,
		             domain != NULL ? domain : "DOMAIN");
	if (f->unchecked) {
		char *why = esc_term(f->why_unchecked, "");

		fprintf(out, "  could not check: %s\n", why != NULL ? why : "?");
		free(why);
	}
	if (r->e != NULL)
		text_unexplained(out, r->e);
	free(domain);
}

static void json_time(FILE *out, int64_t t)
{
	char buf[32];

	if (t == 0) {
		fputs("null", out);
		return;
	}
	fmt_day(t, buf, sizeof buf);
	json_put_string(out, buf);
}

static void json_types(FILE *out, const char *list)
{
	const char *p = list;
	int first = 1;

	fputc('[', out);
	while (*p != '\0') {
		size_t n = strcspn(p, " ");
		char word[64];

		snprintf(word, sizeof word, "%.*s", (int)(n < 63 ? n : 63), p);
		fputs(first ? "" : ",", out);
		json_put_string(out, word);
		first = 0;
		p += n;
		p += strspn(p, " ");
	}
	fputc(']', out);
}

static void json_finding(FILE *out, const struct finding *x, const struct explain_item *it)
{
	const struct finding_def *d = finding_def(x->kind);

	fputs("{\"severity\":", out);
	json_put_string(out, finding_severity_name(d->severity));
	fputs(",\"code\":", out);
	json_put_string(out, d->code);
	fputs(",\"subject\":", out);
	json_put_string(out, x->subject);
	fputs(",\"message\":", out);
	json_put_string(out, x->message);
	fputs(",\"fix\":", out);
	json_put_string(out, d->fix[0] ? d->fix : NULL);
	fputs(",\"result_types\":", out);
	json_types(out, d->result_types);
	fputs(",\"since\":", out);
	json_time(out, x->since);
	if (it != NULL && d->result_types[0] != '\0') {
		fprintf(out, ",\"reported\":{\"sessions\":%llu,\"senders\":%zu,\"first\":",
		        (unsigned long long)it->sessions, it->senders);
		json_time(out, it->first);
		fputs(",\"last\":", out);
		json_time(out, it->last);
		fputs(",\"result_types\":", out);
		json_types(out, it->result_types);
		fputc('}', out);
	}
	fputc('}', out);
}

static void json_unexplained(FILE *out, const struct explain *e)
{
	fputs(",\"reports_since\":", out);
	json_time(out, e->since);
	fprintf(out, ",\"failure_details\":%zu,\"unexplained\":[", e->n_details);
	for (size_t i = 0; i < e->n_un; i++) {
		fputs(i ? ",{\"result_type\":" : "{\"result_type\":", out);
		json_put_string(out, e->un[i].result_type);
		fputs(",\"receiving_mx\":", out);
		json_put_string(out, e->un[i].receiving_mx[0] ? e->un[i].receiving_mx : NULL);
		fprintf(out, ",\"sessions\":%llu,\"senders\":%zu}",
		        (unsigned long long)e->un[i].sessions, e->un[i].senders);
	}
	fputc(']', out);
}

static void write_json(FILE *out, const struct domain_result *r)
{
	const struct findings *f = &r->f;

	fputs("{\"domain\":", out);
	json_put_string(out, f->domain);
	fputs(",\"status\":", out);
	json_put_string(out, domain_status(f));
	fputs(",\"unchecked_reason\":", out);
	json_put_string(out, f->unchecked ? f->why_unchecked : NULL);
	fputs(",\"findings\":[", out);
	for (size_t i = 0; i < f->n; i++) {
		if (i)
			fputc(',', out);
		json_finding(out, &f->v[i], r->e != NULL ? &r->e->items[i] : NULL);
	}
	fputc(']', out);
	if (r->e != NULL)
		json_unexplained(out, r->e);
	fputc('}', out);
}

/* The database for the reports part: NULL (and a note) when there is
 * none; an unreadable one is an error. */
static int open_reports(struct cli *c, const struct check_args *a, struct store **st)
{
	const char *path = cli_db_path(c);
	struct stat sb;

	*st = NULL;
	if (a->no_reports)
		return CLI_OK;
	if (!db_is_postgres(path) && stat(path, &sb) != 0 && errno == ENOENT) {
		if (a->format == OUT_TEXT)
			printf("(no database at %s: stored reports not consulted)\n", path);
		return CLI_OK;
	}
	return cli_open_for_query(c, st);
}

/* The domain as reports name it: lower case, no trailing dot. */
static void normalise(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; in[n] != '\0' && n + 1 < outlen; n++)
		out[n] = in[n] >= 'A' && in[n] <= 'Z' ? (char)(in[n] - 'A' + 'a') : in[n];
	if (n > 1 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

static int check_one(const struct check_args *a, const struct domaincheck_opts *o,
                     struct store *st, const char *arg, struct domain_result *r)
{
	char domain[256];
	struct tr_error err;
	enum tr_err rc;

	tr_error_clear(&err);
	normalise(arg, domain, sizeof domain);
	findings_init(&r->f, domain);
	rc = domaincheck_run(domain, o, &r->f, &err);
	if (rc == TR_ERR_USAGE) {
		cli_error("check: %s", err.msg);
		return CLI_FAIL;
	}
	if (rc != TR_OK)
		findings_unchecked(&r->f, "%s", err.msg);
	if (st != NULL && explain_reports(st, &r->f, cli_now() - (int64_t)a->days * 86400, &r->e,
	                                  &err) != TR_OK) {
		cli_error("check: %s: the stored reports: %s", domain, err.msg);
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int exit_code(const struct findings *f)
{
	if (f->unchecked)
		return CLI_FAIL;
	return findings_worst(f) >= SEV_WARNING ? CLI_INVALID : CLI_OK;
}

static int run_checks(struct cli *c, const struct check_args *a, struct domaincheck_opts *o)
{
	struct domain_result r;
	struct store *st = NULL;
	int rc, worst = CLI_OK, printed = 0;

	rc = open_reports(c, a, &st);
	if (rc != CLI_OK)
		return rc;
	if (a->format == OUT_JSON)
		fputs("{\"domains\":[", stdout);
	for (size_t i = 0; i < a->n_domains; i++) {
		memset(&r, 0, sizeof r);
		rc = check_one(a, o, st, a->domains[i], &r);
		if (rc == CLI_OK) {
			if (a->format == OUT_JSON) {
				fputs(printed++ ? "," : "", stdout);
				write_json(stdout, &r);
			} else {
				write_text(stdout, &r);
			}
			rc = exit_code(&r.f);
		}
		worst = cli_worse(worst, rc);
		findings_free(&r.f);
		explain_free(r.e);
	}
	if (a->format == OUT_JSON)
		fputs("]}\n", stdout);
	store_close(st);
	if (out_finish(stdout, 0) != 0) {
		cli_error("check: cannot write the findings");
		return CLI_FAIL;
	}
	return worst;
}

static int check_main(struct cli *c, int argc, char **argv)
{
	struct check_args a = { .format = OUT_TEXT, .timeout_s = DEFAULT_TIMEOUT_S, .port = 25,
	                        .days = DEFAULT_DAYS };
	struct domaincheck_opts o;
	struct tr_error err;
	char host[256] = "localhost";
	int stop = 0, rc;

	rc = cli_parse_options(c, &cmd_check, check_opts, sizeof check_opts / sizeof check_opts[0],
	                       argc, argv, NULL, &a, check_option, check_operand, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	if (a.n_domains == 0)
		return cli_usage_error(&cmd_check, "name at least one domain");
	if (a.helo == NULL && gethostname(host, sizeof host - 1) == 0)
		host[sizeof host - 1] = '\0';
	memset(&o, 0, sizeof o);
	o.fetch.cacert = a.cacert;
	o.fetch.timeout_ms = (int)a.timeout_s * 1000;
	o.fetch.port = 443;
	o.smtp.timeout_ms = (int)a.timeout_s * 1000;
	o.smtp.port = (unsigned)a.port;
	o.smtp.cafile = a.cacert;
	o.smtp.helo_name = a.helo != NULL ? a.helo : host;
	o.probe_mx = !a.no_smtp;
	if (policyfetch_global_init(&err) != TR_OK ||
	    resolve_new(a.resolver, a.trust_anchor, (int)a.timeout_s * 1000, &o.resolver, &err) !=
	            TR_OK) {
		cli_error("check: %s", err.msg);
		return CLI_FAIL;
	}
	rc = run_checks(c, &a, &o);
	resolve_free(o.resolver);
	return rc;
}

const struct cli_command cmd_check = {
	.name = "check",
	.synopsis = "check domains' MTA-STS, DANE and TLSRPT set-up live, beside the reports",
	.help =
	"Usage: " CLI_NAME " [-d PATH] check [options] DOMAIN...\n"
	"Check each DOMAIN as a sending MTA meets it: the _smtp._tls and _mta-sts TXT\n"
	"records, the MX hosts, the MTA-STS policy (fetched as RFC 8461 says), and on\n"
	"each MX host STARTTLS, its certificate and its TLSA records (DNSSEC-validated).\n"
	"Each finding comes with its severity and a fix, and with the failures stored\n"
	"reports of the last days show for it; failures nothing explains are listed.\n\n"
	"  --resolver ADDR     ask this resolver (ADDR or ADDR@PORT), not the system's\n"
	"  --trust-anchor FILE DNSSEC trust anchor (DS or DNSKEY records; default\n"
	"                      /usr/share/dns/root.key when installed)\n"
	"  --cacert FILE       trust these CA certificates for HTTPS and the MX hosts,\n"
	"                      not the system's\n"
	"  --timeout SECONDS   each network step gives up after this long (default 10)\n"
	"  --port N            the MX hosts' SMTP port (default 25)\n"
	"  --helo NAME         the EHLO name (default: this host's name)\n"
	"  --no-smtp           do not connect to the MX hosts\n"
	"  --days N            stored reports of the last N days (default 7)\n"
	"  --no-reports        do not read the database\n"
	"  --format FMT        text (default) or json\n"
	CLI_DB_HELP
	"  -h, --help          this text\n\n"
	"Exit status: 0 no problems, 1 problems found (warnings or errors), 2 some\n"
	"domain could not be checked (no DNS answer), or a usage or database error.\n",
	.run = check_main,
};
