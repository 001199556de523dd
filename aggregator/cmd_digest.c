/*
 * digest: a mail for cron.  Summarises a window (24 hours by default)
 * against the window before it and writes a complete RFC 5322 message,
 * text and HTML, to standard output or straight to sendmail.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "digest.h"
#include "mail.h"
#include "output.h"
#include "when.h"

#define DEFAULT_SENDMAIL "/usr/sbin/sendmail"

enum {
	OPT_TO = OPT_FIRST_COMMAND_OPTION,
	OPT_FROM,
	OPT_ONLY_IF_FAILURES,
	OPT_SENDMAIL
};

static const struct opt_def digest_opts[] = {
	{ OPT_HELP, 'h', "help", 0 },
	{ OPT_DB, 'd', "db", 1 },
	CLI_FILTER_OPTS,
	{ OPT_TO, 0, "to", 1 },
	{ OPT_FROM, 0, "from", 1 },
	{ OPT_ONLY_IF_FAILURES, 0, "only-if-failures", 0 },
	{ OPT_SENDMAIL, 0, "sendmail", 2 },
};

struct digest_args {
	struct summary_filter filter;
	const char *to;
	const char *from;
	int only_if_failures;
	const char *sendmail;   /* NULL: standard output */
};

static int digest_option(void *ctx, int id, const char *arg)
{
	struct digest_args *a = ctx;

	switch (id) {
	case OPT_TO:
	case OPT_FROM:
		if (!mail_address_ok(arg))
			return cli_usage_error(&cmd_digest, "an address is user@domain, nothing else");
		*(id == OPT_TO ? &a->to : &a->from) = arg;
		return CLI_OK;
	case OPT_ONLY_IF_FAILURES:
		a->only_if_failures = 1;
		return CLI_OK;
	case OPT_SENDMAIL:
		a->sendmail = arg != NULL ? arg : DEFAULT_SENDMAIL;
		if (a->sendmail[0] != '/')
			return cli_usage_error(&cmd_digest, "--sendmail=PATH needs an absolute path");
		return CLI_OK;
	default:
		return cli_usage_error(&cmd_digest, "unexpected option");
	}
}

/* The summaries a digest needs, for this window and the one before. */
struct digest_data {
	struct summary *senders, *prev_senders, *domains, *now[3], *before[3], *days;
	struct presence *presence;
};

static const enum summary_key news_keys[3] = {
	SUMMARY_BY_RESULT_TYPE, SUMMARY_BY_SENDING_IP, SUMMARY_BY_RECEIVING_MX
};

static enum tr_err load(struct store *st, const struct summary_filter *f, int64_t now,
                        struct digest_data *dd, struct tr_error *err)
{
	struct summary_filter prev = *f;
	int64_t since, until;
	enum tr_err rc;

	prev.until = f->since;
	prev.since = f->since - (f->until - f->since);
	rc = summary_query(st, SUMMARY_BY_SUBMITTER, f, &dd->senders, err);
	if (rc == TR_OK)
		rc = summary_query(st, SUMMARY_BY_SUBMITTER, &prev, &dd->prev_senders, err);
	if (rc == TR_OK)
		rc = summary_query(st, SUMMARY_BY_POLICY_DOMAIN, f, &dd->domains, err);
	for (int k = 0; rc == TR_OK && k < 3; k++) {
		rc = summary_query(st, news_keys[k], f, &dd->now[k], err);
		if (rc == TR_OK)
			rc = summary_query(st, news_keys[k], &prev, &dd->before[k], err);
	}
	if (rc == TR_OK)
		rc = summary_query(st, SUMMARY_BY_DAY, f, &dd->days, err);
	presence_window(now, &since, &until);
	if (rc == TR_OK)
		rc = presence_query(st, since, until, &dd->presence, err);
	return rc;
}

static void data_free(struct digest_data *dd)
{
	summary_free(dd->senders);
	summary_free(dd->prev_senders);
	summary_free(dd->domains);
	summary_free(dd->days);
	presence_free(dd->presence);
	for (int k = 0; k < 3; k++) {
		summary_free(dd->now[k]);
		summary_free(dd->before[k]);
	}
}

