/*
 * decode: MIME content-transfer-encodings (RFC 2045 §6), tolerant of what
 * real mailers send.
 *
 * Input is a part's raw body; output is appended to a caller-owned struct buf
 * whose max bounds the decoded size (TR_ERR_LIMIT past it).
 */
#ifndef TLSRPT_DECODE_H
#define TLSRPT_DECODE_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* base64: any line length, CR/LF and stray whitespace or other non-alphabet
 * bytes skipped, missing '=' padding accepted, decoding stops at the first
 * padding. A dangling single sextet at the end is dropped. Never fails on
 * content; only TR_ERR_LIMIT or TR_ERR_NOMEM. */
enum tr_err decode_base64(const char *in, size_t len, struct buf *out);

/* quoted-printable: "=XX" (either case), soft line breaks "=\r\n" and "=\n",
 * a malformed "=" kept literally. Line ends are passed through as they are. */
enum tr_err decode_qp(const char *in, size_t len, struct buf *out);

enum decode_cte {
	CTE_IDENTITY,  /* 7bit, 8bit, binary, absent or unknown */
	CTE_BASE64,
	CTE_QP
};

/* Map a Content-Transfer-Encoding header value (NULL allowed) to a kind;
 * comparison is case-insensitive and ignores surrounding whitespace. */
enum decode_cte decode_cte_parse(const char *value);

/* Decode in according to cte into out (identity copies). */
enum tr_err decode_body(enum decode_cte cte, const char *in, size_t len, struct buf *out);

/* Value of one hexadecimal digit (either case), or -1; shared by the
 * quoted-printable, RFC 2047 and RFC 2231 decoders. */
int decode_hex_digit(unsigned char c);

#endif
