/*
 * null-milter: the floor for the milter benchmark (bench/milter.sh).  A
 * libmilter filter with tlsrpt-milter's protocol shape and nothing else:
 * the same steps negotiated away, no reply to recipients, headers, end of
 * headers and body chunks, a reply at DATA and at end of message, where it
 * adds one header as tlsrpt-milter adds TLS-Report-Status.  It reads no
 * byte of the message.  What a loopback Postfix loses with it is what
 * libmilter (a thread per connection) and the protocol cost any filter
 * that must see the whole message; the rest of tlsrpt-milter's cost is
 * its own.
 *
 *   bench/null-milter [-n] unix:/path/to/socket
 * -n: add no header (what the header alone costs the MTA).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmilter/mfapi.h>

static int add_header = 1;  /* configuration, set once before smfi_main() */

static sfsistat null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
                               unsigned long f2, unsigned long f3, unsigned long *pf0,
                               unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	const unsigned long steps = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL |
	                            SMFIP_NOUNKNOWN | SMFIP_NR_RCPT | SMFIP_NR_HDR |
	                            SMFIP_NR_EOH | SMFIP_NR_BODY;
	static const int stages[] = { SMFIM_ENVRCPT, SMFIM_DATA, SMFIM_EOH, SMFIM_EOM };
	size_t i;

	(void)f2;
	(void)f3;
	*pf0 = f0 & SMFIF_ADDHDRS;
	*pf1 = f1 & steps;
	*pf2 = 0;
	*pf3 = 0;
	for (i = 0; i < sizeof stages / sizeof stages[0]; i++)
		(void)smfi_setsymlist(ctx, stages[i], "i");
	return SMFIS_CONTINUE;
}

static sfsistat null_noreply(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_NOREPLY;
}

static sfsistat null_rcpt(SMFICTX *ctx, char **argv)
{
	(void)argv;
	return null_noreply(ctx);
}

static sfsistat null_header(SMFICTX *ctx, char *name, char *value)
{
	(void)name;
	(void)value;
	return null_noreply(ctx);
}

static sfsistat null_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	(void)chunk;
	(void)len;
	return null_noreply(ctx);
}

static sfsistat null_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat null_eom(SMFICTX *ctx)
{
	if (add_header && smfi_addheader(ctx, "X-Null-Milter", "seen") != MI_SUCCESS)
		fprintf(stderr, "null-milter: adding a header failed\n");
	return SMFIS_CONTINUE;
}

static struct smfiDesc null_desc = {
	.xxfi_name = "null-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS,
	.xxfi_envrcpt = null_rcpt,
	.xxfi_data = null_data,
	.xxfi_header = null_header,
	.xxfi_eoh = null_noreply,
	.xxfi_body = null_body,
	.xxfi_eom = null_eom,
	.xxfi_negotiate = null_negotiate,
};

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "-n") == 0) {
		add_header = 0;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: null-milter [-n] unix:/path/to/socket\n");
		return 2;
	}
	if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(null_desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "null-milter: cannot listen on %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
