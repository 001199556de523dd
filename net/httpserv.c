/*
 * httpserv: libmicrohttpd below, one complete request and response above
 * (see httpserv.h).  This file holds the libmicrohttpd callbacks: the
 * access handler collects a bounded body and calls the caller's handler;
 * the TLS part (certificate callback and reload) sits at the end.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "httpserv.h"

#define TLS_MAX_CHAIN 16   /* certificates in one chain file */
#define TLS_MAX_OLD 64     /* retired key pairs kept for handshakes in flight */

/* One certificate chain and its key, immutable once loaded. */
struct tls_pair {
	gnutls_pcert_st pcert[TLS_MAX_CHAIN];
	unsigned n_pcert;
	gnutls_privkey_t key;
};

struct httpserv {
	struct MHD_Daemon *mhd;
	httpserv_handler_fn handler;
	httpserv_precheck_fn precheck;
	httpserv_log_fn log;
	void *ctx;
	size_t max_body;
	char *tls_cert, *tls_key;
	/* TLS: the pair new handshakes get, and the retired ones, which a
	 * handshake may still be using; all freed by httpserv_stop(). */
	pthread_mutex_t tls_lock;
	struct tls_pair *tls_current;
	struct tls_pair *tls_old[TLS_MAX_OLD];
	size_t n_tls_old;
};

/* Per-request state, from the first call of the access handler to
 * the completion notice. */
struct request_state {
	unsigned char *body;
	size_t len, cap;
	int answered;      /* a response is queued: ignore what follows */
};

static void logf_(struct httpserv *s, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logf_(struct httpserv *s, int prio, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (s->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->log(s->ctx, prio, msg);
}

static void mhd_logger(void *cls, const char *fmt, va_list ap)
{
	struct httpserv *s = cls;
	char msg[512];
	size_t n;

	if (s->log == NULL)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	s->log(s->ctx, LOG_WARNING, msg);
}

/* ---- listen address ---- */

static int is_loopback(const struct sockaddr *sa)
{
	static const unsigned char mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;

		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		const unsigned char *b = in6->sin6_addr.s6_addr;

		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return 1;
		return memcmp(b, mapped_prefix, sizeof mapped_prefix) == 0 && b[12] == 127;
	}
	return 0;
}

enum tr_err httpserv_parse_listen(const char *listen, int allow_public, void *ss, size_t sslen,
                                  struct tr_error *err)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *hs, *he;
	unsigned long port;
	char *end;
	size_t hl;

	if (listen == NULL || ss == NULL || sslen < sizeof(struct sockaddr_storage))
		return tr_error_set(err, TR_ERR_USAGE, "listen: no address");
	if (listen[0] == '[') {
		hs = listen + 1;
		he = strchr(hs, ']');
		if (he == NULL || he[1] != ':')
			return tr_error_set(err, TR_ERR_USAGE, "listen %s: want [IPv6]:PORT", listen);
		colon = he + 1;
	} else {
		hs = listen;
		colon = strrchr(listen, ':');
		if (colon == NULL)
			return tr_error_set(err, TR_ERR_USAGE, "listen %s: want ADDR:PORT", listen);
		he = colon;
	}
	hl = (size_t)(he - hs);
	if (hl == 0 || hl >= sizeof host)
		return tr_error_set(err, TR_ERR_USAGE, "listen %s: bad address", listen);
	memcpy(host, hs, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || errno != 0 || port > 65535)
		return tr_error_set(err, TR_ERR_USAGE, "listen %s: bad port", listen);

	memset(ss, 0, sslen);
	if (listen[0] == '[') {
		struct sockaddr_in6 *in6 = ss;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return tr_error_set(err, TR_ERR_USAGE, "listen %s: not an IPv6 address", listen);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
	} else {
		struct sockaddr_in *in = ss;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return tr_error_set(err, TR_ERR_USAGE,
			                    "listen %s: not an IPv4 address (IPv6 goes in brackets)", listen);
		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
	}
	if (!allow_public && !is_loopback(ss))
		return tr_error_set(err, TR_ERR_USAGE,
		                    "listen %s: not a loopback address (allow public addresses explicitly)",
		                    listen);
	return TR_OK;
}

