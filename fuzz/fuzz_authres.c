/*
 * fuzz_authres: Authentication-Results header values (lib/authres.c).
 * Anyone can write such a header into a mail to the reporting address;
 * the milter parses up to 32 of them per message for the DKIM verdict.
 * The input's first line is the submitter, the rest the header value.
 * Checks beyond "no crash": every field the parser fills is NUL-terminated
 * within its size and lowercased, and the verdict is one of the four.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "fuzz.h"

#define FUZZ_AUTHRES_MAX 4096

static void check_field(const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n == size)
		abort(); /* not terminated within its field */
	for (size_t i = 0; i < n; i++)
		if (isupper((unsigned char)s[i]))
			abort(); /* the parser promises lowercase */
}

/* The verdict when the header's own authserv-id is the trusted one, so
 * that the pass path is reachable too. */
static void verdict_trusting_itself(const struct authres *ar, const char *submitter)
{
	const char *self[] = { ar->authserv_id };

	if (authres_verdict_name(authres_verdict(ar, 1, self, 1, submitter)) == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const trusted[] = { "mx.example.net", "" };
	char buf[FUZZ_AUTHRES_MAX + 1], *value, *nl;
	struct authres ar;
	enum authres_verdict v;

	if (size > FUZZ_AUTHRES_MAX)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	nl = strchr(buf, '\n');
	value = nl != NULL ? nl + 1 : buf;
	if (nl != NULL)
		*nl = '\0';
	memset(&ar, 0x5a, sizeof ar);
	if (authres_parse(value, &ar) != 0)
		return 0;
	check_field(ar.authserv_id, sizeof ar.authserv_id);
	if (ar.n_dkim > AUTHRES_MAX_DKIM)
		abort();
	for (size_t i = 0; i < ar.n_dkim; i++) {
		check_field(ar.dkim[i].result, sizeof ar.dkim[i].result);
		check_field(ar.dkim[i].domain, sizeof ar.dkim[i].domain);
		(void)authres_aligned(ar.dkim[i].domain, buf);
	}
	v = authres_verdict(&ar, 1, trusted, 2, nl != NULL ? buf : NULL);
	if (v != AUTHRES_UNKNOWN && v != AUTHRES_NONE && v != AUTHRES_FAIL && v != AUTHRES_PASS)
		abort();
	if (authres_verdict_name(v) == NULL)
		abort();
	verdict_trusting_itself(&ar, nl != NULL ? buf : NULL);
	return 0;
}
