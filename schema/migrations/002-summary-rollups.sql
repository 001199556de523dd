-- Version 2: summary rollups.  summary_query() reads these sums instead of
-- joining every policy and failure detail, so that a summary over a
-- million reports costs a scan of a few thousand rows.  See the comments
-- in schema/schema.sql; this file creates the same tables and fills them
-- from the reports already stored.
CREATE TABLE rollup_report (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	reports            INTEGER NOT NULL,
	successful         INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass)
) WITHOUT ROWID;

CREATE TABLE rollup_policy (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	policy_domain      TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	reports            INTEGER NOT NULL,
	successful         INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, policy_domain, auth_pass)
) WITHOUT ROWID;

CREATE TABLE rollup_result_sub (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, result_type)
) WITHOUT ROWID;

CREATE TABLE rollup_result (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	policy_domain      TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, policy_domain, auth_pass, result_type)
) WITHOUT ROWID;

INSERT INTO rollup_report
	SELECT r.start_time, r.submitter, r.auth = 'pass', COUNT(DISTINCT r.id),
	       tr_sum(p.total_successful), tr_sum(p.total_failure),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE p.total_failure END)
	FROM reports r JOIN policies p ON p.report = r.id
	WHERE r.counted = 1 GROUP BY 1, 2, 3;

INSERT INTO rollup_policy
	SELECT r.start_time, r.submitter, COALESCE(p.policy_domain, ''), r.auth = 'pass',
	       COUNT(DISTINCT r.id), tr_sum(p.total_successful), tr_sum(p.total_failure),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE p.total_failure END)
	FROM reports r JOIN policies p ON p.report = r.id
	WHERE r.counted = 1 GROUP BY 1, 2, 3, 4;

INSERT INTO rollup_result_sub
	SELECT r.start_time, r.submitter, r.auth = 'pass', COALESCE(f.result_type, ''),
	       COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE f.failed_session_count END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 GROUP BY 1, 2, 3, 4;

INSERT INTO rollup_result
	SELECT r.start_time, r.submitter, COALESCE(p.policy_domain, ''), r.auth = 'pass',
	       COALESCE(f.result_type, ''), COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE f.failed_session_count END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 GROUP BY 1, 2, 3, 4, 5;