/* ---- requests ---- */

static void client_address(struct MHD_Connection *c, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	snprintf(out, outlen, "unknown");
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outlen);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)outlen);
}

static void response_defaults(struct httpserv_response *r)
{
	memset(r, 0, sizeof *r);
	r->status = 500;
	r->content_type = "text/plain";
	r->body = (char *)"";
}

/* Hand r to libmicrohttpd; r's body is given away whatever happens. */
static enum MHD_Result send_response(struct httpserv *s, struct MHD_Connection *c,
                                     struct httpserv_response *r)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	size_t i;

	if (r->status < 100 || r->status > 599) {
		/* the handler's bug; the client gets a plain 500 */
		logf_(s, LOG_ERR, "bug: handler answered status %u", r->status);
		if (r->body_free != NULL)
			r->body_free(r->body);
		response_defaults(r);
	}
	if (r->body_free != NULL)
		mr = MHD_create_response_from_buffer_with_free_callback(r->body_len, r->body,
		                                                        r->body_free);
	else
		mr = MHD_create_response_from_buffer(r->body_len, r->body, MHD_RESPMEM_PERSISTENT);
	if (mr == NULL) {
		if (r->body_free != NULL)
			r->body_free(r->body);
		return MHD_NO;
	}
	if (r->content_type != NULL)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
	for (i = 0; i < HTTPSERV_MAX_EXTRA_HEADERS; i++)
		if (r->extra_headers[i][0] != NULL && r->extra_headers[i][1] != NULL)
			MHD_add_response_header(mr, r->extra_headers[i][0], r->extra_headers[i][1]);
	ret = MHD_queue_response(c, r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static void request_view(struct MHD_Connection *c, const char *url, const char *method,
                         char *addr, size_t addrlen, struct httpserv_request *req)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);

	client_address(c, addr, addrlen);
	memset(req, 0, sizeof *req);
	req->method = method;
	req->path = url;
	req->host = host != NULL ? host : "";
	req->client_addr = addr;
	req->conn = c;
}

/* A declared body over the cap is refused before a byte of it is read. */
static int declared_too_large(struct httpserv *s, struct MHD_Connection *c, const char *addr)
{
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_CONTENT_LENGTH);
	unsigned long long n;
	char *end;

	if (cl == NULL)
		return 0;
	errno = 0;
	n = strtoull(cl, &end, 10);
	if (end == cl || errno != 0 || n > s->max_body) {
		logf_(s, LOG_NOTICE, "%s: refused, Content-Length %.32s over the limit of %zu bytes",
		      addr, cl, s->max_body);
		return 1;
	}
	return 0;
}

static enum MHD_Result first_call(struct httpserv *s, struct MHD_Connection *c, const char *url,
                                  const char *method, struct request_state *rs)
{
	struct httpserv_response resp;
	struct httpserv_request req;
	char addr[HTTPSERV_ADDR_MAX];

	request_view(c, url, method, addr, sizeof addr, &req);
	response_defaults(&resp);
	if (s->precheck != NULL && s->precheck(s->ctx, &req, &resp)) {
		rs->answered = 1;
		return send_response(s, c, &resp);
	}
	if (declared_too_large(s, c, addr)) {
		resp.status = 413;
		resp.body = (char *)"request body too large\n";
		resp.body_len = strlen(resp.body);
		rs->answered = 1;
		return send_response(s, c, &resp);
	}
	return MHD_YES;
}

