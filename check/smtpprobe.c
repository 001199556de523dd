/*
 * smtpprobe: a non-blocking socket, a bounded line reader for the clear
 * text part, and one OpenSSL handshake whose chain is then verified a
 * second time by WebPKI rules.  Each wait is a poll() against the step's
 * deadline.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "smtpprobe.h"

struct conn {
	int fd;
	int timeout_ms;
	int64_t deadline;
	char buf[SMTPPROBE_LINE_MAX + 2];
	size_t len;            /* bytes in buf not yet consumed */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void step(struct conn *c)
{
	c->deadline = now_ms() + c->timeout_ms;
}

/* Wait for events on the socket until the deadline: 1 ready, 0 timeout,
 * -1 error. */
static int wait_fd(struct conn *c, short events)
{
	struct pollfd p = { c->fd, events, 0 };
	int64_t left;
	int rc;

	for (;;) {
		left = c->deadline - now_ms();
		if (left <= 0)
			return 0;
		rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return 1;
		if (rc == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/* Stopped with failure f, for the reason what + arg. */
static void stop(struct smtpprobe_result *r, enum smtpprobe_failure f, const char *what,
                 const char *arg)
{
	r->failure = f;
	snprintf(r->detail, sizeof r->detail, "%s%s", what, arg);
}

static void timed_out(struct smtpprobe_result *r, const struct conn *c, const char *what)
{
	r->failure = SMTPPROBE_TIMEOUT;
	snprintf(r->detail, sizeof r->detail, "no %s within %d ms", what, c->timeout_ms);
}

static int connect_to(struct conn *c, const char *addr, unsigned port,
                      struct smtpprobe_result *r)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t slen, elen = sizeof(int);
	int e = 0, rc;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		slen = sizeof *s4;
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		slen = sizeof *s6;
	} else {
		stop(r, SMTPPROBE_REFUSED, "not an IP address: ", addr);
		return -1;
	}
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		stop(r, errno == EAFNOSUPPORT ? SMTPPROBE_NO_ROUTE : SMTPPROBE_REFUSED, "socket: ",
		     strerror(errno));
		return -1;
	}
	step(c);
	if (connect(c->fd, (struct sockaddr *)&ss, slen) == 0)
		return 0;
	if (errno != EINPROGRESS) {
		/* at once, before any packet left, the no-route is our own
		 * routing table's (a remote one comes later, by SO_ERROR) */
		stop(r, errno == ENETUNREACH ? SMTPPROBE_NO_ROUTE : SMTPPROBE_REFUSED, "connect: ",
		     strerror(errno));
		return -1;
	}
	rc = wait_fd(c, POLLOUT);
	if (rc == 0) {
		timed_out(r, c, "TCP connection");
		return -1;
	}
	if (rc < 0 || getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &elen) != 0 || e != 0) {
		stop(r, SMTPPROBE_REFUSED, "connect: ", strerror(e ? e : errno));
		return -1;
	}
	return 0;
}

/* One line (CRLF or LF stripped) into line; 1 got one, 0 timeout, -1
 * closed, too long or an error. */
static int read_line(struct conn *c, char *line, size_t linelen)
{
	char *nl;
	ssize_t n;
	int rc;

	for (;;) {
		nl = memchr(c->buf, '\n', c->len);
		if (nl != NULL) {
			size_t l = (size_t)(nl - c->buf);

			if (l > 0 && c->buf[l - 1] == '\r')
				l--;
			if (l >= linelen)
				return -1;
			memcpy(line, c->buf, l);
			line[l] = '\0';
			c->len -= (size_t)(nl - c->buf) + 1;
			memmove(c->buf, nl + 1, c->len);
			return 1;
		}
		if (c->len >= SMTPPROBE_LINE_MAX)
			return -1;
		rc = wait_fd(c, POLLIN);
		if (rc <= 0)
			return rc;
		n = recv(c->fd, c->buf + c->len, SMTPPROBE_LINE_MAX - c->len, 0);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			return -1;
		}
		c->len += (size_t)n;
	}
}

/*
 * Read one reply: *code its code; *starttls set when a line's keyword is
 * STARTTLS (only meaningful for EHLO).  1 ok, 0 timeout, -1 garbled or
 * closed.
 */
static int read_reply(struct conn *c, int *code, int *starttls)
{
	char line[SMTPPROBE_LINE_MAX + 1];
	int rc, first = -1, n;

	for (n = 0; n < SMTPPROBE_REPLY_LINES_MAX; n++) {
		rc = read_line(c, line, sizeof line);
		if (rc <= 0)
			return rc;
		if (strlen(line) < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' ||
		    line[1] > '9' || line[2] < '0' || line[2] > '9' ||
		    (line[3] != '\0' && line[3] != ' ' && line[3] != '-'))
			return -1;
		rc = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
		if (first >= 0 && rc != first)
			return -1;
		first = rc;
		if (starttls != NULL && strlen(line) >= 12 &&
		    strncasecmp(line + 4, "STARTTLS", 8) == 0 && (line[12] == '\0' || line[12] == ' '))
			*starttls = 1;
		if (line[3] != '-') {
			*code = first;
			return 1;
		}
	}
	return -1;
}

