/*
 * dkimverify against mails signed with real keys (tests/fixtures/dkim,
 * made by make-fixtures.py with python3-dkim): each fixture's name says
 * the verdict it must get for the submitter extract finds in it.  Keys
 * come from the fixture key file, as DKIMKeyFile gives them to the milter.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dkimverify.h"
#include "extract.h"
#include "testutil.h"

static char fixdir[4096];
static char keyfile[4200];

static struct dkimverify *open_ok(const char *keys)
{
	struct dkimverify *v = NULL;
	struct tr_error err;

	tr_error_clear(&err);
	assert_int_equal(dkimverify_open(keys, 5, &v, &err), TR_OK);
	assert_non_null(v);
	return v;
}

/* Verdict for the first report of the mail at path, its signature in *sig. */
static enum dkimverify_verdict verdict_of(struct dkimverify *v, const char *path,
                                          struct dkimverify_sig *sig)
{
	struct extract_result res;
	struct dkimverify_result dr;
	const struct dkimverify_sig *which = NULL;
	struct tr_limits lim;
	struct tr_error err;
	enum dkimverify_verdict verdict;
	const char *subs[1];
	size_t len;
	char *msg = testutil_read_file(path, &len);

	assert_non_null(msg);
	limits_default(&lim);
	tr_error_clear(&err);
	assert_int_equal(extract_message(msg, len, &lim, &res, &err), TR_OK);
	assert_int_equal(res.n, 1);
	assert_non_null(res.items[0].report);
	subs[0] = res.items[0].submitter;
	assert_int_equal(dkimverify_message(v, msg, len, subs, 1, &dr, &err), TR_OK);
	verdict = dkimverify_verdict(&dr, subs[0], &which);
	memset(sig, 0, sizeof *sig);
	if (which != NULL)
		*sig = *which;
	extract_result_free(&res);
	free(msg);
	return verdict;
}

static enum dkimverify_verdict expected(const char *name)
{
	if (strncmp(name, "pass-", 5) == 0)
		return DKIMV_PASS;
	if (strncmp(name, "none-", 5) == 0)
		return DKIMV_NONE;
	return DKIMV_FAIL;
}

static void each_fixture_gets_the_verdict_its_name_says(void **state)
{
	struct dkimverify *v = open_ok(keyfile);
	struct dirent *e;
	size_t n = 0, failed = 0;
	DIR *d = opendir(fixdir);

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[8400];
		struct dkimverify_sig sig;
		enum dkimverify_verdict got, want;
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 4, ".eml") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", fixdir, e->d_name);
		got = verdict_of(v, path, &sig);
		want = expected(e->d_name);
		printf("# %s: %s (d=%s s=%s: %s)\n", e->d_name, dkimverify_verdict_name(got),
		       sig.domain, sig.selector, sig.why != NULL ? sig.why : "-");
		if (got != want) {
			printf("# ^ wanted %s\n", dkimverify_verdict_name(want));
			failed++;
		}
		n++;
	}
	closedir(d);
	dkimverify_close(v);
	assert_true(n >= 20);
	assert_int_equal(failed, 0);
}

/* The signature that passed is the one recorded, with its selector. */
static void pass_names_the_signing_domain_and_selector(void **state)
{
	struct dkimverify *v = open_ok(keyfile);
	struct dkimverify_sig sig;
	char path[8400];

	(void)state;
	snprintf(path, sizeof path, "%s/pass-subdomain-signer.eml", fixdir);
	assert_int_equal(verdict_of(v, path, &sig), DKIMV_PASS);
	assert_string_equal(sig.domain, "reports.example.net");
	assert_string_equal(sig.selector, "sel1");
	snprintf(path, sizeof path, "%s/pass-ed25519.eml", fixdir);
	assert_int_equal(verdict_of(v, path, &sig), DKIMV_PASS);
	assert_string_equal(sig.selector, "ed");
	dkimverify_close(v);
}

/* A key that cannot be fetched now (DNS timeout; here the key file gone)
 * is a temporary verdict, never a pass nor a fail. */
static void key_lookup_failure_is_temperror(void **state)
{
	char tmp[] = "/tmp/tlsrpt-dkim-keys.XXXXXX", cmd[8400], path[8400];
	struct dkimverify_sig sig;
	struct dkimverify *v;
	int fd = mkstemp(tmp);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof cmd, "cp '%s' '%s'", keyfile, tmp);
	assert_int_equal(system(cmd), 0);
	v = open_ok(tmp);
	assert_int_equal(unlink(tmp), 0);
	snprintf(path, sizeof path, "%s/pass-aligned.eml", fixdir);
	assert_int_equal(verdict_of(v, path, &sig), DKIMV_TEMPERROR);
	assert_string_equal(sig.domain, "example.net");
	/* unsigned mail needs no key: still none */
	snprintf(path, sizeof path, "%s/none-unsigned.eml", fixdir);
	assert_int_equal(verdict_of(v, path, &sig), DKIMV_NONE);
	dkimverify_close(v);
}

/* Only signatures aligned with a submitter are looked up, at most the cap. */
static void unaligned_signatures_cost_no_lookup(void **state)
{
	struct dkimverify *v = open_ok(keyfile);
	struct dkimverify_result dr;
	struct tr_error err;
	const char *subs[1] = { "example.net" };
	char path[8400];
	size_t len;
	char *msg;

	(void)state;
	snprintf(path, sizeof path, "%s/pass-second-signature.eml", fixdir);
	msg = testutil_read_file(path, &len);
	assert_non_null(msg);
	assert_int_equal(dkimverify_message(v, msg, len, subs, 1, &dr, &err), TR_OK);
	assert_int_equal(dr.n_signatures, 2);
	assert_int_equal(dr.n, 2);
	assert_false(dr.sigs[0].looked_at); /* example.org, added last, comes first */
	assert_true(dr.sigs[1].looked_at);
	assert_int_equal(dkimverify_verdict(&dr, "example.net", NULL), DKIMV_PASS);
	assert_int_equal(dkimverify_verdict(&dr, "example.org", NULL), DKIMV_FAIL);
	assert_int_equal(dkimverify_verdict(&dr, NULL, NULL), DKIMV_FAIL);
	assert_int_equal(dkimverify_verdict(&dr, "", NULL), DKIMV_FAIL);
	free(msg);
	dkimverify_close(v);
}

static void bad_settings_are_refused_with_reasons(void **state)
{
	struct dkimverify *v = NULL;
	struct tr_error err;

	(void)state;
	tr_error_clear(&err);
	assert_int_equal(dkimverify_open(NULL, 0, &v, &err), TR_ERR_USAGE);
	assert_null(v);
	assert_int_equal(dkimverify_open("/nonexistent/keys", 5, &v, &err), TR_ERR_IO);
	assert_non_null(strstr(err.msg, "/nonexistent/keys"));
	assert_null(dkimverify_close(NULL));
	assert_string_equal(dkimverify_verdict_name(DKIMV_TEMPERROR), "temperror");
	assert_string_equal(dkimverify_verdict_name(DKIMV_UNKNOWN), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_fixture_gets_the_verdict_its_name_says),
		cmocka_unit_test(pass_names_the_signing_domain_and_selector),
		cmocka_unit_test(key_lookup_failure_is_temperror),
		cmocka_unit_test(unaligned_signatures_cost_no_lookup),
		cmocka_unit_test(bad_settings_are_refused_with_reasons),
	};

	testutil_srcpath(fixdir, sizeof fixdir, "tests/fixtures/dkim");
	snprintf(keyfile, sizeof keyfile, "%s/keys.txt", fixdir);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