static enum MHD_Result append_body(struct httpserv *s, struct MHD_Connection *c,
                                   struct request_state *rs, const char *data, size_t n)
{
	if (n > s->max_body - rs->len) {
		char addr[HTTPSERV_ADDR_MAX];

		client_address(c, addr, sizeof addr);
		logf_(s, LOG_NOTICE, "%s: connection closed, body over the limit of %zu bytes", addr,
		      s->max_body);
		return MHD_NO;
	}
	if (rs->len + n > rs->cap) {
		size_t cap = rs->cap != 0 ? rs->cap : 16384;
		unsigned char *p;

		while (cap < rs->len + n)
			cap = cap > s->max_body / 2 ? s->max_body : cap * 2;
		p = realloc(rs->body, cap);
		if (p == NULL)
			return MHD_NO;
		rs->body = p;
		rs->cap = cap;
	}
	memcpy(rs->body + rs->len, data, n);
	rs->len += n;
	return MHD_YES;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct httpserv *s = cls;
	struct request_state *rs = *con_cls;
	struct httpserv_response resp;
	struct httpserv_request req;
	char addr[HTTPSERV_ADDR_MAX];

	if (rs == NULL) {
		rs = calloc(1, sizeof *rs);
		if (rs == NULL)
			return MHD_NO;
		*con_cls = rs;
		return first_call(s, c, url, method, rs);
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (rs->answered)
			return MHD_YES;
		return append_body(s, c, rs, upload_data, n);
	}
	if (rs->answered)
		return MHD_YES;
	request_view(c, url, method, addr, sizeof addr, &req);
	req.body = rs->body != NULL ? rs->body : (const unsigned char *)"";
	req.body_len = rs->len;
	response_defaults(&resp);
	s->handler(s->ctx, &req, &resp);
	rs->answered = 1;
	return send_response(s, c, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct request_state *rs = *con_cls;

	if (rs == NULL)
		return;
	free(rs->body);
	free(rs);
	*con_cls = NULL;
}

const char *httpserv_header(const struct httpserv_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* ---- TLS ---- */

/* libmicrohttpd's certificate callback carries no context of its own:
 * one TLS server per process, found here. */
static struct httpserv *tls_server;
static pthread_mutex_t tls_server_lock = PTHREAD_MUTEX_INITIALIZER;

static void tls_pair_free(struct tls_pair *p)
{
	unsigned i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n_pcert; i++)
		gnutls_pcert_deinit(&p->pcert[i]);
	if (p->key != NULL)
		gnutls_privkey_deinit(p->key);
	free(p);
}

/* Check that key and certificate belong together, as GnuTLS's own file
 * loader does, so that a mismatch fails now and names the files. */
static int tls_pair_matches(const char *cert, const char *key, struct tr_error *err)
{
	gnutls_certificate_credentials_t cred;
	int rc;

	if (gnutls_certificate_allocate_credentials(&cred) < 0) {
		tr_error_set(err, TR_ERR_NOMEM, "TLS: out of memory");
		return 0;
	}
	rc = gnutls_certificate_set_x509_key_file(cred, cert, key, GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (rc < 0) {
		tr_error_set(err, TR_ERR_IO, "TLS certificate %s, key %s: %s", cert, key,
		             gnutls_strerror(rc));
		return 0;
	}
	return 1;
}

static enum tr_err tls_pair_load(const char *cert, const char *key, struct tls_pair **out,
                                 struct tr_error *err)
{
	gnutls_datum_t cd = { NULL, 0 }, kd = { NULL, 0 };
	struct tls_pair *p;
	enum tr_err rc = TR_OK;
	int g;

	if (!tls_pair_matches(cert, key, err))
		return err != NULL ? err->code : TR_ERR_IO;
	p = calloc(1, sizeof *p);
	if (p == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "TLS: out of memory");
	g = gnutls_load_file(cert, &cd);
	if (g < 0) {
		rc = tr_error_set(err, TR_ERR_IO, "TLS certificate %s: %s", cert, gnutls_strerror(g));
		goto out;
	}
	p->n_pcert = TLS_MAX_CHAIN;
	g = gnutls_pcert_list_import_x509_raw(p->pcert, &p->n_pcert, &cd, GNUTLS_X509_FMT_PEM, 0);
	if (g < 0) {
		p->n_pcert = 0;
		rc = tr_error_set(err, TR_ERR_IO, "TLS certificate %s: %s", cert, gnutls_strerror(g));
		goto out;
	}
	g = gnutls_load_file(key, &kd);
	if (g >= 0)
		g = gnutls_privkey_init(&p->key);
	if (g >= 0)
		g = gnutls_privkey_import_x509_raw(p->key, &kd, GNUTLS_X509_FMT_PEM, NULL, 0);
	if (g < 0)
		rc = tr_error_set(err, TR_ERR_IO, "TLS key %s: %s", key, gnutls_strerror(g));
out:
	if (kd.data != NULL) {
		gnutls_memset(kd.data, 0, kd.size);
		gnutls_free(kd.data);
	}
	gnutls_free(cd.data);
	if (rc != TR_OK) {
		tls_pair_free(p);
		return rc;
	}
	*out = p;
	return TR_OK;
}

static int tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                        const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                        gnutls_pcert_st **pcert, unsigned int *pcert_length,
                        gnutls_privkey_t *privkey)
{
	struct httpserv *s;
	int rc = -1;

	pthread_mutex_lock(&tls_server_lock);
	s = tls_server;
	if (s != NULL) {
		pthread_mutex_lock(&s->tls_lock);
		if (s->tls_current != NULL) {
			*pcert = s->tls_current->pcert;
			*pcert_length = s->tls_current->n_pcert;
			*privkey = s->tls_current->key;
			rc = 0;
		}
		pthread_mutex_unlock(&s->tls_lock);
	}
	pthread_mutex_unlock(&tls_server_lock);
	return rc;
}

enum tr_err httpserv_reload_tls(struct httpserv *s, struct tr_error *err)
{
	struct tls_pair *p = NULL;
	enum tr_err rc;

