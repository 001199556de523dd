-- Version 11: rollups by policy type (schema.sql), so that the summary by
-- policy-type reads a few rows per start time and submitter instead of
-- every policy and failure detail (17 s CPU over 1,000,000 reports).
--
-- Unlike the other rollups they hold every policy of a counted report,
-- the superseded ones too (docs/COUNTING.md), keyed as the summary shows
-- them: "sts (counted under tlsa)" for an sts policy a tlsa one outranks
-- (lib/key.h, KEY_SQL_POLICY_TYPE).  Backfilled from the reports stored
-- so far, as rollup.c's rebuild computes them; written in the SQL that
-- PostgreSQL also accepts.
CREATE TABLE rollup_policy_type (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	policy_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	successful         INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, policy_type)
) WITHOUT ROWID;

CREATE TABLE rollup_policy_type_result (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	policy_type        TEXT    NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, policy_type, result_type)
) WITHOUT ROWID;

INSERT INTO rollup_policy_type
	SELECT r.start_time, r.submitter, CASE WHEN r.auth = 'pass' THEN 1 ELSE 0 END,
	       p.policy_type || CASE WHEN p.superseded = 0 THEN '' ELSE ' (counted under tlsa)' END,
	       COUNT(DISTINCT r.id), tr_sum(p.total_successful), tr_sum(p.total_failure),
	       tr_sum(CASE WHEN p.policy_type <> 'no-policy-found' THEN p.total_failure ELSE 0 END)
	FROM reports r JOIN policies p ON p.report = r.id
	WHERE r.counted = 1
	GROUP BY r.start_time, r.submitter, CASE WHEN r.auth = 'pass' THEN 1 ELSE 0 END,
	         p.policy_type || CASE WHEN p.superseded = 0 THEN '' ELSE ' (counted under tlsa)' END;

INSERT INTO rollup_policy_type_result
	SELECT r.start_time, r.submitter, CASE WHEN r.auth = 'pass' THEN 1 ELSE 0 END,
	       p.policy_type || CASE WHEN p.superseded = 0 THEN '' ELSE ' (counted under tlsa)' END,
	       COALESCE(f.result_type, ''), COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type <> 'no-policy-found' THEN f.failed_session_count ELSE 0 END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1
	GROUP BY r.start_time, r.submitter, CASE WHEN r.auth = 'pass' THEN 1 ELSE 0 END,
	         p.policy_type || CASE WHEN p.superseded = 0 THEN '' ELSE ' (counted under tlsa)' END,
	         COALESCE(f.result_type, '');
