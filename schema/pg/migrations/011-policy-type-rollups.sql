-- Version 11 for PostgreSQL: schema/migrations/011-policy-type-rollups.sql
-- with schema/pg/schema.sql's types (BIGINT, TEXT COLLATE "C", no
-- WITHOUT ROWID); the backfill is the same SQL.
CREATE TABLE rollup_policy_type (
	start_time         BIGINT NOT NULL,
	submitter          TEXT COLLATE "C" NOT NULL,
	auth_pass          BIGINT NOT NULL,
	policy_type        TEXT COLLATE "C" NOT NULL,
	reports            BIGINT NOT NULL,
	successful         BIGINT NOT NULL,
	failed             BIGINT NOT NULL,
	failed_with_policy BIGINT NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, policy_type)
);

CREATE TABLE rollup_policy_type_result (
	start_time         BIGINT NOT NULL,
	submitter          TEXT COLLATE "C" NOT NULL,
	auth_pass          BIGINT NOT NULL,
	policy_type        TEXT COLLATE "C" NOT NULL,
	result_type        TEXT COLLATE "C" NOT NULL,
	reports            BIGINT NOT NULL,
	failed             BIGINT NOT NULL,
	failed_with_policy BIGINT NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, policy_type, result_type)
);

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

-- And tr_report_id (schema/pg/schema.sql), which a report's insert calls
-- since version 11, so that a duplicate takes no id.
CREATE OR REPLACE FUNCTION tr_report_id(s TEXT, r TEXT, st BIGINT, en BIGINT) RETURNS BIGINT
	LANGUAGE sql VOLATILE
	AS $$ SELECT COALESCE((SELECT id FROM reports
	                       WHERE submitter = s AND report_id = r AND start_time = st AND end_time = en),
	                      nextval(pg_get_serial_sequence('reports', 'id'))) $$;