	if (s == NULL || s->tls_cert == NULL)
		return TR_OK;
	rc = tls_pair_load(s->tls_cert, s->tls_key, &p, err);
	if (rc != TR_OK)
		return rc;
	pthread_mutex_lock(&s->tls_lock);
	if (s->tls_current != NULL) {
		/* A handshake may still hold the old pair: keep it, but not forever. */
		if (s->n_tls_old == TLS_MAX_OLD) {
			tls_pair_free(s->tls_old[0]);
			memmove(s->tls_old, s->tls_old + 1, (TLS_MAX_OLD - 1) * sizeof s->tls_old[0]);
			s->n_tls_old--;
		}
		s->tls_old[s->n_tls_old++] = s->tls_current;
	}
	s->tls_current = p;
	pthread_mutex_unlock(&s->tls_lock);
	return TR_OK;
}

/* ---- start and stop ---- */

static void free_server(struct httpserv *s)
{
	size_t i;

	if (s->tls_cert != NULL) {
		pthread_mutex_lock(&tls_server_lock);
		if (tls_server == s)
			tls_server = NULL;
		pthread_mutex_unlock(&tls_server_lock);
	}
	tls_pair_free(s->tls_current);
	for (i = 0; i < s->n_tls_old; i++)
		tls_pair_free(s->tls_old[i]);
	pthread_mutex_destroy(&s->tls_lock);
	free(s->tls_cert);
	free(s->tls_key);
	free(s);
}

static enum tr_err setup_tls(struct httpserv *s, const struct httpserv_conf *conf,
                             struct tr_error *err)
{
	enum tr_err rc;

