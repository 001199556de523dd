/*
 * key: the table of summary keys (see key.h).
 */
#include <string.h>

#include "count.h"
#include "key.h"

static const struct key_fold fold_by_domain = {
	"fold_policy", "rollup_policy", "policy_domain, reports, successful, failed, failed_with_policy",
	"fold_result", "rollup_result", "policy_domain, result_type, failed",
};
static const struct key_fold fold_by_mx = {
	"fold_mx", "rollup_mx", "receiving_mx, reports, failed, failed_with_policy",
	"fold_mx_result", "rollup_mx_result", "receiving_mx, result_type, failed",
};

static const struct key_def keys[] = {
	[SUMMARY_BY_SUBMITTER] = { "submitter", "submitter", "r.submitter", "g.submitter", 0, 0,
	                           NULL, NULL, NULL },
	[SUMMARY_BY_POLICY_DOMAIN] = { "policy-domain", "policy_domain", KEY_SQL_POLICY_DOMAIN, "g.policy_domain",
	                               0, 0, NULL, NULL, &fold_by_domain },
	[SUMMARY_BY_RESULT_TYPE] = { "result-type", "result_type", KEY_SQL_RESULT_TYPE, "g.result_type", 1, 0,
	                             NULL, NULL, NULL },
	[SUMMARY_BY_RECEIVING_MX] = { "receiving-mx", "receiving_mx", KEY_SQL_RECEIVING_MX, "g.receiving_mx",
	                              1, 0, "rollup_mx g WHERE 1 = 1", "rollup_mx_result g WHERE 1 = 1", &fold_by_mx },
	/* no rollup: one would hold about a row per detail (summary.c, tally.c) */
	[SUMMARY_BY_SENDING_IP] = { "sending-ip", "sending_ip", KEY_SQL_SENDING_IP, NULL, 1, 0, NULL, NULL,
	                            NULL },
	[SUMMARY_BY_DAY] = { "day", "day", "COALESCE(tr_day(r.start_time), '')",
	                     "COALESCE(tr_day(g.start_time), '')", 0, 0, NULL, NULL, NULL },
	/* every policy, so that nothing a report said is hidden: its own
	 * rollups keep the superseded ones too (schema version 11) */
	[SUMMARY_BY_POLICY_TYPE] = { "policy-type", "policy_type", KEY_SQL_POLICY_TYPE, "g.policy_type", 0, 1,
	                             "rollup_policy_type g WHERE 1 = 1",
	                             "rollup_policy_type_result g WHERE 1 = 1", NULL },
};
_Static_assert(sizeof keys / sizeof keys[0] == SUMMARY_N_KEYS, "a definition for every key");

const char *key_policy_type(const char *type, int superseded)
{
	TR_ASSERT(type != NULL);
	if (!superseded)
		return type;
	TR_ASSERT(strcmp(type, COUNT_TYPE_STS) == 0);
	return COUNT_TYPE_STS SUMMARY_SUPERSEDED_SUFFIX;
}

const struct key_def *key_def(enum summary_key k)
{
	return (size_t)k < SUMMARY_N_KEYS ? &keys[k] : NULL;
}

int key_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (size_t i = 0; i < SUMMARY_N_KEYS; i++) {
		if (strcmp(name, keys[i].name) == 0)
			return (int)i;
	}
	return -1;
}
