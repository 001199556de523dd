/*
 * smtpprobe: one MX host met the way a sending MTA meets it: TCP to port
 * 25, the greeting, EHLO, STARTTLS, a TLS handshake with OpenSSL, then a
 * polite QUIT.  It records what it saw; it never decides what is wrong
 * (domaincheck.c does).
 *
 * The presented chain is judged twice from the one handshake: by WebPKI
 * rules for the MX name (what MTA-STS asks: trusted chain, name, dates)
 * and, when TLSA records are given, by DANE (RFC 7672, OpenSSL's
 * SSL_dane_enable).  Every step has the same deadline; a server that
 * stops talking costs at most that long per step.
 */
#ifndef TLSRPT_CHECK_SMTPPROBE_H
#define TLSRPT_CHECK_SMTPPROBE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Longest SMTP reply line read (RFC 5321: 512 with CRLF) and most lines
 * in one reply. */
#define SMTPPROBE_LINE_MAX 1000
#define SMTPPROBE_REPLY_LINES_MAX 100

struct smtpprobe_opts {
	int timeout_ms;          /* each step */
	unsigned port;           /* 25; others only for tests */
	const char *cafile;      /* trust store for WebPKI; NULL: the system's */
	const char *helo_name;   /* our EHLO name */
};

struct smtpprobe_tlsa {
	uint8_t usage, selector, mtype;
	const unsigned char *data;
	size_t len;
};

enum smtpprobe_stage {
	SMTPPROBE_CONNECT,       /* where it stopped, if it stopped */
	SMTPPROBE_GREETING,
	SMTPPROBE_EHLO,
	SMTPPROBE_STARTTLS,
	SMTPPROBE_HANDSHAKE,
	SMTPPROBE_DONE           /* TLS was set up */
};

enum smtpprobe_failure {
	SMTPPROBE_OK,
	SMTPPROBE_REFUSED,       /* connect failed */
	SMTPPROBE_TIMEOUT,
	SMTPPROBE_PROTOCOL,      /* not 220 / 250, or a garbled reply */
	SMTPPROBE_NO_STARTTLS,   /* EHLO did not offer it */
	SMTPPROBE_TLS,           /* handshake failed */
	SMTPPROBE_NO_ROUTE       /* our side cannot reach the address at all
	                            (no IPv6 here): says nothing of the host */
};

struct smtpprobe_result {
	enum smtpprobe_stage stage;
	enum smtpprobe_failure failure;
	char detail[256];        /* why it stopped, or "" */
	/* set when stage is SMTPPROBE_DONE */
	char protocol[16];       /* "TLSv1.3" */
	int webpki_ok;           /* chain trusted, name matches, in date */
	int cert_expired;
	int cert_not_yet_valid;
	int cert_name_mismatch;
	int cert_untrusted;
	char webpki_detail[256];
	int64_t not_after;       /* the leaf's, epoch seconds; 0 unknown */
	int dane_usable;         /* some TLSA record was usable */
	int dane_ok;             /* a usable TLSA record matched */
	char dane_detail[256];
};

/*
 * Probe mx (the MX name: SNI and the name the certificate must carry) at
 * addr (IPv4 or IPv6 text) with tlsa[0..ntlsa) (may be 0).  TR_OK with
 * *out filled whatever the server did; TR_ERR_NOMEM or TR_ERR_IO (our own
 * side failed: no socket, no TLS context) otherwise.
 */
enum tr_err smtpprobe_run(const char *mx, const char *addr, const struct smtpprobe_tlsa *tlsa,
                          size_t ntlsa, const struct smtpprobe_opts *o,
                          struct smtpprobe_result *out, struct tr_error *err);

#endif
