/*
 * dns: the DNS records that go with an MTA-STS policy file: the
 * `_mta-sts` TXT record, whose id is derived from the policy's content
 * (lib/mtasts.c, the same id tlsrpt-httpd serves it under), and the
 * `_smtp._tls` TXT record naming where reports go.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mtasts.h"

#define MAX_RUA 8

enum { OPT_RUA = OPT_FIRST_COMMAND_OPTION };

static const struct opt_def dns_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },        /* accepted like everywhere, unused */
	{ OPT_RUA, 0, "rua", 1 },
};

/* A domain name as DNS text: letters, digits, '-', '.', no leading dot. */
static int plain_domain(const char *d)
{
	size_t n = strlen(d);

	return n > 0 && n < 254 && d[0] != '.' && d[0] != '-' &&
	       strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == n;
}

/* A rua URI fit to go inside a TXT string: printable, no '"', ';', ',' or '\\'. */
static int plain_uri(const char *u)
{
	if (strncmp(u, "mailto:", 7) != 0 && strncmp(u, "https://", 8) != 0)
		return 0;
	for (; *u != '\0'; u++)
		if ((unsigned char)*u <= 0x20 || (unsigned char)*u >= 0x7f || strchr("\";,\\", *u) != NULL)
			return 0;
	return 1;
}

static int read_policy(const char *path, struct mtasts_policy **p)
{
	char *data = malloc(MTASTS_MAX_BYTES + 1);
	struct tr_error err;
	size_t n;
	FILE *f;

	if (data == NULL) {
		cli_error("out of memory");
		return CLI_FAIL;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		cli_error("%s: %s", path, strerror(errno));
		free(data);
		return CLI_FAIL;
	}
	n = fread(data, 1, MTASTS_MAX_BYTES + 1, f);
	fclose(f);
	if (mtasts_parse(data, n, p, &err) != TR_OK) {
		cli_error("%s: %s", path, err.msg);
		free(data);
		return CLI_INVALID;
	}
	free(data);
	return CLI_OK;
}

static void print_records(const char *domain, const struct mtasts_policy *p,
                          const char *const *rua, size_t n_rua)
{
	size_t i;

	printf("; MTA-STS policy for %s: mode %s, max_age %lld, %zu mx pattern(s).\n", domain,
	       mtasts_mode_name(p->mode), (long long)p->max_age, p->n_mx);
	printf("; Serve it at https://mta-sts.%s/.well-known/mta-sts.txt (tlsrpt-httpd\n"
	       "; MTASTSPolicy %s FILE); the id changes exactly when the policy does.\n",
	       domain, domain);
	printf("_mta-sts.%s.\tIN TXT \"v=STSv1; id=%s\"\n", domain, p->id);
	if (n_rua == 0) {
		printf("; add --rua https://HOST/PATH (tlsrpt-httpd's ReportPath) or --rua mailto:ADDRESS\n"
		       "; for the TLS reporting record:\n");
		printf(";_smtp._tls.%s.\tIN TXT \"v=TLSRPTv1; rua=https://HOST/tlsrpt\"\n", domain);
		return;
	}
	printf("_smtp._tls.%s.\tIN TXT \"v=TLSRPTv1; rua=", domain);
	for (i = 0; i < n_rua; i++)
		printf("%s%s", i > 0 ? "," : "", rua[i]);
	printf("\"\n");
}

static int dns_main(struct cli *c, int argc, char **argv)
{
	const char *rua[MAX_RUA], *operands[2];
	struct mtasts_policy *p = NULL;
	struct opt_state st;
	struct tr_error err;
	const char *arg = NULL;
	enum opt_status s;
	size_t n_rua = 0, n_ops = 0;
	int id = 0, rc, stop = 0;

	opt_init(&st, argc, argv);
	for (;;) {
		s = opt_next(&st, dns_opts, sizeof dns_opts / sizeof dns_opts[0], &id, &arg, &err);
		if (s == OPT_END)
			break;
		if (s == OPT_ERROR)
			return cli_opt_failed(&cmd_dns, s, &err);
		if (s == OPT_OPERAND) {
			if (n_ops == 2)
				return cli_usage_error(&cmd_dns, "want DOMAIN POLICYFILE, nothing more");
			operands[n_ops++] = arg;
			continue;
		}
		if (id == OPT_RUA) {
			if (n_rua == MAX_RUA)
				return cli_usage_error(&cmd_dns, "at most 8 --rua");
			if (!plain_uri(arg))
				return cli_usage_error(&cmd_dns, "--rua wants a mailto: or https:// URI "
				                       "without blanks, quotes, ';' or ','");
			rua[n_rua++] = arg;
			continue;
		}
		rc = cli_common_option(c, &cmd_dns, id, arg, &stop);
		if (rc != CLI_OK || stop)
			return rc;
	}
	if (n_ops != 2)
		return cli_usage_error(&cmd_dns, "want DOMAIN POLICYFILE");
	if (!plain_domain(operands[0]))
		return cli_usage_error(&cmd_dns, "DOMAIN: letters, digits, '-' and '.' only");
	rc = read_policy(operands[1], &p);
	if (rc != CLI_OK)
		return rc;
	print_records(operands[0], p, rua, n_rua);
	mtasts_free(p);
	if (fflush(stdout) != 0) {
		cli_error("writing output: %s", strerror(errno));
		return CLI_FAIL;
	}
	return CLI_OK;
}

const struct cli_command cmd_dns = {
	"dns",
	"dns DOMAIN POLICYFILE [--rua URI]...",
	"usage: " CLI_NAME " dns DOMAIN POLICYFILE [--rua URI]...\n"
	"Validate the MTA-STS policy file (RFC 8461 section 3.2) and print the DNS\n"
	"records to publish for DOMAIN: the _mta-sts TXT record, whose id is derived\n"
	"from the policy's content (it changes exactly when the policy does, and\n"
	"tlsrpt-httpd serves the same policy), and the _smtp._tls TXT record with the\n"
	"given rua URIs (https://HOST/PATH for tlsrpt-httpd, or mailto:ADDRESS).\n"
	"Exit status: 0 printed, 1 the policy is invalid (the reason names the line),\n"
	"2 usage or unreadable file.\n",
	dns_main,
};