/* The whole message, LF line ends.  malloc'd, NULL on no memory. */
static char *compose(const struct digest *d, const struct digest_args *a, int64_t now)
{
	char *s = NULL, *subject = digest_subject(d), *hsubject, *text = digest_text(d);
	char *html = digest_html(d);
	char date[40], host[256], from[300], token[20], boundary[40];
	size_t len = 0;
	FILE *m = NULL;

	hsubject = subject != NULL ? mail_header_text(subject, 9) : NULL;
	if (hsubject != NULL && text != NULL && html != NULL)
		m = open_memstream(&s, &len);
	if (m != NULL) {
		mail_date(now, date, sizeof date);
		mail_hostname(host, sizeof host);
		snprintf(from, sizeof from, "tlsrpt-report@%s", host);
		mail_random_hex(token, sizeof token);
		snprintf(boundary, sizeof boundary, "=_tlsrpt_%s", token);
		fprintf(m, "Date: %s\nFrom: %s\nTo: %s\nSubject: %s\n"
		        "Message-ID: <digest.%lld.%s@%s>\nMIME-Version: 1.0\n"
		        "Auto-Submitted: auto-generated\n"
		        "Content-Type: multipart/alternative; boundary=\"%s\"\n\n"
		        "This is a MIME message: a text and an HTML version of the same digest.\n\n",
		        date, a->from != NULL ? a->from : from, a->to, hsubject, (long long)now, token,
		        host, boundary);
		fprintf(m, "--%s\nContent-Type: text/plain; charset=utf-8\n"
		        "Content-Transfer-Encoding: quoted-printable\n\n", boundary);
		mail_qp_write(m, text);
		fprintf(m, "\n--%s\nContent-Type: text/html; charset=utf-8\n"
		        "Content-Transfer-Encoding: quoted-printable\n\n", boundary);
		mail_qp_write(m, html);
		fprintf(m, "\n--%s--\n", boundary);
		if (fclose(m) != 0) {
			free(s);
			s = NULL;
		}
	}
	free(subject);
	free(hsubject);
	free(text);
	free(html);
	return s;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Hand msg to "PATH -t -i" and wait for it: no shell, no system(). */
static int run_sendmail(const char *path, const char *msg)
{
	int fds[2], status = 0, wrote;
	pid_t pid;

	if (pipe(fds) != 0) {
		cli_error("digest: pipe: %s", strerror(errno));
		return CLI_FAIL;
	}
	pid = fork();
	if (pid < 0) {
		cli_error("digest: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return CLI_FAIL;
	}
	if (pid == 0) {
		char *const argv[] = { (char *)path, (char *)"-t", (char *)"-i", NULL };

		if (dup2(fds[0], STDIN_FILENO) < 0)
			_exit(127);
		close(fds[0]);
		close(fds[1]);
		execv(path, argv);
		_exit(127);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	wrote = write_all(fds[1], msg, strlen(msg));
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (wrote != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cli_error("digest: %s did not take the message (%s %d)", path,
		          WIFEXITED(status) ? "exit status" : "signal",
		          WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return CLI_FAIL;
	}
	return CLI_OK;
}

static int deliver(const struct digest *d, const struct digest_args *a, int64_t now)
{
	char *msg = compose(d, a, now);
	int rc = CLI_OK;

	if (msg == NULL) {
		cli_error("digest: out of memory");
		return CLI_FAIL;
	}
	if (a->sendmail != NULL) {
		rc = run_sendmail(a->sendmail, msg);
	} else if (fputs(msg, stdout) == EOF || out_finish(stdout, 0) != 0) {
		cli_error("cannot write the digest");
		rc = CLI_FAIL;
	}
	free(msg);
	return rc;
}

static int digest_main(struct cli *c, int argc, char **argv)
{
	struct digest_args a = { .to = NULL };
	struct digest_data dd;
	struct digest_input in = { 0 };
	struct digest d;
	struct store *st = NULL;
	struct tr_error err;
	int64_t now = cli_now();
	int stop = 0, rc;

	memset(&dd, 0, sizeof dd);
	memset(&d, 0, sizeof d);
	summary_filter_all(&a.filter);
	rc = cli_parse_options(c, &cmd_digest, digest_opts, sizeof digest_opts / sizeof digest_opts[0],
	                       argc, argv, &a.filter, &a, digest_option, NULL, &stop);
	if (rc != CLI_OK || stop)
		return rc;
	if (a.to == NULL)
		return cli_usage_error(&cmd_digest, "who gets it? give --to ADDRESS");
	if (a.filter.until == INT64_MAX)
		a.filter.until = now;
	if (a.filter.since == INT64_MIN)
		a.filter.since = now - 86400;
	if (a.filter.since >= a.filter.until)
		return cli_usage_error(&cmd_digest, "--since must come before --until");
	rc = cli_open_for_query(c, &st);
	if (rc != CLI_OK)
		return rc;
	tr_error_clear(&err);
	if (load(st, &a.filter, now, &dd, &err) != TR_OK) {
		cli_error("%s: %s", cli_db_name(c), err.msg);
		rc = CLI_FAIL;
	} else {
		in = (struct digest_input){ a.filter.since, a.filter.until, dd.senders, dd.prev_senders,
		                            dd.domains, { dd.now[0], dd.now[1], dd.now[2] },
		                            { dd.before[0], dd.before[1], dd.before[2] }, dd.days,
		                            dd.presence, now };
		if (digest_compute(&d, &in) != 0) {
			cli_error("digest: out of memory");
			rc = CLI_FAIL;
		} else if (!(a.only_if_failures && digest_is_quiet(&d))) {
			rc = deliver(&d, &a, now);
		}
	}
	digest_free(&d);
	data_free(&dd);
	store_close(st);
	return rc;
}

const struct cli_command cmd_digest = {
	.name = "digest",
	.synopsis = "a digest mail for cron",
	.help =
	"Usage: " CLI_NAME " [-d PATH] digest --to ADDR [--from ADDR] [--since WHEN]\n"
	"         [--until WHEN] [--policy-domain D] [--only-if-failures]\n"
	"         [--sendmail[=PATH]]\n"
	"Write a mail (RFC 5322, text and HTML) that sums up a window of reports:\n"
	"what is new since the window before it, which senders failed and why, and\n"
	"how many had no failures.  For cron: ... digest --to postmaster@example.com\n"
	"--only-if-failures --sendmail\n\n"
	"  --to ADDR           the recipient (required)\n"
	"  --from ADDR         the sender (default: tlsrpt-report@ this host's name)\n"
	"  --since WHEN        start of the window (default 24h)\n"
	"  --until WHEN        end of the window (default now)\n"
	"  --policy-domain D, --submitter S, --authenticated: as for summary\n"
	"  --only-if-failures  print or send nothing when nothing failed\n"
	"  --sendmail[=PATH]   hand the mail to PATH -t -i (default " DEFAULT_SENDMAIL ")\n"
	"                      instead of writing it to standard output\n"
	CLI_DB_HELP
	"  -h, --help          this text\n",
	.run = digest_main,
};
