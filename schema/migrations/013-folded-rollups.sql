-- Version 13: the rollups by policy domain and by receiving MX folded
-- over buckets of 30 days and over submitters, for the summaries by
-- policy-domain and receiving-mx without a submitter filter: keyed by
-- start time and submitter, rollup_policy, rollup_result, rollup_mx and
-- rollup_mx_result fold few reports into a row (a policy domain is
-- reported by many submitters on many days), and grouping their million
-- rows cost 3 s.  Each row sums its rollup's rows whose start time falls
-- in [bucket, bucket + 30 days) (bucket: lib/key.h, KEY_SQL_FOLD_BUCKET,
-- a multiple of 2592000 seconds since the epoch), kept with them in the
-- report's transaction and rebuilt with them by expire; still keyed by
-- time first, so that a report's rows land among the newest.  A
-- --since/--until reads the whole buckets it covers here and its edges
-- from the rollups above (lib/summary.c).
--   fold_policy         rollup_policy by bucket, policy domain, auth
--   fold_result         rollup_result by bucket, policy domain, auth,
--                       result type
--   fold_mx             rollup_mx by bucket, auth, receiving MX
--   fold_mx_result      rollup_mx_result by bucket, auth, receiving MX,
--                       result type
CREATE TABLE fold_policy (
	bucket             INTEGER NOT NULL,
	policy_domain      TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	reports            INTEGER NOT NULL,
	successful         INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (bucket, policy_domain, auth_pass)
) WITHOUT ROWID;

CREATE TABLE fold_result (
	bucket             INTEGER NOT NULL,
	policy_domain      TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (bucket, policy_domain, auth_pass, result_type)
) WITHOUT ROWID;

CREATE TABLE fold_mx (
	bucket             INTEGER NOT NULL,
	auth_pass          INTEGER NOT NULL,
	receiving_mx       TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (bucket, auth_pass, receiving_mx)
) WITHOUT ROWID;

CREATE TABLE fold_mx_result (
	bucket             INTEGER NOT NULL,
	auth_pass          INTEGER NOT NULL,
	receiving_mx       TEXT    NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (bucket, auth_pass, receiving_mx, result_type)
) WITHOUT ROWID;

-- Backfilled from the rollups they fold, as lib/rollup.c's rebuild
-- computes them; written in the SQL that PostgreSQL also accepts.
INSERT INTO fold_policy
	SELECT start_time - ((start_time % 2592000) + 2592000) % 2592000, policy_domain, auth_pass,
	       tr_sum(reports), tr_sum(successful), tr_sum(failed), tr_sum(failed_with_policy)
	FROM rollup_policy
	GROUP BY start_time - ((start_time % 2592000) + 2592000) % 2592000, policy_domain, auth_pass;

INSERT INTO fold_result
	SELECT start_time - ((start_time % 2592000) + 2592000) % 2592000, policy_domain, auth_pass, result_type,
	       tr_sum(reports), tr_sum(failed), tr_sum(failed_with_policy)
	FROM rollup_result
	GROUP BY start_time - ((start_time % 2592000) + 2592000) % 2592000, policy_domain, auth_pass, result_type;

INSERT INTO fold_mx
	SELECT start_time - ((start_time % 2592000) + 2592000) % 2592000, auth_pass, receiving_mx,
	       tr_sum(reports), tr_sum(failed), tr_sum(failed_with_policy)
	FROM rollup_mx
	GROUP BY start_time - ((start_time % 2592000) + 2592000) % 2592000, auth_pass, receiving_mx;

INSERT INTO fold_mx_result
	SELECT start_time - ((start_time % 2592000) + 2592000) % 2592000, auth_pass, receiving_mx, result_type,
	       tr_sum(reports), tr_sum(failed), tr_sum(failed_with_policy)
	FROM rollup_mx_result
	GROUP BY start_time - ((start_time % 2592000) + 2592000) % 2592000, auth_pass, receiving_mx, result_type;