static int send_all(struct conn *c, const char *s)
{
	size_t len = strlen(s), off = 0;
	ssize_t n;

	while (off < len) {
		if (wait_fd(c, POLLOUT) <= 0)
			return -1;
		n = send(c->fd, s + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Send cmd (may be NULL: only read) and read the reply, as one step. */
static int exchange(struct conn *c, const char *cmd, const char *what, int want, int *starttls,
                    struct smtpprobe_result *r)
{
	int code = 0, rc;
	char msg[64];

	step(c);
	if (cmd != NULL && send_all(c, cmd) != 0) {
		stop(r, SMTPPROBE_PROTOCOL, "the server closed the connection before the ", what);
		return -1;
	}
	rc = read_reply(c, &code, starttls);
	if (rc == 0) {
		timed_out(r, c, what);
		return -1;
	}
	if (rc < 0) {
		stop(r, SMTPPROBE_PROTOCOL, "a garbled or missing ", what);
		return -1;
	}
	if (code != want) {
		snprintf(msg, sizeof msg, "%d", code);
		r->failure = SMTPPROBE_PROTOCOL;
		snprintf(r->detail, sizeof r->detail, "%s: %s, not %d", what, msg, want);
		return -1;
	}
	return 0;
}

struct verify_seen {
	struct smtpprobe_result *r;
	int first_error;
};

static int verify_cb(int ok, X509_STORE_CTX *x)
{
	struct verify_seen *v = X509_STORE_CTX_get_app_data(x);
	int e = X509_STORE_CTX_get_error(x);

	if (ok)
		return 1;
	if (v->first_error == 0)
		v->first_error = e;
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		v->r->cert_expired = 1;
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		v->r->cert_not_yet_valid = 1;
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
		v->r->cert_name_mismatch = 1;
		break;
	default:
		v->r->cert_untrusted = 1;
		break;
	}
	return 1;  /* go on: collect every fault */
}

static int64_t asn1_epoch(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return 0;
	return (int64_t)timegm(&tm);
}

/* The presented chain by WebPKI rules for name mx. */
static void verify_webpki(SSL *ssl, const char *mx, const char *cafile,
                          struct smtpprobe_result *r)
{
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	X509 *leaf = SSL_get_peer_certificate(ssl);
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *x = X509_STORE_CTX_new();
	struct verify_seen v = { r, 0 };
	int loaded;

	if (leaf == NULL || store == NULL || x == NULL) {
		r->cert_untrusted = 1;
		snprintf(r->webpki_detail, sizeof r->webpki_detail, "no certificate presented");
		goto out;
	}
	r->not_after = asn1_epoch(X509_get0_notAfter(leaf));
	loaded = cafile != NULL ? X509_STORE_load_locations(store, cafile, NULL)
	                        : X509_STORE_set_default_paths(store);
	if (loaded != 1 || X509_STORE_CTX_init(x, store, leaf, chain) != 1) {
		r->cert_untrusted = 1;
		snprintf(r->webpki_detail, sizeof r->webpki_detail, "cannot load the trust store");
		goto out;
	}
	X509_STORE_CTX_set_app_data(x, &v);
	X509_STORE_CTX_set_verify_cb(x, verify_cb);
	X509_STORE_CTX_set_purpose(x, X509_PURPOSE_SSL_SERVER);
	X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(x), mx, 0);
	if (X509_verify_cert(x) == 1 && v.first_error == 0) {
		r->webpki_ok = 1;
	} else {
		snprintf(r->webpki_detail, sizeof r->webpki_detail, "%s",
		         X509_verify_cert_error_string(v.first_error ? v.first_error
		                                                      : X509_STORE_CTX_get_error(x)));
	}
out:
	X509_STORE_CTX_free(x);
	X509_STORE_free(store);
	X509_free(leaf);
}

static int add_tlsa(SSL *ssl, const struct smtpprobe_tlsa *t, size_t n)
{
	int usable = 0;

	for (size_t i = 0; i < n; i++)
		if (SSL_dane_tlsa_add(ssl, t[i].usage, t[i].selector, t[i].mtype, t[i].data,
		                      t[i].len) > 0)
			usable++;
	return usable;
}

/* The handshake, non-blocking, to the step's deadline. */
static int handshake(struct conn *c, SSL *ssl, struct smtpprobe_result *r)
{
	int rc, e;
	unsigned long ossl;
	const char *why;

	step(c);
	for (;;) {
		rc = SSL_connect(ssl);
		if (rc == 1)
			return 0;
		e = SSL_get_error(ssl, rc);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
			rc = wait_fd(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT);
			if (rc == 0) {
				timed_out(r, c, "TLS handshake");
				return -1;
			}
			if (rc > 0)
				continue;
		}
		ossl = ERR_get_error();
		why = ossl != 0 ? ERR_reason_error_string(ossl) : NULL;
		r->failure = SMTPPROBE_TLS;
		snprintf(r->detail, sizeof r->detail, "TLS handshake failed: %s",
		         why != NULL ? why : "the connection was closed");
		ERR_clear_error();
		return -1;
	}
}