	if ((conf->tls_cert == NULL) != (conf->tls_key == NULL))
		return tr_error_set(err, TR_ERR_USAGE, "TLS needs both a certificate and a key");
	if (conf->tls_cert == NULL)
		return TR_OK;
	s->tls_cert = strdup(conf->tls_cert);
	s->tls_key = strdup(conf->tls_key);
	if (s->tls_cert == NULL || s->tls_key == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	rc = httpserv_reload_tls(s, err);
	if (rc != TR_OK)
		return rc;
	pthread_mutex_lock(&tls_server_lock);
	if (tls_server != NULL)
		rc = tr_error_set(err, TR_ERR_USAGE, "only one TLS server per process");
	else
		tls_server = s;
	pthread_mutex_unlock(&tls_server_lock);
	if (rc != TR_OK) {
		/* not registered: free_server() must not unregister the other one */
		free(s->tls_cert);
		s->tls_cert = NULL;
	}
	return rc;
}

#define OPT(o, v, p) (struct MHD_OptionItem){ (o), (intptr_t)(v), (p) }

enum tr_err httpserv_start(const struct httpserv_conf *conf, struct httpserv **out,
                           struct tr_error *err)
{
	struct sockaddr_storage ss;
	struct MHD_OptionItem opts[16];
	struct httpserv *s;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
	unsigned threads = conf->threads != 0 ? conf->threads : HTTPSERV_DEFAULT_THREADS;
	/* typed here so that the compiler checks it against GnuTLS's prototype */
	gnutls_certificate_retrieve_function2 *cert_cb = tls_retrieve;
	size_t n = 0;
	enum tr_err rc;

	*out = NULL;
	if (conf->handler == NULL)
		return tr_error_set(err, TR_ERR_USAGE, "httpserv: no handler");
	rc = httpserv_parse_listen(conf->listen, conf->allow_public, &ss, sizeof ss, err);
	if (rc != TR_OK)
		return rc;
	s = calloc(1, sizeof *s);
	if (s == NULL)
		return tr_error_set(err, TR_ERR_NOMEM, "out of memory");
	pthread_mutex_init(&s->tls_lock, NULL);
	s->handler = conf->handler;
	s->precheck = conf->precheck;
	s->log = conf->log;
	s->ctx = conf->ctx;
	s->max_body = conf->max_body != 0 ? conf->max_body : HTTPSERV_DEFAULT_MAX_BODY;
	rc = setup_tls(s, conf, err);
	if (rc != TR_OK) {
		free_server(s);
		return rc;
	}
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (s->tls_cert != NULL) {
		flags |= MHD_USE_TLS;
		opts[n++] = OPT(MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)cert_cb);
	}
	opts[n++] = OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
	opts[n++] = OPT(MHD_OPTION_CONNECTION_LIMIT,
	                conf->max_connections != 0 ? conf->max_connections
	                                           : HTTPSERV_DEFAULT_MAX_CONNECTIONS, NULL);
	opts[n++] = OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	                conf->max_per_ip != 0 ? conf->max_per_ip : HTTPSERV_DEFAULT_MAX_PER_IP, NULL);
	opts[n++] = OPT(MHD_OPTION_CONNECTION_TIMEOUT,
	                conf->timeout_s != 0 ? conf->timeout_s : HTTPSERV_DEFAULT_TIMEOUT_S, NULL);
	opts[n++] = OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPSERV_HEADER_MEMORY, NULL);
	opts[n++] = OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_logger, s);
	opts[n++] = OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s);
	if (threads > 1)
		opts[n++] = OPT(MHD_OPTION_THREAD_POOL_SIZE, threads, NULL);
	opts[n++] = OPT(MHD_OPTION_END, 0, NULL);

	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_access, s, MHD_OPTION_ARRAY, opts,
	                          MHD_OPTION_END);
	if (s->mhd == NULL) {
		rc = tr_error_set(err, TR_ERR_IO, "cannot listen on %s (address in use, or no permission?)",
		                  conf->listen);
		free_server(s);
		return rc;
	}
	*out = s;
	return TR_OK;
}

unsigned httpserv_port(const struct httpserv *s)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);

	return di != NULL ? di->port : 0;
}

struct httpserv *httpserv_stop(struct httpserv *s)
{
	if (s == NULL)
		return NULL;
	MHD_stop_daemon(s->mhd);
	free_server(s);
	return NULL;
}
