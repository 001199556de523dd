-- Version 9: a session is counted once (docs/COUNTING.md, lib/count.h).
--
-- An sts policy is superseded when its report also has a tlsa policy for
-- the same policy domain (ASCII case-insensitive, as count.c compares;
-- a missing domain matches nothing): the sender evaluated DANE and
-- MTA-STS for the same sessions, and DANE takes precedence (RFC 8461 §2).
-- Mark those stored so far, then recompute the rollups of every start
-- time that holds one, as rollup.c's rebuild does: their sums counted
-- those sessions twice.
ALTER TABLE policies ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded IN (0, 1));

UPDATE policies SET superseded = 1
WHERE policy_type = 'sts' AND policy_domain IS NOT NULL
  AND EXISTS (SELECT 1 FROM policies d WHERE d.report = policies.report AND d.policy_type = 'tlsa'
              AND d.policy_domain = policies.policy_domain COLLATE NOCASE);

CREATE TEMP TABLE tr_v6_starts AS
	SELECT DISTINCT r.start_time FROM reports r JOIN policies p ON p.report = r.id
	WHERE p.superseded = 1 AND r.counted = 1;

DELETE FROM rollup_report WHERE start_time IN (SELECT start_time FROM temp.tr_v6_starts);
DELETE FROM rollup_policy WHERE start_time IN (SELECT start_time FROM temp.tr_v6_starts);
DELETE FROM rollup_result_sub WHERE start_time IN (SELECT start_time FROM temp.tr_v6_starts);
DELETE FROM rollup_result WHERE start_time IN (SELECT start_time FROM temp.tr_v6_starts);
DELETE FROM rollup_mx WHERE start_time IN (SELECT start_time FROM temp.tr_v6_starts);
DELETE FROM rollup_mx_result WHERE start_time IN (SELECT start_time FROM temp.tr_v6_starts);

INSERT INTO rollup_report
	SELECT r.start_time, r.submitter, r.auth = 'pass', COUNT(DISTINCT r.id), tr_sum(p.total_successful),
	       tr_sum(p.total_failure),
	       tr_sum(CASE WHEN p.policy_type <> 'no-policy-found' THEN p.total_failure ELSE 0 END)
	FROM reports r JOIN policies p ON p.report = r.id
	WHERE r.counted = 1 AND p.superseded = 0 AND r.start_time IN (SELECT start_time FROM temp.tr_v6_starts)
	GROUP BY 1, 2, 3;
INSERT INTO rollup_policy
	SELECT r.start_time, r.submitter, COALESCE(p.policy_domain, ''), r.auth = 'pass', COUNT(DISTINCT r.id),
	       tr_sum(p.total_successful), tr_sum(p.total_failure),
	       tr_sum(CASE WHEN p.policy_type <> 'no-policy-found' THEN p.total_failure ELSE 0 END)
	FROM reports r JOIN policies p ON p.report = r.id
	WHERE r.counted = 1 AND p.superseded = 0 AND r.start_time IN (SELECT start_time FROM temp.tr_v6_starts)
	GROUP BY 1, 2, 3, 4;
INSERT INTO rollup_result_sub
	SELECT r.start_time, r.submitter, r.auth = 'pass', COALESCE(f.result_type, ''), COUNT(DISTINCT r.id),
	       tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type <> 'no-policy-found' THEN f.failed_session_count ELSE 0 END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 AND p.superseded = 0 AND r.start_time IN (SELECT start_time FROM temp.tr_v6_starts)
	GROUP BY 1, 2, 3, 4;
INSERT INTO rollup_result
	SELECT r.start_time, r.submitter, COALESCE(p.policy_domain, ''), r.auth = 'pass',
	       COALESCE(f.result_type, ''), COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type <> 'no-policy-found' THEN f.failed_session_count ELSE 0 END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 AND p.superseded = 0 AND r.start_time IN (SELECT start_time FROM temp.tr_v6_starts)
	GROUP BY 1, 2, 3, 4, 5;
INSERT INTO rollup_mx
	SELECT r.start_time, r.submitter, r.auth = 'pass', COALESCE(f.receiving_mx_hostname, ''),
	       COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type <> 'no-policy-found' THEN f.failed_session_count ELSE 0 END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 AND p.superseded = 0 AND r.start_time IN (SELECT start_time FROM temp.tr_v6_starts)
	GROUP BY 1, 2, 3, 4;
INSERT INTO rollup_mx_result
	SELECT r.start_time, r.submitter, r.auth = 'pass', COALESCE(f.receiving_mx_hostname, ''),
	       COALESCE(f.result_type, ''), COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type <> 'no-policy-found' THEN f.failed_session_count ELSE 0 END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 AND p.superseded = 0 AND r.start_time IN (SELECT start_time FROM temp.tr_v6_starts)
	GROUP BY 1, 2, 3, 4, 5;

DROP TABLE temp.tr_v6_starts;