static void dane_result(SSL *ssl, struct smtpprobe_result *r)
{
	long v = SSL_get_verify_result(ssl);

	if (SSL_get0_dane_authority(ssl, NULL, NULL) >= 0 && v == X509_V_OK) {
		r->dane_ok = 1;
		return;
	}
	snprintf(r->dane_detail, sizeof r->dane_detail, "%s",
	         v != X509_V_OK ? X509_verify_cert_error_string(v)
	                        : "no TLSA record matches the presented chain");
}

static enum tr_err tls_stage(struct conn *c, const char *mx, const struct smtpprobe_tlsa *tlsa,
                             size_t ntlsa, const struct smtpprobe_opts *o,
                             struct smtpprobe_result *r, struct tr_error *err)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	enum tr_err rc = TR_OK;

	if (ctx == NULL || (ntlsa > 0 && SSL_CTX_dane_enable(ctx) <= 0)) {
		rc = tr_error_set(err, TR_ERR_IO, "OpenSSL: cannot make a TLS context");
		goto out;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (o->cafile != NULL)
		SSL_CTX_load_verify_locations(ctx, o->cafile, NULL);
	else
		SSL_CTX_set_default_verify_paths(ctx);
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, c->fd) != 1 || SSL_set_tlsext_host_name(ssl, mx) != 1 ||
	    (ntlsa > 0 && SSL_dane_enable(ssl, mx) <= 0)) {
		rc = tr_error_set(err, TR_ERR_IO, "OpenSSL: cannot set up the connection");
		goto out;
	}
	if (ntlsa > 0) {
		/* RFC 7672 section 3.1.1: DANE-EE(3) binds the key, not a name */
		SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
		r->dane_usable = add_tlsa(ssl, tlsa, ntlsa) > 0;
	}
	if (handshake(c, ssl, r) != 0)
		goto out;
	r->stage = SMTPPROBE_DONE;
	snprintf(r->protocol, sizeof r->protocol, "%s", SSL_get_version(ssl));
	verify_webpki(ssl, mx, o->cafile, r);
	if (r->dane_usable)
		dane_result(ssl, r);
	(void)SSL_write(ssl, "QUIT\r\n", 6);   /* polite; the answer does not matter */
out:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

static enum tr_err dialogue(struct conn *c, const char *mx, const struct smtpprobe_tlsa *tlsa,
                            size_t ntlsa, const struct smtpprobe_opts *o,
                            struct smtpprobe_result *r, struct tr_error *err)
{
	char ehlo[300];
	int starttls = 0;

	r->stage = SMTPPROBE_GREETING;
	if (exchange(c, NULL, "greeting", 220, NULL, r) != 0)
		return TR_OK;
	r->stage = SMTPPROBE_EHLO;
	snprintf(ehlo, sizeof ehlo, "EHLO %s\r\n", o->helo_name);
	if (exchange(c, ehlo, "EHLO reply", 250, &starttls, r) != 0)
		return TR_OK;
	r->stage = SMTPPROBE_STARTTLS;
	if (!starttls) {
		stop(r, SMTPPROBE_NO_STARTTLS, "the EHLO reply does not offer STARTTLS", "");
		(void)send_all(c, "QUIT\r\n");
		return TR_OK;
	}
	if (exchange(c, "STARTTLS\r\n", "STARTTLS reply", 220, NULL, r) != 0)
		return TR_OK;
	/* Anything the server sent after its 220 is a STARTTLS injection
	 * attempt (CVE-2011-0411); it is dropped, never read as TLS. */
	c->len = 0;
	r->stage = SMTPPROBE_HANDSHAKE;
	return tls_stage(c, mx, tlsa, ntlsa, o, r, err);
}

enum tr_err smtpprobe_run(const char *mx, const char *addr, const struct smtpprobe_tlsa *tlsa,
                          size_t ntlsa, const struct smtpprobe_opts *o,
                          struct smtpprobe_result *out, struct tr_error *err)
{
	struct conn *c = calloc(1, sizeof *c);
	enum tr_err rc = TR_OK;

	memset(out, 0, sizeof *out);
	if (c == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	c->fd = -1;
	c->timeout_ms = o->timeout_ms;
	out->stage = SMTPPROBE_CONNECT;
	if (connect_to(c, addr, o->port, out) == 0)
		rc = dialogue(c, mx, tlsa, ntlsa, o, out, err);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
	return rc;
}
