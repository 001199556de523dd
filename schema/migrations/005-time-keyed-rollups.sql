-- Version 5: every rollup keyed by start time first (see schema.sql).
--
-- The covering indexes by policy domain go.  A WITHOUT ROWID table's key
-- cannot be changed in place, so the two MX rollups are set aside, made
-- anew as schema.sql makes them (a renamed table would keep a quoted name
-- in its text), and filled again in key order: the same rows and sums.
DROP INDEX IF EXISTS rollup_policy_by_domain;
DROP INDEX IF EXISTS rollup_result_by_domain;

CREATE TABLE rollup_mx_v4 AS SELECT * FROM rollup_mx;
DROP TABLE rollup_mx;
CREATE TABLE rollup_mx (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	receiving_mx       TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, receiving_mx)
) WITHOUT ROWID;
INSERT INTO rollup_mx
	SELECT start_time, submitter, auth_pass, receiving_mx, reports, failed, failed_with_policy
	FROM rollup_mx_v4 ORDER BY start_time, submitter, auth_pass, receiving_mx;
DROP TABLE rollup_mx_v4;

CREATE TABLE rollup_mx_result_v4 AS SELECT * FROM rollup_mx_result;
DROP TABLE rollup_mx_result;
CREATE TABLE rollup_mx_result (
	start_time         INTEGER NOT NULL,
	submitter          TEXT    NOT NULL,
	auth_pass          INTEGER NOT NULL,
	receiving_mx       TEXT    NOT NULL,
	result_type        TEXT    NOT NULL,
	reports            INTEGER NOT NULL,
	failed             INTEGER NOT NULL,
	failed_with_policy INTEGER NOT NULL,
	PRIMARY KEY (start_time, submitter, auth_pass, receiving_mx, result_type)
) WITHOUT ROWID;
INSERT INTO rollup_mx_result
	SELECT start_time, submitter, auth_pass, receiving_mx, result_type, reports, failed,
	       failed_with_policy
	FROM rollup_mx_result_v4 ORDER BY start_time, submitter, auth_pass, receiving_mx, result_type;
DROP TABLE rollup_mx_result_v4;
