/*
 * policyfetch: one libcurl easy handle per fetch, told to do exactly what
 * RFC 8461 section 3.3 allows and nothing more; every refusal becomes a
 * status the check turns into a finding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "policyfetch.h"

struct body {
	char *p;
	size_t len;
	int too_large;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct body *b = arg;
	size_t len = size * n;
	char *p;

	if (len > POLICYFETCH_MAX_BYTES - b->len) {
		b->too_large = 1;
		return 0;    /* curl stops with CURLE_WRITE_ERROR */
	}
	p = realloc(b->p, b->len + len + 1);
	if (p == NULL)
		return 0;
	memcpy(p + b->len, data, len);
	b->p = p;
	b->len += len;
	b->p[b->len] = '\0';
	return len;
}

enum tr_err policyfetch_global_init(struct tr_error *err)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return tr_error_set(err, TR_ERR_IO, "libcurl: cannot initialise");
	return TR_OK;
}

/* "text/plain", any parameters after it, in any case. */
static int is_text_plain(const char *ct)
{
	size_t n = strlen("text/plain");

	if (ct == NULL || strncasecmp(ct, "text/plain", n) != 0)
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t';
}

static enum policyfetch_status curl_status(CURLcode c)
{
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		return POLICYFETCH_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return POLICYFETCH_CONNECT;
	case CURLE_PEER_FAILED_VERIFICATION:
#if LIBCURL_VERSION_NUM < 0x073e00
	case CURLE_SSL_CACERT:
#endif
		return POLICYFETCH_WEBPKI;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
		return POLICYFETCH_TLS;
	case CURLE_FILESIZE_EXCEEDED:
		return POLICYFETCH_TOO_LARGE;
	default:
		return POLICYFETCH_HTTP;
	}
}

static void set_options(CURL *h, const char *url, struct curl_slist *resolve,
                        const struct policyfetch_opts *o, struct body *b, char *errbuf)
{
	curl_easy_setopt(h, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->cacert != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, o->cacert);
	curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)POLICYFETCH_MAX_BYTES);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "tlsrpt-report-check");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

/* Turn curl's answer into a status. */
static void judge(CURL *h, CURLcode c, struct body *b, const char *errbuf,
                  struct policyfetch_result *out)
{
	char *ct = NULL;

	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->http_status);
	if (b->too_large || c == CURLE_FILESIZE_EXCEEDED) {
		out->status = POLICYFETCH_TOO_LARGE;
		snprintf(out->detail, sizeof out->detail, "the policy is larger than %d bytes",
		         POLICYFETCH_MAX_BYTES);
		return;
	}
	if (c != CURLE_OK) {
		out->status = curl_status(c);
		snprintf(out->detail, sizeof out->detail, "%s",
		         errbuf[0] != '\0' ? errbuf : curl_easy_strerror(c));
		return;
	}
	if (out->http_status >= 300 && out->http_status < 400) {
		out->status = POLICYFETCH_REDIRECT;
		snprintf(out->detail, sizeof out->detail,
		         "HTTP status %ld, a redirect, which senders do not follow", out->http_status);
		return;
	}
	if (out->http_status != 200) {
		out->status = POLICYFETCH_STATUS;
		snprintf(out->detail, sizeof out->detail, "HTTP status %ld, not 200",
		         out->http_status);
		return;
	}
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
	if (!is_text_plain(ct)) {
		out->status = POLICYFETCH_CONTENT_TYPE;
		snprintf(out->detail, sizeof out->detail, "Content-Type %.100s, not text/plain",
		         ct != NULL ? ct : "missing");
		return;
	}
	out->status = POLICYFETCH_OK;
	out->body = b->p != NULL ? b->p : strdup("");
	out->len = b->len;
	b->p = NULL;
}

enum tr_err policyfetch_get(const char *domain, const char *addr,
                            const struct policyfetch_opts *o, struct policyfetch_result *out,
                            struct tr_error *err)
{
	char url[512], pin[600], errbuf[CURL_ERROR_SIZE] = "";
	struct body b = { NULL, 0, 0 };
	struct curl_slist *resolve;
	CURL *h;
	CURLcode c;
	int n;

	memset(out, 0, sizeof *out);
	n = o->port == 443 ? snprintf(url, sizeof url, "https://mta-sts.%s/.well-known/mta-sts.txt",
	                              domain)
	                   : snprintf(url, sizeof url,
	                              "https://mta-sts.%s:%u/.well-known/mta-sts.txt", domain, o->port);
	if (n < 0 || (size_t)n >= sizeof url)
		return tr_error_set(err, TR_ERR_USAGE, "domain name too long");
	n = strchr(addr, ':') != NULL ? snprintf(pin, sizeof pin, "mta-sts.%s:%u:[%s]", domain,
	                                         o->port, addr)
	                              : snprintf(pin, sizeof pin, "mta-sts.%s:%u:%s", domain,
	                                         o->port, addr);
	if (n < 0 || (size_t)n >= sizeof pin)
		return tr_error_set(err, TR_ERR_USAGE, "domain name too long");
	h = curl_easy_init();
	resolve = curl_slist_append(NULL, pin);
	if (h == NULL || resolve == NULL) {
		curl_easy_cleanup(h);
		curl_slist_free_all(resolve);
		return tr_error_set(err, TR_ERR_NOMEM, "libcurl: out of memory");
	}
	set_options(h, url, resolve, o, &b, errbuf);
	c = curl_easy_perform(h);
	judge(h, c, &b, errbuf, out);
	free(b.p);
	curl_easy_cleanup(h);
	curl_slist_free_all(resolve);
	return TR_OK;
}

void policyfetch_result_free(struct policyfetch_result *r)
{
	if (r == NULL)
		return;
	free(r->body);
	r->body = NULL;
	r->len = 0;
}
