-- Version 6: policy domains and submitters without case.  Domain names
-- have none, yet EXAMPLE.COM was its own row beside example.com and
-- --policy-domain example.com missed it.  The store now keeps both
-- lowercased (ASCII, as SQLite's lower() and the C library's tolower()
-- agree), the filters compare with lower(); this makes the rows stored
-- before the same.
--
-- A report is the same report when submitter, report-id and date range
-- match (UNIQUE in reports): a mixed-case submitter may now name a report
-- stored twice.  The copy under the lowercase name stays (else the
-- earliest stored); the others go with their policies and details.
-- The rollups of every start time touched are then rebuilt from the base
-- tables, as rollup_rebuild() does: summing the colliding rows instead
-- would count twice a report whose policies named both spellings.

CREATE TEMP TABLE v6_mixed AS
	SELECT id, lower(submitter) AS sub, report_id, start_time, end_time
	FROM reports WHERE submitter <> lower(submitter);

CREATE TEMP TABLE v6_dups AS
	SELECT m.id FROM v6_mixed m
	WHERE EXISTS (SELECT 1 FROM reports o WHERE o.submitter = m.sub AND o.report_id = m.report_id
	                                        AND o.start_time = m.start_time AND o.end_time = m.end_time)
	   OR EXISTS (SELECT 1 FROM v6_mixed e WHERE e.sub = m.sub AND e.report_id = m.report_id
	                                         AND e.start_time = m.start_time AND e.end_time = m.end_time
	                                         AND e.id < m.id);

CREATE TEMP TABLE v6_starts (start_time INTEGER PRIMARY KEY);
INSERT OR IGNORE INTO v6_starts SELECT start_time FROM v6_mixed;
INSERT OR IGNORE INTO v6_starts
	SELECT r.start_time FROM reports r JOIN policies p ON p.report = r.id
	WHERE p.policy_domain <> lower(p.policy_domain);

DELETE FROM failure_details WHERE policy IN
	(SELECT p.id FROM policies p WHERE p.report IN (SELECT id FROM v6_dups));
DELETE FROM policies WHERE report IN (SELECT id FROM v6_dups);
DELETE FROM reports WHERE id IN (SELECT id FROM v6_dups);

UPDATE reports SET submitter = lower(submitter) WHERE submitter <> lower(submitter);
UPDATE policies SET policy_domain = lower(policy_domain) WHERE policy_domain <> lower(policy_domain);

-- the rollups of those start times, as rollup.c's SELECTs make them
DELETE FROM rollup_report WHERE start_time IN (SELECT start_time FROM v6_starts);
INSERT INTO rollup_report
	SELECT r.start_time, r.submitter, r.auth = 'pass', COUNT(DISTINCT r.id),
	       tr_sum(p.total_successful), tr_sum(p.total_failure),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE p.total_failure END)
	FROM reports r JOIN policies p ON p.report = r.id
	WHERE r.counted = 1 AND r.start_time IN (SELECT start_time FROM v6_starts)
	GROUP BY 1, 2, 3;

DELETE FROM rollup_policy WHERE start_time IN (SELECT start_time FROM v6_starts);
INSERT INTO rollup_policy
	SELECT r.start_time, r.submitter, COALESCE(p.policy_domain, ''), r.auth = 'pass',
	       COUNT(DISTINCT r.id), tr_sum(p.total_successful), tr_sum(p.total_failure),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE p.total_failure END)
	FROM reports r JOIN policies p ON p.report = r.id
	WHERE r.counted = 1 AND r.start_time IN (SELECT start_time FROM v6_starts)
	GROUP BY 1, 2, 3, 4;

DELETE FROM rollup_result_sub WHERE start_time IN (SELECT start_time FROM v6_starts);
INSERT INTO rollup_result_sub
	SELECT r.start_time, r.submitter, r.auth = 'pass', COALESCE(f.result_type, ''),
	       COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE f.failed_session_count END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 AND r.start_time IN (SELECT start_time FROM v6_starts)
	GROUP BY 1, 2, 3, 4;

DELETE FROM rollup_result WHERE start_time IN (SELECT start_time FROM v6_starts);
INSERT INTO rollup_result
	SELECT r.start_time, r.submitter, COALESCE(p.policy_domain, ''), r.auth = 'pass',
	       COALESCE(f.result_type, ''), COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE f.failed_session_count END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 AND r.start_time IN (SELECT start_time FROM v6_starts)
	GROUP BY 1, 2, 3, 4, 5;

DELETE FROM rollup_mx WHERE start_time IN (SELECT start_time FROM v6_starts);
INSERT INTO rollup_mx
	SELECT r.start_time, r.submitter, r.auth = 'pass', COALESCE(f.receiving_mx_hostname, ''),
	       COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE f.failed_session_count END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 AND r.start_time IN (SELECT start_time FROM v6_starts)
	GROUP BY 1, 2, 3, 4;

DELETE FROM rollup_mx_result WHERE start_time IN (SELECT start_time FROM v6_starts);
INSERT INTO rollup_mx_result
	SELECT r.start_time, r.submitter, r.auth = 'pass', COALESCE(f.receiving_mx_hostname, ''),
	       COALESCE(f.result_type, ''), COUNT(DISTINCT r.id), tr_sum(f.failed_session_count),
	       tr_sum(CASE WHEN p.policy_type = 'no-policy-found' THEN 0 ELSE f.failed_session_count END)
	FROM reports r JOIN policies p ON p.report = r.id JOIN failure_details f ON f.policy = p.id
	WHERE r.counted = 1 AND r.start_time IN (SELECT start_time FROM v6_starts)
	GROUP BY 1, 2, 3, 4, 5;

DROP TABLE temp.v6_mixed;
DROP TABLE temp.v6_dups;
DROP TABLE temp.v6_starts;
