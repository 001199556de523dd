/*
 * report_builder: hand-built reports for tests (see report_builder.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "report_builder.h"
#include "testdb.h"

static void *rb_alloc(size_t n)
{
	void *p = calloc(1, n);

	if (p == NULL)
		abort();
	return p;
}

/* Grow an array by one zeroed element; returns the new element. */
static void *rb_grow(void *arr, size_t *n, size_t size)
{
	char *p = realloc(arr, (*n + 1) * size);

	if (p == NULL)
		abort();
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

char *rb_strdup(const char *s)
{
	size_t len;
	char *d;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	d = rb_alloc(len + 1);
	memcpy(d, s, len);
	return d;
}

void rb_set_json(struct tlsrpt_report *r, const char *json, size_t len)
{
	free(r->json);
	r->json = NULL;
	r->json_len = 0;
	if (json == NULL)
		return;
	r->json = rb_alloc(len + 1);
	memcpy(r->json, json, len);
	r->json_len = len;
}

struct tlsrpt_report *rb_report(const char *submitter, const char *report_id, int64_t start, int64_t end,
                                const char *organization)
{
	struct tlsrpt_report *r = rb_alloc(sizeof *r);
	char json[512];
	int n;

	r->submitter = rb_strdup(submitter);
	r->report_id = rb_strdup(report_id);
	r->organization_name = rb_strdup(organization);
	r->start = start;
	r->end = end;
	n = snprintf(json, sizeof json, "{\"report-id\":\"%s\",\"submitter\":\"%s\"}",
	             report_id != NULL ? report_id : "", submitter != NULL ? submitter : "");
	if (n < 0 || (size_t)n >= sizeof json)
		abort();
	rb_set_json(r, json, (size_t)n);
	return r;
}

struct tlsrpt_policy *rb_policy(struct tlsrpt_report *r, const char *type, const char *domain,
                                uint64_t successful, uint64_t failure)
{
	struct tlsrpt_policy *p;

	r->policies = rb_grow(r->policies, &r->n_policies, sizeof *r->policies);
	p = &r->policies[r->n_policies - 1];
	p->policy_type = rb_strdup(type);
	p->policy_domain = rb_strdup(domain);
	p->total_successful = successful;
	p->total_failure = failure;
	return p;
}

static void rb_push_string(char ***arr, size_t *n, const char *s)
{
	*arr = rb_grow(*arr, n, sizeof **arr);
	(*arr)[*n - 1] = rb_strdup(s);
}

void rb_policy_string(struct tlsrpt_policy *p, const char *s)
{
	rb_push_string(&p->policy_strings, &p->n_policy_strings, s);
}

void rb_mx_host(struct tlsrpt_policy *p, const char *s)
{
	rb_push_string(&p->mx_hosts, &p->n_mx_hosts, s);
}

struct tlsrpt_failure *rb_failure(struct tlsrpt_policy *p, const char *result_type, const char *sending_ip,
                                  const char *receiving_mx, uint64_t count)
{
	struct tlsrpt_failure *f;

	p->failures = rb_grow(p->failures, &p->n_failures, sizeof *p->failures);
	f = &p->failures[p->n_failures - 1];
	f->result_type = rb_strdup(result_type);
	f->sending_mta_ip = rb_strdup(sending_ip);
	f->receiving_mx_hostname = rb_strdup(receiving_mx);
	f->failed_session_count = count;
	return f;
}

static void rb_free_strings(char **arr, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(arr[i]);
	free(arr);
}

static void rb_free_failure(struct tlsrpt_failure *f)
{
	free(f->result_type);
	free(f->sending_mta_ip);
	free(f->receiving_mx_hostname);
	free(f->receiving_mx_helo);
	free(f->receiving_ip);
	free(f->additional_information);
	free(f->failure_reason_code);
}

static void rb_free_policy(struct tlsrpt_policy *p)
{
	free(p->policy_type);
	free(p->policy_domain);
	rb_free_strings(p->policy_strings, p->n_policy_strings);
	rb_free_strings(p->mx_hosts, p->n_mx_hosts);
	for (size_t i = 0; i < p->n_failures; i++)
		rb_free_failure(&p->failures[i]);
	free(p->failures);
}

void rb_free(struct tlsrpt_report *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_policies; i++)
		rb_free_policy(&r->policies[i]);
	free(r->policies);
	free(r->organization_name);
	free(r->contact_info);
	free(r->report_id);
	free(r->submitter);
	free(r->json);
	free(r);
}

char *rb_temp_path(const char *name)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	char *path;
	size_t len;
	int n;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	n = snprintf(dir, sizeof dir, "%s/tlsrpt-test-XXXXXX", tmp);
	if (n < 0 || (size_t)n >= sizeof dir || mkdtemp(dir) == NULL)
		abort();
	len = strlen(dir) + 1 + strlen(name) + 1;
	path = rb_alloc(len);
	snprintf(path, len, "%s/%s", dir, name);
	return path;
}

char *rb_temp_db(enum db_kind kind, const char *name)
{
	char where[512];
	char *out;

	if (kind == DB_SQLITE)
		return rb_temp_path(name);
	if (testdb_fresh(kind, where, sizeof where) != 0)
		abort();
	out = rb_strdup(where);
	return out;
}

void rb_remove_temp(char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char buf[4096];
	char *slash;

	if (path == NULL)
		return;
	if (db_is_postgres(path)) {
		/* a test schema: the cluster goes away after the run */
		free(path);
		return;
	}
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(buf, sizeof buf, "%s%s", path, suffixes[i]);
		unlink(buf);
	}
	slash = strrchr(path, '/');
	if (slash != NULL) {
		*slash = '\0';
		rmdir(path);
	}
	free(path);
}
